import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {decodeTime, ulid} from 'ulidx'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {IncidentEvent} from '../src/incident/events.js'
import {actOnItems} from '../src/incident/incident.js'
import {appendEvents, importEvents, readLog} from '../src/incident/log.js'
import {foldIncident} from '../src/incident/state.js'
import {findIncident, openWorkspace} from '../src/incident/workspace.js'
import {syncIncident} from '../src/sync/sync.js'
import {json, leakctl, leakctlAsync, type RunResult, tempDir} from './helpers/cli.js'
import {gitFinding, openTestIncident} from './helpers/incident.js'

// Sharing an incident between machines through a real bare git repository:
// two (and more) workspaces stand for responders on different machines.

let tmp: ReturnType<typeof tempDir>
let remote: string
beforeEach(() => {
  tmp = tempDir('leakctl-sync-')
  remote = join(tmp.dir, 'team-ir.git')
  execFileSync('git', ['init', '-q', '--bare', remote])
})
afterEach(() => tmp.cleanup())

const wsDir = (name: string) => join(tmp.dir, name, '.leakctl')
const as = (name: string) => ({env: {LEAKCTL_WORKSPACE: wsDir(name), LEAKCTL_ACTOR: name}})
const run = (name: string, args: string[]) => leakctl(args, as(name))
const runAsync = (name: string, args: string[]) => leakctlAsync(args, as(name))
const ok = (r: RunResult) => {
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0)
  return r
}
const logOf = (name: string, id: string) => join(wsDir(name), 'incidents', id, 'events.jsonl')
const idsOf = (name: string, id: string) => new Set(readLog(logOf(name, id)).events.map((e) => e.id))
const remoteFiles = (id: string) =>
  execFileSync('git', ['--git-dir', remote, 'ls-tree', '-r', '--name-only', 'leakctl/incidents', '--', `incidents/${id}/events/`], {encoding: 'utf8'}).trim().split('\n').filter(Boolean)
const doneBy = (name: string, item: string) => {
  const view = json(run(name, ['checklist', '--json']))
  for (const p of view.phases) for (const i of p.items) if (i.id === item) return i.doneBy as string | null
  throw new Error(`no item ${item}`)
}

function openShared(): string {
  const opened = json(ok(run('ana', ['incident', 'open', '--title', 'etcd backup in a public bucket', '--kind', 'etcd-leak', '--json'])))
  const id = opened.incident.id as string
  const shared = json(ok(run('ana', ['incident', 'share', '--remote', remote, '--json'])))
  expect(shared).toMatchObject({incident: id, branch: 'leakctl/incidents', joined: false, imported: 0, pushed: 2, remoteEvents: 2})
  return id
}

