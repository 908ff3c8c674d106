import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {detect} from '../../src/detect/engine.js'
import {git} from '../../src/git/repo.js'

// Large clean codebases: `leakctl scan git PATH --json` on their whole
// history, read in place (a bare mirror will do). They hold no live secret,
// so every finding is a false alarm to explain; the wall time of the same
// scan is the figure the "no rule slows the scan by more than 5%" rule is
// checked against, commit to commit.

export interface CleanFinding {
  path: string
  line: number
  commit: string
  class: string
  preview: string
  /** The rule ids that match on that line when the blob is scanned again here (the scan's JSON carries no rule id). */
  rules: string[]
}

export interface CleanRun {
  wallMs: number
  /** User + system CPU of the scan and its children (GNU time), when available. */
  cpuMs: number | null
  peakRssMb: number | null
}

export interface CleanScan {
  head: string | null
  commits: number
  blobs: number
  bytes: number
  findings: CleanFinding[]
  runs: CleanRun[]
}

interface ScanJson {
  repository: {head: string | null}
  findings: {path: string; line: number; commit: string; class: string; preview: string}[]
  stats: {commits: number; blobs: number; bytes: number}
}

const GNU_TIME = '/usr/bin/time'

/** One `scan git --json` run in a throwaway workspace: its JSON and what it cost. */
function scanOnce(bin: string, repo: string): {json: ScanJson; run: CleanRun} {
  const ws = mkdtempSync(join(tmpdir(), 'leakctl-bench-ws-'))
  const timeFile = join(ws, 'time.txt')
  const argv = [bin, 'scan', 'git', repo, '--json', '--workspace', ws]
  const useTime = existsSync(GNU_TIME)
  try {
    const t0 = performance.now()
    const r = useTime
      ? spawnSync(GNU_TIME, ['-o', timeFile, '-f', '%M %U %S', process.execPath, ...argv], {encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe']})
      : spawnSync(process.execPath, argv, {encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe']})
    const wallMs = performance.now() - t0
    // Exit 1 means "found something": still a complete scan.
    if (r.status !== 0 && r.status !== 1) throw new Error(`scan git ${repo} exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').pop() ?? ''}`)
    let cpuMs: number | null = null
    let peakRssMb: number | null = null
    if (useTime && existsSync(timeFile)) {
      const [kb, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number)
      if (kb !== undefined && !Number.isNaN(kb)) peakRssMb = kb / 1024
      if (user !== undefined && sys !== undefined && !Number.isNaN(user + sys)) cpuMs = (user + sys) * 1000
    }
    return {json: JSON.parse(r.stdout) as ScanJson, run: {wallMs, cpuMs, peakRssMb}}
  } finally {
    rmSync(ws, {recursive: true, force: true})
  }
}

/** The rules that match on a finding's line, from the blob at its commit. */
function rulesAt(repo: string, f: {commit: string; path: string; line: number}): string[] {
  try {
    const text = git(repo, ['cat-file', 'blob', `${f.commit}:${f.path}`])
    return [...new Set(detect(text, {path: f.path}).filter((m) => m.line === f.line).map((m) => m.rule))]
  } catch {
    return []
  }
}

/** Scans `repo` `runs` times (the first run's findings are kept; the scan is deterministic). */
export function scanClean(bin: string, repo: string, runs: number): CleanScan {
  const first = scanOnce(bin, repo)
  const rest = Array.from({length: Math.max(0, runs - 1)}, () => scanOnce(bin, repo).run)
  const {json} = first
  return {
    head: json.repository.head,
    commits: json.stats.commits,
    blobs: json.stats.blobs,
    bytes: json.stats.bytes,
    findings: json.findings.map((f) => ({path: f.path, line: f.line, commit: f.commit, class: f.class, preview: f.preview, rules: rulesAt(repo, f)})),
    runs: [first.run, ...rest],
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
