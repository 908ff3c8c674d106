import {existsSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {join} from 'node:path'
import {Worker} from 'node:worker_threads'

import {packageRoot} from '../paths.js'

// A small pool of worker threads for CPU-bound scanning (detection,
// decoding). Jobs travel in batches; their payloads (the bytes to scan) are
// packed into one arena per batch, transferred rather than copied, and the
// arena comes back with the results to be filled again: a million small
// values cost a handful of allocations, not a million. A cap on bytes in
// flight keeps memory flat (add() returns a promise to wait on when the cap
// is reached). Runs inline, on the caller's bytes without a copy, when the
// compiled worker is not there (tests of the TypeScript sources) or when
// LEAKCTL_NO_WORKERS=1.

/** Work on one job: its fields and its payload (a view valid only during the call). */
export type JobFn<J, R> = (job: J, payload: Uint8Array) => R

/**
 * A job's bytes: one array, or the pieces they arrive in (a reader's chunks), copied in order
 * straight into the arena: never joined into a buffer of their own first.
 */
export type Payload = Uint8Array | readonly Uint8Array[]

export interface Pool<J> {
  /** Queue a job; the payload is copied. When a promise comes back, await it before adding more. */
  add(job: J, payload: Payload): Promise<void> | undefined
  /** Resolves when every job is done and the workers are gone. */
  finish(): Promise<void>
}

export interface PoolOptions<R> {
  threads?: number
  /** Results as each batch completes (in completion order, each batch in job order). */
  onResults: (results: R[]) => void
  batchBytes?: number
  batchJobs?: number
  maxInFlightBytes?: number
}

interface BatchMessage<J> {
  id: number
  jobs: J[]
  /** Offset and length of each job's payload in the arena. */
  spans: Uint32Array
  arena: ArrayBuffer
}

/** dist/<rel>.js beside the compiled package, if it was built. */
export function compiledWorker(rel: string): string | undefined {
  const p = join(packageRoot(), 'dist', `${rel}.js`)
  return existsSync(p) ? p : undefined
}

export function pool<J, R>(worker: string | undefined, inline: JobFn<J, R>, workerData: Record<string, unknown>, o: PoolOptions<R>): Pool<J> {
  const threads = o.threads ?? Math.max(1, Math.min(availableParallelism(), 8))
  if (!worker || threads < 2 || process.env.LEAKCTL_NO_WORKERS === '1') {
    return {
      add(job, payload) {
        o.onResults([inline(job, payload instanceof Uint8Array ? payload : joined(payload))])
        return undefined
      },
      finish: async () => {},
    }
  }
  const batchBytes = o.batchBytes ?? 1 << 20
  const batchJobs = o.batchJobs ?? 512
  const maxInFlight = o.maxInFlightBytes ?? 64 << 20
  const workers = Array.from({length: threads}, () => new Worker(worker, {workerData: {leakctlWorker: true, ...workerData}}))
  const queued = new Map<Worker, number>(workers.map((w) => [w, 0]))
  const replies = new Map<number, (results: R[]) => void>()
  const batches: Promise<void>[] = []
  let failure: Error | undefined
  let nextId = 0
  let inFlight = 0
  let jobs: J[] = []
  let spans: number[] = []
  // Arenas back from the workers, ready to be filled again: batch-sized ones, and a few larger
  // ones (a payload bigger than a batch): fresh memory each time is page faults, and external
  // memory that starts the main thread's full garbage collections (docs/performance.md).
  const spare: Uint8Array[] = []
  const spareLarge: Uint8Array[] = []
  const newArena = (size: number) => {
    if (size === batchBytes) return spare.pop() ?? allocArena(size)
    const fit = spareLarge.findIndex((a) => a.length >= size && a.length <= 2 * size)
    return fit >= 0 ? spareLarge.splice(fit, 1)[0]! : allocArena(largeCapacity(size))
  }
  const reuse = (buffer: ArrayBuffer) => {
    if (buffer.byteLength === batchBytes) spare.push(new Uint8Array(buffer))
    else if (buffer.byteLength <= MAX_SPARE_LARGE && spareLarge.length < SPARE_LARGE) spareLarge.push(new Uint8Array(buffer))
  }
  let arena = newArena(batchBytes)
  let used = 0
  let waiters: (() => void)[] = []
  const wake = () => {
    const ws = waiters
    waiters = []
    for (const r of ws) r()
  }
  for (const w of workers) {
    w.on('message', (msg: {id: number; results: R[]; arena: ArrayBuffer}) => {
      queued.set(w, queued.get(w)! - 1)
      reuse(msg.arena)
      replies.get(msg.id)!(msg.results)
      replies.delete(msg.id)
    })
    w.on('error', (e) => {
      failure = e
      for (const reply of replies.values()) reply([])
      replies.clear()
      wake()
    })
  }
  const flush = () => {
    if (jobs.length === 0) return
    let w = workers[0]!
    for (const x of workers) if (queued.get(x)! < queued.get(w)!) w = x
    const id = nextId++
    const bytes = used
    const msg: BatchMessage<J> = {id, jobs, spans: Uint32Array.from(spans), arena: arena.buffer as ArrayBuffer}
    jobs = []
    spans = []
    arena = newArena(batchBytes)
    used = 0
    inFlight += bytes
    queued.set(w, queued.get(w)! + 1)
    batches.push(
      new Promise<void>((resolve) => {
        replies.set(id, (r) => {
          o.onResults(r)
          inFlight -= bytes
          if (inFlight < maxInFlight / 2) wake()
          resolve()
        })
      }),
    )
    w.postMessage(msg, [msg.arena])
  }
  return {
    add(job, payload) {
      if (failure) return undefined
      const length = payloadLength(payload)
      if (used + length > arena.length) {
        flush()
        // A payload bigger than a batch gets an arena of its own (the batch-sized one waits for the next batch).
        if (length > arena.length) {
          spare.push(arena)
          arena = newArena(length)
        }
      }
      if (payload instanceof Uint8Array) arena.set(payload, used)
      else {
        let at = used
        for (const part of payload) {
          arena.set(part, at)
          at += part.length
        }
      }
      spans.push(used, length)
      used += length
      jobs.push(job)
      if (jobs.length >= batchJobs) flush()
      return inFlight >= maxInFlight ? new Promise<void>((r) => waiters.push(r)) : undefined
    },
    async finish() {
      flush()
      await Promise.all(batches)
      await Promise.all(workers.map((w) => w.terminate()))
      if (failure) throw failure
    },
  }
}

/** Larger arenas kept for reuse, and up to what size (RSS stays bounded). */
const SPARE_LARGE = 4
const MAX_SPARE_LARGE = 8 << 20

const allocArena = (size: number) => new Uint8Array(Buffer.allocUnsafeSlow(size).buffer)

/** A large arena's size: the next power of two, so that one fits the next payloads of about its size. */
const largeCapacity = (size: number) => (size > MAX_SPARE_LARGE ? size : 2 ** Math.ceil(Math.log2(size)))

function payloadLength(p: Payload): number {
  if (p instanceof Uint8Array) return p.length
  let n = 0
  for (const part of p) n += part.length
  return n
}

/** A payload as one array: a view when it is one piece. */
export function joined(p: readonly Uint8Array[]): Uint8Array {
  return p.length === 1 ? p[0]! : Buffer.concat(p)
}

/**
 * The worker side: answer batches with `fn` applied to each job and its payload; the arena goes back for reuse.
 * `onBatch` sees each batch's arena and spans before its jobs (to prepare work shared by several payloads).
 */
export function serveJobs<J, R>(
  port: {on(ev: 'message', fn: (m: BatchMessage<J>) => void): void; postMessage(m: unknown, transfer: ArrayBuffer[]): void},
  fn: JobFn<J, R>,
  onBatch?: (arena: ArrayBuffer, spans: Uint32Array) => void,
): void {
  port.on('message', (batch) => {
    onBatch?.(batch.arena, batch.spans)
    const results: R[] = []
    for (let i = 0; i < batch.jobs.length; i++) results.push(fn(batch.jobs[i]!, new Uint8Array(batch.arena, batch.spans[2 * i], batch.spans[2 * i + 1])))
    port.postMessage({id: batch.id, results, arena: batch.arena}, [batch.arena])
  })
}
