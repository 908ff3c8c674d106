import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'

import {type CallFrame, originalFrame} from './lib/profile.js'

// The profile summary a benchmark prints beside its figures: one run under
// `node --cpu-prof`, its main thread's functions by self time. Samples are
// counted (V8 takes one per millisecond of CPU), not their wall-clock
// spacing: on a shared machine a descheduled process would otherwise charge
// the wait to whatever ran next. Frames in a command's bundle are named by the
// TypeScript they came from (its source map).

const ROOT = join(import.meta.dirname, '..', '..')

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

export interface ProfileLine {
  fn: string
  ms: number
  share: number
}

/** Runs `node --cpu-prof ARGS` and returns its top functions by self time (of the main thread: the largest profile). */
export function profileTop(args: string[], n = 12, env: NodeJS.ProcessEnv = process.env): {totalMs: number; top: ProfileLine[]} {
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-prof-'))
  try {
    spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...args], {env, stdio: 'ignore', maxBuffer: 1 << 30})
    const files = readdirSync(dir).map((f) => join(dir, f)).sort((a, b) => statSync(b).size - statSync(a).size)
    if (!files[0]) return {totalMs: 0, top: []}
    const p = JSON.parse(readFileSync(files[0], 'utf8')) as {nodes: ProfileNode[]; samples: number[]}
    const byId = new Map(p.nodes.map((x) => [x.id, x]))
    const self = new Map<string, number>()
    for (const id of p.samples) {
      const f = byId.get(id)!.callFrame
      const {file, line} = originalFrame(f)
      const where = f.url ? `${file.startsWith(ROOT) ? relative(ROOT, file) : file.replace(/^node:/, '')}:${line + 1}` : ''
      const label = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`
      self.set(label, (self.get(label) ?? 0) + 1)
    }
    const total = p.samples.length
    const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([fn, ticks]) => ({fn, ms: ticks, share: ticks / total}))
    return {totalMs: total, top}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

export function printProfile(title: string, p: {totalMs: number; top: ProfileLine[]}): void {
  process.stdout.write(`\n## ${title}: top functions by self time (~${p.totalMs.toLocaleString('en')} ms of CPU sampled)\n`)
  for (const l of p.top) process.stdout.write(`${String(l.ms).padStart(6)} ms ${(100 * l.share).toFixed(1).padStart(5)}%  ${l.fn}\n`)
}
