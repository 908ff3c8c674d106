import {existsSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {join} from 'node:path'
import {Worker} from 'node:worker_threads'

import {packageRoot} from '../paths.js'
import {type BlobJob, type BlobResult, scanBlob} from './scan-worker.js'

// Runs detection on blobs, on worker threads when the compiled worker is
// there (both cores busy while git streams), inline otherwise. Batches keep
// message overhead low; a cap on bytes in flight keeps memory flat.

export interface BlobScanner {
  /** Resolves when there is room for more (backpressure). */
  add(job: BlobJob): Promise<void> | undefined
  finish(): Promise<BlobResult[]>
}

const BATCH_BYTES = 1 << 20
const BATCH_JOBS = 256
const MAX_IN_FLIGHT_BYTES = 64 << 20

export function workerPath(): string | undefined {
  const p = join(packageRoot(), 'dist', 'src', 'git', 'scan-worker.js')
  return existsSync(p) ? p : undefined
}

export function blobScanner(threads = Math.max(1, Math.min(availableParallelism(), 8))): BlobScanner {
  const path = workerPath()
  if (!path || threads < 2 || process.env.LEAKCTL_NO_WORKERS === '1') return inlineScanner()
  return pooledScanner(path, threads)
}

function inlineScanner(): BlobScanner {
  const results: BlobResult[] = []
  return {
    add(job) {
      results.push(scanBlob(job))
      return undefined
    },
    finish: async () => results,
  }
}

function pooledScanner(path: string, threads: number): BlobScanner {
  const workers = Array.from({length: threads}, () => new Worker(path, {workerData: {leakctlScanWorker: true}}))
  const queued = new Map<Worker, number>(workers.map((w) => [w, 0]))
  const replies = new Map<number, (results: BlobResult[]) => void>()
  const results: BlobResult[] = []
  const batches: Promise<void>[] = []
  let failure: Error | undefined
  let nextId = 0
  let inFlight = 0
  let batch: BlobJob[] = []
  let batchBytes = 0
  let waiters: (() => void)[] = []
  const wake = () => {
    const ws = waiters
    waiters = []
    for (const r of ws) r()
  }
  for (const w of workers) {
    w.on('message', (msg: {id: number; results: BlobResult[]}) => {
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
    // The worker with the fewest batches queued takes the next one.
    const worker = [...queued.entries()].sort((a, b) => a[1] - b[1])[0]![0]
    const id = nextId++
    const jobs = batch
    const bytes = batchBytes
    batch = []
    batchBytes = 0
    inFlight += bytes
    queued.set(worker, queued.get(worker)! + 1)
    batches.push(
      new Promise<void>((resolve) => {
        replies.set(id, (r) => {
          results.push(...r)
          inFlight -= bytes
          if (inFlight < MAX_IN_FLIGHT_BYTES / 2) wake()
          resolve()
        })
      }),
    )
    // Each job's data owns its ArrayBuffer (see readBlobs): transfer, never copy.
    worker.postMessage({id, jobs}, jobs.map((j) => j.data.buffer as ArrayBuffer))
  }
  return {
    add(job) {
      if (failure) return undefined
      batch.push(job)
      batchBytes += job.data.byteLength
      if (batch.length >= BATCH_JOBS || batchBytes >= BATCH_BYTES) flush()
      return inFlight >= MAX_IN_FLIGHT_BYTES ? new Promise<void>((r) => waiters.push(r)) : undefined
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
