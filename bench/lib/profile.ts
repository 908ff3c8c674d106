import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {SourceMap, type SourceMapPayload} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

// Where a Node process spends its time: run it under `node --cpu-prof` (one
// .cpuprofile per thread, workers included) and sum each function's self time
// over every thread. Generic: any benchmark may profile any node script, and
// `node dist/bench/lib/profile.js FILE.cpuprofile…` summarises existing profiles.

/** Where a function starts: a file:// URL (or a builtin's name) and 0-based line and column. */
export interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber?: number
}

/** The parts of V8's .cpuprofile format (Chrome DevTools protocol, Profiler.Profile) used here. */
export interface CpuProfile {
  nodes: {id: number; callFrame: CallFrame; children?: number[]}[]
  startTime: number
  endTime: number
  samples?: number[]
  /** Microseconds before each sample. */
  timeDeltas?: number[]
}

export interface FunctionTime {
  /** `name (file:line)`, files relative to `root` when under it. */
  fn: string
  selfMs: number
}

export interface ProfileSummary {
  /** One row per thread (profile file): time on the CPU and idle time. */
  threads: {file: string; busyMs: number; idleMs: number}[]
  busyMs: number
  /** Functions by self time over every thread, most first. */
  top: FunctionTime[]
  /** The same summed per source file (`fn` is the file; V8's pseudo-frames stand alone), most first. */
  files: FunctionTime[]
}

/** V8's pseudo-frames: `(idle)` is a thread waiting, the others are real work. */
const IDLE = '(idle)'

const maps = new Map<string, SourceMap | null>()

/**
 * A frame in a bundle (each command is one, build/bundle-commands.ts) as the file and line of the
 * TypeScript it came from, through the bundle's source map; any other frame as it is.
 */
export function originalFrame(frame: CallFrame): {file: string; line: number} {
  const file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url
  if (!maps.has(file)) {
    const mapFile = `${file}.map`
    maps.set(file, file && existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload) : null)
  }
  const entry = maps.get(file)?.findEntry(frame.lineNumber, frame.columnNumber ?? 0)
  if (!entry || !('originalSource' in entry)) return {file, line: frame.lineNumber}
  return {file: resolve(dirname(file), entry.originalSource), line: entry.originalLine}
}

function label(frame: CallFrame, root: string | undefined): string {
  const name = frame.functionName || '(anonymous)'
  if (!frame.url) return name
  let {file, line} = originalFrame(frame)
  if (root && file.startsWith(root)) file = relative(root, file)
  return `${name} (${file}:${line + 1})`
}

/**
 * Self time per function label of one profile. Each sample owns the interval up to the
 * next sample (as DevTools counts); the last sample owns the mean interval.
 */
export function selfTimes(p: CpuProfile, root?: string): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, label(n.callFrame, root)]))
  const samples = p.samples ?? []
  const deltas = p.timeDeltas ?? []
  const mean = samples.length ? (p.endTime - p.startTime) / samples.length : 0
  const out = new Map<string, number>()
  for (let i = 0; i < samples.length; i++) {
    const us = i + 1 < deltas.length ? deltas[i + 1]! : mean
    const key = byId.get(samples[i]!) ?? '(unknown)'
    out.set(key, (out.get(key) ?? 0) + Math.max(0, us) / 1000)
  }
  return out
}

/** Sums several profiles (the threads of one run). */
export function summarizeProfiles(files: string[], opts: {root?: string; top?: number} = {}): ProfileSummary {
  const total = new Map<string, number>()
  const threads: ProfileSummary['threads'] = []
  for (const file of files) {
    const times = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, opts.root)
    let busy = 0
    for (const [fn, ms] of times) {
      if (fn === IDLE) continue
      busy += ms
      total.set(fn, (total.get(fn) ?? 0) + ms)
    }
    threads.push({file, busyMs: busy, idleMs: times.get(IDLE) ?? 0})
  }
  const byFile = new Map<string, number>()
  for (const [fn, ms] of total) {
    const file = /\((.+):\d+\)$/.exec(fn)?.[1] ?? fn
    byFile.set(file, (byFile.get(file) ?? 0) + ms)
  }
  const ranked = (m: Map<string, number>) => [...m.entries()].map(([fn, selfMs]) => ({fn, selfMs})).sort((a, b) => b.selfMs - a.selfMs).slice(0, opts.top ?? 20)
  return {threads, busyMs: threads.reduce((n, t) => n + t.busyMs, 0), top: ranked(total), files: ranked(byFile)}
}

/**
 * Runs `node --cpu-prof <args>` and summarizes its profiles (main thread and workers).
 * The profiles live in a temporary folder removed afterwards; stdout is discarded.
 */
export function profileNode(args: string[], opts: {cwd?: string; env?: NodeJS.ProcessEnv; root?: string; top?: number} = {}): ProfileSummary & {code: number | null; wallMs: number} {
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-prof-'))
  try {
    const t0 = performance.now()
    const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...args], {cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'ignore']})
    const wallMs = performance.now() - t0
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort()
      .map((f) => join(dir, f))
    return {...summarizeProfiles(files, opts), code: r.status, wallMs}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

// As a command: summarise the .cpuprofile files given (the threads of one run).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = process.argv.slice(2)
  if (files.length === 0) {
    process.stderr.write('usage: node dist/bench/lib/profile.js FILE.cpuprofile...\n')
    process.exit(2)
  }
  const s = summarizeProfiles(files, {root: process.cwd(), top: 25})
  const row = (t: FunctionTime) => `${t.selfMs.toFixed(0).padStart(9)} ms ${((100 * t.selfMs) / (s.busyMs || 1)).toFixed(1).padStart(5)}%  ${t.fn}`
  process.stdout.write(`${files.length} profile(s), ${(s.busyMs / 1000).toFixed(1)} s not idle\n\nby function (self time)\n${s.top.map(row).join('\n')}\n\nby file\n${s.files.slice(0, 10).map(row).join('\n')}\n`)
}
