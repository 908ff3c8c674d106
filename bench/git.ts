import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {fmtMb, fmtMs, printTable} from './lib.js'
import {type CallFrame, originalFrame} from './lib/profile.js'

// scan git: MiB of history per second, peak memory and CPU use, beside
// `git log -p -U0 --all` alone and `git cat-file --batch-all-objects --batch`
// (every blob read once, in pack order) on the same repository, in the same
// run; cold (a fresh workspace: no blob cache) and warm (the cache the cold
// run left) shown apart. The target: the whole scan in no more time than
// `git log -p` alone.

const ROOT = join(import.meta.dirname, '..', '..')
const WORK = join(ROOT, 'bench', '.work')
const BIN = join(ROOT, 'bin', 'run.js')
const GNU_TIME = '/usr/bin/time'

interface Run {
  ms: number
  /** user + system CPU seconds, over wall seconds: 2.0 = both cores busy the whole time. */
  cores: number | null
  peakRssMb: number | null
  code: number
}

/** Runs a command with its stdout thrown away; wall time, CPU and peak RSS from GNU time. */
function run(cmd: string, args: string[], opts: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): Run {
  const timed = existsSync(GNU_TIME)
  const start = process.hrtime.bigint()
  const r = spawnSync(timed ? GNU_TIME : cmd, timed ? ['-f', '__T__ %U %S %M', cmd, ...args] : args, {cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  const m = /__T__ ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr ?? '')
  return {ms, cores: m ? (Number(m[1]) + Number(m[2])) / (ms / 1000) : null, peakRssMb: m ? Number(m[3]) / 1024 : null, code: r.status ?? -1}
}

/**
 * A repository of `commits` commits over 2,000 files, with a side branch
 * merged every 1,000 commits, generated with git fast-import and repacked
 * (cached under bench/.work/, git-ignored).
 */
function generatedRepo(commits: number): string {
  const dir = join(WORK, `git-${commits}-v2.git`)
  if (existsSync(join(dir, 'leakctl-bench-ready'))) return dir
  rmSync(dir, {recursive: true, force: true})
  const tmp = `${dir}.tmp`
  rmSync(tmp, {recursive: true, force: true})
  mkdirSync(tmp, {recursive: true})
  execFileSync('git', ['init', '-q', '--bare', tmp])
  const files = 2000
  const body = (n: number, rev: number) => {
    const h = createHash('sha256').update(`${n}:${rev}`).digest('hex')
    const rows = Array.from({length: 40 + (n % 80)}, (_, i) => `export const value${i} = compute("${h.slice(i % 48, (i % 48) + 16)}", ${i * 7 + n}) // module ${n}`)
    rows[(rev * 31) % rows.length] = `export const revision = ${rev} // ${h.slice(0, 12)}`
    if (rev % 997 === 0) rows.push(`const password = "${h.slice(0, 20)}Q!"`)
    if (rev % 1499 === 0) rows.push(`token: ghp_${createHash('sha256').update(`t${rev}`).digest('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 36)}`)
    return rows.join('\n') + '\n'
  }
  const out: string[] = []
  let mark = 0
  let mainTip = 0
  const commit = (ref: string, c: number, from: number, merge?: number) => {
    out.push(`commit ${ref}`, `mark :${++mark}`, `author Dev <dev@example.com> ${1_700_000_000 + c * 60} +0000`, `committer Dev <dev@example.com> ${1_700_000_000 + c * 60} +0000`)
    const msg = `change ${c}`
    out.push(`data ${msg.length}`, msg)
    if (from) out.push(`from :${from}`)
    if (merge) out.push(`merge :${merge}`)
    for (const f of [c % files, (c * 7) % files, (c * 13) % files].slice(0, 1 + (c % 3))) {
      const content = body(f, c)
      out.push(`M 100644 inline src/mod${Math.floor(f / 100)}/file${f}.ts`, `data ${Buffer.byteLength(content)}`, content)
    }
    return mark
  }
  let side = 0
  for (let c = 1; c <= commits; c++) {
    // Every 1,000th commit starts a side branch of 20 commits, merged back 20 commits later.
    if (c % 1000 === 980) side = mainTip
    if (side && c % 1000 >= 980) {
      side = commit('refs/heads/side', c, side)
      continue
    }
    mainTip = commit('refs/heads/main', c, mainTip, c % 1000 === 0 && side ? side : undefined)
    if (c % 1000 === 0) side = 0
  }
  out.push('')
  execFileSync('git', ['fast-import', '--quiet'], {cwd: tmp, input: out.join('\n'), maxBuffer: 1 << 30})
  execFileSync('git', ['repack', '-adq'], {cwd: tmp})
  execFileSync('git', ['tag', 'v1', 'main~5000'], {cwd: tmp})
  execFileSync('touch', [join(tmp, 'leakctl-bench-ready')])
  renameSync(tmp, dir)
  return dir
}

/** Bytes of history: every blob once, uncompressed (what a scanner has to read). */
function historyBytes(repo: string): number {
  const out = execFileSync('git', ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype) %(objectsize)'], {cwd: repo, encoding: 'utf8', maxBuffer: 1 << 30})
  let n = 0
  for (const line of out.split('\n')) if (line.startsWith('blob ')) n += Number(line.slice(5))
  return n
}

const cores = (r: Run) => (r.cores === null ? 'n/a' : r.cores.toFixed(2))
const RUNS = 3

/** The median run by wall time (its CPU and peak RSS go with it). */
function median(runs: Run[]): Run {
  return [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!
}

/**
 * Where a cold scan's CPU goes, from one run under --cpu-prof (every thread
 * writes its own profile): self time by kind of work, per thread.
 */
function profileSummary(repo: string, env: NodeJS.ProcessEnv): string[] {
  const dir = join(WORK, 'profile')
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {recursive: true})
  spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, BIN, 'scan', 'git', repo, '--json', '--workspace', join(dir, 'ws')], {env, stdio: 'ignore'})
  // Through the source maps: the main thread runs the command's bundle (build/bundle-commands.ts).
  const kind = (fn: string, url: string): string => {
    if (fn === '(idle)') return 'idle'
    if (fn === '(garbage collector)') return 'garbage collection'
    if (/\/detect\//.test(url) || fn.startsWith('RegExp:')) return 'detection (src/detect)'
    if (['slice', 'latin1Slice', 'utf8Slice', 'ucs2Slice', 'toString', 'isAscii', 'isUtf8'].includes(fn) && (url === '' || url.includes('buffer'))) return 'decoding blobs to text'
    if (/\/text\/utf16\./.test(url) || (fn === 'batch' && /\/git\/scan-worker\./.test(url))) return 'decoding blobs to text'
    if (fn === 'postMessage' || /parallel\/pool/.test(url)) return 'hand-off between threads'
    if (/\/git\//.test(url)) return 'git streams: walk, cat-file, mapping'
    return 'other (start-up, JSON, runtime)'
  }
  const lines: string[] = []
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()
  files.forEach((f, i) => {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {nodes: {id: number; callFrame: CallFrame}[]; samples: number[]; timeDeltas: number[]}
    const nodes = new Map(p.nodes.map((n) => [n.id, n.callFrame]))
    const by = new Map<string, number>()
    let total = 0
    p.samples.forEach((id, j) => {
      const cf = nodes.get(id)!
      const k = kind(cf.functionName, cf.url && originalFrame(cf).file)
      const dt = p.timeDeltas[j] ?? 0
      by.set(k, (by.get(k) ?? 0) + dt)
      total += dt
    })
    const parts = [...by].sort((a, b) => b[1] - a[1]).map(([k, t]) => `${k} ${((100 * t) / total).toFixed(0)}%`)
    lines.push(`  ${i === 0 ? 'main thread' : `worker ${i}`} (${(total / 1e6).toFixed(1)} s): ${parts.join(', ')}`)
  })
  rmSync(dir, {recursive: true, force: true})
  return lines
}

async function benchRepo(label: string, repo: string): Promise<void> {
  const mib = historyBytes(repo) / (1024 * 1024)
  const commits = Number(execFileSync('git', ['rev-list', '--all', '--count'], {cwd: repo, encoding: 'utf8'}).trim())
  const env = {...process.env, NO_COLOR: '1'}
  const scanArgs = (ws: string) => [BIN, 'scan', 'git', repo, '--json', '--workspace', ws]
  // Warm the page cache once so no contender pays for cold reads.
  run('git', ['cat-file', '--batch-all-objects', '--batch', '--unordered'], {cwd: repo})
  const logP: Run[] = []
  const catAll: Run[] = []
  const cold: Run[] = []
  const warm: Run[] = []
  // Rounds, not blocks: each contender sees the same machine load (2 shared cores: noisy).
  for (let i = 0; i < RUNS; i++) {
    logP.push(run('git', ['log', '-p', '-U0', '--all', '--no-color'], {cwd: repo}))
    catAll.push(run('git', ['cat-file', '--batch-all-objects', '--batch'], {cwd: repo}))
    const ws = join(WORK, `ws-${i}`)
    rmSync(ws, {recursive: true, force: true})
    cold.push(run(process.execPath, scanArgs(ws), {env}))
    warm.push(run(process.execPath, scanArgs(ws), {env}))
    rmSync(ws, {recursive: true, force: true})
  }
  const base = median(logP)
  const ratio = (r: Run) => `${(r.ms / base.ms).toFixed(2)}x`
  const range = (rs: Run[]) => `${fmtMs(Math.min(...rs.map((r) => r.ms)))}–${fmtMs(Math.max(...rs.map((r) => r.ms)))}`
  const row = (rs: Run[], extra: Record<string, string> = {}) => {
    const r = median(rs)
    // CPU seconds wander less than wall time when the machine is shared.
    return {time: fmtMs(r.ms), range: range(rs), 'MiB/s': (mib / (r.ms / 1000)).toFixed(1), cores: cores(r), CPU: r.cores === null ? 'n/a' : `${((r.cores * r.ms) / 1000).toFixed(1)} s`, 'peak RSS': fmtMb(r.peakRssMb), ...extra}
  }
  const exit = (rs: Run[]) => [...new Set(rs.map((r) => r.code))].join('/')
  printTable(`scan git on ${label}: ${commits.toLocaleString('en')} commits, ${mib.toFixed(1)} MiB of blobs (medians of ${RUNS} runs, in rounds)`, [
    {label: 'git log -p -U0 --all (baseline)', values: row(logP, {'vs git log -p': '1.00x'})},
    {label: 'git cat-file --batch-all-objects --batch (every blob read once)', values: row(catAll, {'vs git log -p': ratio(median(catAll))})},
    {label: `leakctl scan git --json, cold: no cache (exit ${exit(cold)})`, values: row(cold, {'vs git log -p': ratio(median(cold))})},
    {label: `leakctl scan git --json, warm: cache from the cold run (exit ${exit(warm)})`, values: row(warm, {'vs git log -p': ratio(median(warm))})},
  ])
  const goal = (r: Run) => (r.ms <= base.ms ? 'met' : 'NOT met')
  process.stdout.write(`goal scan git <= 1.0x git log -p: cold ${goal(median(cold))} (${ratio(median(cold))}), warm ${goal(median(warm))} (${ratio(median(warm))})\n`)
  if (process.env.LEAKCTL_BENCH_PROFILE !== '0') process.stdout.write(`profile of one cold scan (self time; LEAKCTL_BENCH_PROFILE=0 skips it):\n${profileSummary(repo, env).join('\n')}\n`)
}

export default async function gitBench(): Promise<void> {
  mkdirSync(WORK, {recursive: true})
  // LEAKCTL_BENCH_GIT_REPO=path: a repository to scan in place (a bare mirror will do), e.g. /work/.mirror/kubernetes+api/repo.
  const given = process.env.LEAKCTL_BENCH_GIT_REPO ?? process.env.LEAKCTL_BENCH_REAL_REPO
  if (given) {
    if (!existsSync(join(given, 'HEAD')) && !existsSync(join(given, '.git'))) throw new Error(`LEAKCTL_BENCH_GIT_REPO=${given} is not a git repository`)
    await benchRepo(`${given}`, given)
  } else await benchRepo('a generated repository (LEAKCTL_BENCH_GIT_REPO=path for another)', generatedRepo(20_000))
}
