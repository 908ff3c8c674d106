import {execFileSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {configMap, secret} from '../fixtures/etcd/k8s-objects.js'
import {makeSnapshot} from '../fixtures/etcd/server.js'
import {json, leakctl, type RunResult, tempDir} from './helpers/cli.js'
import {fingerprint, workspaceFingerprint} from './helpers/fingerprint.js'
import {TestRepo} from './helpers/git.js'
import {gitFinding} from './helpers/incident.js'

// No secret value leaves the process: plant canaries where responders may
// paste them by mistake, run every command and format, grep everything.
const CANARY = `cnry${Date.now().toString(36)}Q9xZ7wV2`
const AWS_SECRET = `${CANARY}AbCdEfGhIjKlMnOpQrStUvWx`.slice(0, 40)
const DB_PASSWORD = `${CANARY}-db`

let tmp: ReturnType<typeof tempDir>
let env: Record<string, string>
const outputs: RunResult[] = []

function run(args: string[], input?: string): RunResult {
  const r = leakctl(args, {env, cwd: tmp.dir, input})
  outputs.push(r)
  return r
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : [join(dir, d.name)]))
}

/** A path in `dir` for a command to write, remembered in `files` to grep later. */
function outputFile(dir: string, files: string[]): (name: string) => string {
  return (name) => {
    files.push(join(dir, name))
    return join(dir, name)
  }
}

/** scan git of ./repo as text, JSON and SARIF; the JSON document. */
function scanGitEveryFormat<T>(cli: (args: string[]) => RunResult): T {
  cli(['scan', 'git', 'repo'])
  const doc = json<T>(cli(['scan', 'git', 'repo', '--json']))
  cli(['scan', 'git', 'repo', '--format', 'sarif'])
  return doc
}

beforeAll(() => {
  tmp = tempDir()
  env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws')}
  expect(run(['incident', 'open', '--title', `leak of password=${DB_PASSWORD}`, '--kind', 'git-leak']).code).toBe(0)
  run(['checklist', 'tick', 'confirm-leak', '--note', `export AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`])
  run(['checklist', 'note', 'notify-stakeholders', `the new password is ${DB_PASSWORD}`])
  run(['checklist', 'note', 'notify-stakeholders', `connection: postgres://app:${DB_PASSWORD}@db.prod:5432/app`])
  run(['incident', 'note', `rotated, token: ${CANARY}abcdef`])
  // A scan output that (wrongly) carries the value is refused, and the refusal does not echo it.
  const bad = join(tmp.dir, 'bad.json')
  writeFileSync(bad, JSON.stringify({findings: [{...gitFinding(DB_PASSWORD), value: DB_PASSWORD}]}))
  const refused = run(['incident', 'add-findings', bad])
  expect(refused.code).toBe(2)
  const good = join(tmp.dir, 'good.json')
  writeFileSync(good, JSON.stringify({findings: [gitFinding(DB_PASSWORD)]}))
  expect(run(['incident', 'add-findings', good]).code).toBe(0)
  for (const format of ['md', 'json', 'csv', 'html']) run(['timeline', 'export', '--format', format, '--out', join(tmp.dir, `timeline.${format}`)])
  for (const format of ['md', 'csv']) run(['timeline', 'export', '--format', format])
  run(['timeline', 'export', '--json'])
  run(['checklist', '--verbose', '--members', '100'])
  run(['checklist', '--json'])
  run(['incident', 'status', '--json'])
  run(['incident', 'list'])
})
afterAll(() => tmp.cleanup())

