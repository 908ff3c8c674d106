import {execFileSync} from 'node:child_process'
import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import chalk from 'chalk'
import {render} from 'ink-testing-library'
import React from 'react'
import stringWidth from 'string-width'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {ChecklistApp, type ChecklistAppProps} from '../cli/ui/app.js'
import {copyText} from '../cli/ui/clipboard.js'
import {buildRows, moveCursor, scrollWindow} from '../cli/ui/rows.js'
import {checklistView} from '../src/incident/checklist.js'
import type {IncidentEvent} from '../src/incident/events.js'
import {LiveIncident} from '../src/incident/live.js'
import {appendEvents, importEvents, readLog} from '../src/incident/log.js'
import {findIncident, openWorkspace} from '../src/incident/workspace.js'
import {readMarker} from '../src/sync/marker.js'
import {syncIncident} from '../src/sync/sync.js'
import {leakctlAsync, tempDir} from './helpers/cli.js'
import {signEvent} from '../src/incident/signing.js'
import {findingItemId} from '../src/playbook/instantiate.js'
import {admittedSigner, gitFinding, openTestIncident} from './helpers/incident.js'

// The interactive checklist through ink-testing-library: keys in, frames out,
// against real incidents in temporary workspaces (real log, real locking).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const ANSI = /\x1b\[[0-9;]*m/g
const plain = (s: string | undefined) => (s ?? '').replace(ANSI, '')

let tmp: ReturnType<typeof tempDir>
let unmounts: (() => void)[] = []
beforeEach(() => {
  tmp = tempDir('leakctl-ui-')
  chalk.level = 0
})
afterEach(() => {
  for (const u of unmounts) u()
  unmounts = []
  tmp.cleanup()
  chalk.level = 0
})

async function incident(o: Parameters<typeof openTestIncident>[1] = {}) {
  const ws = join(tmp.dir, 'ws')
  // Ana opens it: the app acts as ana, the commander, whose events count from the first.
  const opened = await openTestIncident(ws, {actor: 'ana', ...o})
  return {ws, ref: opened.ref}
}

function highFindings(n: number, tag = 'v') {
  return Array.from({length: n}, (_, i) => gitFinding(`${tag}-secret-${i}`, {path: `config/service-${String(i).padStart(5, '0')}.env`, line: i + 1}))
}

function mount(props: Partial<ChecklistAppProps> & {live: LiveIncident}) {
  const app = render(<ChecklistApp actor="ana" columns={80} rows={24} pollMs={200} {...props} />)
  unmounts.push(() => app.unmount())
  return {
    app,
    frame: () => plain(app.lastFrame()),
    /** Types keys one at a time, each once the previous one's frame is out (or 400 ms for a key that changes nothing). */
    async press(...keys: string[]) {
      for (const k of keys) {
        const frames = app.frames.length
        app.stdin.write(k)
        const t0 = Date.now()
        while (app.frames.length === frames && Date.now() - t0 < 400) await sleep(5)
        await sleep(5)
      }
    },
  }
}

async function waitFor(what: string, cond: () => boolean, ms = 3000): Promise<number> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
  return Date.now() - t0
}

const events = (logPath: string) => readLog(logPath).events
const last = (logPath: string): IncidentEvent => events(logPath).at(-1)!
const selectedLine = (f: string) => f.split('\n').find((l) => l.startsWith('› '))
const DOWN = '\x1b[B'
const UP = '\x1b[A'
const ENTER = '\r'
const ESC = '\x1b'

