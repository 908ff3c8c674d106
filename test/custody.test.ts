import {execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {ulid} from 'ulidx'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {fingerprint} from './helpers/fingerprint.js'
import {readLog} from '../src/incident/log.js'
import {loadSigner, signEvent} from '../src/incident/signing.js'
import {withoutCredentials} from '../src/sync/marker.js'
import {json, leakctl, leakctlAsync, type RunResult, tempDir} from './helpers/cli.js'
import {gitFinding} from './helpers/incident.js'

// Issue 13: a shared incident no teammate can break and no outsider can
// forge. Responders are workspaces on one real bare git remote; the attacker
// is anyone who can push to it, crafting event files with plain git.

let tmp: ReturnType<typeof tempDir>
let remote: string
beforeEach(() => {
  tmp = tempDir('leakctl-custody-')
  remote = join(tmp.dir, 'team-ir.git')
  execFileSync('git', ['init', '-q', '--bare', remote])
})
afterEach(() => tmp.cleanup())

const wsDir = (name: string) => join(tmp.dir, name, '.leakctl')
const as = (name: string) => ({env: {LEAKCTL_WORKSPACE: wsDir(name), LEAKCTL_ACTOR: name}})
const run = (name: string, args: string[]) => leakctl(args, as(name))
const ok = (r: RunResult) => {
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0)
  return r
}
const logOf = (name: string, id: string) => join(wsDir(name), 'incidents', id, 'events.jsonl')
const item = (name: string, id: string) => {
  const view = json(ok(run(name, ['checklist', '--json'])))
  for (const p of view.phases) for (const i of p.items) if (i.id === id) return i
  throw new Error(`no item ${id}`)
}

/** ana opens and shares; bob joins and ana admits him. Returns the incident id. */
function team(): string {
  const id = json(ok(run('ana', ['incident', 'open', '--title', 'etcd backup in a public bucket', '--kind', 'etcd-leak', '--json']))).incident.id as string
  ok(run('ana', ['incident', 'share', '--remote', remote]))
  ok(run('bob', ['incident', 'sync', '--remote', remote, '--incident', id]))
  ok(run('ana', ['incident', 'sync']))
  ok(run('ana', ['incident', 'admit', 'bob']))
  ok(run('ana', ['incident', 'sync']))
  ok(run('bob', ['incident', 'sync']))
  return id
}

/** An attacker with push access adds files to the incident's folder with plain git. */
function push(id: string, files: Record<string, string | Buffer>): void {
  const work = join(tmp.dir, `mallory-${Math.random().toString(36).slice(2)}`)
  execFileSync('git', ['clone', '-q', '--branch', 'leakctl/incidents', remote, work])
  const dir = join(work, 'incidents', id, 'events')
  mkdirSync(dir, {recursive: true})
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body)
  const g = ['-C', work, '-c', 'user.name=mallory', '-c', 'user.email=mallory@evil.test']
  execFileSync('git', [...g, 'add', '-A'])
  execFileSync('git', [...g, 'commit', '-qm', 'innocent'])
  execFileSync('git', ['-C', work, 'push', '-q', 'origin', 'leakctl/incidents'])
}

const eventFile = (e: {id: string}) => ({[`${e.id}.json`]: JSON.stringify(e)})

/** Every read command still works (exit 0) after the sync. */
function readsStillWork(name: string): void {
  for (const args of [['checklist', '--plain'], ['incident', 'status'], ['incident', 'list'], ['timeline', 'export', '--format', 'md'], ['timeline', 'export', '--format', 'html'], ['report']]) {
    const r = run(name, args)
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  }
}