describe('canary', () => {
  it('never appears on stdout or stderr of any command', () => {
    expect(outputs.length).toBeGreaterThan(15)
    for (const r of outputs) {
      expect(r.stdout.includes(CANARY), 'stdout carries the canary').toBe(false)
      expect(r.stderr.includes(CANARY), 'stderr carries the canary').toBe(false)
    }
  })

  it('never appears in any file the workspace or an export holds', () => {
    const files = [...filesUnder(join(tmp.dir, 'ws')), ...['md', 'json', 'csv', 'html'].map((f) => join(tmp.dir, `timeline.${f}`))]
    expect(files.length).toBeGreaterThan(5)
    for (const f of files) expect(readFileSync(f).includes(CANARY), `${f} carries the canary`).toBe(false)
  })

  it('the redactions left a trace a responder can follow (previews, fingerprints)', () => {
    const view = json(run(['checklist', '--json']))
    const notes = view.phases.flatMap((p: {items: {notes: {text: string}[]}[]}) => p.items.flatMap((i) => i.notes.map((n) => n.text)))
    expect(notes.join('\n')).toMatch(/\[redacted/)
    const status = json(run(['incident', 'status', '--json']))
    expect(status.findings.total).toBe(1)
    const log = filesUnder(join(tmp.dir, 'ws')).find((f) => f.endsWith('events.jsonl'))!
    expect(readFileSync(log, 'utf8')).toContain(fingerprint(DB_PASSWORD))
    expect(statSync(join(tmp.dir, 'timeline.html')).mode & 0o777).toBe(0o600)
  })
})

describe('canary: the workspace fingerprint key', () => {
  // The key makes fingerprints safe to share; it must itself stay in the workspace
  // (and the team's sync remote). Scan, share and export with it, then grep for it.
  it('never appears on stdout or stderr, in an export, a report or an incident file; its file is 0600', () => {
    const ws = join(tmp.dir, 'ws')
    const repo = new TestRepo(join(tmp.dir, 'key-repo'))
    repo.write('app.env', `DB_PASSWORD=${DB_PASSWORD}\n`).commit('config')
    const scan = run(['scan', 'git', repo.dir, '--json'])
    expect(scan.code, scan.stderr).toBe(1)
    const scanned = join(tmp.dir, 'key-scan.json')
    writeFileSync(scanned, scan.stdout)
    expect(run(['incident', 'add-findings', scanned]).code).toBe(0)
    run(['scan', 'git', repo.dir, '--format', 'sarif'])
    run(['scan', 'git', repo.dir, '--write-baseline', join(tmp.dir, 'key-baseline.json')])
    const remote = join(tmp.dir, 'key-team.git')
    execFileSync('git', ['init', '-q', '--bare', remote])
    expect(run(['incident', 'share', '--remote', remote]).code).toBe(0)
    run(['incident', 'sync', '--json'])
    const exports = ['md', 'json', 'csv', 'html'].map((f) => join(tmp.dir, `key-timeline.${f}`))
    for (const out of exports) run(['timeline', 'export', '--format', out.split('.').at(-1)!, '--out', out])
    for (const format of ['md', 'html']) exports.push(join(tmp.dir, `key-report.${format}`))
    run(['report', '--format', 'md', '--out', exports.at(-2)!])
    run(['report', '--format', 'html', '--out', exports.at(-1)!])
    run(['report', '--json'])
    run(['checklist', '--json'])
    run(['timeline', 'export', '--json'])

    const keyFile = join(ws, 'fingerprint.key')
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    const hex = readFileSync(keyFile, 'utf8').trim()
    expect(hex).toMatch(/^[0-9a-f]{64}$/)
    const forms = [hex, hex.toUpperCase(), Buffer.from(hex, 'hex').toString('base64'), Buffer.from(hex, 'hex').toString('base64url')]
    for (const r of outputs) for (const k of forms) expect(`${r.stdout}${r.stderr}`.includes(k), 'output carries the fingerprint key').toBe(false)
    // Every file but the key itself and the sync cache (a git repository of what the team remote holds, key included by design).
    const files = [...filesUnder(ws).filter((f) => f !== keyFile && !f.startsWith(join(ws, 'sync'))), ...exports, scanned, join(tmp.dir, 'key-baseline.json')]
    for (const f of files) for (const k of forms) expect(readFileSync(f, 'latin1').includes(k), `${f} carries the fingerprint key`).toBe(false)
  }, 120_000)
})

// Credentials in a URL's user info and passwords holding `@`, planted in a
// scanned repository (its files and its remotes) and in an etcd snapshot:
// no output format, workspace file or export carries them; the only file
// with the values is the rewrite's replacements file, and it holds them whole.
describe('canary: URL-user tokens and @ in passwords, through scan git, scan etcd, the triages and every export', () => {
  const stamp = Date.now().toString(36)
  const GH = `ghp_Cn${stamp}${'Q9xZ7wV2mK8pL3sD6fG1hJ5kA2bR4tY7uI0oP3'}`.slice(0, 40)
  const GL = `glpat-Cn${stamp}Xq9Zr7Wv2Mk8Pl3S`.slice(0, 26)
  const BARE = `Cn${stamp}Hq7vN2pL9xZ4kR8mT3wY6aB1cD5eF0gH2jK4l`.slice(0, 40)
  const PW = `Pa@Cn${stamp}Kq7vN2pL9`
  const VALUES = {GH, GL, BARE, PW, 'PW after its @': PW.slice(3)}
  let dir: ReturnType<typeof tempDir>
  const runs: RunResult[] = []
  const files: string[] = []
  let replacements = ''
  let scanned: {findings: {class: string; fingerprint: string}[]}
  let etcdScan: {secrets: {credentials: {fingerprint: string}[]}[]; findings: {fingerprint: string}[]}

  function cli(args: string[], ws?: string): RunResult {
    const r = leakctl(args, {cwd: dir.dir, env: {LEAKCTL_DEBUG: '1', ...(ws ? {LEAKCTL_WORKSPACE: join(dir.dir, ws)} : {})}})
    runs.push(r)
    return r
  }

  beforeAll(async () => {
    dir = tempDir()
    const repo = new TestRepo(join(dir.dir, 'repo'))
    repo.write('ci/clone.sh', `git clone https://${GH}:x-oauth-basic@github.com/acme/app.git\n`)
    repo.write('deploy/gitlab.sh', `git push https://${GL}@gitlab.com/acme/app.git main\n`)
    repo.write('scripts/mirror.sh', `git clone --mirror https://${BARE}@git.corp.internal/acme/app.git\n`)
    repo.write('config/db.env', `DATABASE_URL=postgres://app:${PW}@db.prod.internal:5432/app\n`)
    repo.commit('ci and config')
    repo.git('remote', 'add', 'origin', `https://${GH}:x-oauth-basic@github.com/acme/app.git`)
    repo.git('remote', 'add', 'mirror', `https://${BARE}@git.corp.internal/acme/app.git`)
    repo.git('update-ref', 'refs/remotes/origin/main', 'HEAD') // as after a push: the findings are "pushed", with remotes[]
    const snap = join(dir.dir, 'leak.db')
    await makeSnapshot(snap, [
      {op: 'put', key: '/registry/secrets/prod/app', value: secret({name: 'app', namespace: 'prod'}, 'Opaque', {DATABASE_URL: `postgres://app:${PW}@db.prod.internal:5432/app`, GIT_URL: `https://${GH}:x-oauth-basic@github.com/acme/app.git`})},
      {op: 'put', key: '/registry/configmaps/prod/mirrors', value: configMap({name: 'mirrors', namespace: 'prod'}, {'mirror.sh': `git clone https://${BARE}@git.corp.internal/a.git\ngit clone https://${GL}@gitlab.com/acme/app.git\n`})},
    ])
    const out = outputFile(dir.dir, files)
    scanned = scanGitEveryFormat(cli)
    // scan etcd: text, JSON, CSV
    cli(['scan', 'etcd', snap])
    etcdScan = json(cli(['scan', 'etcd', snap, '--json']))
    cli(['scan', 'etcd', snap, '--format', 'csv'])
    // the triages, each in its own workspace, then every view and export of each incident
    const privateDir = join(dir.dir, 'private')
    mkdirSync(privateDir, {mode: 0o700})
    cli(['triage', 'git-leak', '--repo', 'repo', '--replacements-dir', privateDir], 'ws-git')
    cli(['triage', 'git-leak', '--repo', 'repo', '--json'], 'ws-git-json')
    replacements = readFileSync(join(privateDir, 'replacements.txt'), 'utf8')
    cli(['triage', 'etcd-leak', '--snapshot', snap], 'ws-etcd')
    for (const ws of ['ws-git', 'ws-etcd']) {
      cli(['checklist', '--verbose', '--members', '100'], ws)
      cli(['checklist', '--json'], ws)
      cli(['incident', 'status'], ws)
      cli(['incident', 'status', '--json'], ws)
      cli(['report'], ws)
      cli(['report', '--format', 'html', '--out', out(`${ws}-report.html`)], ws)
      for (const format of ['md', 'json', 'csv', 'html']) cli(['timeline', 'export', '--format', format, '--out', out(`${ws}-timeline.${format}`)], ws)
    }
  }, 300_000)
  afterAll(() => dir.cleanup())

  it('the scans find each credential whole: the token in the user position, the password with its @', () => {
    const classes = scanned.findings.map((f) => f.class).sort()
    expect(classes).toEqual(['database-url', 'generic-api-key', 'github-token', 'gitlab-token'])
    // Standalone scans fingerprint with the workspace they created in the working directory.
    const keyed = (v: string) => workspaceFingerprint(join(dir.dir, '.leakctl'), v)
    const prints = scanned.findings.map((f) => f.fingerprint)
    for (const v of [GH, GL, BARE, PW]) expect(prints).toContain(keyed(v))
    const etcdPrints = [...etcdScan.secrets.flatMap((s) => s.credentials.map((c) => c.fingerprint)), ...etcdScan.findings.map((f) => f.fingerprint)]
    for (const v of [GH, GL, BARE, PW]) expect(etcdPrints).toContain(keyed(v))
  })

  it('no stdout or stderr (LEAKCTL_DEBUG=1) of any command carries a value', () => {
    expect(runs.length).toBeGreaterThan(25)
    for (const r of runs) {
      for (const [name, v] of Object.entries(VALUES)) {
        expect(r.stdout.includes(v), `stdout carries ${name}`).toBe(false)
        expect(r.stderr.includes(v), `stderr carries ${name}`).toBe(false)
      }
    }
  })

  it('no workspace file or export carries a value', () => {
    const all = [...['ws-git', 'ws-git-json', 'ws-etcd'].flatMap((ws) => filesUnder(join(dir.dir, ws))), ...files]
    expect(all.length).toBeGreaterThan(15)
    for (const f of all) for (const [name, v] of Object.entries(VALUES)) expect(readFileSync(f).includes(v), `${f} carries ${name}`).toBe(false)
  })

  it('the replacements file (outside the workspace, on purpose) holds each value whole, never x-oauth-basic or a piece of the password', () => {
    const literals = replacements.trim().split('\n').map((l) => l.replace(/==>.*$/, ''))
    expect(literals.sort()).toEqual([GH, GL, BARE, PW].map((v) => `literal:${v}`).sort())
  })
})

// Issue 12 point 4: a secret typed on the command line in the wrong place
// (a PEM pasted as a note starts with "-----", so the parser takes it for a
// flag) is repeated by the parser's own errors unless every message is
// scrubbed: stderr, the --json error document and LEAKCTL_DEBUG stacks.
describe('canary: secrets passed as arguments', () => {
  const pem = execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519'], {encoding: 'utf8'}).trim()
  const pemBody = pem.split('\n').slice(1, -1).join('')
  const token = `ghp_${CANARY}R8mKq2Lx7Vb4Tz9Wn3Yc6H`.slice(0, 40)
  const awsSecret = `${CANARY}/Kd9QmZ2rT5vX8wB3nP6sY1cF`.slice(0, 40)
  const argOutputs: RunResult[] = []
  let argTmp: ReturnType<typeof tempDir>

  beforeAll(() => {
    argTmp = tempDir()
    const argEnv = {LEAKCTL_WORKSPACE: join(argTmp.dir, 'ws')}
    expect(leakctl(['incident', 'open', '--title', 'arguments', '--kind', 'git-leak'], {env: argEnv}).code).toBe(0)
    const argvs = [
      ['incident', 'note', pem],
      ['checklist', 'note', 'confirm-leak', pem],
      [pem],
      ['scan', 'git', `--token=${awsSecret}`],
      ['incident', 'list', awsSecret],
      ['scan', token],
      ['incident', 'status', '--incident', token],
      ['checklist', 'tick', token],
    ]
    for (const argv of argvs) {
      for (const extra of [[], ['--json']]) {
        for (const debug of [{}, {LEAKCTL_DEBUG: '1'}]) argOutputs.push(leakctl([...argv, ...extra], {env: {...argEnv, ...debug}, cwd: argTmp.dir}))
      }
    }
  }, 120_000)
  afterAll(() => argTmp.cleanup())

  it('never appear on stdout or stderr, with or without --json and LEAKCTL_DEBUG=1', () => {
    expect(argOutputs.length).toBe(32)
    for (const r of argOutputs) {
      expect(r.code, r.stderr).toBeGreaterThanOrEqual(2)
      for (const text of [r.stdout, r.stderr]) {
        expect(text.includes(CANARY), text).toBe(false)
        // Any 16 characters of the key's body.
        for (let i = 0; i + 16 <= pemBody.length; i += 8) expect(text.includes(pemBody.slice(i, i + 16)), text).toBe(false)
      }
    }
  })

  it('never reach the workspace', () => {
    for (const f of filesUnder(join(argTmp.dir, 'ws'))) {
      const text = readFileSync(f, 'utf8')
      expect(text.includes(CANARY), f).toBe(false)
      expect(text.includes(pemBody.slice(8, 24)), f).toBe(false)
    }
  })
})

// Values the credential-file readers decode (FileZilla's base64 <Pass>, .npmrc
// _auth, JetBrains' XOR-encoded password, a docker config's auth): the decoded
// password is the secret and its written form is as good as the password, so
// neither may reach an output, a workspace file or an export. Only the
// rewrite's replacements file holds the written forms (what filter-repo must find).
describe('canary: decoded credential-file values, through scan git, the triage and every export', () => {
  const stamp = Date.now().toString(36)
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  const xor = (s: string) => [...s].map((c) => (c.charCodeAt(0) ^ 0xdfaa).toString(16).padStart(4, '0')).join('')
  const FTP = `Cz${stamp}Fq7vN2pL9xZ4kR8m`
  const NPM = `Cz${stamp}Nw3yT6aB1cD5eF0g`
  const IDE = `Cz${stamp}Jh2jK4lM6nP8qR0s`
  const DOCKER = `Cz${stamp}Dk9mT3wY6aB1cD5e`
  const written = {FTP: b64(FTP), NPM: b64(`admin:${NPM}`), IDE: xor(IDE), DOCKER: b64(`robot:${DOCKER}`)}
  const VALUES: Record<string, string> = {FTP, NPM, IDE, DOCKER, ...Object.fromEntries(Object.entries(written).map(([k, v]) => [`${k} as written`, v]))}
  let dir: ReturnType<typeof tempDir>
  const runs: RunResult[] = []
  const files: string[] = []
  let scanned: {findings: {fingerprint: string}[]}
  let replacements = ''

  function cli(args: string[], ws?: string): RunResult {
    const r = leakctl(args, {cwd: dir.dir, env: {LEAKCTL_DEBUG: '1', ...(ws ? {LEAKCTL_WORKSPACE: join(dir.dir, ws)} : {})}})
    runs.push(r)
    return r
  }

  beforeAll(() => {
    dir = tempDir()
    const repo = new TestRepo(join(dir.dir, 'repo'))
    repo.write('ops/sitemanager.xml', `<?xml version="1.0" encoding="UTF-8"?>\n<FileZilla3 version="3.66.0">\n  <Servers>\n    <Server>\n      <Host>ftp.acme.io</Host>\n      <User>deploy</User>\n      <Pass encoding="base64">${written.FTP}</Pass>\n    </Server>\n  </Servers>\n</FileZilla3>\n`)
    repo.write('.npmrc', `registry=https://npm.acme.io/\n_auth = ${written.NPM}\n`)
    repo.write('.idea/WebServers.xml', `<project version="4">\n  <component name="WebServers">\n    <option name="servers">\n      <webServer id="1" name="prod" url="https://www.acme.io">\n        <fileTransfer host="ftp.acme.io" port="21" password="${written.IDE}" username="deploy" />\n      </webServer>\n    </option>\n  </component>\n</project>\n`)
    repo.write('ci/.docker/config.json', JSON.stringify({auths: {'registry.acme.io': {auth: written.DOCKER}}}, null, 2))
    repo.commit('ops files')
    const out = outputFile(dir.dir, files)
    scanned = scanGitEveryFormat(cli)
    const privateDir = join(dir.dir, 'private')
    mkdirSync(privateDir, {mode: 0o700})
    cli(['triage', 'git-leak', '--repo', 'repo', '--replacements-dir', privateDir], 'ws')
    replacements = readFileSync(join(privateDir, 'replacements.txt'), 'utf8')
    cli(['checklist', '--verbose', '--members', '100'], 'ws')
    cli(['checklist', '--json'], 'ws')
    cli(['incident', 'status', '--json'], 'ws')
    cli(['report'], 'ws')
    cli(['report', '--format', 'html', '--out', out('report.html')], 'ws')
    for (const format of ['md', 'json', 'csv', 'html']) cli(['timeline', 'export', '--format', format, '--out', out(`timeline.${format}`)], 'ws')
  }, 180_000)
  afterAll(() => dir.cleanup())

  it('the scan finds each password (decoded; a docker auth as written, as Kubernetes stores it too)', () => {
    const prints = scanned.findings.map((f) => f.fingerprint).sort()
    expect(prints).toEqual([FTP, NPM, IDE, written.DOCKER].map((v) => workspaceFingerprint(join(dir.dir, '.leakctl'), v)).sort())
  })

  it('no stdout, stderr (LEAKCTL_DEBUG=1), workspace file or export carries a value, decoded or as written', () => {
    expect(runs.length).toBeGreaterThan(10)
    for (const r of runs) {
      expect(r.code, r.stderr).toBeLessThan(2)
      for (const [name, v] of Object.entries(VALUES)) {
        expect(r.stdout.includes(v), `stdout carries ${name}`).toBe(false)
        expect(r.stderr.includes(v), `stderr carries ${name}`).toBe(false)
      }
    }
    const all = [...filesUnder(join(dir.dir, 'ws')), ...files]
    expect(all.length).toBeGreaterThan(8)
    for (const f of all) for (const [name, v] of Object.entries(VALUES)) expect(readFileSync(f).includes(v), `${f} carries ${name}`).toBe(false)
  })

  it('the replacements file holds the written forms (what is in the history), never a decoded value', () => {
    for (const v of Object.values(written)) expect(replacements).toContain(v)
    for (const v of [FTP, NPM, IDE, DOCKER]) expect(replacements.includes(v)).toBe(false)
  })
})
