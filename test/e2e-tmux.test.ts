import {execFileSync, spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {readLog} from '../src/incident/log.js'
import {BIN, leakctlAsync, tempDir} from './helpers/cli.js'
import {gitFinding, openTestIncident} from './helpers/incident.js'

// The real binary in a real terminal: tmux (Debian's package) runs
// `leakctl checklist`, the test types keys with send-keys and reads the
// screen with capture-pane. Each test has its own tmux server (-L socket),
// killed afterwards whatever happens.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const hasTmux = spawnSync('tmux', ['-V']).status === 0

class Terminal {
  readonly socket = `leakctl-e2e-${process.pid}-${randomBytes(4).toString('hex')}`

  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {}

  tmux(...args: string[]): string {
    // The server's environment is every pane's: the runner's own colour settings (NO_COLOR in a CI log)
    // must not leak into a test that starts a colour terminal; each test sets what it means.
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {encoding: 'utf8', env: {...process.env, TMUX: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined}})
  }

  /** Starts `leakctl <args>` in a fresh session; the pane stays after it exits and shows its exit code. */
  start(args: string[], env: Record<string, string>): void {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
    const vars = Object.entries({NODE_ENV: 'production', LEAKCTL_ACTOR: 'tester', ...env}).flatMap(([k, v]) => ['-e', `${k}=${v}`])
    this.tmux('new-session', '-d', '-x', String(this.columns), '-y', String(this.rows), ...vars, `${quoted}; echo "[exit $?]"; sleep 600`)
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', ...keys)
  }

  type(text: string): void {
    this.tmux('send-keys', '-l', text)
  }

  screen(escapes = false): string {
    return this.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []))
  }

  async waitFor(what: string, test: (screen: string) => boolean, ms = 20_000): Promise<number> {
    const t0 = Date.now()
    for (;;) {
      const s = this.screen()
      if (test(s)) return Date.now() - t0
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; the screen:\n${s}`)
      await sleep(25)
    }
  }

  kill(): void {
    try {
      this.tmux('kill-server')
    } catch {
      // already gone
    }
  }
}

let tmp: ReturnType<typeof tempDir>
let term: Terminal | undefined
beforeEach(() => {
  tmp = tempDir('leakctl-tmux-')
})
afterEach(() => {
  term?.kill()
  term = undefined
  tmp.cleanup()
})

const selected = (screen: string) => screen.split('\n').find((l) => l.startsWith('› '))

describe.skipIf(!hasTmux)('leakctl checklist in a real terminal (tmux)', () => {
  it('80x24: moves, ticks, notes, filters and quits; the screen fits and the events are written', {timeout: 120_000}, async () => {
    const ws = join(tmp.dir, 'ws')
    const {ref} = await openTestIncident(ws, {title: 'etcd backup found in a public bucket, exposed for nine days before anyone noticed', findings: [gitFinding('v1'), gitFinding('v2', {path: 'x.env'})]})
    term = new Terminal(80, 24)
    // CI=true as on a build machine: ink would otherwise draw nothing until exit.
    term.start(['checklist'], {LEAKCTL_WORKSPACE: ws, NO_COLOR: '1', CI: 'true'})
    await term.waitFor('the checklist', (s) => s.includes('Phase 1: Immediate triage'))
    let s = term.screen()
    const lines = s.split('\n')
    expect(lines[0]).toMatch(new RegExp(`^${ref.id} {2}etcd backup found in a public bucket.*… +not shared$`))
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80)
    expect(lines[22]).toMatch(/space tick .* \? help/)
    expect(selected(s)).toMatch(/^› \[ \] read-snapshot {2}Read the leaked snapshot/)

    term.keys('j', 'j')
    await term.waitFor('the cursor on contain-bucket', (x) => /^› \[ \] contain-bucket/m.test(x))
    term.keys('Space')
    await term.waitFor('the tick', (x) => /^› \[x\] contain-bucket .*✓ tester \d\d:\d\dZ/m.test(x))

    term.keys('n')
    await term.waitFor('the note prompt', (x) => x.includes('note on contain-bucket:'))
    term.type('bucket policy reverted by ops')
    term.keys('Enter')
    await term.waitFor('the note', (x) => /✎ tester \d\d:\d\dZ: bucket policy reverted by ops/.test(x))

    term.keys('/')
    term.type('monitor')
    await term.waitFor('the filter', (x) => x.includes('filter: monitor'))
    term.keys('Enter')
    s = await term.waitFor('filtered rows', (x) => /\/monitor/.test(x.split('\n')[1] ?? '')).then(() => term!.screen())
    const items = s.split('\n').filter((l) => /^[› ] \[/.test(l)).map((l) => /\] (\S+)/.exec(l)![1])
    expect(items).toEqual(['monitor-apiserver', 'monitor-cloud', 'monitor-databases', 'monitor-24h'])
    term.keys('Escape')
    await term.waitFor('the filter cleared', (x) => !/\/monitor/.test(x.split('\n')[1] ?? ''))

    term.keys('Enter') // on a group: expand it
    term.keys('q')
    s = await term.waitFor('the exit', (x) => x.includes('[exit 0]')).then(() => term!.screen())
    // The alternate screen is gone: the terminal is as it was.
    expect(s).not.toMatch(/Phase 1/)

    const events = readLog(ref.logPath).events.slice(-2)
    expect(events[0]).toMatchObject({type: 'item.ticked', actor: 'tester', data: {item: 'contain-bucket'}})
    expect(events[1]).toMatchObject({type: 'item.noted', actor: 'tester', data: {item: 'contain-bucket', text: 'bucket policy reverted by ops'}})
    for (const e of events) expect(Math.abs(Date.now() - Date.parse(e.time))).toBeLessThan(120_000)
  })

  it('shows another responder’s tick within about a second, without moving the cursor', {timeout: 120_000}, async () => {
    const ws = join(tmp.dir, 'ws')
    await openTestIncident(ws)
    term = new Terminal(100, 30)
    term.start(['checklist'], {LEAKCTL_WORKSPACE: ws})
    await term.waitFor('the checklist', (s) => s.includes('Phase 1: Immediate triage'))
    term.keys('j', 'j', 'j')
    await term.waitFor('the cursor', (x) => /^› \[ \] declare-severity/m.test(x))
    const before = selected(term.screen())
    // Another responder, another process: the real CLI.
    const r = await leakctlAsync(['checklist', 'tick', 'monitor-cloud', '--by', 'bob'], {env: {LEAKCTL_WORKSPACE: ws}})
    expect(r.code, r.stderr).toBe(0)
    const waited = await term.waitFor('bob’s tick', (x) => /\[x\] monitor-cloud .*✓ bob/.test(x), 10_000)
    expect(waited).toBeLessThan(2000)
    const s = term.screen()
    expect(s).toMatch(/bob ticked monitor-cloud/)
    expect(selected(s)).toBe(before)
  })

  it('colours: 16-colour codes on a colour terminal, none with NO_COLOR; overdue in red', {timeout: 120_000}, async () => {
    const ws = join(tmp.dir, 'ws')
    await openTestIncident(ws, {now: new Date(Date.now() - 3 * 3600_000)})
    term = new Terminal(80, 24)
    term.start(['checklist'], {LEAKCTL_WORKSPACE: ws, TERM: 'screen', CI: 'true'})
    await term.waitFor('the checklist', (s) => s.includes('OVERDUE'))
    const coloured = term.screen(true)
    expect(coloured).toMatch(/\x1b\[31m|\x1b\[1;31m|\x1b\[31;1m/) // red
    expect(coloured).not.toMatch(/\x1b\[(38|48);[25];/) // never 256 or true colour
    term.kill()
    term = new Terminal(80, 24)
    term.start(['checklist'], {LEAKCTL_WORKSPACE: ws, TERM: 'screen', NO_COLOR: '1'})
    await term.waitFor('the checklist', (s) => s.includes('OVERDUE'))
    const plain = term.screen(true)
    expect(plain).not.toMatch(/\x1b\[[0-9;]*(3[0-7]|9[0-7])m/)
    expect(plain).toMatch(/^› \[!\] read-snapshot .*OVERDUE/m)
  })

  it('c copies through OSC 52 into tmux’s clipboard, and prints the commands on exit', {timeout: 120_000}, async () => {
    const ws = join(tmp.dir, 'ws')
    await openTestIncident(ws)
    term = new Terminal(100, 30)
    term.start(['checklist'], {LEAKCTL_WORKSPACE: ws, DISPLAY: '', WAYLAND_DISPLAY: ''})
    term.tmux('set-option', '-s', 'set-clipboard', 'on')
    await term.waitFor('the checklist', (s) => s.includes('Phase 1: Immediate triage'))
    term.keys('j', 'c')
    await term.waitFor('the copy', (x) => x.includes('to the terminal clipboard (OSC 52)'))
    const buffer = term.tmux('show-buffer')
    expect(buffer.split('\n')[0]).toBe('kubectl get configmap -n kube-system encryption-config -o yaml')
    term.keys('q')
    const s = await term.waitFor('the exit', (x) => x.includes('[exit 0]')).then(() => term!.screen())
    expect(s).toMatch(/Commands you copied:\nkubectl get configmap -n kube-system encryption-config -o yaml\n/)
  })

  it('without a terminal on stdin (a pipe) it prints the plain list instead of failing on raw mode', {timeout: 60_000}, async () => {
    const ws = join(tmp.dir, 'ws')
    await openTestIncident(ws)
    term = new Terminal(100, 30)
    const quoted = `echo | '${process.execPath}' '${BIN}' checklist; echo "[exit $?]"; sleep 600`
    term.tmux('new-session', '-d', '-x', '100', '-y', '30', '-e', `LEAKCTL_WORKSPACE=${ws}`, '-e', 'NODE_ENV=production', quoted)
    const s = await term.waitFor('the exit', (x) => x.includes('[exit '))
      .then(() => term!.screen())
    expect(s).toContain('[exit 0]')
    expect(s).not.toMatch(/Raw mode/)
    expect(s).toMatch(/^Phase 7: Post-incident checklist \(after\) {2}0\/9$/m)
    expect(s).toMatch(/^ {2}\[ \] schedule-postmortem {2}Post-mortem scheduled/m)
  })
})
