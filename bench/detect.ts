import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, delimiter, join} from 'node:path'

import {detect, scanKeywords} from '../src/detect/engine.js'
import {RULES} from '../src/detect/rules.js'
import {safeLine} from '../src/text/terminal.js'
import {type CleanScan, median, scanClean} from './detect/clean.js'
import {type CorpusFile, generateCorpus, scoreCorpus} from './detect/corpus.js'
import {casesPath, evaluate, pct, readCases, type Tally} from './detect/gitleaks-cases.js'
import {keyPairBlob} from './detect/key-pairs.js'
import {groundTruth, headFiles, scorePlanted} from './detect/planted.js'
import {fmtMs, printTable} from './lib.js'
import {profileNode} from './lib/profile.js'

// The detection engine, seven ways:
// 1. recall and false positives on a peer's own samples (../shared/bench/gitleaks-cases.jsonl);
// 2. recall and false findings on a generated corpus with planted credentials of every claimed format;
// 3. findings on real third-party source (this checkout's node_modules), which holds no live secret;
// 4. throughput on both corpora beside baselines measured in the same run: one native indexOf
//    pass (the floor: reading the bytes once) and one case-insensitive regex of every keyword
//    (the obvious prefilter);
// 5. AWS key pairing on credentials dumps of 1 MB and 20 MB (`id,secret` lines): the same
//    throughput at both sizes shows the pairing is linear (it was quadratic: 13 s for 2 MB);
// 6. recall and precision on public planted-secret test repositories against the ground truth
//    their authors document (LEAKCTL_BENCH_PLANTED=/path/a:/path/b; bench/detect/planted.ts);
// 7. findings, size and time of `scan git` on the whole history of large clean codebases
//    (LEAKCTL_BENCH_CLEAN=/path/x:/path/y, LEAKCTL_BENCH_RUNS=3 for a median), and where that
//    scan spends its time (node --cpu-prof, bench/lib/profile.ts).
// LEAKCTL_BENCH_DETECT_PARTS=planted,clean runs only the named parts (pairs, samples, corpus,
// node_modules, throughput, planted, clean). No third-party repository is ever copied into the
// project: they are read in place from the given paths, and skipped with a message when absent.

const REPO = join(import.meta.dirname, '..', '..')
const BIN = join(REPO, 'bin', 'run.js')
const PARTS = ['pairs', 'samples', 'corpus', 'node_modules', 'throughput', 'planted', 'clean'] as const
type Part = (typeof PARTS)[number]

function selectedParts(): Set<Part> {
  const asked = (process.env.LEAKCTL_BENCH_DETECT_PARTS ?? '').split(',').map((p) => p.trim()).filter(Boolean)
  const unknown = asked.filter((p) => !(PARTS as readonly string[]).includes(p))
  if (unknown.length) process.stdout.write(`(LEAKCTL_BENCH_DETECT_PARTS: unknown part(s) ${unknown.join(', ')}; known: ${PARTS.join(', ')})\n`)
  return new Set(asked.length ? (asked.filter((p) => (PARTS as readonly string[]).includes(p)) as Part[]) : PARTS)
}

/** The tool's version and commit, printed beside every figure that is compared across commits. */
let TOOL = 'leakctl'

/** Paths from a `:`-separated environment variable. */
const pathsFrom = (name: string): string[] => (process.env[name] ?? '').split(delimiter).filter(Boolean)

export default async function detectBench(): Promise<void> {
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {version: string}).version
  let commit = ''
  try {
    // `-dirty` when the checkout has uncommitted changes: the figure is not that commit's.
    commit = execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=12', '--exclude=*'], {cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
  } catch {
    // not a git checkout: the version alone
  }
  TOOL = `leakctl ${version}${commit ? ` (${commit})` : ''}`
  process.stdout.write(`\n# detect: ${TOOL}, ${RULES.length} format rules\n`)
  const parts = selectedParts()
  if (parts.has('pairs')) keyPairs()
  if (parts.has('samples')) samples()
  const generated = parts.has('corpus') || parts.has('throughput') ? generateCorpus(32 * 1024 * 1024) : undefined
  if (generated && parts.has('corpus')) planted(generated)
  const real = parts.has('node_modules') || parts.has('throughput') ? thirdPartySource(32 * 1024 * 1024) : undefined
  if (real && parts.has('node_modules')) realFindings(real)
  if (parts.has('throughput'))
    throughput([
      ['generated', generated?.files ?? []],
      ['node_modules', real ?? []],
    ])
  if (parts.has('planted')) plantedRepositories(pathsFrom('LEAKCTL_BENCH_PLANTED'))
  if (parts.has('clean')) cleanCodebases(pathsFrom('LEAKCTL_BENCH_CLEAN'), Math.max(1, Number(process.env.LEAKCTL_BENCH_RUNS) || 1))
}

