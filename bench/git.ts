import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, renameSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {fmtMb, fmtMs, printTable} from './lib.js'

// scan git: MiB of history per second, peak memory and CPU use, beside
// `git log -p --all` alone and `git cat-file --batch-all-objects --batch`
// (every blob read once, in pack order) on the same repository, in the same
// run. The target: the whole scan in no more time than `git log -p` alone.

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

/** A local mirror of a fetched public repository (never the fetched copy itself, never committed). */
function realRepo(source: string): string {
  const dir = join(WORK, `${source.split('/').at(-2) ?? 'real'}.git`)
  if (!existsSync(join(dir, 'HEAD'))) execFileSync('git', ['clone', '-q', '--mirror', source, dir])
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

async function benchRepo(label: string, repo: string): Promise<void> {
  const mib = historyBytes(repo) / (1024 * 1024)
  const commits = Number(execFileSync('git', ['rev-list', '--all', '--count'], {cwd: repo, encoding: 'utf8'}).trim())
  const env = {...process.env, NO_COLOR: '1'}
  // Warm the page cache once so no contender pays for cold reads.
  run('git', ['cat-file', '--batch-all-objects', '--batch', '--unordered'], {cwd: repo})
  const logP = run('git', ['log', '-p', '--all', '--no-color'], {cwd: repo})
  const catAll = run('git', ['cat-file', '--batch-all-objects', '--batch'], {cwd: repo})
  const scan = run(process.execPath, [BIN, 'scan', 'git', repo, '--json'], {env})
  const oneThread = run(process.execPath, [BIN, 'scan', 'git', repo, '--json'], {env: {...env, LEAKCTL_NO_WORKERS: '1'}})
  const row = (r: Run, extra: Record<string, string> = {}) => ({time: fmtMs(r.ms), 'MiB/s': (mib / (r.ms / 1000)).toFixed(1), cores: cores(r), 'peak RSS': fmtMb(r.peakRssMb), ...extra})
  printTable(`scan git on ${label}: ${commits.toLocaleString('en')} commits, ${mib.toFixed(1)} MiB of blobs`, [
    {label: 'git log -p --all (baseline)', values: row(logP)},
    {label: 'git cat-file --batch-all-objects --batch', values: row(catAll)},
    {label: `leakctl scan git --json (exit ${scan.code})`, values: row(scan, {'vs git log -p': `${(scan.ms / logP.ms).toFixed(2)}x`})},
    {label: `  the same, detection on the main thread`, values: row(oneThread, {'vs git log -p': `${(oneThread.ms / logP.ms).toFixed(2)}x`})},
  ])
}

export default async function gitBench(): Promise<void> {
  mkdirSync(WORK, {recursive: true})
  await benchRepo('a generated repository', generatedRepo(20_000))
  // Snapshots fetched into /work/.mirror (bare git directories); LEAKCTL_BENCH_REAL_REPO=path overrides.
  const candidates = process.env.LEAKCTL_BENCH_REAL_REPO ? [process.env.LEAKCTL_BENCH_REAL_REPO] : ['/work/.mirror/expressjs+express/repo', '/work/.mirror/kubernetes+api/repo']
  const present = candidates.filter((c) => existsSync(join(c, 'HEAD')) || existsSync(join(c, '.git')))
  for (const c of present) await benchRepo(`a real public repository (${c.split('/').at(-2)})`, realRepo(c))
  if (present.length === 0) process.stdout.write(`\n(no real repository present at ${candidates.join(', ')}: fetch one, or set LEAKCTL_BENCH_REAL_REPO to a clone with a long history)\n`)
}
