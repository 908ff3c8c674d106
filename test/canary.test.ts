import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {fingerprint} from '../src/detect/finding.js'
import {json, leakctl, type RunResult, tempDir} from './helpers/cli.js'
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
