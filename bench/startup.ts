import {join} from 'node:path'

import {fmtMb, fmtMs, measureMedian, printTable} from './lib.js'

// CLI start-up: a responder types commands all incident long.
export default async function startup(): Promise<void> {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js')
  const n = 7
  const rows = [
    measureMedian(n, 'node -e 0 (baseline)', process.execPath, ['-e', '0']),
    measureMedian(n, 'leakctl --version', process.execPath, [bin, '--version']),
    measureMedian(n, 'leakctl --help', process.execPath, [bin, '--help']),
    measureMedian(n, 'leakctl checklist --help', process.execPath, [bin, 'checklist', '--help']),
  ]
  printTable(`CLI start-up (median of ${n} runs)`, rows.map((r) => ({label: r.label, values: {time: fmtMs(r.ms), 'vs baseline': `${(r.ms / rows[0]!.ms).toFixed(1)}x`, 'peak RSS': fmtMb(r.peakRssMb)}})))
}
