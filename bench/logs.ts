import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {generateTrail, SCENARIO} from '../fixtures/cloudtrail/generate.js'
import {fmtMb, fmtMs, measure, printTable} from './lib.js'

// `leakctl logs cloudtrail --logs-dir` on a generated trail of a million
// records (gzipped, S3 layout, cached under bench/.work/), beside the floor:
// `zcat` and JSON.parse of each file and nothing else, in the same run.

const RECORDS = Number(process.env.LEAKCTL_BENCH_LOGS_RECORDS ?? 1_000_000)
const PER_FILE = 2000

function files(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.json.gz') ? [join(dir, d.name)] : []))
}

/** The baseline: for each file, `zcat` it and JSON.parse the whole document, count the records. */
const BASELINE = `
const {execFileSync} = require('node:child_process')
const list = require('node:fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean)
let n = 0
for (const f of list) n += JSON.parse(execFileSync('zcat', [f], {maxBuffer: 1 << 30})).Records.length
process.stderr.write('records ' + n + '\\n')
`

export default async function logsBench(): Promise<void> {
  const root = join(import.meta.dirname, '..', '..')
  const work = join(root, 'bench', '.work', `cloudtrail-${RECORDS}`)
  const marker = join(work, 'done.json')
  if (!existsSync(marker)) {
    rmSync(work, {recursive: true, force: true})
    mkdirSync(work, {recursive: true})
    process.stdout.write(`\ngenerating ${RECORDS.toLocaleString('en')} CloudTrail records under ${work} (once; cached)...\n`)
    const t0 = performance.now()
    const g = generateTrail(join(work, 'trail'), {records: RECORDS, perFile: PER_FILE, org: true, onFile: (n, total) => n % 50 === 0 && process.stdout.write(`  ${n}/${total} files\n`)})
    writeFileSync(marker, JSON.stringify({...g, seconds: (performance.now() - t0) / 1000}))
  }
  const gen = JSON.parse(readFileSync(marker, 'utf8')) as {records: number; files: number; bytes: number}
  const trail = join(work, 'trail')
  const list = files(trail)
  const gzMb = list.reduce((n, f) => n + statSync(f).size, 0) / 1e6
  const plainMb = Number(spawnSync('bash', ['-c', `find "${trail}" -name '*.json.gz' -print0 | xargs -0 zcat | wc -c`], {encoding: 'utf8', maxBuffer: 1 << 20}).stdout.trim()) / 1e6

  const zcatOnly = measure('zcat alone (decompress to /dev/null)', 'bash', ['-c', `find "${trail}" -name '*.json.gz' -print0 | xargs -0 zcat > /dev/null`])
  const baseline = measure('baseline: zcat + JSON.parse per file (node)', process.execPath, ['-e', BASELINE], {stdin: list.join('\n')})
  const bin = join(root, 'bin', 'run.js')
  const leakctl = measure('leakctl logs cloudtrail --logs-dir', process.execPath, [bin, 'logs', 'cloudtrail', '--logs-dir', trail, '-k', SCENARIO.leakedKey, '--since', SCENARIO.exposedAt, '--json'], {env: {...process.env, NO_COLOR: '1', LEAKCTL_QUIET: '1', LEAKCTL_WORKSPACE: join(work, 'no-ws')}})
  // The same run's answer, to show it is the real thing (pivots, rescans).
  const check = spawnSync(process.execPath, [bin, 'logs', 'cloudtrail', '--logs-dir', trail, '-k', SCENARIO.leakedKey, '--since', SCENARIO.exposedAt, '--json'], {encoding: 'utf8', maxBuffer: 1 << 28, env: {...process.env, LEAKCTL_QUIET: '1', LEAKCTL_WORKSPACE: join(work, 'no-ws')}})
  const doc = JSON.parse(check.stdout) as {verdict: {text: string}; stats: {records: number; rescannedFiles: number}; partial: boolean}

  const row = (m: ReturnType<typeof measure>) => ({
    label: m.label,
    values: {
      time: fmtMs(m.ms),
      'records/s': Math.round(gen.records / (m.ms / 1000)).toLocaleString('en'),
      'MB/s (gz)': (gzMb / (m.ms / 1000)).toFixed(1),
      'MB/s (JSON)': (plainMb / (m.ms / 1000)).toFixed(0),
      'peak RSS': fmtMb(m.peakRssMb),
      exit: String(m.code),
    },
  })
  printTable(`CloudTrail log files: ${gen.records.toLocaleString('en')} records in ${list.length} .json.gz files (${gzMb.toFixed(0)} MB gzipped, ${plainMb.toFixed(0)} MB of JSON)`, [row(zcatOnly), row(baseline), row(leakctl)])
  process.stdout.write(`leakctl read ${doc.stats.records.toLocaleString('en')} records, re-read ${doc.stats.rescannedFiles} file(s) for late pivots, partial: ${doc.partial}\nverdict: ${doc.verdict.text}\n`)
}
