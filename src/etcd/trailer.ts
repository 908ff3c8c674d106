import {createHash} from 'node:crypto'
import {closeSync, openSync, readSync} from 'node:fs'
import {Worker} from 'node:worker_threads'

// The SHA-256 of the database that `etcdctl snapshot save` appends (32
// bytes after the last page); a raw member/snap/db has none. Hashing runs at
// ~140 MB/s on a CPU without SHA extensions, slower than reading the tree,
// so a large file is hashed on a worker thread while the caller reads the
// revisions; the verdict is waited for only when it is asked for.

export type TrailerVerdict = 'match' | 'mismatch'

export interface TrailerCheck {
  /** Blocks until the hash is done (at once for small files). */
  verdict(): TrailerVerdict
  /** A reason when the content could not be read to the end (then the verdict is 'mismatch'). */
  problem(): string | null
  /** Stops a worker still hashing (the verdict is then never asked for). */
  cancel(): void
}

export const TRAILER_BYTES = 32
/** Below this the hash is computed at once, in-thread: a worker's start-up would cost more. */
const IN_THREAD_BELOW = 16 << 20
const CHUNK = 4 << 20

const PENDING = 0
const MATCH = 1
const MISMATCH = 2
const SHORT = 3

function hashFile(fd: number, length: number): {state: number} {
  const h = createHash('sha256')
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(length, 1)))
  let at = 0
  while (at < length) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, length - at), at)
    if (n === 0) break
    h.update(n === buf.length ? buf : buf.subarray(0, n))
    at += n
  }
  const trailer = Buffer.alloc(TRAILER_BYTES)
  const got = readSync(fd, trailer, 0, TRAILER_BYTES, length)
  if (at < length || got < TRAILER_BYTES) return {state: SHORT}
  return {state: h.digest().equals(trailer) ? MATCH : MISMATCH}
}

// The worker's code as source text (eval: it runs alike from the compiled
// CLI and from TypeScript sources under the test runner). It publishes its
// progress, so a worker that died without a word is noticed, not waited on.
const WORKER_SOURCE = `
const {workerData} = require('node:worker_threads')
const {createHash} = require('node:crypto')
const {openSync, readSync, closeSync} = require('node:fs')
const flag = new Int32Array(workerData.flag)
let state = ${SHORT}
try {
  const fd = openSync(workerData.path, 'r')
  try {
    const length = workerData.length
    const h = createHash('sha256')
    const buf = Buffer.allocUnsafe(${CHUNK})
    let at = 0
    while (at < length) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, length - at), at)
      if (n === 0) break
      h.update(n === buf.length ? buf : buf.subarray(0, n))
      at += n
      Atomics.add(flag, 1, 1)
    }
    const trailer = Buffer.alloc(${TRAILER_BYTES})
    const got = readSync(fd, trailer, 0, ${TRAILER_BYTES}, length)
    if (at === length && got === ${TRAILER_BYTES}) state = h.digest().equals(trailer) ? ${MATCH} : ${MISMATCH}
  } finally { closeSync(fd) }
} catch {}
Atomics.store(flag, 0, state)
Atomics.notify(flag, 0)
`

/** No progress for this long: the worker is gone (it reports every 4 MiB). */
const STALL_MS = 30_000

/** Checks the trailer after the first `length` bytes of the file at `path`. */
export function checkTrailer(path: string, length: number): TrailerCheck {
  const describe = (state: number): TrailerVerdict => (state === MATCH ? 'match' : 'mismatch')
  const problem = (state: number) => (state === SHORT ? 'the file could not be read to its end while checking the SHA-256 trailer' : null)
  if (length < IN_THREAD_BELOW) {
    let state = SHORT
    try {
      const fd = openSync(path, 'r')
      try {
        state = hashFile(fd, length).state
      } finally {
        closeSync(fd)
      }
    } catch {
      // reported as SHORT
    }
    return {verdict: () => describe(state), problem: () => problem(state), cancel: () => {}}
  }
  const flag = new Int32Array(new SharedArrayBuffer(8))
  const worker = new Worker(WORKER_SOURCE, {eval: true, workerData: {path, length, flag: flag.buffer}})
  worker.unref()
  worker.on('error', () => {
    Atomics.store(flag, 0, SHORT)
    Atomics.notify(flag, 0)
  })
  // Event handlers cannot run while this thread waits, so a dead worker is seen through its stalled progress.
  const wait = (): number => {
    let progress = -1
    let since = Date.now()
    while (Atomics.load(flag, 0) === PENDING) {
      Atomics.wait(flag, 0, PENDING, 500)
      const now = Atomics.load(flag, 1)
      if (now !== progress) {
        progress = now
        since = Date.now()
      } else if (Date.now() - since > STALL_MS) {
        Atomics.store(flag, 0, SHORT)
        void worker.terminate()
      }
    }
    return Atomics.load(flag, 0)
  }
  return {
    verdict: () => describe(wait()),
    problem: () => problem(wait()),
    cancel: () => {
      if (Atomics.load(flag, 0) === PENDING) void worker.terminate()
    },
  }
}