describe('forgery', {timeout: 300_000}, () => {
  it('a forged opening with a lower id, signed by its own key, changes nothing and is quarantined', () => {
    const id = team()
    const mallory = loadSigner(join(tmp.dir, 'mallory-keys'), 'mallory')
    const opening = readLog(logOf('ana', id)).events[0]!
    // Same incident, an id earlier than the real opening, a past time (a future one is refused outright).
    const forged = signEvent(mallory, {
      ...opening,
      id: ulid(Date.parse(opening.time) - 3_600_000),
      time: new Date(Date.parse(opening.time) - 3_600_000).toISOString(),
      actor: 'mallory',
      data: {...(opening.data as object), title: 'All clear - false alarm', commander: 'mallory'},
      seq: 1,
    })
    const future = signEvent(mallory, {...forged, id: ulid(), time: '2099-01-01T00:00:00.000Z', seq: 2})
    push(id, {...eventFile(forged), ...eventFile(future)})
    for (const who of ['ana', 'bob']) {
      const r = ok(run(who, ['incident', 'sync']))
      expect(r.stderr).toContain(`remote event ${forged.id} quarantined`)
      expect(r.stderr).toMatch(/a second incident\.opened/)
      expect(r.stderr).toMatch(new RegExp(`remote event ${future.id} quarantined .*time: 2099-01-01T00:00:00.000Z is in the future`))
      const status = json(ok(run(who, ['incident', 'status', '--json'])))
      expect(status.incident).toMatchObject({title: 'etcd backup in a public bucket', commander: 'ana'})
      expect(readFileSync(logOf(who, id), 'utf8')).not.toContain('All clear')
    }
    // A newcomer sees two openings on the remote: the commander's key picks the true one.
    const refused = run('carol', ['incident', 'sync', '--remote', remote, '--incident', id])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/the remote holds 2 openings of this incident .*--commander-key KEY/)
    const key = json(run('ana', ['incident', 'verify', '--json'])).commander.key as string
    ok(run('carol', ['incident', 'sync', '--remote', remote, '--incident', id, '--commander-key', key]))
    expect(json(ok(run('carol', ['incident', 'status', '--json']))).incident.title).toBe('etcd backup in a public bucket')
    const verify = run('carol', ['incident', 'verify', '--json'])
    expect(verify.code).toBe(1)
    expect(json(verify).problems.map((p: {kind: string}) => p.kind)).toContain('quarantined')
  })

  it("ticks forged in ana's name (unsigned, by another key, or with her key id and a bad signature) never show as done by her, on her own machine", () => {
    const id = team()
    const mallory = loadSigner(join(tmp.dir, 'mallory-keys'), 'mallory')
    const anaKey = json(ok(run('ana', ['incident', 'verify', '--json']))).commander.key as string
    const tick = (itemId: string) => ({id: ulid(), time: new Date().toISOString(), actor: 'ana', type: 'item.ticked', data: {item: itemId}})
    const unsigned = tick('read-snapshot')
    const otherKey = signEvent(mallory, {...tick('contain-bucket'), seq: 1})
    const stolenId = {...signEvent(mallory, {...tick('declare-severity'), seq: 2}), key: anaKey}
    push(id, {...eventFile(unsigned), ...eventFile(otherKey), ...eventFile(stolenId)})
    const r = ok(run('ana', ['incident', 'sync']))
    expect(r.stderr).toMatch(new RegExp(`remote event ${stolenId.id} quarantined .*it claims "ana"\\): its signature does not match`))
    for (const i of ['read-snapshot', 'contain-bucket', 'declare-severity']) expect(item('ana', i)).toMatchObject({status: expect.not.stringMatching(/^done$/), doneBy: null})
    const status = json(ok(run('ana', ['incident', 'status', '--json'])))
    expect(status.custody.unverified.map((u: {id: string}) => u.id).sort()).toEqual([unsigned.id, otherKey.id].sort())
    const verify = run('ana', ['incident', 'verify', '--json'])
    expect(verify.code).toBe(1)
    const kinds = json(verify).problems.map((p: {kind: string}) => p.kind)
    expect(kinds).toEqual(expect.arrayContaining(['unsigned', 'unadmitted', 'quarantined']))
    // The timeline marks them.
    const md = ok(run('ana', ['timeline', 'export', '--format', 'md'])).stdout
    expect(md.split('\n').filter((l) => l.includes('Done: read-snapshot'))[0]).toContain('(unverified)')
    // A real tick by bob, admitted, counts and is attributed to him on ana's machine.
    ok(run('bob', ['checklist', 'tick', 'read-snapshot']))
    ok(run('bob', ['incident', 'sync']))
    ok(run('ana', ['incident', 'sync']))
    expect(item('ana', 'read-snapshot')).toMatchObject({status: 'done', doneBy: 'bob'})
  })

  it('verify: a clean log exits 0; a deleted event leaves a gap in its author sequence (exit 1)', () => {
    const id = team()
    ok(run('bob', ['checklist', 'tick', 'read-snapshot']))
    ok(run('bob', ['checklist', 'note', 'read-snapshot', 'second']))
    ok(run('bob', ['checklist', 'note', 'read-snapshot', 'third']))
    ok(run('bob', ['incident', 'sync']))
    ok(run('ana', ['incident', 'sync']))
    const clean = ok(run('ana', ['incident', 'verify']))
    expect(clean.stdout).toMatch(/chain of custody intact/)
    const lines = readFileSync(logOf('ana', id), 'utf8').trimEnd().split('\n')
    const victim = lines.findIndex((l) => l.includes('"second"'))
    writeFileSync(logOf('ana', id), lines.filter((_, i) => i !== victim).join('\n') + '\n')
    const r = run('ana', ['incident', 'verify', '--json'])
    expect(r.code).toBe(1)
    expect(json(r).problems).toEqual(expect.arrayContaining([expect.objectContaining({kind: 'sequence-gap', detail: expect.stringMatching(/^bob .*event 3 of theirs missing/)})]))
    // An altered event: its signature no longer matches.
    const altered = readFileSync(logOf('ana', id), 'utf8').replace('"third"', '"thirD"')
    writeFileSync(logOf('ana', id), altered)
    expect(json(run('ana', ['incident', 'verify', '--json'])).problems.map((p: {kind: string}) => p.kind)).toContain('bad-signature')
  })

  it('only the commander admits', () => {
    team()
    const r = run('bob', ['incident', 'admit', 'carol', 'A'.repeat(43)])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/only the commander can admit responders/)
  })
})

