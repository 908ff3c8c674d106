import {generateKeyPairSync} from 'node:crypto'

// A generated repository's worth of source files (TypeScript, Python, Go,
// YAML, .env, JSON, Markdown) made of ordinary lines, lines that talk about
// secrets without holding one (types, env lookups, templates, doc examples),
// and planted credentials in each provider's documented format. The planted
// values are known, so a scan of the corpus measures recall (planted values
// found) and precision (anything else reported is a false finding).

export interface Planted {
  /** What was planted (a format), for per-format recall. */
  format: string
  value: string
}

export interface CorpusFile {
  path: string
  text: string
}

export interface Corpus {
  files: CorpusFile[]
  planted: Planted[]
  bytes: number
}

/** mulberry32: a small seeded generator, so a corpus is the same from run to run. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const HEX = '0123456789abcdef'
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const B64 = `${B62}+/`
const B64URL = `${B62}-_`

interface Gen {
  rand: () => number
  str: (n: number, alphabet?: string) => string
  pick: <T>(xs: readonly T[]) => T
  int: (lo: number, hi: number) => number
}

function gen(seed: number): Gen {
  const rand = prng(seed)
  const str = (n: number, alphabet = B62) => {
    let s = ''
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)]
    return s
  }
  return {rand, str, pick: (xs) => xs[Math.floor(rand() * xs.length)]!, int: (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1))}
}

const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')

/** Planted credentials: [format, file kinds it fits, () => {line, value}]. */
type Plant = (g: Gen) => {line: string; value: string}
const PLANTS: [string, Kind[], Plant][] = [
  ['github-classic', ['ts', 'py', 'env', 'yaml', 'md'], (g) => ((v) => ({line: `GITHUB_TOKEN=${v}`, value: v}))(`ghp_${g.str(36)}`)],
  ['github-fine-grained', ['ts', 'yaml'], (g) => ((v) => ({line: `  token: "${v}"`, value: v}))(`github_pat_${g.str(22)}_${g.str(59)}`)],
  ['gitlab', ['env', 'yaml'], (g) => ((v) => ({line: `GITLAB_TOKEN=${v}`, value: v}))(`glpat-${g.str(20, B64URL)}`)],
  ['slack-bot', ['ts', 'py', 'env'], (g) => ((v) => ({line: `SLACK_BOT_TOKEN="${v}"`, value: v}))(`xoxb-${g.str(12, '0123456789')}-${g.str(13, '0123456789')}-${g.str(24)}`)],
  ['slack-webhook', ['yaml', 'json', 'md'], (g) => ((v) => ({line: `  "webhook": "${v}",`, value: v}))(`https://hooks.slack.com/services/T${g.str(8, B32)}/B${g.str(10, B32)}/${g.str(24)}`)],
  ['stripe', ['ts', 'py', 'env'], (g) => ((v) => ({line: `stripe.api_key = "${v}"`, value: v}))(`sk_live_${g.str(24)}`)],
  ['sendgrid', ['env', 'ts'], (g) => ((v) => ({line: `SENDGRID_API_KEY=${v}`, value: v}))(`SG.${g.str(22, B64URL)}.${g.str(43, B64URL)}`)],
  ['npm', ['env', 'md'], (g) => ((v) => ({line: `//registry.npmjs.org/:_authToken=${v}`, value: v}))(`npm_${g.str(36)}`)],
  ['pypi', ['env', 'py'], (g) => ((v) => ({line: `TWINE_PASSWORD=${v}`, value: v}))(`pypi-AgEIcHlwaS5vcmc${g.str(80, B64URL)}`)],
  ['google-api-key', ['ts', 'json', 'go'], (g) => ((v) => ({line: `  apiKey: "${v}",`, value: v}))(`AIza${g.str(35, B64URL)}`)],
  ['openai', ['py', 'env'], (g) => ((v) => ({line: `OPENAI_API_KEY = "${v}"`, value: v}))(`sk-proj-${g.str(48, B64URL)}T3BlbkFJ${g.str(48, B64URL)}`)],
  ['anthropic', ['py', 'env'], (g) => ((v) => ({line: `ANTHROPIC_API_KEY=${v}`, value: v}))(`sk-ant-api03-${g.str(93, B64URL)}AA`)],
  ['aws-key-pair', ['env', 'py'], (g) => ((v) => ({line: `aws_access_key_id = AKIA${g.str(16, B32)}\naws_secret_access_key = ${v}`, value: v}))(g.str(40, B64))],
  ['azure-storage', ['json', 'env'], (g) => ((v) => ({line: `AZURE_STORAGE="DefaultEndpointsProtocol=https;AccountName=acme${g.int(1, 99)};AccountKey=${v};EndpointSuffix=core.windows.net"`, value: v}))(`${g.str(86, B64)}==`)],
  ['postgres-url', ['env', 'yaml', 'py'], (g) => ((v) => ({line: `DATABASE_URL=postgres://app:${v}@db-${g.int(1, 9)}.prod.internal:5432/app`, value: v}))(g.str(20))],
  ['mongodb-url', ['ts', 'env'], (g) => ((v) => ({line: `const uri = "mongodb+srv://svc:${v}@cluster0.${g.str(5).toLowerCase()}.mongodb.net/prod"`, value: v}))(g.str(16))],
  ['redis-url', ['yaml', 'env'], (g) => ((v) => ({line: `REDIS_URL=rediss://default:${v}@cache.internal:6380/0`, value: v}))(g.str(24))],
  ['jwt', ['ts', 'md', 'json'], (g) => ((v) => ({line: `const session = "${v}"`, value: v}))(`${b64url({alg: 'RS256', kid: g.str(8)})}.${b64url({sub: g.str(12), iat: g.int(1.6e9, 1.7e9)})}.${g.str(86, B64URL)}`)],
  ['k8s-sa-token', ['yaml'], (g) => ((v) => ({line: `    token: ${v}`, value: v}))(`${b64url({alg: 'RS256', kid: g.str(43, B64URL)})}.${b64url({iss: 'kubernetes/serviceaccount', 'kubernetes.io/serviceaccount/namespace': 'prod', sub: `system:serviceaccount:prod:${g.str(6).toLowerCase()}`})}.${g.str(342, B64URL)}`)],
  ['docker-auth', ['json'], (g) => ((v) => ({line: `{"auths": {"registry.acme.io": {"auth": "${v}"}}}`, value: v}))(Buffer.from(`robot$ci:${g.str(32)}`).toString('base64'))],
  ['password-assignment', ['env', 'yaml', 'py', 'ts'], (g) => ((v) => ({line: `DB_PASSWORD="${v}"`, value: v}))(`${g.str(10)}!${g.str(6)}`)],
  ['client-secret-yaml', ['yaml'], (g) => ((v) => ({line: `  client_secret: ${v}`, value: v}))(g.str(32, B64URL))],
  ['pem-private-key', ['md', 'yaml', 'env'], () => {
    const v = generateKeyPairSync('ec', {namedCurve: 'P-256', privateKeyEncoding: {type: 'pkcs8', format: 'pem'}, publicKeyEncoding: {type: 'spki', format: 'pem'}}).privateKey.trimEnd()
    return {line: v, value: v}
  }],
]

