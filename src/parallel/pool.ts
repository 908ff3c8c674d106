import {existsSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {join} from 'node:path'
import {Worker} from 'node:worker_threads'

import {packageRoot} from '../paths.js'

// A small pool of worker threads for CPU-bound scanning (detection,
// decoding): jobs are batched to keep message overhead low, buffers are
// transferred rather than copied, and a cap on bytes in flight keeps memory
// flat (add() returns a promise to wait on when the cap is reached). Runs
// inline when the compiled worker is not there (tests of the TypeScript
// sources) or when LEAKCTL_NO_WORKERS=1.

export interface Pool<J, R> {
  /** Queue a job; when a promise comes back, await it before adding more. */
  add(job: J, bytes: number, transfer?: ArrayBuffer[]): Promise<void> | undefined
  /** Every result (in completion order, not submission order). */
  finish(): Promise<R[]>
}

export interface PoolOptions<R = unknown> {
  threads?: number
  /** Results as each batch completes (in completion order); finish() then returns none. For streaming folds. */
  onResults?: (results: R[]) => void
  batchBytes?: number
  batchJobs?: number
  maxInFlightBytes?: number
}

/** dist/<rel>.js beside the compiled package, if it was built. */
export function compiledWorker(rel: string): string | undefined {
  const p = join(packageRoot(), 'dist', `${rel}.js`)
  return existsSync(p) ? p : undefined
}

export function pool<J, R>(worker: string | undefined, inline: (job: J) => R, workerData: Record<string, unknown>, o: PoolOptions<R> = {}): Pool<J, R> {
  const threads = o.threads ?? Math.max(1, Math.min(availableParallelism(), 8))
  if (!worker || threads < 2 || process.env.LEAKCTL_NO_WORKERS === '1') {
    const results: R[] = []
    return {
      add(job) {
        if (o.onResults) o.onResults([inline(job)])
        else results.push(inline(job))
        return undefined
      },
      finish: async () => results,
    }
  }
  const batchBytes = o.batchBytes ?? 1 << 20
  const batchJobs = o.batchJobs ?? 512
  const maxInFlight = o.maxInFlightBytes ?? 64 << 20
  const workers = Array.from({length: threads}, () => new Worker(worker, {workerData: {leakctlWorker: true, ...workerData}}))
  const queued = new Map<Worker, number>(workers.map((w) => [w, 0]))
  const replies = new Map<number, (results: R[]) => void>()
  const results: R[] = []
  const batches: Promise<void>[] = []
  let failure: Error | undefined
  let nextId = 0
  let inFlight = 0
  let batch: J[] = []
  let transfer: ArrayBuffer[] = []
  let bytesInBatch = 0
  let waiters: (() => void)[] = []
  const wake = () => {
    const ws = waiters
    waiters = []
    for (const r of ws) r()
  }
  for (const w of workers) {
    w.on('message', (msg: {id: number; results: R[]}) => {
      queued.set(w, queued.get(w)! - 1)
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
    if (batch.length === 0) return
    const w = [...queued.entries()].sort((a, b) => a[1] - b[1])[0]![0]
    const id = nextId++
    const jobs = batch
    const bytes = bytesInBatch
    const moved = transfer
    batch = []
    transfer = []
    bytesInBatch = 0
    inFlight += bytes
    queued.set(w, queued.get(w)! + 1)
    batches.push(
      new Promise<void>((resolve) => {
        replies.set(id, (r) => {
          if (o.onResults) o.onResults(r)
          else for (const x of r) results.push(x)
          inFlight -= bytes
          if (inFlight < maxInFlight / 2) wake()
          resolve()
        })
      }),
    )
    w.postMessage({id, jobs}, moved)
  }
  return {
    add(job, bytes, moved) {
      if (failure) return undefined
      batch.push(job)
      if (moved) transfer.push(...moved)
      bytesInBatch += bytes
      if (batch.length >= batchJobs || bytesInBatch >= batchBytes) flush()
      return inFlight >= maxInFlight ? new Promise<void>((r) => waiters.push(r)) : undefined
    },
    async finish() {
      flush()
      await Promise.all(batches)
      await Promise.all(workers.map((w) => w.terminate()))
      if (failure) throw failure
      return results
    },
  }
}

/** The worker side: answer batches with `fn` applied to each job. */
export function serveJobs<J, R>(port: {on(ev: 'message', fn: (m: {id: number; jobs: J[]}) => void): void; postMessage(m: unknown): void}, fn: (job: J) => R): void {
  port.on('message', (batch) => port.postMessage({id: batch.id, results: batch.jobs.map(fn)}))
}
