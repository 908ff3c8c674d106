import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'

import {fmtMb, fmtMs, measure, type Measure, printTable} from './lib.js'

// CLI start-up: a responder types commands all incident long. The goal
// (issue 19) is at most 0.25 s for every command: --version, the root help,
// each command's --help (answered from oclif's manifest: the command's own
// modules are not loaded), and the quick real invocations a responder repeats
// all incident long, which load them: list the incidents and playbooks, the
// incident's status and checklist (text and JSON), tick and untick an item
// (each a signed, locked, fsync'ed append). Runs are interleaved (one of each per round) so
// a burst of load on a shared machine hits every row alike; the median of the
// rounds is shown beside `node -e 0` measured in the same rounds.

const GOAL_MS = 250
const ROUNDS = 7

interface Row {
  label: string
  args: string[]
}

export default async function startup(): Promise<void> {
  const root = join(import.meta.dirname, '..', '..')
  const bin = join(root, 'bin', 'run.js')
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
  const ws = mkdtempSync(join(tmpdir(), 'leakctl-bench-startup-'))
  const env = {...process.env, LEAKCTL_WORKSPACE: join(ws, '.leakctl'), LEAKCTL_ACTOR: 'bench', NO_COLOR: '1'}
  try {
    // One incident to list (etcd-leak: the largest built-in playbook).
    const opened = measure('open', process.execPath, [bin, 'incident', 'open', '--title', 'start-up bench', '--kind', 'etcd-leak', '--json'], {env})
    if (opened.code !== 0) throw new Error(`leakctl incident open exited ${opened.code}`)

    const rows: Row[] = [
      {label: 'node -e 0 (baseline)', args: ['-e', '0']},
      {label: 'leakctl --version', args: [bin, '--version']},
      {label: 'leakctl --help', args: [bin, '--help']},
      ...Object.keys(manifest.commands)
        .sort()
        .map((id) => ({label: `leakctl ${id.replaceAll(':', ' ')} --help`, args: [bin, ...id.split(':'), '--help']})),
      {label: 'leakctl incident list --json', args: [bin, 'incident', 'list', '--json']},
      {label: 'leakctl playbook list --json', args: [bin, 'playbook', 'list', '--json']},
      {label: 'leakctl incident status --json', args: [bin, 'incident', 'status', '--json']},
      {label: 'leakctl incident status', args: [bin, 'incident', 'status']},
      {label: 'leakctl checklist --json', args: [bin, 'checklist', '--json']},
      {label: 'leakctl checklist (plain: no terminal)', args: [bin, 'checklist']},
      {label: 'leakctl checklist tick read-snapshot', args: [bin, 'checklist', 'tick', 'read-snapshot']},
      {label: 'leakctl checklist untick read-snapshot', args: [bin, 'checklist', 'untick', 'read-snapshot']},
    ]
    const runs: Measure[][] = rows.map(() => [])
    for (let round = 0; round < ROUNDS; round++) {
      rows.forEach((row, i) => {
        const m = measure(row.label, process.execPath, row.args, {env, cwd: ws})
        if (m.code !== 0) throw new Error(`${row.label} exited ${m.code}`)
        runs[i]!.push(m)
      })
    }
    const medians = runs.map((r) => [...r].sort((a, b) => a.ms - b.ms)[Math.floor(r.length / 2)]!)
    const base = medians[0]!
    const [avg1] = loadavg()
    printTable(
      `CLI start-up (median of ${ROUNDS} interleaved runs; goal <= ${GOAL_MS} ms; load average ${avg1!.toFixed(1)} on this machine)`,
      medians.map((m, i) => ({
        label: m.label,
        values: {
          time: fmtMs(m.ms),
          'vs baseline': `${(m.ms / base.ms).toFixed(1)}x`,
          'over baseline': i === 0 ? '' : `+${fmtMs(m.ms - base.ms)}`,
          cpu: m.cpuMs === null ? 'n/a' : fmtMs(m.cpuMs),
          'peak RSS': fmtMb(m.peakRssMb),
          [`<= ${GOAL_MS} ms`]: i === 0 ? '' : m.ms <= GOAL_MS ? 'pass' : 'FAIL',
        },
      })),
    )
    const measured = medians.slice(1)
    const passed = measured.filter((m) => m.ms <= GOAL_MS).length
    const worst = measured.reduce((a, b) => (b.ms > a.ms ? b : a))
    process.stdout.write(`${passed} of ${measured.length} within ${GOAL_MS} ms; slowest: ${worst.label} ${fmtMs(worst.ms)} (${fmtMs(worst.ms - base.ms)} over node -e 0 at ${fmtMs(base.ms)})\n`)
  } finally {
    rmSync(ws, {recursive: true, force: true})
  }
}
