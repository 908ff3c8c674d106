import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'

// The `scan etcd --json` output of every committed etcd snapshot, through the
// public entry point only (the compiled CLI, bin/run.js), so a faster scan can
// be held to byte-identical output — and re-run on a main without the speed
// work after detection rules change:
//   npm run --silent build && node dist/bench/golden.js --write   (writes test/golden/etcd/*.json)
//   node dist/bench/golden.js                                      (compares; exit 1 on a difference)
// Normalised, and only these: `summary.ms` (wall time) is set to 0, and the
// repository's absolute path, should any field hold it, becomes `<root>`.
// Every run uses one fixed fingerprint key (the tests' 0x5a…), written into a
// scratch workspace, so fingerprints are stable.

// Compiled (dist/bench) or run from source (bench/, as the test does).
export const ROOT = join(import.meta.dirname, ...(basename(join(import.meta.dirname, '..')) === 'dist' ? ['..', '..'] : ['..']))
const BIN = join(ROOT, 'bin', 'run.js')
export const GOLDEN_DIR = join(ROOT, 'test', 'golden', 'etcd')
const FIXTURES = 'fixtures/etcd'
/** The key test/helpers/fingerprint.ts's TEST_FINGERPRINTER holds, as the workspace key file stores it. */
const KEY_TEXT = `${'5a'.repeat(32)}\n`

export interface GoldenCase {
  name: string
  /** Arguments after `scan etcd`, paths relative to the repository. */
  args: string[]
}

export const GOLDEN_CASES: GoldenCase[] = [
  {name: 'sample', args: [`${FIXTURES}/sample.db`]},
  {name: 'sample-keys', args: [`${FIXTURES}/sample.db`, '--encryption-config', `${FIXTURES}/sample-encryption-config.yaml`]},
  {name: 'sample-deep', args: [`${FIXTURES}/sample.db`, '--deep']},
  {name: 'cluster-2000', args: [`${FIXTURES}/golden/cluster-2000.db`]},
  {name: 'cluster-2000-keys', args: [`${FIXTURES}/golden/cluster-2000.db`, '--encryption-config', `${FIXTURES}/golden/cluster-encryption-config.yaml`]},
  {name: 'objects', args: [`${FIXTURES}/golden/objects.db`]},
  {name: 'objects-deep', args: [`${FIXTURES}/golden/objects.db`, '--deep']},
]

export interface GoldenRun {
  name: string
  /** The normalised JSON text, as the golden file holds it. */
  text: string
  exit: number
}

/** Runs `leakctl scan etcd --json` for one case; the exit code is kept in the document (1: exposure, 2: damaged). */
export function runCase(c: GoldenCase): GoldenRun {
  const ws = mkdtempSync(join(tmpdir(), 'leakctl-golden-'))
  try {
    mkdirSync(ws, {recursive: true, mode: 0o700})
    writeFileSync(join(ws, 'fingerprint.key'), KEY_TEXT, {mode: 0o600})
    const r = spawnSync(process.execPath, [BIN, 'scan', 'etcd', ...c.args, '--json', '--workspace', ws], {cwd: ROOT, env: {...process.env, NO_COLOR: '1', NODE_ENV: 'production'}, encoding: 'utf8', maxBuffer: 1 << 30})
    let doc: {summary?: {ms?: number}}
    try {
      doc = JSON.parse(r.stdout) as typeof doc
    } catch {
      throw new Error(`${c.name}: stdout is not one JSON document (exit ${r.status}): ${r.stderr.slice(0, 500)}`)
    }
    if (doc.summary) doc.summary.ms = 0
    const text = `${JSON.stringify({args: c.args, exit: r.status, output: doc}, null, 2).split(ROOT).join('<root>')}\n`
    return {name: c.name, text, exit: r.status ?? -1}
  } finally {
    rmSync(ws, {recursive: true, force: true})
  }
}

export const goldenPath = (name: string): string => join(GOLDEN_DIR, `${name}.json`)

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const write = process.argv.includes('--write')
  let differ = 0
  if (write) mkdirSync(GOLDEN_DIR, {recursive: true})
  for (const c of GOLDEN_CASES) {
    const run = runCase(c)
    if (write) {
      writeFileSync(goldenPath(c.name), run.text)
      process.stdout.write(`wrote ${goldenPath(c.name)} (exit ${run.exit})\n`)
      continue
    }
    let old = ''
    try {
      old = readFileSync(goldenPath(c.name), 'utf8')
    } catch {}
    const same = old === run.text
    if (!same) differ++
    process.stdout.write(`${same ? 'same' : 'DIFFERS'}  ${c.name}\n`)
  }
  if (differ) process.exitCode = 1
}