describe('the screen', () => {
  it('shows phases with window, due time, countdown and a progress bar, and fits 80x24', async () => {
    const {ref} = await incident({title: 'etcd backup in a public bucket, with a title far too long to fit on one line of an 80-column terminal'})
    const {live} = LiveIncident.open(ref)
    const {app, frame} = mount({live})
    await sleep(50)
    const f = frame()
    const lines = f.split('\n')
    expect(lines.length).toBeLessThanOrEqual(23)
    for (const l of lines) expect(stringWidth(l), l).toBeLessThanOrEqual(80)
    expect(lines[0]).toMatch(/^inc-\d{8}-\d{6}-[a-z0-9]{4} {2}etcd backup in a public bucket.*…/)
    expect(lines[0]).toMatch(/not shared$/)
    expect(lines[1]).toMatch(/^░+ 0\/\d+ done · T\+00:00 since incident start/)
    expect(f).toMatch(/▌ Phase 1: Immediate triage \(0-5m\) +░{10} 0\/4 · due (\d\d-\d\d )?\d\d:\d\dZ in [45]m/)
    expect(selectedLine(f)).toMatch(/^› \[ \] read-snapshot {2}Read the leaked snapshot/)
    // The detail of the selected item, and the key hints.
    expect(f).toMatch(/read-snapshot · open · owner none · due (\d\d-\d\d )?\d\d:\d\dZ \([0-2]\d:\d\d /)
    expect(lines.at(-1)).toMatch(/space tick .* \? help$/)
    app.unmount()
  })

  it('makes overdue items stand out: [!], OVERDUE, the count and the phase countdown', async () => {
    const {ref} = await incident({now: new Date(Date.now() - 45 * 60_000)})
    const {live} = LiveIncident.open(ref)
    const {frame} = mount({live})
    await sleep(50)
    const f = frame()
    expect(f).toMatch(/› \[!\] read-snapshot .*OVERDUE/)
    expect(f).toMatch(/0\/\d+ done · (\d+) overdue · T\+00:4[45]/)
    expect(f).toMatch(/Phase 1: .*due (\d\d-\d\d )?\d\d:\d\dZ 4[01]m\d*s? overdue/)
    expect(f).toMatch(/Phase 3: .* in 1h1[45]m/)
    expect(f).toMatch(/read-snapshot · OVERDUE/)
  })

  it('colours degrade: none with colour off, only the 16 basic colours otherwise', async () => {
    const {ref} = await incident({now: new Date(Date.now() - 45 * 60_000)})
    const {live} = LiveIncident.open(ref)
    chalk.level = 0
    const a = mount({live})
    await sleep(50)
    expect(a.app.lastFrame()).not.toMatch(/\x1b\[/)
    a.app.unmount()
    chalk.level = 1
    const b = mount({live})
    await sleep(50)
    const raw = b.app.lastFrame()!
    const codes = [...raw.matchAll(/\x1b\[([0-9;]*)m/g)].map((m) => m[1]!)
    expect(codes.length).toBeGreaterThan(10)
    // SGR attributes, the 8 colours and their bright forms, defaults: never 38/48 (256 colours, true colour).
    for (const c of codes) for (const n of c.split(';')) expect(Number(n), c).toSatisfy((x: number) => x <= 37 || x === 39 || (x >= 40 && x <= 47) || x === 49 || (x >= 90 && x <= 97) || (x >= 100 && x <= 107))
    expect(raw).toMatch(/\x1b\[31m/) // red for overdue
    expect(raw).toMatch(/\x1b\[7m/) // the cursor line in inverse video
  })
})

describe('keys', () => {
  it('j/k and arrows move; space ticks and unticks; every change is an event with its actor and time', async () => {
    const {ref} = await incident()
    const {live} = LiveIncident.open(ref)
    const {frame, press} = mount({live})
    await press('j', 'j', DOWN, UP)
    expect(selectedLine(frame())).toMatch(/contain-bucket/)
    const before = Date.now()
    await press(' ')
    await waitFor('the tick on screen', () => /› \[x\] contain-bucket .*✓ ana \d\d:\d\dZ/.test(frame()))
    const e = last(ref.logPath)
    expect(e).toMatchObject({type: 'item.ticked', actor: 'ana', data: {item: 'contain-bucket'}})
    expect(Date.parse(e.time)).toBeGreaterThanOrEqual(before - 5)
    expect(frame()).toMatch(/1\/\d+ done/)
    expect(frame()).toMatch(/ticked contain-bucket \(1 event as ana\)/)
    await press(' ')
    await waitFor('the untick', () => /› \[ \] contain-bucket/.test(frame()))
    expect(last(ref.logPath)).toMatchObject({type: 'item.unticked', actor: 'ana', data: {item: 'contain-bucket'}})
  })

  it('keys typed faster than a frame (one chunk) are each handled', async () => {
    const {ref} = await incident()
    const {live} = LiveIncident.open(ref)
    const {frame, press} = mount({live})
    await press('jjj ')
    await waitFor('the tick', () => /› \[x\] declare-severity/.test(frame()))
    await press('nfast note\r')
    await waitFor('the note', () => events(ref.logPath).some((e) => e.type === 'item.noted'))
    expect(last(ref.logPath)).toMatchObject({type: 'item.noted', data: {item: 'declare-severity', text: 'fast note'}})
  })

  it('enter expands a grouped item into one row per credential; its members tick one by one or all at once (after y)', async () => {
    const findings = highFindings(5)
    const memberIds = findings.map((f) => findingItemId('rotate-priority-1', f))
    const {ref} = await incident({findings})
    const {live} = LiveIncident.open(ref)
    const {frame, press} = mount({live})
    for (let i = 0; i < 10 && !/› \[ \] ▸ rotate-priority-1/.test(frame()); i++) await press('j')
    expect(selectedLine(frame())).toMatch(/▸ rotate-priority-1 {2}Priority 1: rotate 5 high-risk credentials.* 0\/5/)
    await press(ENTER)
    const f = frame()
    expect(f).toMatch(/› \[ \] ▾ rotate-priority-1/)
    const members = f.split('\n').filter((l) => /^ {6}\[ \] rotate-priority-1\.[0-9a-f]{12}/.test(l))
    expect(members).toHaveLength(5)
    await press('j', ' ')
    await waitFor('one member ticked', () => frame().includes(`› ${' '.repeat(4)}[x] ${memberIds[0]} `))
    expect(frame()).toMatch(/▾ rotate-priority-1 .* 1\/5/)
    await press('k', ' ')
    expect(frame()).toMatch(/Tick the 4 open members of rotate-priority-1\? y\/N/)
    await press('n')
    expect(frame()).toMatch(/nothing changed/)
    expect(events(ref.logPath).filter((e) => e.type === 'item.ticked')).toHaveLength(1)
    await press(' ', 'y')
    await waitFor('all members ticked', () => /› \[x\] ▾ rotate-priority-1 .* 5\/5/.test(frame()))
    const ticks = events(ref.logPath).filter((e) => e.type === 'item.ticked')
    expect(ticks.map((e) => (e.data as {item: string}).item).sort()).toEqual([...memberIds].sort())
    await press(ENTER)
    expect(frame().split('\n').filter((l) => /rotate-priority-1\.[0-9a-f]{12}/.test(l))).toHaveLength(0)
  })

  it('n adds a note (a credential typed into it is redacted before it is written); esc cancels', async () => {
    const {ref} = await incident()
    const {live} = LiveIncident.open(ref)
    const {frame, press} = mount({live})
    const canary = 'ghp_' + 'Zq7Kc3Vb9Xw2Lm5Np8Rt4Sd6Fg1Hj0Yk3Ue7'
    await press('n')
    expect(frame()).toMatch(/note on read-snapshot: █/)
    await press(...'abandoned'.split(''), ESC)
    expect(events(ref.logPath).some((e) => e.type === 'item.noted')).toBe(false)
    await press('n')
    await press(`old token was ${canary}, revoked`, ENTER)
    await waitFor('the note', () => events(ref.logPath).some((e) => e.type === 'item.noted'))
    const noted = last(ref.logPath)
    expect(noted).toMatchObject({type: 'item.noted', actor: 'ana', data: {item: 'read-snapshot'}})
    expect(JSON.stringify(noted)).not.toContain(canary)
    expect(readFileSync(ref.logPath, 'utf8')).not.toContain(canary)
    await waitFor('the note on screen', () => /✎ ana \d\d:\d\dZ: old token was \[redacted/.test(frame()))
    expect(frame()).not.toContain(canary)
    expect(frame()).toMatch(/read-snapshot .*✎1/)
  })

  it('a assigns (enter alone: to me); m shows only mine; o only open items; / filters by text; esc clears', async () => {
    const {ref} = await incident()
    const {live} = LiveIncident.open(ref)
    const {frame, press} = mount({live})
    await press('j', 'a', ENTER)
    await waitFor('assigned to me', () => /› \[ \] check-encryption-config .*@ana/.test(frame()))
    expect(last(ref.logPath)).toMatchObject({type: 'item.assigned', actor: 'ana', data: {item: 'check-encryption-config', owner: 'ana'}})
    await press('j', 'a', ...'bob'.split(''), ENTER)
    await waitFor('assigned to bob', () => /contain-bucket .*@bob/.test(frame()))
    expect(last(ref.logPath)).toMatchObject({type: 'item.assigned', actor: 'ana', data: {item: 'contain-bucket', owner: 'bob'}})

    await press('m')
    let f = frame()
    expect(f).toMatch(/\[mine\]/)
    expect(f.split('\n').filter((l) => /^[› ] \[/.test(l))).toHaveLength(1)
    expect(selectedLine(f)).toMatch(/check-encryption-config/)
    expect(f).not.toMatch(/Phase 2/) // empty phases are hidden while filtering
    await press('m')

    await press('/', ...'monitor'.split(''))
    f = frame()
    expect(f).toMatch(/filter: monitor█/)
    const shown = f.split('\n').filter((l) => /^[› ] \[/.test(l))
    expect(shown.map((l) => /\] (\S+)/.exec(l)![1])).toEqual(['monitor-apiserver', 'monitor-cloud', 'monitor-databases', 'monitor-24h'])
    await press(ENTER)
    expect(frame()).toMatch(/\/monitor/)
    await press(ESC)
    expect(frame()).not.toMatch(/\/monitor/)

    // Only open: the item ticked disappears, the cursor lands on the row that took its place.
    await press('g', ' ')
    await waitFor('tick', () => /\[x\] read-snapshot/.test(frame()))
    await press('o')
    f = frame()
    expect(f).toMatch(/\[open\]/)
    expect(f.split('\n').filter((l) => /^[› ] \[/.test(l)).join('\n')).not.toMatch(/read-snapshot/)
    expect(selectedLine(f)).toMatch(/check-encryption-config/)
  })

  it('c copies the item’s commands: OSC 52 when no clipboard tool answers, and they are printed on exit', async () => {
    const {ref} = await incident()
    const {live} = LiveIncident.open(ref)
    const written: string[] = []
    const unconfirmed: string[][] = []
    const {frame, press} = mount({live, copy: (t) => copyText(t, {env: {}, platform: 'linux', write: (d) => written.push(d)}), onUnconfirmedCopy: (c) => unconfirmed.push(c)})
    await press('j', 'c')
    expect(frame()).toMatch(/sent 3 command\(s\) to the terminal clipboard \(OSC 52\); printed on exit too/)
    expect(written).toHaveLength(1)
    const m = /^\x1b\]52;c;([A-Za-z0-9+/=]+)\x07$/.exec(written[0]!)
    expect(m).not.toBeNull()
    const text = Buffer.from(m![1]!, 'base64').toString('utf8')
    expect(text.split('\n')[0]).toBe('kubectl get configmap -n kube-system encryption-config -o yaml')
    expect(unconfirmed).toEqual([text.trimEnd().split('\n')])
  })

  it('M shows the drafted update per audience, c copies it, S records on the timeline that it was sent', async () => {
    const {ref} = await incident({findings: highFindings(2)})
    const {live} = LiveIncident.open(ref)
    const written: string[] = []
    const unconfirmed: string[][] = []
    const {frame, press} = mount({live, rows: 30, copy: (t) => copyText(t, {env: {}, platform: 'linux', write: (d) => written.push(d)}), onUnconfirmedCopy: (c) => unconfirmed.push(c)})
    const before = events(ref.logPath).length
    await press('M')
    let f = frame()
    expect(f).toMatch(/Update \[1 stakeholders\] +2 exec +3 customers/)
    expect(f).toMatch(/Subject: \[inc-[^\]]+\] test incident: update/)
    expect(f).toMatch(/What leaked: 2 /)
    expect(f).toMatch(/tab\/1-3 audience · c copy · S mark it sent/)
    for (const l of f.split('\n')) expect(stringWidth(l), l).toBeLessThanOrEqual(80)
    await press('\t')
    expect(frame()).toMatch(/\[2 exec\]/)
    expect(frame()).toMatch(/Evidence of misuse: none found yet\./)
    await press('3', 'c')
    expect(frame()).toMatch(/sent the update for customers to the terminal clipboard \(OSC 52\)/)
    const m = /^\x1b\]52;c;([A-Za-z0-9+/=]+)\x07$/.exec(written[0]!)
    const copied = Buffer.from(m![1]!, 'base64').toString('utf8')
    expect(copied).toMatch(/^Subject: Security notice\n\nWe identified that some of our internal credentials were exposed/)
    expect(unconfirmed).toEqual([copied.trimEnd().split('\n')])
    // Copying records nothing; S does, as `incident message --sent` would, and closes the draft.
    expect(events(ref.logPath)).toHaveLength(before)
    await press('S')
    await waitFor('the sent note', () => last(ref.logPath).type === 'incident.noted')
    const e = last(ref.logPath)
    expect(e.actor).toBe('ana')
    expect(e.data).toEqual({text: 'Update sent to customers: Security notice'})
    await waitFor('the confirmation', () => /recorded on the timeline: update sent to customers/.test(frame()))
    f = frame()
    expect(f).not.toMatch(/\[3 customers\]/)
    // esc closes without recording.
    await press('M', ESC)
    expect(frame()).not.toMatch(/Update \[1 stakeholders\]/)
    expect(events(ref.logPath)).toHaveLength(before + 1)
  })

  it('enter on an item shows its commands, procedure steps and notes; ? shows the keys; q quits', async () => {
    const {ref} = await incident({findings: highFindings(1)})
    const {live} = LiveIncident.open(ref)
    const {app, frame, press} = mount({live, rows: 40})
    for (let i = 0; i < 12 && !/› \[ \] rotate-priority-1\.[0-9a-f]{12}/.test(frame()); i++) await press('j')
    await press(ENTER)
    const f = frame()
    expect(f).toMatch(/^1\. .+/m)
    expect(f).toMatch(/^ {3}\$ .+/m)
    await press(ESC, '?')
    expect(frame()).toMatch(/Keys +any key closes this/)
    expect(frame()).toMatch(/space +tick \/ untick/)
    await press('x')
    expect(frame()).not.toMatch(/any key closes this/)
    await press('q')
    const frames = app.frames.length
    await press('j', 'j')
    expect(app.frames.length).toBe(frames)
  })
})

describe('live: another responder’s changes', () => {
  it('shows a tick written by another process within a second, without moving the cursor', async () => {
    const {ref, ws} = await incident()
    // Bob is admitted already (his tick is one event, as on a team that has been working a while).
    await admittedSigner(ref, 'bob')
    const {live} = LiveIncident.open(ref)
    const {frame, press} = mount({live})
    await press('j', 'j', 'j', 'j', 'j')
    const cursorBefore = selectedLine(frame())
    expect(cursorBefore).toMatch(/record-revocations|revoke-critical|roll-service-accounts/)
    // The real binary, in another process: what a second responder's terminal does.
    const t0 = Date.now()
    const r = await leakctlAsync(['checklist', 'tick', 'read-snapshot', '--by', 'bob'], {env: {LEAKCTL_WORKSPACE: ws}})
    expect(r.code, r.stderr).toBe(0)
    const waited = await waitFor('bob’s tick on screen', () => /\[x\] read-snapshot .*✓ bob/.test(frame()), 2000)
    expect(waited).toBeLessThan(1000)
    expect(frame()).toMatch(/bob ticked read-snapshot/)
    expect(selectedLine(frame())).toBe(cursorBefore)
    expect(Date.now() - t0).toBeLessThan(5000)
  })

  it('folds only the new bytes: keypresses read nothing, a tick reads one line', async () => {
    const {ref} = await incident({findings: highFindings(300)})
    const carol = await admittedSigner(ref, 'carol')
    const {live} = LiveIncident.open(ref)
    const logSize = statSync(ref.logPath).size
    const {frame, press} = mount({live})
    await sleep(50)
    const read0 = live.bytesRead
    await press(...'jjjjkk'.split(''), '/', ...'monitor'.split(''), ESC, 'o', 'o', 'm', 'm', ENTER, ENTER, '?', 'x')
    expect(live.bytesRead).toBe(read0)
    await appendEvents(ref.logPath, carol, [{type: 'item.ticked', data: {item: 'contain-bucket'}}])
    await waitFor('carol’s tick', () => /\[x\] contain-bucket/.test(frame()))
    const grown = statSync(ref.logPath).size - logSize
    expect(live.bytesRead - read0).toBe(grown)
    // One signed line.
    expect(grown).toBeLessThan(500)
    expect(logSize).toBeGreaterThan(100_000)
  })

  it('events imported out of order (a sync from another machine) are folded in id order; the cursor stays', async () => {
    const {ref} = await incident()
    const danaSigner = await admittedSigner(ref, 'dana')
    const {live} = LiveIncident.open(ref)
    const {frame, press} = mount({live})
    await press('j', 'j', 'j', ' ')
    await waitFor('ana’s tick', () => /\[x\] declare-severity .*✓ ana/.test(frame()))
    await press('k')
    // Dana, on another machine, reopened it earlier (an older id), and ticked another item; sync brings both now.
    const log = readLog(ref.logPath).events
    const itemsAdded = log.find((e) => e.type === 'checklist.items.added')!
    // Signed on Dana's machine (admitted by the commander), so they count.
    const older = (n: number) => itemsAdded.id.slice(0, 10) + 'ZZZZZZZZZZZZZZZ' + n
    const dana = [
      {id: older(1), time: itemsAdded.time, actor: 'dana', type: 'item.unticked', data: {item: 'declare-severity'}, seq: 1},
      {id: older(2), time: itemsAdded.time, actor: 'dana', type: 'item.ticked', data: {item: 'read-snapshot'}, seq: 2},
    ].map((e) => signEvent(danaSigner, e)) as IncidentEvent[]
    expect(dana.every((e) => e.id < log.at(-1)!.id && e.id > itemsAdded.id)).toBe(true)
    await importEvents(ref.logPath, dana, {ids: new Set(log.map((e) => e.id)), offset: statSync(ref.logPath).size})
    await waitFor('dana’s tick', () => /\[x\] read-snapshot .*✓ dana/.test(frame()))
    // Ana's later tick still wins over Dana's earlier reopening, as in a full fold.
    expect(frame()).toMatch(/\[x\] declare-severity .*✓ ana/)
    expect(selectedLine(frame())).toMatch(/contain-bucket/)
    expect(frame()).toMatch(/2 changes from dana/)
  })

  it('shows when the incident last synced, and s syncs it now through the shared remote', async () => {
    const {ref, ws} = await incident()
    const remote = join(tmp.dir, 'remote.git')
    execFileSync('git', ['init', '-q', '--bare', remote])
    const workspace = openWorkspace(ws, false)
    await syncIncident({ws: workspace, ref, remote, actor: 'ana'})
    const {live} = LiveIncident.open(ref)
    const status = () => readMarker(ref)
    const {frame, press} = mount({live, syncStatus: status, sync: () => syncIncident({ws: workspace, ref, remote, actor: 'ana'})})
    await sleep(50)
    expect(frame().split('\n')[0]).toMatch(/synced (just now|\d+s ago)$/)
    await press('j', ' ')
    await waitFor('tick', () => /\[x\] check-encryption-config/.test(frame()))
    await press('s')
    await waitFor('sync result', () => /synced with .*remote\.git: 0 in, 1 out/.test(frame()), 10_000)
    const onRemote = execFileSync('git', ['--git-dir', remote, 'ls-tree', '-r', '--name-only', 'leakctl/incidents'], {encoding: 'utf8'})
    // The remote also holds the workspace's fingerprint key (it travels with the incident): count the event files.
    const eventFiles = onRemote.trim().split('\n').filter((f) => /\/events\/[^/]+\.json$/.test(f))
    expect(eventFiles).toHaveLength(events(ref.logPath).length)
    expect(findIncident(workspace, ref.id).id).toBe(ref.id)
  })
})

describe('10,000 items: only what is visible is rendered', () => {
  it('a group of 10,000 members expands, scrolls to its end, keeps the phase on screen, and stays 23 lines', async () => {
    const findings = highFindings(10_000)
    const {ref} = await incident({findings})
    // Members are named by their findings; the last one listed is the last by place.
    const lastId = findingItemId('rotate-priority-1', findings.at(-1)!)
    const {live} = LiveIncident.open(ref)
    const {frame, press} = mount({live})
    for (let i = 0; i < 12 && !/› \[ \] ▸ rotate-priority-1/.test(frame()); i++) await press('j')
    await press(ENTER)
    expect(frame()).toMatch(/0\/10000/)
    const t0 = performance.now()
    await press('G')
    const ms = performance.now() - t0
    expect(selectedLine(frame())).toMatch(/› \[ \] schedule-postmortem/)
    for (let i = 0; i < 60 && !selectedLine(frame())?.includes(`${lastId} `); i++) await press('k')
    const f = frame()
    expect(f.split('\n').length).toBeLessThanOrEqual(23)
    expect(selectedLine(f)).toMatch(new RegExp(`› {5}\\[ \\] ${lastId.replace('.', '\\.')} `))
    // Deep inside the group, the phase header stays on the first list line (sticky): the deadline is always in sight.
    expect(f.split('\n')[2]).toMatch(/^▲ Phase 2: Emergency response/)
    expect(ms).toBeLessThan(2000)
    // A filter reaches inside the group.
    await press('/', ...lastId.slice(-12).split(''), ENTER)
    const filtered = frame().split('\n').filter((l) => /^[› ] +\[/.test(l))
    expect(filtered.map((l) => /\] (?:▾ )?(\S+)/.exec(l)![1])).toEqual(['rotate-priority-1', lastId])
  })

  it('rows and the scroll window: pure functions', async () => {
    const findings = highFindings(40)
    const {ref} = await incident({findings})
    const {live} = LiveIncident.open(ref)
    const view = checklistView(live.state, new Date())
    const {rows, index} = buildRows(view, new Set(['rotate-priority-1']), false)
    expect(rows[0]!.kind).toBe('phase')
    const member = index.get(findingItemId('rotate-priority-1', findings[39]!))!
    expect(rows[member]).toMatchObject({kind: 'item', depth: 1, parent: 'rotate-priority-1'})
    // Moving skips phase headers.
    const firstOfPhase2 = index.get('revoke-critical.none')!
    expect(rows[firstOfPhase2 - 1]!.kind).toBe('phase')
    expect(moveCursor(rows, firstOfPhase2, -1)).toBe(firstOfPhase2 - 2)
    // The window keeps the cursor visible and shows the header just above it rather than a sticky copy.
    for (const cursor of [0, 5, firstOfPhase2, member, rows.length - 1]) {
      const w = scrollWindow(rows, cursor, 0, 10)
      expect(cursor).toBeGreaterThanOrEqual(w.top + (w.sticky ? 1 : 0))
      expect(cursor).toBeLessThan(w.top + 10)
    }
    expect(scrollWindow(rows, firstOfPhase2, firstOfPhase2, 10)).toEqual({top: firstOfPhase2 - 1, sticky: false})
  })
})
