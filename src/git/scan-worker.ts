import {isAscii} from 'node:buffer'
import {parentPort, workerData} from 'node:worker_threads'

import {detect, matchFindingBase} from '../detect/engine.js'
import {type Fingerprinter, workerFingerprinter} from '../fingerprint/key.js'
import {type JobFn, serveJobs} from '../parallel/pool.js'

// Detection off the main thread: blobs in, value-free hits out (fingerprints
// and previews; the secret never crosses back).

export interface BlobJob {
  sha: string
  path: string
}

export interface BlobResult {
  sha: string
  binary: boolean
  hits: {fingerprint: string; line: number; base: ReturnType<typeof matchFindingBase>}[]
}

/** Scans one blob; `fp` is the workspace's fingerprinter (a worker gets its key in workerData). */
export const blobScan = (fp: Fingerprinter, text: (data: Buffer) => string = decode): JobFn<BlobJob, BlobResult> => (job, bytes) => scanBlob(job, bytes, fp, text)

// Decoding was half of a worker's time on a real history (docs/performance.md).
// V8 puts a string of 128 KiB to 1 MiB in its large-object space, a fresh
// mapping each, and UTF-8 decoding into it ran at ~250 MB/s; over ~1 MiB
// (Node's EXTERN_APEX, 1,031,913 bytes) Node makes Latin-1 text an external
// string at memory speed, but not UTF-8. For ASCII bytes Latin-1 and UTF-8
// give the same string, and most source is ASCII (a check at memory speed):
// ASCII is decoded as Latin-1, anything else as UTF-8.
const EXTERN_APEX = 1_031_913
const LARGE_STRING = 64 * 1024

/** The blob as text (UTF-8), by the fastest decoding that gives the same string. */
const decode = (data: Buffer): string => (isAscii(data) ? data.toString('latin1') : data.toString('utf8'))

/**
 * A decoder for blobs that are views into a worker's batch arena (a fresh
 * ArrayBuffer per batch, unchanged while it is scanned): the arena, over
 * EXTERN_APEX, is decoded once as Latin-1 and an ASCII blob of 64 KiB to
 * 1 MiB is a substring of it (V8 shares the characters: no copy, no
 * large-object string).
 */
export function arenaText(): (data: Buffer) => string {
  let arena: ArrayBufferLike | undefined
  let whole = ''
  return (data) => {
    const buf = data.buffer
    if (data.byteLength < LARGE_STRING || data.byteLength > EXTERN_APEX || buf.byteLength <= EXTERN_APEX || !isAscii(data)) return decode(data)
    if (arena !== buf) {
      arena = buf
      whole = Buffer.from(buf).toString('latin1')
    }
    return whole.substring(data.byteOffset, data.byteOffset + data.byteLength)
  }
}

function scanBlob(job: BlobJob, bytes: Uint8Array, fp: Fingerprinter, text: (data: Buffer) => string): BlobResult {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (data.subarray(0, 8000).includes(0)) return {sha: job.sha, binary: true, hits: []}
  const seen = new Set<string>()
  const hits: BlobResult['hits'] = []
  for (const m of detect(text(data), {path: job.path})) {
    const base = matchFindingBase(m, fp)
    if (seen.has(base.fingerprint)) continue
    seen.add(base.fingerprint)
    hits.push({fingerprint: base.fingerprint, line: m.line, base})
  }
  return {sha: job.sha, binary: false, hits}
}

// Only inside a worker we started: a test runner's own worker threads must not be answered.
if (parentPort && (workerData as {leakctlWorker?: boolean} | undefined)?.leakctlWorker) serveJobs(parentPort, blobScan(workerFingerprinter(workerData), arenaText()))