describe('share and join', () => {
  it('an incident opened on machine A is joined on machine B, into an empty workspace, event for event', () => {
    const id = openShared()
    ok(run('ana', ['checklist', 'tick', 'read-snapshot', '--note', 'scanned: plaintext']))
    ok(run('ana', ['incident', 'sync']))
    // One file per event, named by its id, on the dedicated branch; nothing on other branches.
    const files = remoteFiles(id)
    expect(files).toHaveLength(3)
    for (const f of files) expect(f).toMatch(new RegExp(`^incidents/${id}/events/[0-9A-HJKMNP-TV-Z]{26}\\.json$`))
    expect(execFileSync('git', ['--git-dir', remote, 'branch', '--list'], {encoding: 'utf8'}).trim()).toBe('leakctl/incidents')

    const joined = ok(run('bob', ['incident', 'sync', '--remote', remote, '--incident', id.slice(-4)]))
    // Bob's join request (his signing key) goes out with the join.
    expect(joined.stdout).toMatch(new RegExp(`Joined ${id} with .*team-ir\\.git \\(leakctl/incidents\\): 3 events in, 1 out`))
    expect(joined.stdout).toMatch(/You asked to join as bob with signing key [A-Za-z0-9_-]{43}/)
    ok(run('ana', ['incident', 'sync']))
    // The same events: ids, times, actors and signatures kept, byte for byte.
    const a = readFileSync(logOf('ana', id), 'utf8').trim().split('\n').sort()
    const b = readFileSync(logOf('bob', id), 'utf8').trim().split('\n').sort()
    expect(b).toEqual(a)
    expect(a).toHaveLength(4)
    expect(doneBy('bob', 'read-snapshot')).toBe('ana')
    // Files 0600, folders 0700, as for any incident; the sync cache is private too.
    expect(statSync(logOf('bob', id)).mode & 0o777).toBe(0o600)
    const cache = join(wsDir('bob'), 'sync')
    expect(statSync(cache).mode & 0o777).toBe(0o700)
    for (const d of readdirSync(cache)) expect(statSync(join(cache, d)).mode & 0o777).toBe(0o700)
    expect(statSync(join(wsDir('bob'), 'incidents', id, 'sync.json')).mode & 0o777).toBe(0o600)
  })

  it('the checklist says where it is shared and when it last synced (text and --json)', () => {
    const id = openShared()
    const view = json(run('ana', ['checklist', '--json']))
    expect(view.incident).toBe(id)
    expect(view.sync).toMatchObject({remote, branch: 'leakctl/incidents', last: {by: 'ana', pushed: 2, imported: 0, remoteEvents: 2}})
    expect(Date.now() - Date.parse(view.sync.last.at)).toBeLessThan(60_000)
    const text = run('ana', ['checklist', '--plain'])
    expect(text.stdout).toMatch(/Shared with .*team-ir\.git \(leakctl\/incidents\); last synced \d{4}-\d\d-\d\d \d\d:\d\dZ .* by ana/)
    // Not shared: nothing said, null in JSON.
    ok(run('carol', ['incident', 'open', '--title', 'other', '--kind', 'git-leak']))
    expect(json(run('carol', ['checklist', '--json'])).sync).toBeNull()
  })
})

