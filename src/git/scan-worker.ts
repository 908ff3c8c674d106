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
export const blobScan = (fp: Fingerprinter, text: (data: Buffer) => string = utf8): JobFn<BlobJob, BlobResult> => (job, bytes) => scanBlob(job, bytes, fp, text)

const utf8 = (data: Buffer) => data.toString('utf8')

// Decoding was half of a worker's time on a real history (docs/performance.md):
// V8 puts a string of 128 KiB to 1 MiB in its large-object space, one fresh
// mapping each, and that runs at ~250 MB/s, while Node makes a string over
// ~1 MiB (its EXTERN_APEX, 1,031,913 bytes) an external one at memory speed.
// A batch's arena is over that size: decoded once as Latin-1, each ASCII blob
// in it is then a substring of it (V8 shares the characters, no copy), and
// for ASCII bytes Latin-1 and UTF-8 give the same string. Any other blob is
// decoded on its own, as UTF-8.
const EXTERN_APEX = 1_031_913
const LARGE_STRING = 64 * 1024

/** A decoder for blobs that are views into worker arenas (a fresh ArrayBuffer per batch, unchanged while it is scanned). */
export function arenaText(): (data: Buffer) => string {
  let arena: ArrayBufferLike | undefined
  let whole = ''
  return (data) => {
    const buf = data.buffer
    if (data.byteLength < LARGE_STRING || data.byteLength > EXTERN_APEX || buf.byteLength <= EXTERN_APEX || !isAscii(data)) return utf8(data)
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