function tallyRow(label: string, t: Tally): {label: string; values: Record<string, string>} {
  return {
    label,
    values: {
      'tp found': `${t.tpFound}/${t.tp}`,
      recall: pct(t.tpFound, t.tp),
      'fp flagged': `${t.fpFlagged}/${t.fp}`,
      'fp rate': pct(t.fpFlagged, t.fp),
      'of which a tp text too': t.fpFlagged ? String(t.fpContested) : '',
    },
  }
}

function samples(): void {
  const path = casesPath(REPO)
  if (!path) {
    process.stdout.write('\n(gitleaks samples not found beside the repository: ../shared/bench/gitleaks-cases.jsonl)\n')
    return
  }
  const e = evaluate(readCases(path))
  const rules = [...e.byRule.entries()].sort(([a], [b]) => a.localeCompare(b))
  printTable('Detection on the gitleaks samples (tp: recall; fp: texts that must yield nothing)', [
    ...rules.map(([rule, t]) => tallyRow(rule, t)),
    tallyRow('CLAIMED FORMATS', e.claimed),
    tallyRow('ALL SAMPLES', e.all),
  ])
}

function planted(corpus: ReturnType<typeof generateCorpus>): void {
  const r = scoreCorpus(corpus, (f) => detect(f.text, {path: f.path}))
  const rows = [...r.byFormat.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([format, t]) => ({label: format, values: {planted: String(t.planted), found: String(t.found), recall: pct(t.found, t.planted)}}))
  rows.push({label: 'ALL', values: {planted: String(corpus.planted.length), found: String(r.found), recall: pct(r.found, corpus.planted.length)}})
  printTable(`Planted credentials in ${mb(corpus.bytes)} MB of generated source (${corpus.files.length.toLocaleString('en')} files; look-alike lines must not be reported)`, rows)
  process.stdout.write(`false findings (reported values that were not planted): ${r.falseFindings.length}\n`)
  for (const f of r.falseFindings.slice(0, 10)) process.stdout.write(`  ${f.rule} at ${f.path}:${f.line}\n`)
}

/** Up to `bytes` of the text files under node_modules: real code, docs and configs by many authors. */
function thirdPartySource(bytes: number): CorpusFile[] {
  let list: string[]
  try {
    list = execFileSync('find', ['node_modules/', '-type', 'f', '(', '-name', '*.js', '-o', '-name', '*.ts', '-o', '-name', '*.md', '-o', '-name', '*.json', '-o', '-name', '*.yml', ')', '-size', '-512k'], {cwd: REPO, maxBuffer: 1 << 28, encoding: 'utf8'})
      .split('\n')
      .filter(Boolean)
      .sort()
  } catch {
    return []
  }
  const files: CorpusFile[] = []
  let size = 0
  for (const path of list) {
    if (size >= bytes) break
    const text = readFileSync(join(REPO, path), 'utf8')
    files.push({path, text})
    size += text.length
  }
  return files
}

function realFindings(files: CorpusFile[]): void {
  const byRule = new Map<string, number>()
  const where: string[] = []
  for (const f of files) {
    for (const m of detect(f.text, {path: f.path})) {
      byRule.set(m.rule, (byRule.get(m.rule) ?? 0) + 1)
      where.push(`  ${m.rule} (${m.class}) at ${f.path}:${m.line}`)
    }
  }
  const total = [...byRule.values()].reduce((a, b) => a + b, 0)
  printTable(`Findings on ${mb(files.reduce((n, f) => n + f.text.length, 0))} MB of real third-party source (node_modules, ${files.length.toLocaleString('en')} files)`, [
    ...[...byRule.entries()].sort((a, b) => b[1] - a[1]).map(([rule, n]) => ({label: rule, values: {findings: String(n)}})),
    {label: 'ALL', values: {findings: String(total)}},
  ])
  process.stdout.write(`${where.slice(0, 20).join('\n')}\n`)
}

