import {isAscii, isUtf8} from 'node:buffer'
import {parentPort, workerData} from 'node:worker_threads'

import {detect, matchFindingBase} from '../detect/engine.js'
import {type Fingerprinter, workerFingerprinter} from '../fingerprint/key.js'
import {type JobFn, serveJobs} from '../parallel/pool.js'
import {utf8IntoUtf16} from '../text/utf16.js'

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

/** Decoding of blobs that are views into a worker's batch arena: `batch` sees each batch before its blobs are decoded. */
export interface ArenaText {
  batch(arena: ArrayBuffer, spans: Uint32Array): void
  text(data: Buffer): string
}

/**
 * Large blobs become substrings of one external string per batch (V8
 * shares the characters: no copy, no large-object string):
 * - ASCII blobs of 64 KiB to 1 MiB: of the arena (a fresh ArrayBuffer per
 *   batch, unchanged while it is scanned, over EXTERN_APEX) decoded once as
 *   Latin-1;
 * - other UTF-8 blobs of 64 KiB or more (valid UTF-8 only): of the batch's
 *   such blobs decoded into one UTF-16 buffer, padded over EXTERN_APEX.
 *   V8's UTF-8 decoding into a large-object string ran at ~100 MB/s, a
 *   fresh mapping and its page faults each; this is ~3x faster.
 */
export function arenaText(): ArenaText {
  let arena: ArrayBufferLike | undefined
  let whole = ''
  let wideArena: ArrayBufferLike | undefined
  let wide = ''
  /** Where each blob (by offset in the arena, with its length) is in `wide`. */
  let wideAt = new Map<number, [number, number, number]>()
  let scratch = new Uint16Array(0)
  return {
    batch(buf, spans) {
      wideArena = undefined
      wide = ''
      wideAt = new Map()
      const large: Uint8Array[] = []
      let units = 0 // an upper bound: never more UTF-16 units than UTF-8 bytes
      for (let i = 0; i < spans.length; i += 2) {
        if (spans[i + 1]! < LARGE_STRING) continue
        const v = new Uint8Array(buf, spans[i]!, spans[i + 1]!)
        if (v.subarray(0, 8000).includes(0) || isAscii(v) || !isUtf8(v)) continue
        large.push(v)
        units += v.length
      }
      if (large.length === 0) return
      const size = Math.max(units, EXTERN_APEX + 1)
      if (scratch.length < size || scratch.length > 4 * size) scratch = new Uint16Array(size)
      let at = 0
      for (const v of large) {
        const end = utf8IntoUtf16(v, scratch, at)
        wideAt.set(v.byteOffset, [v.length, at, end])
        at = end
      }
      wideArena = buf
      wide = Buffer.from(scratch.buffer, 0, 2 * Math.max(at, EXTERN_APEX + 1)).toString('ucs2')
    },
    text(data) {
      const buf = data.buffer
      const w = buf === wideArena ? wideAt.get(data.byteOffset) : undefined
      if (w && w[0] === data.byteLength) return wide.substring(w[1], w[2])
      if (data.byteLength < LARGE_STRING || data.byteLength > EXTERN_APEX || buf.byteLength <= EXTERN_APEX || !isAscii(data)) return decode(data)
      if (arena !== buf) {
        arena = buf
        whole = Buffer.from(buf).toString('latin1')
      }
      return whole.substring(data.byteOffset, data.byteOffset + data.byteLength)
    },
  }
}

function scanBlob(job: BlobJob, bytes: Uint8Array, fp: Fingerprinter, text: (data: Buffer) => string): BlobResult {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (data.subarray(0, 8000).includes(0)) return {sha: job.sha, binary: true, hits: []}
  const seen = new Set<string>()
  const hits: BlobResult['hits'] = []
  // An ASCII blob's bytes are its characters: the keyword pass reads them instead of the string.
  for (const m of detect(text(data), {path: job.path, ...(isAscii(data) ? {bytes: data} : {})})) {
    const base = matchFindingBase(m, fp)
    if (seen.has(base.fingerprint)) continue
    seen.add(base.fingerprint)
    hits.push({fingerprint: base.fingerprint, line: m.line, base})
  }
  return {sha: job.sha, binary: false, hits}
}

// Only inside a worker we started: a test runner's own worker threads must not be answered.
if (parentPort && (workerData as {leakctlWorker?: boolean} | undefined)?.leakctlWorker) {
  const decoder = arenaText()
  serveJobs(parentPort, blobScan(workerFingerprinter(workerData), decoder.text), decoder.batch)
}
