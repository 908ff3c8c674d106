import {chmodSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {Finding} from '../src/detect/finding.js'
import {findingItemId} from '../src/playbook/instantiate.js'
import {json, leakctl, tempDir} from './helpers/cli.js'

let tmp: ReturnType<typeof tempDir>
let env: Record<string, string>
beforeEach(() => {
  tmp = tempDir()
  env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws')}
})
afterEach(() => tmp.cleanup())

const open = (extra: string[] = []) => leakctl(['incident', 'open', '--title', 'etcd backup in public bucket', '--kind', 'etcd-leak', ...extra], {env, cwd: tmp.dir})

describe('incident open / list / status', () => {
  it('opens an incident with its checklist; files 0600, folders 0700', () => {
    const r = open(['--exposed-at', '2026-11-22T09:14:00Z', '--commander', 'Ana', '--json'])
    expect(r.code).toBe(0)
    const out = json(r)
    expect(out.incident.id).toMatch(/^inc-\d{8}-\d{6}-[a-z0-9]{4}$/)
    expect(out.incident).toMatchObject({kind: 'etcd-leak', commander: 'Ana', exposedAt: '2026-11-22T09:14:00.000Z', playbook: {name: 'etcd-leak', version: 1}})
    expect(out.checklist.total).toBeGreaterThan(25)
    expect(out.checklist.phases.map((p: {window: string}) => p.window)).toEqual(['0-5m', '5-30m', '30m-2h', '2-8h', 'after', 'after', 'after'])
    const dir = join(env.LEAKCTL_WORKSPACE!, 'incidents', out.incident.id)
    expect(statSync(env.LEAKCTL_WORKSPACE!).mode & 0o777).toBe(0o700)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(join(dir, 'events.jsonl')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(env.LEAKCTL_WORKSPACE!, '.gitignore'), 'utf8')).toContain('*')
  })

  it('lists incidents and acts on the most recent one unless --incident says otherwise', async () => {
    const first = json(open(['--json'])).incident.id as string
    await new Promise((r) => setTimeout(r, 1100)) // ids sort by second
    const second = json(leakctl(['incident', 'open', '--title', 'token on GitHub', '--kind', 'git-leak', '--json'], {env})).incident.id as string
    const list = json(leakctl(['incident', 'list', '--json'], {env}))
    expect(list.incidents.map((i: {id: string}) => i.id)).toEqual([first, second])
    expect(json(leakctl(['incident', 'status', '--json'], {env})).incident.id).toBe(second)
    expect(json(leakctl(['incident', 'status', first.slice(-4), '--json'], {env})).incident.id).toBe(first)
    const text = leakctl(['incident', 'list'], {env})
    expect(text.stdout).toContain('token on GitHub')
  })

  it('the actor comes from --by, else LEAKCTL_ACTOR', () => {
    open()
    leakctl(['checklist', 'tick', 'read-snapshot', '--by', 'bob'], {env})
    leakctl(['checklist', 'tick', 'contain-bucket'], {env: {...env, LEAKCTL_ACTOR: 'carol'}})
    const view = json(leakctl(['checklist', '--json'], {env}))
    const items = view.phases[0].items
    expect(items.find((i: {id: string}) => i.id === 'read-snapshot').doneBy).toBe('bob')
    expect(items.find((i: {id: string}) => i.id === 'contain-bucket').doneBy).toBe('carol')
  })
})

