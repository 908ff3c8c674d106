import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {fingerprint} from './helpers/fingerprint.js'
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
