import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {detect, scanKeywords} from '../src/detect/engine.js'
import {RULES} from '../src/detect/rules.js'
import {type CorpusFile, generateCorpus, scoreCorpus} from './detect/corpus.js'
import {casesPath, evaluate, pct, readCases, type Tally} from './detect/gitleaks-cases.js'
import {keyPairBlob} from './detect/key-pairs.js'
import {printTable} from './lib.js'

// The detection engine, four ways:
// 1. recall and false positives on a peer's own samples (../shared/bench/gitleaks-cases.jsonl);
// 2. recall and false findings on a generated corpus with planted credentials of every claimed format;
// 3. findings on real third-party source (this checkout's node_modules), which holds no live secret;
// 4. throughput on both corpora beside baselines measured in the same run: one native indexOf
//    pass (the floor: reading the bytes once) and one case-insensitive regex of every keyword
//    (the obvious prefilter);
// 5. AWS key pairing on credentials dumps of 1 MB and 20 MB (`id,secret` lines): the same
//    throughput at both sizes shows the pairing is linear (it was quadratic: 13 s for 2 MB).

const REPO = join(import.meta.dirname, '..', '..')

export default async function detectBench(): Promise<void> {
  keyPairs()
  samples()
  const generated = generateCorpus(32 * 1024 * 1024)
  planted(generated)
  const real = thirdPartySource(32 * 1024 * 1024)
  realFindings(real)
  throughput([
    ['generated', generated.files],
    ['node_modules', real],
  ])
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
    list = execFileSync('find', ['node_modules', '-type', 'f', '(', '-name', '*.js', '-o', '-name', '*.ts', '-o', '-name', '*.md', '-o', '-name', '*.json', '-o', '-name', '*.yml', ')', '-size', '-512k'], {cwd: REPO, maxBuffer: 1 << 28, encoding: 'utf8'})
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