describe('several responders at once', () => {
  it('two machines tick different items and the same item, sync at the same time, and converge', {timeout: 120_000}, async () => {
    const id = openShared()
    ok(run('bob', ['incident', 'sync', '--remote', remote, '--incident', id]))
    // The commander admits bob's key (from his join request), so his ticks count.
    ok(run('ana', ['incident', 'sync']))
    ok(run('ana', ['incident', 'admit', 'bob']))
    ok(run('ana', ['incident', 'sync']))
    ok(run('bob', ['incident', 'sync']))
    ok(run('ana', ['checklist', 'tick', 'read-snapshot']))
    ok(run('bob', ['checklist', 'tick', 'contain-bucket']))
    // Both tick the same item, bob after ana.
    ok(run('ana', ['checklist', 'tick', 'declare-severity', '--note', 'critical']))
    await new Promise((r) => setTimeout(r, 5))
    ok(run('bob', ['checklist', 'tick', 'declare-severity', '--note', 'agreed']))
    const [ra, rb] = await Promise.all([runAsync('ana', ['incident', 'sync', '--json']), runAsync('bob', ['incident', 'sync', '--json'])])
    ok(ra)
    ok(rb)
    // Whoever pushed second fetched again and imported the other's events; one more round brings the first up to date.
    ok(run('ana', ['incident', 'sync']))
    ok(run('bob', ['incident', 'sync']))
    const a = idsOf('ana', id)
    const b = idsOf('bob', id)
    expect([...b].sort()).toEqual([...a].sort())
    expect(remoteFiles(id)).toHaveLength(a.size)
    expect(a.size).toBe(2 + 2 + 4)
    // The same state on both machines: both ticks kept, the later one (by id) is the one shown.
    for (const who of ['ana', 'bob']) {
      expect(doneBy(who, 'read-snapshot')).toBe('ana')
      expect(doneBy(who, 'contain-bucket')).toBe('bob')
      expect(doneBy(who, 'declare-severity')).toBe('bob')
    }
    const notes = json(run('ana', ['checklist', '--json', '--verbose'])).phases[0].items.find((i: {id: string}) => i.id === 'declare-severity').notes
    expect(notes.map((n: {actor: string; text: string}) => `${n.actor}: ${n.text}`)).toEqual(['ana: critical', 'bob: agreed'])
  })

  it('four responders sync at once, again and again: no push is lost, every machine ends with every event', {timeout: 180_000}, async () => {
    const id = openShared()
    const team = ['bob', 'carol', 'dan']
    const everyone = ['ana', ...team]
    const ref = (who: string) => findIncident(openWorkspace(wsDir(who), true), id)
    // Joins and notes in-process (the engine the commands call); the syncs race as real processes.
    for (const who of team) await syncIncident({ws: openWorkspace(wsDir(who), true), ref: null, incident: id, remote, actor: who})
    const items = ['read-snapshot', 'check-encryption-config', 'contain-bucket', 'declare-severity']
    let rounds = 0
    for (let round = 0; round < 2; round++) {
      await Promise.all(everyone.map((who, i) => actOnItems(ref(who), who, [items[i]!], {type: 'note', text: `round ${round} from ${who}`})))
      const results = await Promise.all(everyone.map((who) => runAsync(who, ['incident', 'sync', '--json'])))
      for (const r of results) rounds += json(ok(r)).attempts
    }
    expect(rounds).toBeGreaterThanOrEqual(8)
    for (const who of everyone) await syncIncident({ws: openWorkspace(wsDir(who), false), ref: ref(who), remote, actor: who})
    const expected = [...idsOf('ana', id)].sort()
    // The opening and its checklist, three join requests, eight notes.
    expect(expected).toHaveLength(2 + 3 + 8)
    for (const who of everyone) expect([...idsOf(who, id)].sort(), who).toEqual(expected)
    expect(remoteFiles(id)).toHaveLength(13)
    // The remote's history is linear: every push built on the branch as it was.
    const merges = execFileSync('git', ['--git-dir', remote, 'rev-list', '--merges', 'leakctl/incidents'], {encoding: 'utf8'}).trim()
    expect(merges).toBe('')
  })

  it('two imports of the same events at once write each event once', async () => {
    const {ref} = await openTestIncident(wsDir('ana'))
    const foreign: IncidentEvent[] = Array.from({length: 50}, (_, i) => ({id: ulid(), time: new Date().toISOString(), actor: 'zoe', type: 'item.noted', data: {item: 'read-snapshot', text: `n${i}`}}))
    const known = () => ({ids: new Set(readLog(ref.logPath).events.map((e) => e.id)), offset: statSync(ref.logPath).size})
    const [x, y] = await Promise.all([importEvents(ref.logPath, foreign, known()), importEvents(ref.logPath, foreign, known())])
    expect(x.events.length + y.events.length).toBe(50)
    const all = readLog(ref.logPath).events
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length)
    // Unsigned events from nobody admitted are kept, shown as unverified, never applied.
    const state = foldIncident(all)
    expect(state.items.get('read-snapshot')!.notes).toHaveLength(0)
    expect(state.unverified.filter((u) => u.actor === 'zoe' && u.reason === 'not signed')).toHaveLength(50)
  })

  it('a machine whose clock is behind still orders its tick after what it saw', async () => {
    const {ref} = await openTestIncident(wsDir('ana'))
    // An event from a machine ten minutes ahead.
    const ahead = ulid(Date.now() + 10 * 60_000)
    await importEvents(ref.logPath, [{id: ahead, time: new Date(Date.now() + 600_000).toISOString(), actor: 'zoe', type: 'item.ticked', data: {item: 'read-snapshot'}} as IncidentEvent], {ids: new Set(), offset: statSync(ref.logPath).size})
    ok(leakctl(['checklist', 'untick', 'read-snapshot'], as('ana')))
    const events = readLog(ref.logPath).events
    const mine = events.at(-1)!
    expect(mine).toMatchObject({type: 'item.unticked', actor: 'ana'})
    expect(mine.id > ahead).toBe(true)
    expect(decodeTime(mine.id)).toBeGreaterThan(decodeTime(ahead))
    // Its time stays this machine's honest clock.
    expect(Math.abs(Date.parse(mine.time) - Date.now())).toBeLessThan(60_000)
    expect(foldIncident(events).items.get('read-snapshot')!.done).toBe(false)
  })
})

