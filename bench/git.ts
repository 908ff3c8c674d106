import {execFileSync, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {fmtMb, fmtMs, measure, printTable} from './lib.js'

// scan git: MiB of history per second and peak memory, beside `git log -p
// --all` alone and `git cat-file --batch-all-objects --batch` (every blob
// read once) on the same repository, in the same run.

const WORK = join(import.meta.dirname, '..', '..', 'bench', '.work')
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')

/** A repository of `commits` commits over ~2,000 files, generated with git fast-import (cached). */
function generatedRepo(commits: number): string {
  const dir = join(WORK, `git-${commits}`)
  if (existsSync(join(dir, 'HEAD'))) return dir
  mkdirSync(dir, {recursive: true})
  execFileSync('git', ['init', '-q', '--bare', dir])
  const lines: string[] = []
  let mark = 0
  const files = 2000
  const body = (n: number, rev: number) => {
    const h = createHash('sha256').update(`${n}:${rev}`).digest('hex')
    const rows = Array.from({length: 40 + (n % 80)}, (_, i) => `export const value${i} = compute("${h.slice(i % 48, (i % 48) + 16)}", ${rev}) // module ${n}`)
    if (rev % 997 === 0) rows.push(`const password = "${h.slice(0, 20)}Q!"`)
    if (rev % 1499 === 0) rows.push(`token: ghp_${createHash('sha256').update(`t${rev}`).digest('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 36)}`)
    return rows.join('\n') + '\n'
  }
  for (let c = 1; c <= commits; c++) {
    const changed = [c % files, (c * 7) % files, (c * 13) % files].slice(0, 1 + (c % 3))
    lines.push(`commit refs/heads/main`, `mark :${++mark}`, `author Dev <dev@example.com> ${1_700_000_000 + c * 60} +0000`, `committer Dev <dev@example.com> ${1_700_000_000 + c * 60} +0000`)
    const msg = `change ${c}`
    lines.push(`data ${msg.length}`, msg)
    if (c > 1) lines.push(`from :${mark - 1}`)
    for (const f of changed) {
      const content = body(f, c)
      lines.push(`M 100644 inline src/mod${Math.floor(f / 100)}/file${f}.ts`, `data ${Buffer.byteLength(content)}`, content)
    }
  }
  lines.push('')
  execFileSync('git', ['fast-import', '--quiet'], {cwd: dir, input: lines.join('\n'), maxBuffer: 1 << 30})
  execFileSync('git', ['gc', '-q', '--aggressive'], {cwd: dir})
  return dir
}

/** Bytes of history: every blob once, uncompressed (what a scanner has to read). */
function historyBytes(repo: string): number {
  const out = execFileSync('git', ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype) %(objectsize)'], {cwd: repo, encoding: 'utf8', maxBuffer: 1 << 30})
  let n = 0
  for (const line of out.split('\n')) if (line.startsWith('blob ')) n += Number(line.slice(5))
  return n
}

function timeToDevNull(cwd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const p = spawn('git', args, {cwd, stdio: ['ignore', 'pipe', 'ignore']})
    p.stdout.resume()
    p.on('close', () => resolve(performance.now() - t0))
  })
}

async function benchRepo(label: string, repo: string): Promise<void> {
  const mib = historyBytes(repo) / (1024 * 1024)
  const commits = Number(execFileSync('git', ['rev-list', '--all', '--count'], {cwd: repo, encoding: 'utf8'}).trim())
  const logP = await timeToDevNull(repo, ['log', '-p', '--all', '--no-color'])
  const catAll = await timeToDevNull(repo, ['cat-file', '--batch-all-objects', '--batch'])
  const scan = measure('leakctl scan git --json', process.execPath, [BIN, 'scan', 'git', repo, '--json'], {env: {...process.env, NO_COLOR: '1', LEAKCTL_QUIET: '1'}})
  printTable(`scan git on ${label}: ${commits.toLocaleString('en')} commits, ${mib.toFixed(1)} MiB of blobs`, [
    {label: 'git log -p --all (baseline)', values: {time: fmtMs(logP), 'MiB/s': (mib / (logP / 1000)).toFixed(1), 'peak RSS': ''}},
    {label: 'git cat-file --batch-all-objects --batch', values: {time: fmtMs(catAll), 'MiB/s': (mib / (catAll / 1000)).toFixed(1), 'peak RSS': ''}},
    {label: `leakctl scan git (exit ${scan.code})`, values: {time: fmtMs(scan.ms), 'MiB/s': (mib / (scan.ms / 1000)).toFixed(1), 'peak RSS': fmtMb(scan.peakRssMb), 'vs git log -p': `${(scan.ms / logP).toFixed(2)}x`}},
  ])
}

export default async function gitBench(): Promise<void> {
  await benchRepo('a generated repository', generatedRepo(20_000))
  const real = process.env.LEAKCTL_BENCH_REAL_REPO ?? '/work/.mirror/expressjs+express/repo'
  if (existsSync(real)) await benchRepo(`a real public repository (${real})`, real)
  else process.stdout.write(`\n(real repository not present at ${real}: set LEAKCTL_BENCH_REAL_REPO to a clone with a long history)\n`)
}