type Kind = 'ts' | 'py' | 'go' | 'yaml' | 'env' | 'json' | 'md'

const EXT: Record<Kind, string> = {ts: 'ts', py: 'py', go: 'go', yaml: 'yaml', env: 'env', json: 'json', md: 'md'}

/** Ordinary lines: most of any repository. */
const ORDINARY: Record<Kind, string[]> = {
  ts: [
    'import {z} from "zod"',
    'import {readFile} from "node:fs/promises"',
    'export async function handler(req: Request): Promise<Response> {',
    '  const result = await client.fetch(`/api/v1/items/${id}`, {method: "GET"})',
    '  if (user.isAdmin && !session.expired) audit.log("access", user.id)',
    '  return new Response(JSON.stringify(body), {status: 200, headers: {"content-type": "application/json"}})',
    '}',
    '  const items = rows.map((r) => ({id: r.id, name: r.name, createdAt: new Date(r.created_at)}))',
    '  for (const [key, value] of Object.entries(options)) params.set(key, String(value))',
    '  // Retry with exponential backoff, at most five times',
    'export const DEFAULT_TIMEOUT_MS = 30_000',
    '  throw new Error(`unexpected status ${res.status} from ${url}`)',
    '  expect(await screen.findByRole("button", {name: "Save"})).toBeVisible()',
  ],
  py: [
    'import os',
    'from dataclasses import dataclass',
    'def handler(event, context):',
    '    return {"statusCode": 200, "body": json.dumps(event)}',
    '    for item in items:',
    '        total += item.price * item.quantity',
    '    logger.info("processed %d records in %.2fs", len(records), elapsed)',
    '@dataclass(frozen=True)\nclass Point:\n    x: float\n    y: float',
    '    df = pd.read_csv(path, parse_dates=["created_at"])',
  ],
  go: [
    'package main',
    'import (\n\t"context"\n\t"net/http"\n)',
    'func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {',
    '\tif err != nil {\n\t\treturn fmt.Errorf("load config: %w", err)\n\t}',
    '\tctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)\n\tdefer cancel()',
    '\tfor i, item := range items {\n\t\tout[i] = item.Name\n\t}',
    '}',
  ],
  yaml: [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:\n  name: api\n  labels:\n    app: api',
    '        - name: LOG_LEVEL\n          value: "info"',
    'server:\n  port: 8080\n  tls:\n    certFile: /etc/tls/tls.crt',
    '      resources:\n        limits:\n          cpu: 500m\n          memory: 512Mi',
    '    image: registry.acme.io/api:2.14.0',
  ],
  env: ['NODE_ENV=production', 'PORT=8080', 'LOG_LEVEL=info', 'DB_HOST=db.internal', 'FEATURE_FLAGS=search,billing', 'CACHE_TTL_SECONDS=300'],
  json: [
    '  "name": "@acme/api",',
    '  "version": "2.14.0",',
    '  "scripts": {"build": "tsc", "test": "vitest run"},',
    '  "engines": {"node": ">=20"},',
    '  {"id": 1042, "name": "Widget", "price": 19.99, "tags": ["blue", "large"]},',
  ],
  md: [
    '# Deploying the API',
    'Run `npm test` to check everything.',
    'The service reads its configuration from the environment at start-up.',
    '- [x] migrate the orders table\n- [ ] drop the legacy column',
    '```sh\nnpm ci && npm run build\n```',
  ],
}

