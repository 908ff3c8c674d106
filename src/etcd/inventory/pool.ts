import {existsSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {join} from 'node:path'
import {Worker} from 'node:worker_threads'

import type {EncryptionConfig} from '../../cluster/encryption-config.js'
import {packageRoot} from '../../paths.js'
import {type Keyring, keyringFrom} from '../decrypt.js'
import type {Category} from '../k8s/keys.js'
import {type Analysis, analyze, type KeyringFor, type RevisionJob} from './analyze.js'

// Runs analyze() over the revisions worth looking into, on worker threads
// for big snapshots (decoding, decrypting and classifying keep both cores
// busy while the main thread reads pages), inline for small ones. Jobs go in
// batches packed into one transferred buffer; results come back in order.

export interface Analyzer {
  /** Queues a job; resolves when there is room for more (backpressure). */
  add(job: RevisionJob): Promise<void> | undefined
  /** Resolves once every analysis has been delivered. */
  finish(): Promise<void>
}

/** Receives each analysis in the order the jobs were added. */
export type Deliver = (a: Analysis) => void

/** Keyrings per resource, built once per resource the scan meets. */
export function keyringsFrom(config: EncryptionConfig | null): KeyringFor | null {
  if (!config) return null
  const cache = new Map<string, Keyring>()
  // Structured clone turns Buffers into Uint8Arrays: give the ciphers Buffers back.
  const cfg: EncryptionConfig = {
    ...config,
    rules: config.rules.map((r) => ({...r, providers: r.providers.map((p) => ('keys' in p ? {...p, keys: p.keys.map((k) => ({...k, secret: Buffer.from(k.secret.buffer, k.secret.byteOffset, k.secret.byteLength)}))} : p))})),
  }
  return (resource, group) => {
    const id = `${resource}.${group}`
    let k = cache.get(id)
    if (!k) cache.set(id, (k = keyringFrom(cfg, resource, group)))
    return k
  }
}

export interface PackedBatch {
  data: ArrayBuffer
  jobs: {key: string; main: number; category: Category; resource: string; group: string; offset: number; length: number}[]
}

export function unpack(batch: PackedBatch): RevisionJob[] {
  const data = Buffer.from(batch.data)
  return batch.jobs.map((j) => ({key: j.key, main: j.main, category: j.category, resource: j.resource, group: j.group, value: data.subarray(j.offset, j.offset + j.length)}))
}

const BATCH_BYTES = 1 << 20
const BATCH_JOBS = 512
const MAX_IN_FLIGHT_BYTES = 64 << 20

function workerPath(): string | undefined {
  const p = join(packageRoot(), 'dist', 'src', 'etcd', 'inventory', 'worker.js')
  return existsSync(p) ? p : undefined
}

/** Worker threads when the snapshot is big enough to pay for starting them, and the compiled worker is there. */
export function analyzer(config: EncryptionConfig | null, opts: {bytes: number; threads?: number}, deliver: Deliver): Analyzer {
  const threads = opts.threads ?? Math.max(1, Math.min(availableParallelism(), 4))
  const path = workerPath()
  if (!path || threads < 2 || (opts.threads === undefined && opts.bytes < 16 << 20) || process.env.LEAKCTL_NO_WORKERS === '1') return inline(config, deliver)
  return pooled(path, threads, config, deliver)
}

function inline(config: EncryptionConfig | null, deliver: Deliver): Analyzer {
  const keyringFor = keyringsFrom(config)
  return {
    add(job) {
      deliver(analyze(job, keyringFor))
      return undefined
    },
    finish: async () => undefined,
  }
}

function pooled(path: string, threads: number, config: EncryptionConfig | null, deliver: Deliver): Analyzer {
  const workers = Array.from({length: threads}, () => new Worker(path, {workerData: {leakctlEtcdWorker: true, config}}))
  const queued = new Map<Worker, number>(workers.map((w) => [w, 0]))
  const replies = new Map<number, (results: Analysis[]) => void>()
  const parts = new Map<number, Analysis[]>()
  let nextDelivery = 0
  const pending: Promise<void>[] = []
  let failure: Error | undefined
  let nextId = 0
  let inFlight = 0
  // Values are copied into the batch buffer as they come: the reader's page buffers are not ours to keep.
  let buffer = new ArrayBuffer(BATCH_BYTES)
  let meta: PackedBatch['jobs'] = []
  let bytes = 0
  let waiters: (() => void)[] = []
  const wake = () => {
    const ws = waiters
    waiters = []
    for (const r of ws) r()
  }
  for (const w of workers) {
    w.on('message', (msg: {id: number; results: Analysis[]}) => {
      queued.set(w, queued.get(w)! - 1)
      replies.get(msg.id)?.(msg.results)
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
    if (meta.length === 0) return
    const worker = [...queued.entries()].sort((a, b) => a[1] - b[1])[0]![0]
    const id = nextId++
    const data = buffer
    const jobs = meta
    const size = bytes
    meta = []
    bytes = 0
    buffer = new ArrayBuffer(BATCH_BYTES)
    inFlight += size
    queued.set(worker, queued.get(worker)! + 1)
    pending.push(
      new Promise<void>((resolve) => {
        replies.set(id, (r) => {
          parts.set(id, r)
          // Batches finish in any order; analyses leave in the order they came.
          for (let done = parts.get(nextDelivery); done; done = parts.get(nextDelivery)) {
            parts.delete(nextDelivery++)
            for (const a of done) deliver(a)
          }
          inFlight -= size
          if (inFlight < MAX_IN_FLIGHT_BYTES / 2) wake()
          resolve()
        })
      }),
    )
    worker.postMessage({id, batch: {data, jobs}}, [data])
  }
  return {
    add(job) {
      if (failure) return undefined
      const n = job.value.length
      if (bytes + n > buffer.byteLength) {
        flush()
        if (n > buffer.byteLength) buffer = new ArrayBuffer(n)
      }
      new Uint8Array(buffer, bytes, n).set(job.value)
      meta.push({key: job.key, main: job.main, category: job.category, resource: job.resource, group: job.group, offset: bytes, length: n})
      bytes += n
      if (meta.length >= BATCH_JOBS) flush()
      return inFlight >= MAX_IN_FLIGHT_BYTES ? new Promise<void>((r) => waiters.push(r)) : undefined
    },
    async finish() {
      flush()
      await Promise.all(pending)
      await Promise.all(workers.map((w) => w.terminate()))
      if (failure) throw failure
    },
  }
}
