import {execFileSync, spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {openIncident} from '../src/incident/incident.js'
import {openWorkspace} from '../src/incident/workspace.js'
import {loadProcedures, resolvePlaybook} from '../src/playbook/load.js'
import {fmtMs, measureMedian, printTable, syntheticFindings} from './lib.js'

// The interactive checklist with 10,000 items (one group of 10,000 rotations,
// expanded): time to the first frame and per-keypress render time, in
// process (ink-testing-library, React's production build) and in a real
// terminal (tmux), beside the plain listing of the same incident.

const N = 10_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!
const fmt = (ms: number) => (ms < 10 ? `${ms.toFixed(1)} ms` : fmtMs(ms))

export default async function checklist(): Promise<void> {
  // React picks its build at load: measure the one users run.
  process.env.NODE_ENV = 'production'
  const React = (await import('react')).default
  const {render} = await import('ink-testing-library')
  const {ChecklistApp} = await import('../cli/ui/app.js')
  const {LiveIncident} = await import('../src/incident/live.js')
  const {loadIncident} = await import('../src/incident/incident.js')

  const dir = mkdtempSync(join(tmpdir(), 'leakctl-bench-checklist-'))
  try {
    const ws = openWorkspace(join(dir, 'ws'), true)
    const {ref} = await openIncident(ws, {title: 'bench', kind: 'etcd-leak', commander: 'bench', exposedAt: null, playbook: resolvePlaybook('etcd-leak'), procedures: loadProcedures(), actor: 'bench', findings: syntheticFindings(N)})
    const logMb = statSync(ref.logPath).size / 1e6

    // In process: load, first frame, keys.
    const t0 = performance.now()
    const {live} = LiveIncident.open(ref)
    const loaded = performance.now()
    const app = render(React.createElement(ChecklistApp, {live, actor: 'bench', columns: 100, rows: 30}))
    while (app.frames.length === 0) await sleep(0)
    const firstFrame = performance.now()
    const items = live.state.items.size

    /** Writes a key and waits for the frame it causes. */
    const key = async (k: string): Promise<number> => {
      const before = app.frames.length
      const s = performance.now()
      app.stdin.write(k)
      while (app.frames.length === before) {
        if (performance.now() - s > 5000) throw new Error(`no frame after ${JSON.stringify(k)}`)
        await new Promise((r) => setImmediate(r))
      }
      return performance.now() - s
    }
    for (let i = 0; i < 12 && !/› \[ \] ▸ rotate-priority-1/.test(app.lastFrame() ?? ''); i++) await key('j')
    const expand = await key('\r')
    const moves: number[] = []
    for (let i = 0; i < 300; i++) moves.push(await key(i % 3 === 2 ? 'k' : 'j'))
    const pages: number[] = []
    for (let i = 0; i < 40; i++) pages.push(await key('\x1b[6~'))
    const end = await key('G')
    await key('/')
    const filter: number[] = []
    for (const c of 'priority-1.99') filter.push(await key(c))
    await key('\x1b') // clears the filter
    await key('g')
    for (let i = 0; i < 12 && !/› \[ \] ▾ rotate-priority-1/.test(app.lastFrame() ?? ''); i++) await key('j')
    await key('j')
    const tickStart = performance.now()
    app.stdin.write(' ')
    while (!/› {5}\[x\] rotate-priority-1\.1 /.test(app.lastFrame() ?? '')) await new Promise((r) => setImmediate(r))
    const tick = performance.now() - tickStart
    const readAfterKeys = live.bytesRead
    app.unmount()

    // What a keypress would cost if it re-read the log.
    const reread = Array.from({length: 3}, () => {
      const s = performance.now()
      loadIncident(ref)
      return performance.now() - s
    })

    const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js')
    const env = {...process.env, LEAKCTL_WORKSPACE: ws.dir, LEAKCTL_ACTOR: 'bench', NO_COLOR: '1', NODE_ENV: 'production'}
    const base = measureMedian(3, '', process.execPath, [bin, '--version'], {env})
    const plainList = measureMedian(3, '', process.execPath, [bin, 'checklist', '--plain'], {env})

    printTable(`Interactive checklist, ${items.toLocaleString('en')} items (a group of ${N.toLocaleString('en')} expanded; log ${logMb.toFixed(0)} MB), in process`, [
      {label: 'load: read the log + fold', values: {time: fmt(loaded - t0)}},
      {label: 'first frame (load + render)', values: {time: fmt(firstFrame - t0)}},
      {label: `move j/k (${moves.length} keys) median / p95 / max`, values: {time: `${fmt(pct(moves, 50))} / ${fmt(pct(moves, 95))} / ${fmt(Math.max(...moves))}`}},
      {label: `page down (${pages.length} keys) median`, values: {time: fmt(pct(pages, 50))}},
      {label: 'expand the group / jump to the end', values: {time: `${fmt(expand)} / ${fmt(end)}`}},
      {label: `filter keystroke (view of all items) median / max`, values: {time: `${fmt(pct(filter, 50))} / ${fmt(Math.max(...filter))}`}},
      {label: 'tick: locked append + fsync + tail + frame', values: {time: fmt(tick)}},
      {label: 'log bytes read by all those keys (tail only)', values: {time: `${readAfterKeys} B`}},
      {label: 'baseline: re-reading the log (per key, if not tailed)', values: {time: fmt(pct(reread, 50))}},
      {label: 'baseline: leakctl checklist --plain (process)', values: {time: fmtMs(plainList.ms)}},
      {label: 'baseline: leakctl --version (process)', values: {time: fmtMs(base.ms)}},
    ])

    await terminal(bin, ws.dir)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** The real binary in tmux: start to first frame, and keys to frames, beside the plain list in the same terminal. */
async function terminal(bin: string, workspace: string): Promise<void> {
  if (spawnSync('tmux', ['-V']).status !== 0) {
    process.stdout.write('\n(tmux not installed: real-terminal figures skipped)\n')
    return
  }
  const socket = `leakctl-bench-${randomBytes(4).toString('hex')}`
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {encoding: 'utf8'})
  const screen = () => tmux('capture-pane', '-p')
  const vars = ['-e', `LEAKCTL_WORKSPACE=${workspace}`, '-e', 'LEAKCTL_ACTOR=bench', '-e', 'NODE_ENV=production']
  const until = async (test: (s: string) => boolean, ms = 60_000) => {
    const s0 = performance.now()
    while (!test(screen())) {
      if (performance.now() - s0 > ms) throw new Error('timed out in tmux')
      await sleep(5)
    }
    return performance.now() - s0
  }
  try {
    const runs: {app: number; plain: number}[] = []
    for (let i = 0; i < 3; i++) {
      const s0 = performance.now()
      tmux('new-session', '-d', '-x', '100', '-y', '30', ...vars, `'${process.execPath}' '${bin}' checklist`)
      await until((s) => s.includes('Phase 1: Immediate triage'))
      const app = performance.now() - s0
      tmux('kill-server')
      const s1 = performance.now()
      tmux('new-session', '-d', '-x', '100', '-y', '30', ...vars, `'${process.execPath}' '${bin}' checklist --plain; echo '[done]'; sleep 60`)
      await until((s) => s.includes('[done]'))
      const plain = performance.now() - s1
      tmux('kill-server')
      runs.push({app, plain})
    }
    tmux('new-session', '-d', '-x', '100', '-y', '30', ...vars, `'${process.execPath}' '${bin}' checklist`)
    await until((s) => s.includes('Phase 1: Immediate triage'))
    const keys: number[] = []
    for (let i = 0; i < 30; i++) {
      const before = screen()
      const s0 = performance.now()
      tmux('send-keys', i % 2 ? 'k' : 'j')
      await until((s) => s !== before, 5000)
      keys.push(performance.now() - s0)
    }
    const med = (xs: number[]) => pct(xs, 50)
    printTable('The same incident in a real terminal (tmux 100x30, median of 3 starts)', [
      {label: 'leakctl checklist: start to first frame', values: {time: fmtMs(med(runs.map((r) => r.app)))}},
      {label: 'leakctl checklist --plain: start to last line', values: {time: fmtMs(med(runs.map((r) => r.plain)))}},
      {label: `key to frame (${keys.length} keys, incl. tmux polling) median / max`, values: {time: `${fmtMs(med(keys))} / ${fmtMs(Math.max(...keys))}`}},
    ])
  } finally {
    try {
      tmux('kill-server')
    } catch {
      // gone
    }
  }
}