/** Lines that speak of secrets without holding one: types, env lookups, templates, doc examples. None may be reported. */
const LOOK_ALIKE: Record<Kind, string[]> = {
  ts: [
    'const tokenCount = tokens.length',
    'export function validateToken(token: string): boolean {',
    '  headers.Authorization = `Bearer ${token}`',
    '  password: z.string().min(12).max(128),',
    'const SECRET_HEADER = "X-Hub-Signature-256"',
    'if (!process.env.API_KEY) throw new Error("API_KEY is required")',
    '  apiKey: process.env.STRIPE_KEY,',
    'export type Credentials = {accessKeyId: string; secretAccessKey: string; sessionToken?: string}',
    'const secret = await secrets.get("db/password")',
    '  credentials: fromIni({profile}),',
    'exports.ListAccessKeysCommand = ListAccessKeysCommand',
    '  TOKEN_EXPIRED: "TOKEN_EXPIRED",',
    '  nextToken: "STRING_VALUE",',
    '// Refresh the access token five minutes before it expires',
  ],
  py: [
    'password = getpass.getpass("Password: ")',
    'token = request.headers.get("Authorization")',
    'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]',
    'api_key = settings.API_KEY',
    '    password_min_length = 12  # policy, not a secret',
    '    if not token:\n        raise PermissionError("missing token")',
    'client = boto3.client("s3", aws_access_key_id=key_id, aws_secret_access_key=secret)',
  ],
  go: ['\ttoken, err := oauth.Exchange(ctx, code)', '\tPassword string `json:"password"`', '\tapiKey := os.Getenv("API_KEY")'],
  yaml: [
    '        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: db-credentials\n              key: password',
    '  password: ${DB_PASSWORD}',
    '  token: "{{ .Values.token }}"',
    '  secretName: tls-api',
    '  password_file: /run/secrets/db_password',
  ],
  env: ['DB_PASSWORD=changeme', 'API_KEY=<your-api-key>', 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE', 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'SESSION_SECRET=${SESSION_SECRET}'],
  json: [
    '  "dependencies": {"@inquirer/password": "^4.0.23", "jsonwebtoken": "^9.0.2"},',
    '  "tokenEndpoint": "https://auth.acme.io/oauth/token",',
    '  "passwordPolicy": {"minLength": 12},',
  ],
  md: [
    'Set the token with `export GITHUB_TOKEN=...` before running the script.',
    'The password must be at least 12 characters.',
    'Rotate the secret every 90 days; see the runbook.',
    '| Variable | Meaning |\n| --- | --- |\n| `API_KEY` | the key from the dashboard |',
    'curl -u "$USER:$PASS" https://api.example.com/v1/status',
    'postgres://user:password@localhost:5432/db is the format of DATABASE_URL.',
  ],
}

const KINDS = Object.keys(ORDINARY) as Kind[]

/**
 * About `bytes` of files of 2–16 KB each; on average one planted credential
 * per `plantEvery` lines, and a `lookAlike` share of lines that speak of secrets.
 */
export function generateCorpus(bytes: number, opts: {seed?: number; plantEvery?: number; lookAlike?: number} = {}): Corpus {
  const g = gen(opts.seed ?? 4)
  const plantEvery = opts.plantEvery ?? 400
  const lookAlike = opts.lookAlike ?? 0.1
  const files: CorpusFile[] = []
  const planted: Planted[] = []
  let total = 0
  for (let n = 0; total < bytes; n++) {
    const kind = g.pick(KINDS)
    const size = g.int(2048, 16384)
    const lines: string[] = []
    let len = 0
    while (len < size) {
      const r = g.rand()
      let line = g.pick(r < lookAlike ? LOOK_ALIKE[kind] : ORDINARY[kind])
      if (r > 1 - 1 / plantEvery) {
        const fits = PLANTS.filter(([, kinds]) => kinds.includes(kind))
        const [format, , plant] = g.pick(fits)
        const p = plant(g)
        planted.push({format, value: p.value})
        line = p.line
      }
      lines.push(line)
      len += line.length + 1
    }
    const text = `${lines.join('\n')}\n`
    files.push({path: `src/${kind}/file${n}.${EXT[kind]}`, text})
    total += text.length
  }
  return {files, planted, bytes: total}
}

export const PLANTED_FORMATS = PLANTS.map(([f]) => f)

export interface CorpusResult {
  byFormat: Map<string, {planted: number; found: number}>
  found: number
  /** Findings that are none of the planted values. */
  falseFindings: {path: string; rule: string; line: number}[]
}

/** Scores a scanner's matches (secret values stay in this process) against what was planted. */
export function scoreCorpus(corpus: Corpus, scan: (f: CorpusFile) => {secret: string; rule: string; line: number}[]): CorpusResult {
  const wanted = new Map(corpus.planted.map((p) => [p.value, p]))
  const byFormat = new Map<string, {planted: number; found: number}>()
  for (const p of corpus.planted) {
    const t = byFormat.get(p.format) ?? {planted: 0, found: 0}
    t.planted++
    byFormat.set(p.format, t)
  }
  const hit = new Set<string>()
  const falseFindings: CorpusResult['falseFindings'] = []
  for (const f of corpus.files) {
    for (const m of scan(f)) {
      const p = wanted.get(m.secret) ?? corpus.planted.find((x) => m.secret.length >= 8 && (x.value.includes(m.secret) || m.secret.includes(x.value)) && f.text.includes(x.value))
      if (p) hit.add(p.value)
      else falseFindings.push({path: f.path, rule: m.rule, line: m.line})
    }
  }
  for (const v of hit) byFormat.get(wanted.get(v)!.format)!.found++
  return {byFormat, found: hit.size, falseFindings}
}