describe('bad input: one line on stderr, exit 2, nothing lost', () => {
  it('a bad --exposed-at', () => {
    const r = open(['--exposed-at', 'tuesday'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/--exposed-at: "tuesday" is not a time/)
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })

  it('an unknown flag, also under --json (the error keeps its code)', () => {
    const r = leakctl(['incident', 'list', '--bogus', '--json'], {env})
    expect(r.code).toBe(2)
    expect(json(r).error).toMatchObject({code: 'usage', exitCode: 2})
    expect(json(r).error.message).toMatch(/Nonexistent flag: --bogus/)
  })

  it('an unknown incident id and an unknown checklist item', () => {
    open()
    const a = leakctl(['incident', 'status', 'inc-nope'], {env})
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(/no incident "inc-nope"/)
    const b = leakctl(['checklist', 'tick', 'read-snapshto'], {env})
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/no checklist item "read-snapshto"/)
  })

  it('a malformed or unknown-field playbook passed with --playbook, pointing at file:line', () => {
    const bad = join(tmp.dir, 'mine.yaml')
    writeFileSync(bad, 'name: mine\ntitle: Mine\nversion: 1\nphases:\n  - id: p\n    title: P\n    window: 0-5m\n    steps:\n      - id: s\n        title: S\n        owner: me\n')
    const r = leakctl(['incident', 'open', '--title', 't', '--playbook', bad], {env, cwd: tmp.dir})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/mine\.yaml:11:9: phases\.0\.steps\.0\.owner: unknown field "owner"/)
    writeFileSync(bad, 'name: mine\n  title: [\n')
    expect(leakctl(['incident', 'open', '--title', 't', '--playbook', bad], {env, cwd: tmp.dir}).stderr).toMatch(/mine\.yaml:\d+:\d+: malformed YAML/)
  })

  it('a workspace that is not writable', () => {
    const file = join(tmp.dir, 'a-file')
    writeFileSync(file, 'x')
    const r = leakctl(['incident', 'open', '--title', 't', '--workspace', join(file, 'ws')], {env: {}})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/workspace .* is not writable/)
    if (process.getuid?.() !== 0) {
      const ro = join(tmp.dir, 'ro')
      chmodSync(tmp.dir, 0o500)
      expect(leakctl(['incident', 'open', '--title', 't', '--workspace', ro]).code).toBe(2)
      chmodSync(tmp.dir, 0o700)
    }
  })

  it('a corrupted event log line in the middle: exit 2, the log untouched', () => {
    const id = json(open(['--json'])).incident.id as string
    leakctl(['checklist', 'tick', 'read-snapshot'], {env})
    leakctl(['checklist', 'tick', 'contain-bucket'], {env})
    const log = join(env.LEAKCTL_WORKSPACE!, 'incidents', id, 'events.jsonl')
    const lines = readFileSync(log, 'utf8').split('\n')
    lines[2] = '{"id": garbage'
    writeFileSync(log, lines.join('\n'))
    const before = readFileSync(log, 'utf8')
    const r = leakctl(['checklist', 'tick', 'declare-severity'], {env})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/line 3 is not valid JSON/)
    expect(readFileSync(log, 'utf8')).toBe(before)
  })

  it('LEAKCTL_DEBUG=1 shows the stack; without it, never', () => {
    const quiet = leakctl(['incident', 'status'], {env})
    expect(quiet.code).toBe(2)
    expect(quiet.stderr).not.toMatch(/\n\s+at /)
    const debug = leakctl(['incident', 'status'], {env: {...env, LEAKCTL_DEBUG: '1'}})
    expect(debug.stderr).toMatch(/\n\s+at /)
  })
})

describe('checklist', () => {
  it('ticks, unticks, notes and assigns; state is a fold of the events', () => {
    open()
    expect(leakctl(['checklist', 'tick', 'read-snapshot', 'contain-bucket', '--note', 'done'], {env}).code).toBe(0)
    expect(leakctl(['checklist', 'untick', 'contain-bucket'], {env}).code).toBe(0)
    expect(leakctl(['checklist', 'note', 'declare-severity', 'paged the CISO'], {env}).code).toBe(0)
    expect(leakctl(['checklist', 'assign', 'declare-severity', 'dana'], {env}).code).toBe(0)
    const view = json(leakctl(['checklist', '--json'], {env}))
    const items = Object.fromEntries(view.phases[0].items.map((i: {id: string}) => [i.id, i]))
    expect(items['read-snapshot'].status).toBe('done')
    expect(items['contain-bucket'].status).toBe('open')
    expect(items['declare-severity'].owner).toBe('dana')
    expect(items['declare-severity'].notes[0].text).toBe('paged the CISO')
    expect(view.progress.done).toBe(1)
    const mine = json(leakctl(['checklist', '--mine', '--by', 'dana', '--json'], {env}))
    expect(mine.phases.flatMap((p: {items: {id: string}[]}) => p.items.map((i) => i.id))).toEqual(['declare-severity'])
  })

  it('prints phases with due times in UTC and local time, and works without a TTY', () => {
    open()
    const r = leakctl(['checklist', '--members', '2'], {env: {...env, TZ: 'Europe/Berlin'}})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Phase 1: Immediate triage \(0-5m\)/)
    expect(r.stdout).toMatch(/due \d{4}-\d{2}-\d{2} \d{2}:\d{2}Z \(\d{2}:\d{2} GMT\+1\)/)
    expect(r.stdout).not.toMatch(/\x1b\[/)
  })

  it('marks overdue items', () => {
    // Due times count from the incident start: a one-second window is over by the time we look.
    const pb = join(tmp.dir, 'fast.yaml')
    writeFileSync(pb, 'name: fast\ntitle: Fast\nversion: 1\nphases:\n  - id: p\n    title: P\n    window: 0-1s\n    steps:\n      - id: s\n        title: S\n')
    leakctl(['incident', 'open', '--title', 'fast', '--playbook', pb], {env})
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        const r = leakctl(['checklist'], {env})
        expect(r.stdout).toMatch(/\[!\] s\s+S/)
        expect(r.stdout).toMatch(/OVERDUE since/)
        expect(json(leakctl(['checklist', '--json'], {env})).progress.overdue).toBe(1)
        resolve()
      }, 1500),
    )
  })
})