describe('bad input, unreachable remotes, hostile files', () => {
  it('not shared, unknown incident, missing --incident: exit 2 with one line', () => {
    ok(run('ana', ['incident', 'open', '--title', 'x', '--kind', 'git-leak']))
    const notShared = run('ana', ['incident', 'sync'])
    expect(notShared.code).toBe(2)
    expect(notShared.stderr).toMatch(/^error: incident inc-\S+ is not shared; share it first: leakctl incident share --remote GIT_URL\n$/)
    const id = openShared()
    const unknown = run('bob', ['incident', 'sync', '--remote', remote, '--incident', 'inc-20990101-000000-zzzz'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim()).toBe(`error: no incident "inc-20990101-000000-zzzz" on ${remote} (it has: ${id})`)
    const which = run('bob', ['incident', 'sync', '--remote', remote])
    expect(which.code).toBe(2)
    expect(which.stderr).toMatch(/name the one to join with --incident ID/)
    // A failed join leaves no half incident behind.
    expect(readdirSync(join(wsDir('bob'), 'incidents'))).toEqual([])
    const badBranch = run('ana', ['incident', 'share', '--remote', remote, '--branch', '../x'])
    expect(badBranch.code).toBe(2)
  })

  it('an unreachable remote is exit 3, and a credential in its URL is never printed', async () => {
    const id = openShared()
    const token = 'tok3n-' + 'Q8v2LwX9'
    // A port nothing listens on (bound, then closed).
    const net = await import('node:net')
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as {port: number}).port
        s.close(() => resolve(p))
      })
    })
    const url = `http://user:${token}@127.0.0.1:${port}/team-ir.git`
    for (const args of [['incident', 'sync', '--remote', url], ['incident', 'sync', '--remote', url, '--json'], ['incident', 'share', '--remote', url]]) {
      const r = run('ana', args)
      expect(r.code, r.stderr).toBe(3)
      expect(r.stdout + r.stderr).not.toContain(token)
      expect(r.stderr).toMatch(/cannot fetch http:\/\/user:\*\*\*\*@127\.0\.0\.1:\d+\/team-ir\.git/)
    }
    expect(json(run('ana', ['incident', 'sync', '--remote', url, '--json'])).error).toMatchObject({code: 'sync.fetch', exitCode: 3})
    // The local incident is untouched and still syncs with its real remote.
    ok(run('ana', ['incident', 'sync', '--remote', remote]))
    expect(idsOf('ana', id).size).toBe(2)
  })

  it('files on the remote that are not valid events are reported and skipped; the rest is imported', () => {
    const id = openShared()
    ok(run('ana', ['checklist', 'note', 'read-snapshot', 'a note with \u001b[2J an escape sequence']))
    ok(run('ana', ['incident', 'sync']))
    // Someone pushes junk next to the events.
    const work = join(tmp.dir, 'vandal')
    execFileSync('git', ['clone', '-q', '--branch', 'leakctl/incidents', remote, work])
    const dir = join(work, 'incidents', id, 'events')
    const stray = ulid()
    writeFileSync(join(dir, `${stray}.json`), '{not json')
    const mismatch = ulid()
    const someEvent = readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')
    writeFileSync(join(dir, `${mismatch}.json`), someEvent)
    const wrongType = ulid()
    writeFileSync(join(dir, `${wrongType}.json`), JSON.stringify({id: wrongType, time: new Date().toISOString(), actor: 'x', type: 'item.ticked', data: {nope: 1}}))
    execFileSync('git', ['-C', work, '-c', 'user.name=v', '-c', 'user.email=v@x', 'add', '-A'])
    execFileSync('git', ['-C', work, '-c', 'user.name=v', '-c', 'user.email=v@x', 'commit', '-qm', 'junk'])
    execFileSync('git', ['-C', work, 'push', '-q', 'origin', 'leakctl/incidents'])

    const r = ok(run('bob', ['incident', 'sync', '--remote', remote, '--incident', id]))
    // Each refused file named with who pushed it and whom it claims.
    expect(r.stderr).toContain(`remote event ${stray} quarantined (incidents/${id}/events/${stray}.json, pushed by v <v@x>): not valid JSON`)
    expect(r.stderr).toMatch(new RegExp(`remote event ${mismatch} quarantined \\(.*pushed by v <v@x>; it claims "ana"\\): its file holds event`))
    expect(r.stderr).toMatch(new RegExp(`remote event ${wrongType} quarantined \\(.*; it claims "x"\\): item.ticked: `))
    expect(idsOf('bob', id).size).toBe(3 + 1)
    // The note with an escape sequence arrives as text (the checklist app draws control characters as spaces).
    expect(readLog(logOf('bob', id)).events.some((e) => e.type === 'item.noted' && e.data.text.includes('\u001b[2J'))).toBe(true)
  })

  it('canary: no secret value reaches the remote, the workspaces or any output', async () => {
    const canary = 'CANARY-sync-Zk81hQ0pLmV3'
    const pat = 'ghp_' + 'R7tYk2Lm9Qw4Xz8Vb3Nc6Hj1Pd5Sf0Ga2Ue9'
    const {ref} = await openTestIncident(wsDir('ana'), {findings: [gitFinding(canary), gitFinding(canary + '-2', {path: 'b.env'})]})
    const outputs: RunResult[] = []
    // The finding values are the canary (only fingerprints are kept); a token pasted into a note is redacted.
    outputs.push(ok(run('ana', ['checklist', 'note', 'read-snapshot', `rotated ${pat}`])))
    outputs.push(ok(run('ana', ['incident', 'share', '--remote', remote])))
    outputs.push(ok(run('bob', ['incident', 'sync', '--remote', remote, '--incident', ref.id, '--json'])))
    outputs.push(ok(run('bob', ['checklist', '--plain', '--verbose'])))
    outputs.push(ok(run('bob', ['checklist', '--json', '--verbose'])))
    for (const o of outputs) {
      expect(o.stdout + o.stderr).not.toContain(canary)
      expect(o.stdout + o.stderr).not.toContain(pat)
    }
    const objects = execFileSync('git', ['--git-dir', remote, 'cat-file', '--batch-all-objects', '--batch'], {maxBuffer: 1 << 28}).toString('latin1')
    expect(objects.length).toBeGreaterThan(1000)
    expect(objects).not.toContain(canary)
    expect(objects).not.toContain(pat)
    for (const who of ['ana', 'bob']) {
      const files = execFileSync('find', [join(tmp.dir, who), '-type', 'f'], {encoding: 'utf8'}).trim().split('\n')
      expect(files.length).toBeGreaterThan(5)
      for (const f of files) {
        const body = readFileSync(f).toString('latin1')
        expect(body, f).not.toContain(canary)
        expect(body, f).not.toContain(pat)
      }
    }
  })
})

describe('appendEvents ordering', () => {
  it('after= puts new ids after an id from the future, even in one batch', async () => {
    const {ref} = await openTestIncident(wsDir('ana'))
    const future = ulid(Date.now() + 3_600_000)
    const res = await appendEvents(ref.logPath, 'ana', [{type: 'incident.noted', data: {text: 'a'}}, {type: 'incident.noted', data: {text: 'b'}}], undefined, {after: future})
    expect(res.events.every((e) => e.id > future)).toBe(true)
    expect(res.events[0]!.id < res.events[1]!.id).toBe(true)
  })
})