describe('poison from the remote', {timeout: 300_000}, () => {
  it('dueOffsetMs 1e300, a ULID beyond 2^48, an HTML-injecting time: quarantined, and every command still works', () => {
    const id = team()
    const base = {time: new Date().toISOString(), actor: 'bob'}
    const hugeOffset = `{"id":"${ulid()}","time":"${base.time}","actor":"bob","type":"checklist.items.added","data":{"phases":[],"items":[{"id":"x","phase":"hour-0","title":"x","commands":[],"dueOffsetMs":1e300}]}}`
    const farId = '7ZZZZZZZZZZZZZZZZZZZZZZZZZ'
    const far = {id: farId, ...base, type: 'incident.noted', data: {text: 'from the far future'}}
    const html = {id: ulid(), time: '2026-12-03 19:20 ("><meta http-equiv=refresh content="0;url=https://evil.test">)', actor: 'bob', type: 'incident.noted', data: {text: 'x'}}
    const hugeId = JSON.parse(hugeOffset).id as string
    push(id, {[`${hugeId}.json`]: hugeOffset, ...eventFile(far), ...eventFile(html)})
    const r = ok(run('ana', ['incident', 'sync']))
    expect(r.stderr).toMatch(new RegExp(`remote event ${hugeId} quarantined \\(.*pushed by mallory <mallory@evil.test>; it claims "bob"\\): checklist.items.added: data.items.0.dueOffsetMs: number out of range`))
    expect(r.stderr).toMatch(new RegExp(`remote event ${farId} quarantined .*id: its time \\(\\+010889-.*\\) is in the future`))
    expect(r.stderr).toMatch(new RegExp(`remote event ${html.id} quarantined .*not a canonical ISO-8601 UTC time`))
    expect(readFileSync(logOf('ana', id), 'utf8')).not.toMatch(/meta http-equiv|7ZZZZ|1e300/)
    readsStillWork('ana')
    // Writes still work: the ULID factory never sees a time beyond 2^48.
    ok(run('ana', ['checklist', 'tick', 'read-snapshot']))
    ok(run('ana', ['incident', 'note', 'still here']))
    ok(run('ana', ['checklist', 'assign', 'contain-bucket', 'bob']))
    ok(run('ana', ['incident', 'sync']))
  })

  it('a poisoned line already in a log (from before validation) is skipped with a warning; reads and writes go on', () => {
    const id = team()
    const html = {id: ulid(), time: '2026-12-03 19:20 ("><style>tr{display:none}</style>)', actor: 'ana', type: 'incident.noted', data: {text: 'x'}}
    writeFileSync(logOf('ana', id), readFileSync(logOf('ana', id), 'utf8') + JSON.stringify(html) + '\n')
    const r = ok(run('ana', ['checklist', '--plain']))
    expect(r.stderr).toMatch(/skipped, not a valid event .*canonical ISO-8601/)
    readsStillWork('ana')
    const page = ok(run('ana', ['timeline', 'export', '--format', 'html'])).stdout
    expect(page).not.toContain('<style>tr{display:none}')
    ok(run('ana', ['checklist', 'tick', 'read-snapshot']))
  })

  it('an event file over the size limit is refused from its size, never read; the others are imported', () => {
    const id = team()
    const bigId = ulid()
    // 40 MB of a note (over the 32 MB limit): what matters is that sync never reads it.
    const big = Buffer.alloc(40 * 1024 * 1024, 0x61)
    Buffer.from(`{"id":"${bigId}","time":"${new Date().toISOString()}","actor":"bob","type":"incident.noted","data":{"text":"`).copy(big)
    Buffer.from('"}}').copy(big, big.length - 3)
    ok(run('bob', ['incident', 'note', 'a real note']))
    ok(run('bob', ['incident', 'sync']))
    push(id, {[`${bigId}.json`]: big})
    const r = ok(run('ana', ['incident', 'sync']))
    expect(r.stderr).toMatch(new RegExp(`remote event ${bigId} quarantined \\(.*pushed by mallory <mallory@evil.test>\\): 40 MB, over the 32 MB an event may take \\(not read\\)`))
    expect(json(ok(run('ana', ['incident', 'status', '--json']))).incident.events).toBeGreaterThan(4)
    expect(readFileSync(logOf('ana', id), 'utf8')).toContain('a real note')
  })

  it('credentials in imported text are redacted on import, and the sync marker keeps no token', () => {
    const id = team()
    const pat = 'ghp_' + 'R7tYk2Lm9Qw4Xz8Vb3Nc6Hj1Pd5Sf0Ga2Ue9'
    const note = {id: ulid(), time: new Date().toISOString(), actor: 'bob', type: 'item.noted', data: {item: 'read-snapshot', text: `new token is ${pat}`}}
    const finding = {id: ulid(), time: new Date().toISOString(), actor: 'bob', type: 'finding.recorded', data: {finding: {...gitFinding('v'), preview: pat, reason: `leaked ${pat}`}}}
    push(id, {...eventFile(note), ...eventFile(finding)})
    const r = ok(run('ana', ['incident', 'sync']))
    expect(r.stderr).toMatch(/a credential in its text was redacted on import/)
    const log = readFileSync(logOf('ana', id), 'utf8')
    expect(log).not.toContain(pat)
    expect(log).toContain('[redacted ghp_')
    // The marker keeps the remote as git needs it, minus what authenticates.
    expect(withoutCredentials(`https://x-access-token:${pat}@github.com/acme/ir.git`)).toBe('https://x-access-token@github.com/acme/ir.git')
    expect(withoutCredentials(`https://${pat}@github.com/acme/ir.git`)).toBe('https://github.com/acme/ir.git')
    expect(withoutCredentials('https://app:Pa@Kq7vN2pL9xZ4@git.internal/ir.git')).toBe('https://app@git.internal/ir.git')
    expect(withoutCredentials('ssh://git@github.com/acme/ir.git')).toBe('ssh://git@github.com/acme/ir.git')
    expect(withoutCredentials('git@github.com:acme/ir.git')).toBe('git@github.com:acme/ir.git')
  })
})

