import {randomBytes} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {json, leakctl, leakctlAsync, tempDir} from './helpers/cli.js'
import {TestRepo} from './helpers/git.js'
import {carried, type IssuerName, type IssuerServers, startIssuerServers} from '../fixtures/issuers/servers.js'
import {type FakeAws, startFakeAws} from './helpers/logs-aws-server.js'

// verify issuer and revoke end to end: a repository with one credential of
// each class (live and dead ones), opened as an incident by triage git-leak,
// then the real binary against one local server per issuer. Values are
// random each run, of each provider's real format.

const alnum = (n: number) => {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  return [...randomBytes(n)].map((b) => abc[b % abc.length]).join('')
}
const b32 = (n: number) => [...randomBytes(n)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('')
const jwtPart = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')

const V = {
  ghLive: `ghp_${alnum(36)}`,
  ghDead: `ghp_${alnum(36)}`,
  ghPat: `github_pat_${alnum(22)}_${alnum(59)}`,
  gitlab: `glpat-${alnum(20)}`,
  slack: `xoxb-${Date.now()}-${Date.now() + 1}-${alnum(24)}`,
  hookLive: `/services/T${b32(8)}/B${b32(8)}/${alnum(24)}`,
  hookDead: `/services/T${b32(8)}/B${b32(8)}/${alnum(24)}`,
  stripe: `sk_live_${alnum(24)}`,
  sendgrid: `SG.${alnum(22)}.${alnum(43)}`,
  npm: `npm_${alnum(36)}`,
  openai: `sk-proj-${alnum(24)}T3BlbkFJ${alnum(24)}`,
  anthropic: `sk-ant-api03-${alnum(93)}AA`,
  pypi: `pypi-AgEIcHlwaS5vcmc${alnum(60)}`,
  awsId: `AKIA${b32(16)}`,
  awsSecret: alnum(40),
  saToken: `${jwtPart({alg: 'RS256', kid: ''})}.${jwtPart({iss: 'kubernetes/serviceaccount', 'kubernetes.io/serviceaccount/namespace': 'ops', 'kubernetes.io/serviceaccount/secret.name': 'deployer-token-x7k2p', 'kubernetes.io/serviceaccount/service-account.name': 'deployer', sub: 'system:serviceaccount:ops:deployer'})}.${alnum(86)}`,
}

const CONFIG = `# production settings (leaked)
GITHUB_TOKEN=${V.ghLive}
OLD_GITHUB_TOKEN=${V.ghDead}
GH_FINE_GRAINED=${V.ghPat}
GITLAB_TOKEN=${V.gitlab}
SLACK_BOT_TOKEN=${V.slack}
SLACK_WEBHOOK=https://hooks.slack.com${V.hookLive}
OLD_SLACK_WEBHOOK=https://hooks.slack.com${V.hookDead}
STRIPE_KEY=${V.stripe}
SENDGRID_API_KEY=${V.sendgrid}
NPM_TOKEN=${V.npm}
OPENAI_API_KEY=${V.openai}
ANTHROPIC_API_KEY=${V.anthropic}
PYPI_TOKEN=${V.pypi}
KUBE_TOKEN=${V.saToken}
`
const AWS_CREDS = `[default]\naws_access_key_id = ${V.awsId}\naws_secret_access_key = ${V.awsSecret}\n`

/** Which server may see which credential. */
const OWNER: [IssuerName | 'aws', string][] = [
  ['github', V.ghLive],
  ['github', V.ghDead],
  ['github', V.ghPat],
  ['gitlab', V.gitlab],
  ['slack', V.slack],
  ['hooks', V.hookLive.split('/').at(-1)!],
  ['hooks', V.hookDead.split('/').at(-1)!],
  ['stripe', V.stripe],
  ['sendgrid', V.sendgrid],
  ['npm', V.npm],
  ['openai', V.openai],
  ['anthropic', V.anthropic],
  ['kube', V.saToken],
  ['aws', V.awsSecret],
]

let tmp: ReturnType<typeof tempDir>
let issuers: IssuerServers
let aws: FakeAws
let env: Record<string, string>

function allRequests(): number {
  return Object.values(issuers.servers).reduce((n, s) => n + s.requests.length, 0) + aws.log.length
}

function resetRequests(): void {
  for (const s of Object.values(issuers.servers)) s.requests.length = 0
  aws.log.length = 0
}

// The servers live in this process: the binary runs asynchronously (leakctlAsync) so they can answer.
function events(type: string): any[] {
  const incidents = join(tmp.dir, 'ws', 'incidents')
  return readFileSync(join(incidents, readdirSync(incidents)[0]!, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === type)
}

beforeAll(async () => {
  tmp = tempDir()
  const repo = new TestRepo(join(tmp.dir, 'repo'))
  repo.write('config/production.env', CONFIG).write('deploy/aws-credentials', AWS_CREDS).commit('add production config')
  issuers = await startIssuerServers(
    {
      github: [V.ghLive, V.ghPat],
      gitlab: [V.gitlab],
      slack: [V.slack],
      hooks: [V.hookLive],
      stripe: [V.stripe],
      sendgrid: [],
      npm: [V.npm],
      openai: [V.openai],
      anthropic: [V.anthropic],
      kube: [V.saToken],
    },
    {'ops/deployer-token-x7k2p': V.saToken},
  )
  aws = await startFakeAws({records: [], account: '111122223333', enabledRegions: ['us-east-1'], lastUsed: {[V.awsId]: {user: 'ci-deployer', date: '2026-11-30T10:00:00Z', service: 's3', region: 'eu-west-1', status: 'Active'}}})
  writeFileSync(join(tmp.dir, 'kubeconfig'), issuers.kubeconfigYaml)
  env = {
    LEAKCTL_WORKSPACE: join(tmp.dir, 'ws'),
    ...issuers.env,
    AWS_ENDPOINT_URL_IAM: aws.url,
    AWS_ENDPOINT_URL_STS: aws.url,
    AWS_ACCESS_KEY_ID: 'AKIARESPONDER0000000',
    AWS_SECRET_ACCESS_KEY: 'responder-secret-not-a-leak',
    AWS_REGION: 'us-east-1',
    KUBECONFIG: join(tmp.dir, 'kubeconfig'),
    HOME: tmp.dir,
    AWS_EC2_METADATA_DISABLED: 'true',
  }
  mkdirSync(join(tmp.dir, 'private'), {mode: 0o700})
  // The triage itself without AWS credentials: its CloudTrail evidence is not what is tested here.
  const t = leakctl(['triage', 'git-leak', '--repo', join(tmp.dir, 'repo'), '--replacements-dir', join(tmp.dir, 'private'), '--json'], {env: {LEAKCTL_WORKSPACE: env.LEAKCTL_WORKSPACE, HOME: tmp.dir, AWS_EC2_METADATA_DISABLED: 'true', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: undefined}})
  expect([0, 1], t.stderr).toContain(t.code)
}, 120_000)

afterAll(async () => {
  await issuers?.close()
  await aws?.close()
  tmp?.cleanup()
})

describe('verify issuer', () => {
  it('--dry-run prints the exact calls with the credentials redacted and sends nothing', async () => {
    resetRequests()
    const r = await leakctlAsync(['verify', 'issuer', '--dry-run'], {env})
    expect(r.code, r.stderr).toBe(0)
    expect(allRequests()).toBe(0)
    expect(r.stdout).toContain(`GET ${new URL(issuers.servers.github.url).host}/user`)
    expect(r.stdout).toMatch(/POST 127\.0\.0\.1:\d+\/services\/T[A-Z2-7]{8}\/\*\*\*\*\/\*\*\*\*/)
    expect(r.stdout).toContain('/apis/authentication.k8s.io/v1/tokenreviews')
    expect(r.stdout).toMatch(/pypi-token[\s\S]*not asked: PyPI documents no read-only call/)
    for (const [, value] of OWNER) expect(r.stdout + r.stderr).not.toContain(value)
    const j = json(await leakctlAsync(['verify', 'issuer', '--dry-run', '--json'], {env}))
    expect(j.dryRun).toBe(true)
    expect(allRequests()).toBe(0)
  })

  it('asks each issuer about its own credentials only, records one verification per finding, exits 1 while any is live', async () => {
    resetRequests()
    const r = await leakctlAsync(['verify', 'issuer', '--json'], {env})
    expect(r.code, r.stderr).toBe(1)
    const out = json(r)
    const state = (pred: (v: any) => boolean) => out.verifications.filter(pred).map((v: any) => v.state)
    const byClass = (cls: string) => state((v) => v.class === cls)
    expect(byClass('github-token').sort()).toEqual(['live', 'live', 'revoked'])
    expect(byClass('gitlab-token')).toEqual(['live'])
    expect(byClass('slack-token')).toEqual(['live'])
    expect(byClass('slack-webhook').sort()).toEqual(['live', 'revoked'])
    expect(byClass('stripe-key')).toEqual(['live'])
    expect(byClass('sendgrid-key')).toEqual(['revoked'])
    expect(byClass('npm-token')).toEqual(['live'])
    expect(byClass('openai-key')).toEqual(['live'])
    expect(byClass('anthropic-key')).toEqual(['live'])
    expect(byClass('pypi-token')).toEqual(['unverifiable'])
    expect(byClass('k8s-service-account-token')).toEqual(['live'])
    expect(byClass('aws-access-key')).toEqual(['live'])
    const aws1 = out.verifications.find((v: any) => v.class === 'aws-access-key')
    expect(aws1.detail).toContain('Active key of IAM user ci-deployer')
    for (const v of out.verifications) expect(Object.keys(v).sort()).toEqual(['checkedAt', 'class', 'detail', 'fingerprint', 'state', 'via', 'where'])
    expect(out.summary.live).toBeGreaterThan(0)

    // Each credential reached its own issuer's server and no other; the webhook's empty body.
    for (const [name, server] of Object.entries(issuers.servers)) {
      for (const req of server.requests) {
        for (const [owner, value] of OWNER) if (owner !== name) expect(carried(req), `${value.slice(0, 8)} sent to ${name}`).not.toContain(value)
      }
    }
    expect(issuers.servers.hooks.requests.every((q) => q.body === '' && q.method === 'POST')).toBe(true)
    expect(issuers.servers.github.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /user', 'GET /user', 'GET /user'])
    // Without --use-leaked-key the AWS secret never signs anything: only the responder's key does.
    expect(aws.log.map((l) => l.action).sort()).toEqual(['GetAccessKeyInfo', 'GetAccessKeyLastUsed', 'GetCallerIdentity', 'ListAccessKeys'])
    expect(r.stdout).not.toContain(V.awsSecret)
    for (const [, value] of OWNER) expect(r.stdout + r.stderr).not.toContain(value)

    const recorded = events('verification.recorded')
    expect(recorded.length).toBe(out.verifications.filter((v: any) => v.state !== 'unverifiable').length)
    const findings = events('finding.recorded').map((e) => e.data.finding)
    const gh = recorded.find((e) => e.data.class === 'github-token' && e.data.state === 'revoked')
    const f = findings.find((x) => x.fingerprint === gh.data.fingerprint)
    expect(gh.data.finding).toBe(`${f.fingerprint}|git|${f.path}:${f.line} @ ${f.commit.slice(0, 12)}`)
    expect(gh.data.verifier).toBe('issuer')
  })

  it('--use-leaked-key signs sts:GetCallerIdentity with the leaked pair', async () => {
    resetRequests()
    const out = json(await leakctlAsync(['verify', 'issuer', '--class', 'aws-access-key', '--use-leaked-key', '--json', '--no-record'], {env}))
    expect(out.verifications[0].state).toBe('live')
    expect(out.verifications[0].detail).toContain('arn:aws:iam::111122223333:user/ci-deployer')
    expect(aws.log.filter((l) => l.action === 'GetCallerIdentity').length).toBe(2)
  })

  it('honours Retry-After within the limit, and reports 5xx, slow answers and long rate limits as unknown (exit 3 when nothing answered)', async () => {
    const gh = issuers.servers.github
    const live = await fpOf('github-token', 'live')
    gh.fault = {status: 429, retryAfter: '1', times: 1}
    resetRequests()
    let out = json(await leakctlAsync(['verify', 'issuer', '--class', 'github-token', '--fingerprint', live, '--json', '--no-record'], {env}))
    expect(out.verifications.map((v: any) => v.state)).toEqual(['live'])
    expect(gh.requests.length).toBe(2)

    gh.fault = {status: 429, retryAfter: '120'}
    let r = await leakctlAsync(['verify', 'issuer', '--class', 'github-token', '--max-wait', '5', '--json', '--no-record'], {env})
    expect(r.code).toBe(3)
    out = json(r)
    expect(out.verifications.every((v: any) => v.state === 'unknown' && /rate limited/.test(v.detail))).toBe(true)

    gh.fault = {status: 502}
    out = json(await leakctlAsync(['verify', 'issuer', '--class', 'github-token', '--json', '--no-record'], {env}))
    expect(out.verifications[0]).toMatchObject({state: 'unknown', detail: expect.stringContaining('failed (HTTP 502)')})

    // An issuer that answers after 30 s: the 1 s timeout ends the wait (however slow this machine starts a process).
    gh.fault = {slowMs: 30_000}
    const t0 = Date.now()
    r = await leakctlAsync(['verify', 'issuer', '--class', 'github-token', '--timeout', '1', '--json', '--no-record'], {env})
    expect(r.code).toBe(3)
    expect(json(r).verifications[0].detail).toMatch(/no answer from 127\.0\.0\.1:\d+ within 1 s/)
    expect(Date.now() - t0).toBeLessThan(25_000)
    gh.fault = null
  }, 60_000)

  it('bad input exits 2 with one line', async () => {
    const r = await leakctlAsync(['verify', 'issuer', '--fingerprint', 'nope'], {env})
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
})

async function fpOf(cls: string, state: 'live' | 'revoked'): Promise<string> {
  const out = json(await leakctlAsync(['verify', 'issuer', '--class', cls, '--json', '--no-record'], {env}))
  return out.verifications.find((v: any) => v.state === state).fingerprint
}

describe('revoke', () => {
  it('is a dry run by default: nothing sent, the plan printed', async () => {
    resetRequests()
    const r = await leakctlAsync(['revoke', '--json'], {env})
    expect(r.code, r.stderr).toBe(0)
    expect(allRequests()).toBe(0)
    const out = json(r)
    expect(out.revocations.every((x: any) => x.applied === false)).toBe(true)
    const aws1 = out.revocations.find((x: any) => x.class === 'aws-access-key')
    expect(aws1.action).toBe(`iam:UpdateAccessKey ${V.awsId} Inactive`)
    expect(out.revocations.find((x: any) => x.class === 'pypi-token').result).toMatch(/^manual/)
  })

  it('--apply without a terminal needs --yes', async () => {
    const r = await leakctlAsync(['revoke', '--apply'], {env})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--yes')
  })

  it('--apply --yes revokes at each issuer (GitHub in one unauthenticated batch), records the revocations, and verifies again', async () => {
    resetRequests()
    const r = await leakctlAsync(['revoke', '--apply', '--yes', '--class', 'github-token', '--class', 'slack-token', '--class', 'aws-access-key', '--class', 'k8s-service-account-token', '--json'], {env})
    expect(r.code, r.stderr).toBe(0)
    const out = json(r)
    expect(out.revocations.filter((x: any) => x.applied).map((x: any) => x.class).sort()).toEqual(['aws-access-key', 'github-token', 'github-token', 'github-token', 'k8s-service-account-token', 'slack-token'])
    const batch = issuers.servers.github.requests.filter((q) => q.path === '/credentials/revoke')
    expect(batch).toHaveLength(1)
    expect(batch[0]!.headers.authorization).toBeUndefined()
    expect(JSON.parse(batch[0]!.body).credentials.sort()).toEqual([V.ghLive, V.ghDead, V.ghPat].sort())
    expect(issuers.kube.secrets.has('ops/deployer-token-x7k2p')).toBe(false)
    expect(out.revocations.find((x: any) => x.class === 'aws-access-key').result).toContain('aws iam delete-access-key --user-name ci-deployer')
    // Verified right after: every one is dead now.
    expect(out.verifications.map((v: any) => v.state).every((s: string) => s === 'revoked')).toBe(true)
    const revoked = events('credential.revoked')
    expect(revoked).toHaveLength(6)
    expect(revoked.every((e) => e.data.applied && e.data.finding.startsWith(e.data.fingerprint))).toBe(true)
    for (const [, value] of OWNER) expect(r.stdout + r.stderr).not.toContain(value)
    for (const [name, server] of Object.entries(issuers.servers)) {
      for (const req of server.requests) for (const [owner, value] of OWNER) if (owner !== name) expect(carried(req)).not.toContain(value)
    }
  })
})

describe('triage git-leak --verify', () => {
  it('asks the issuers right after opening the incident, and records the answers', async () => {
    const token = `ghp_${alnum(36)}`
    issuers.servers.github.live.add(token)
    const repo = new TestRepo(join(tmp.dir, 'repo2'))
    repo.write('ci.env', `GH_TOKEN=${token}\n`).commit('ci')
    const ws = join(tmp.dir, 'ws2')
    mkdirSync(join(tmp.dir, 'private2'), {mode: 0o700})
    resetRequests()
    const r = await leakctlAsync(['triage', 'git-leak', '--repo', repo.dir, '--replacements-dir', join(tmp.dir, 'private2'), '--verify', '--json'], {env: {...env, LEAKCTL_WORKSPACE: ws, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined}})
    expect(r.code, r.stderr).toBe(1)
    expect(json(r).verification).toMatchObject({total: 1, live: 1})
    expect(issuers.servers.github.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /user'])
    const incidents = join(ws, 'incidents')
    const log = readFileSync(join(incidents, readdirSync(incidents)[0]!, 'events.jsonl'), 'utf8')
    expect(log).toContain('"verification.recorded"')
    expect(log).not.toContain(token)
  })

  it('without --verify, the triage sends nothing to any issuer', async () => {
    resetRequests()
    // A directory of its own: the replacements file is created exclusively (issue 12), and private2 already holds one.
    mkdirSync(join(tmp.dir, 'private3'), {mode: 0o700})
    const r = await leakctlAsync(['triage', 'git-leak', '--repo', join(tmp.dir, 'repo2'), '--replacements-dir', join(tmp.dir, 'private3'), '--json'], {env: {...env, LEAKCTL_WORKSPACE: join(tmp.dir, 'ws3'), AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined}})
    expect(r.code, r.stderr).toBe(1)
    expect(Object.values(issuers.servers).reduce((n, s) => n + s.requests.length, 0)).toBe(0)
  })
})