function throughput(corpora: [string, CorpusFile[]][]): void {
  const keywords = new RegExp([...new Set(RULES.flatMap((r) => r.keywords))].map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi')
  const rows: {label: string; values: Record<string, string>}[] = []
  for (const [name, files] of corpora) {
    if (files.length === 0) continue
    const size = files.reduce((n, f) => n + f.text.length, 0) / (1024 * 1024)
    const run = (label: string, fn: (f: CorpusFile) => number) => {
      fn(files[0]!) // warm up
      const times: number[] = []
      let n = 0
      for (let r = 0; r < 3; r++) {
        const t0 = performance.now()
        n = 0
        for (const f of files) n += fn(f)
        times.push(performance.now() - t0)
      }
      const ms = times.sort((a, b) => a - b)[1]!
      rows.push({label: `${name}: ${label}`, values: {MB: size.toFixed(0), 'median ms': ms.toFixed(0), 'MB/s': (size / (ms / 1000)).toFixed(0), count: n.toLocaleString('en')}})
    }
    run('baseline indexOf("token") (one native pass)', (f) => {
      let c = 0
      for (let i = f.text.indexOf('token'); i >= 0; i = f.text.indexOf('token', i + 1)) c++
      return c
    })
    run('baseline keyword regex /…|…/gi', (f) => f.text.match(keywords)?.length ?? 0)
    run('leakctl keyword automaton alone', (f) => scanKeywords(f.text).size)
    run('leakctl detect()', (f) => detect(f.text, {path: f.path}).length)
  }
  printTable('Detection throughput (median of 3 runs; count: keyword hits, keywords found, or findings)', rows)
}

function keyPairs(): void {
  keyPairBlob(64 * 1024) // warm up the generator
  detect(keyPairBlob(256 * 1024).text) // and the engine
  const rows = [1, 20].map((size) => {
    const {text, ids} = keyPairBlob(size * 1024 * 1024)
    const t0 = performance.now()
    const found = detect(text)
    const ms = performance.now() - t0
    const paired = found.filter((m, i) => m.keyId === ids[i]).length
    return {label: `${size} MB of id,secret lines`, values: {pairs: ids.length.toLocaleString('en'), paired: paired.toLocaleString('en'), ms: ms.toFixed(0), 'MB/s': (text.length / (1024 * 1024) / (ms / 1000)).toFixed(2)}}
  })
  printTable('AWS key pairing on credentials dumps (one run each; linear: the same MB/s at both sizes)', rows)
}

const mb = (chars: number): string => (chars / (1024 * 1024)).toFixed(0)

// --- 6. Public planted-secret test repositories ---

function plantedRepositories(repos: string[]): void {
  if (repos.length === 0) {
    process.stdout.write('\n(planted-secret repositories: none given; set LEAKCTL_BENCH_PLANTED=/path/leaky-repo:/path/scanner-benchmarks, see docs/detect.md)\n')
    return
  }
  const totals = {planted: 0, credited: 0, reported: 0}
  const rows: {label: string; values: Record<string, string>}[] = []
  for (const repo of repos) {
    if (!existsSync(repo)) {
      process.stdout.write(`\n(planted-secret repository ${safeLine(repo)} skipped: no such directory)\n`)
      continue
    }
    let tree: ReturnType<typeof headFiles>
    try {
      tree = headFiles(repo)
    } catch (error) {
      process.stdout.write(`\n(planted-secret repository ${safeLine(repo)} skipped: ${safeLine((error as Error).message)})\n`)
      continue
    }
    const truth = groundTruth(tree.files)
    if (typeof truth === 'string') {
      process.stdout.write(`\n(planted-secret repository ${safeLine(repo)} skipped: ${truth})\n`)
      continue
    }
    const t0 = performance.now()
    const score = scorePlanted(tree.files, truth)
    const ms = performance.now() - t0
    const unit = truth.unit === 'lines' ? 'lines holding a secret' : 'secrets'
    printTable(`Planted secrets: ${safeLine(repo)} at ${tree.head.slice(0, 12)} (ground truth: ${truth.source}, counted in ${unit}; found is capped at planted for recall)`, [
      ...score.files.map((f) => ({label: safeLine(f.path), values: {planted: String(f.planted), found: String(f.found), credited: String(f.credited)}})),
      {label: 'ALL', values: {planted: String(score.planted), found: String(score.reported), credited: String(score.credited)}},
    ])
    if (truth.statedTotal !== undefined && truth.statedTotal !== score.planted) process.stdout.write(`note: the README states ${truth.statedTotal} secrets, its table sums to ${score.planted}\n`)
    process.stdout.write(`recall ${pct(score.credited, score.planted)} (${score.credited}/${score.planted}), precision ${pct(score.reported - score.falseFindings.length, score.reported)} (${score.falseFindings.length} false of ${score.reported} reported), ${tree.files.size} text files scanned in ${fmtMs(ms)}\n`)
    for (const f of score.falseFindings) process.stdout.write(`  false: ${safeLine(f.path)}:${f.line} ${f.rule} (${f.why})\n`)
    rows.push({label: basename(repo.replace(/\/(?:repo|\.git)\/?$/, '')), values: {head: tree.head.slice(0, 12), planted: String(score.planted), credited: String(score.credited), recall: pct(score.credited, score.planted), reported: String(score.reported), false: String(score.falseFindings.length), precision: pct(score.reported - score.falseFindings.length, score.reported)}})
    totals.planted += score.planted
    totals.credited += score.credited
    totals.reported += score.reported
  }
  if (rows.length > 1) {
    const falseN = totals.reported - totals.credited
    rows.push({label: 'ALL', values: {planted: String(totals.planted), credited: String(totals.credited), recall: pct(totals.credited, totals.planted), reported: String(totals.reported), false: String(falseN), precision: pct(totals.credited, totals.reported)}})
  }
  if (rows.length) printTable('Planted-secret repositories (goal: recall >= 90%)', rows)
}

// --- 7. Large clean codebases ---

function cleanCodebases(repos: string[], runs: number): void {
  if (repos.length === 0) {
    process.stdout.write('\n(clean codebases: none given; set LEAKCTL_BENCH_CLEAN=/path/kubernetes-api.git:/path/express.git, see docs/detect.md)\n')
    return
  }
  const rows: {label: string; values: Record<string, string>}[] = []
  for (const repo of repos) {
    if (!existsSync(repo)) {
      process.stdout.write(`\n(clean codebase ${safeLine(repo)} skipped: no such directory)\n`)
      continue
    }
    let r: CleanScan
    try {
      r = scanClean(BIN, repo, runs)
    } catch (error) {
      process.stdout.write(`\n(clean codebase ${safeLine(repo)} skipped: ${safeLine((error as Error).message)})\n`)
      continue
    }
    const name = basename(repo.replace(/\/(?:repo|\.git)\/?$/, ''))
    const wall = median(r.runs.map((x) => x.wallMs))
    const cpus = r.runs.map((x) => x.cpuMs).filter((x): x is number => x !== null)
    const rss = r.runs.map((x) => x.peakRssMb).filter((x): x is number => x !== null)
    rows.push({
      label: name,
      values: {
        head: (r.head ?? '').slice(0, 12),
        commits: r.commits.toLocaleString('en'),
        blobs: r.blobs.toLocaleString('en'),
        MiB: (r.bytes / (1024 * 1024)).toFixed(0),
        findings: String(r.findings.length),
        [`wall (median of ${r.runs.length})`]: fmtMs(wall),
        'wall runs': r.runs.map((x) => (x.wallMs / 1000).toFixed(1)).join(' / '),
        'cpu (median)': cpus.length ? fmtMs(median(cpus)) : 'n/a',
        'peak RSS': rss.length ? `${Math.max(...rss).toFixed(0)} MB` : 'n/a',
      },
    })
    process.stdout.write(`\n${safeLine(name)} (${safeLine(repo)}): ${r.findings.length} finding(s) (goal 0)\n`)
    for (const f of r.findings) process.stdout.write(`  ${safeLine(f.path)}:${f.line} ${f.rules.join(',') || '?'} (${safeLine(f.class)}) ${safeLine(f.preview)} in ${f.commit.slice(0, 12)}\n`)
    // The ≤5% rule: one figure per repository the lead can compare from commit to commit.
    const cpu = cpus.length ? `, ${(median(cpus) / 1000).toFixed(2)} s cpu` : ''
    process.stdout.write(`SCAN-TIME ${name}@${(r.head ?? '').slice(0, 12)} ${(wall / 1000).toFixed(2)} s wall${cpu} (medians of ${r.runs.length}) with ${TOOL}\n`)
    profile(name, repo)
  }
  if (rows.length) printTable('Clean codebases: `scan git --json` on the whole history (goal: 0 findings)', rows)
}

function profile(name: string, repo: string): void {
  if (process.env.LEAKCTL_BENCH_PROFILE === '0') return
  const ws = mkdtempSync(join(tmpdir(), 'leakctl-bench-ws-'))
  let p: ReturnType<typeof profileNode>
  try {
    p = profileNode([BIN, 'scan', 'git', repo, '--json', '--workspace', ws], {root: REPO, top: 15})
  } finally {
    rmSync(ws, {recursive: true, force: true})
  }
  printTable(`Where the scan of ${safeLine(name)} spends its time (node --cpu-prof, ${p.threads.length} threads, ${fmtMs(p.busyMs)} of thread time not idle in ${fmtMs(p.wallMs)} wall — on a loaded machine that counts time waiting for a core too; self time)`, [
    ...p.top.map((t) => ({label: safeLine(t.fn).slice(0, 110), values: {'self ms': t.selfMs.toFixed(0), share: pct(t.selfMs, p.busyMs)}})),
  ])
  printTable(`… by source file`, p.files.slice(0, 8).map((t) => ({label: safeLine(t.fn).slice(0, 110), values: {'self ms': t.selfMs.toFixed(0), share: pct(t.selfMs, p.busyMs)}})))
}
