import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {fmtMb, fmtMs, measureMedian, openDenseIncident, printTable} from './lib.js'

// The post-mortem draft of a 10,000-event incident (three days, 200
// critical/high credentials, thousands of outside uses): the whole command,
// in HTML (the SVG picture) and Markdown (the Mermaid gantt), beside the plain
// timeline export of the same incident.

export default async function report(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-bench-report-'))
  try {
    const ws = join(dir, 'ws')
    const {ref} = await openDenseIncident(ws, {now: new Date()})
    const env = {...process.env, LEAKCTL_WORKSPACE: ws, NO_COLOR: '1'}
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js')
    const out = join(dir, 'report.html')
    const runs = [
      measureMedian(3, 'report --format html', process.execPath, [bin, 'report', '--format', 'html', '--out', out], {env}),
      measureMedian(3, 'report (md)', process.execPath, [bin, 'report'], {env}),
      measureMedian(3, 'timeline export --format csv', process.execPath, [bin, 'timeline', 'export', '--format', 'csv'], {env}),
      measureMedian(3, 'incident status (baseline: load and fold)', process.execPath, [bin, 'incident', 'status'], {env}),
    ]
    printTable(`report of a 10,000-event incident (log ${(statSync(ref.logPath).size / 1e6).toFixed(1)} MB, html ${(statSync(out).size / 1e3).toFixed(0)} kB)`, runs.map((r) => ({label: r.label, values: {wall: fmtMs(r.ms), cpu: r.cpuMs === null ? 'n/a' : fmtMs(r.cpuMs), 'peak RSS': fmtMb(r.peakRssMb), exit: String(r.code)}})))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