describe('lost and mis-attributed work', {timeout: 300_000}, () => {
  function findingsFile(dir: string, n: number, tag: string): string {
    const file = join(dir, `findings-${tag}.json`)
    const list = Array.from({length: n}, (_, i) => gitFinding(`secret-${tag}-${i}`, {path: `${tag}/${i}.env`, fingerprint: fingerprint(`secret-${tag}-${i}`)}))
    writeFileSync(file, JSON.stringify({findings: list}))
    return file
  }

  it('10 parallel add-findings of 3 findings each: 30 findings, 30 items, ids from the findings', async () => {
    const pb = join(tmp.dir, 'one.yaml')
    writeFileSync(pb, 'name: one\ntitle: One\nversion: 1\nphases:\n  - id: p\n    title: P\n    window: 0-1h\n    steps:\n      - id: revoke\n        title: "Revoke {{finding.where}}"\n        forEach:\n          findings: {}\n')
    ok(run('ana', ['incident', 'open', '--title', 'parallel', '--playbook', pb]))
    const files = Array.from({length: 10}, (_, i) => findingsFile(tmp.dir, 3, `r${i}`))
    const runs = await Promise.all(files.map((f, i) => leakctlAsync(['incident', 'add-findings', f, '--by', `responder-${i}`], as('ana'))))
    for (const r of runs) ok(r)
    const view = json(ok(run('ana', ['checklist', '--json'])))
    const items = view.phases[0].items as {id: string; findings: string[]}[]
    expect(json(ok(run('ana', ['incident', 'status', '--json']))).findings.total).toBe(30)
    expect(items).toHaveLength(30)
    expect(new Set(items.map((i) => i.findings[0])).size).toBe(30)
    for (const i of items) expect(i.id).toMatch(/^revoke\.[0-9a-f]{12}$/)
  })

  it('add-findings run again repairs a checklist missing items', async () => {
    const {appendEvents} = await import('../src/incident/log.js')
    const pb = join(tmp.dir, 'one.yaml')
    writeFileSync(pb, 'name: one\ntitle: One\nversion: 1\nphases:\n  - id: p\n    title: P\n    window: 0-1h\n    steps:\n      - id: revoke\n        title: "Revoke {{finding.where}}"\n        forEach:\n          findings: {}\n')
    const id = json(ok(run('ana', ['incident', 'open', '--title', 'repair', '--playbook', pb, '--json']))).incident.id as string
    const file = findingsFile(tmp.dir, 3, 'lost')
    const findings = JSON.parse(readFileSync(file, 'utf8')).findings
    // What the old race left behind: findings recorded, their items never added.
    await appendEvents(logOf('ana', id), loadSigner(wsDir('ana'), 'ana'), findings.map((finding: unknown) => ({type: 'finding.recorded', data: {finding}})))
    expect(json(ok(run('ana', ['checklist', '--json']))).progress.total).toBe(0)
    const r = json(ok(run('ana', ['incident', 'add-findings', file, '--json'])))
    expect(r).toMatchObject({recorded: 0, items: 3})
    expect(json(ok(run('ana', ['checklist', '--json']))).progress.total).toBe(3)
  })

  it('20 parallel ticks by different responders: all kept, each attributed to its author, verified', async () => {
    const pb = join(tmp.dir, 'twenty.yaml')
    const steps = Array.from({length: 20}, (_, i) => `      - id: step-${i + 1}\n        title: Step ${i + 1}\n`).join('')
    writeFileSync(pb, `name: twenty\ntitle: Twenty\nversion: 1\nphases:\n  - id: p\n    title: P\n    window: 0-1h\n    steps:\n${steps}`)
    ok(run('ana', ['incident', 'open', '--title', 'ticks', '--playbook', pb]))
    const runs = await Promise.all(Array.from({length: 20}, (_, i) => leakctlAsync(['checklist', 'tick', `step-${i + 1}`, '--by', `responder-${i + 1}`], as('ana'))))
    for (const r of runs) ok(r)
    const view = json(ok(run('ana', ['checklist', '--json'])))
    expect(view.progress).toMatchObject({done: 20, total: 20})
    for (const i of view.phases[0].items) expect(i.doneBy).toBe(`responder-${i.id.slice(5)}`)
    ok(run('ana', ['incident', 'verify']))
  })

  it('incident note stops on a log with a damaged middle line; list names the damaged incident and lists the others', () => {
    const good = json(ok(run('ana', ['incident', 'open', '--title', 'fine', '--kind', 'git-leak', '--json']))).incident.id as string
    const bad = json(ok(run('ana', ['incident', 'open', '--title', 'damaged', '--kind', 'git-leak', '--json']))).incident.id as string
    ok(run('ana', ['incident', 'note', 'one', '--incident', bad]))
    const lines = readFileSync(logOf('ana', bad), 'utf8').split('\n')
    lines[1] = lines[1]!.slice(0, 40)
    writeFileSync(logOf('ana', bad), lines.join('\n'))
    const before = readFileSync(logOf('ana', bad))
    const note = run('ana', ['incident', 'note', 'two', '--incident', bad])
    expect(note.code).toBe(2)
    expect(note.stderr).toMatch(/line 2 is not valid JSON/)
    expect(readFileSync(logOf('ana', bad)).equals(before)).toBe(true)
    const list = ok(run('ana', ['incident', 'list', '--json']))
    const doc = json(list)
    expect(doc.incidents.map((i: {id: string}) => i.id)).toEqual([good])
    expect(doc.damaged).toEqual([expect.objectContaining({id: bad})])
    expect(list.stderr).toContain(`${bad}: not listed`)
    expect(readdirSync(join(wsDir('ana'), 'incidents')).sort()).toEqual([bad, good].sort())
  })
})