describe('findings expand the checklist', () => {
  it('add-findings records findings once, adds one item per credential with its rotation steps rendered for it', () => {
    open()
    const f = join(tmp.dir, 'scan.json')
    const finding = (name: string, cls: string, risk: string, rotation: string, extra: Record<string, unknown> = {}) => ({
      source: 'etcd', class: cls, risk, reason: 'test', fingerprint: `sha256:${name.padEnd(64, '0').replace(/[^0-9a-f]/g, 'a')}`, preview: '**** (9 chars)', rotation,
      key: `/registry/secrets/prod/${name}`, revision: 3, kind: 'Secret', namespace: 'prod', name, field: 'data.key', state: 'live', ...extra,
    })
    writeFileSync(f, JSON.stringify({findings: [finding('aws-creds', 'aws-access-key', 'critical', 'aws-access-key', {keyId: 'AKIAQQQQQQQQQQQQQQQQ'}), finding('db-a', 'database-password', 'high', 'database-password'), finding('db-b', 'database-password', 'high', 'database-password')]}))
    const r = json(leakctl(['incident', 'add-findings', f, '--json'], {env}))
    expect(r).toMatchObject({recorded: 3})
    expect(json(leakctl(['incident', 'add-findings', f, '--json'], {env}))).toMatchObject({recorded: 0, items: 0})
    const view = json(leakctl(['checklist', '--phase', 'emergency', '--verbose', '--json'], {env}))
    const items = view.phases[0].items
    const critical = items.find((i: {id: string}) => /^revoke-critical\.[0-9a-f]{12}$/.test(i.id))
    expect(critical.title).toBe('Revoke now: aws-access-key Secret prod/aws-creds data.key')
    expect(critical.procedure).toBe('aws-access-key')
    expect(critical.steps.flatMap((s: {commands: string[]}) => s.commands).join('\n')).toContain('--access-key-id AKIAQQQQQQQQQQQQQQQQ --status Inactive')
    const group = items.find((i: {id: string}) => i.id === 'rotate-priority-1')
    expect(group.title).toBe('Priority 1: rotate 2 high-risk credentials (database credentials, production API keys)')
    // Members are named by their findings: db-a and db-b, in place order.
    expect(group.members.map((m: {id: string}) => m.id)).toEqual(JSON.parse(readFileSync(f, 'utf8')).findings.slice(1).map((x: Finding) => findingItemId('rotate-priority-1', x)))
    expect(leakctl(['checklist', 'tick', 'rotate-priority-1'], {env}).code).toBe(0)
    const after = json(leakctl(['checklist', '--phase', 'emergency', '--json'], {env}))
    expect(after.phases[0].items.find((i: {id: string}) => i.id === 'rotate-priority-1')).toMatchObject({status: 'done', membersDone: 2})
    const bad = join(tmp.dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({findings: [{...finding('x', 'password', 'severe', 'generic-secret')}]}))
    const refused = leakctl(['incident', 'add-findings', bad], {env})
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/findings\[0\]: risk/)
  })
})
