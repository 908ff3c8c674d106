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

/**
 * A blob as text, and the same text as one byte per character when one is at hand (an ASCII
 * blob's own bytes, or a clamped copy of its UTF-16 units): the keyword pass reads it (`DetectOptions.bytes`).
 */
export interface BlobText {
  text: string
  bytes?: Uint8Array
}

/** Scans one blob; `fp` is the workspace's fingerprinter (a worker gets its key in workerData). */
export const blobScan = (fp: Fingerprinter, text: (data: Buffer) => BlobText = decode): JobFn<BlobJob, BlobResult> => (job, bytes) => scanBlob(job, bytes, fp, text)

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
const decode = (data: Buffer): BlobText => (isAscii(data) ? {text: data.toString('latin1'), bytes: data} : {text: data.toString('utf8')})

/** Decoding of blobs that are views into a worker's batch arena: `batch` sees each batch before its blobs are decoded. */
export interface ArenaText {
  batch(arena: ArrayBuffer, spans: Uint32Array): void
  text(data: Buffer): BlobText
}

/**
 * Large blobs become substrings of two external strings per batch (V8
 * shares the characters: no copy, no large-object string), made from a
 * scratch buffer reused from batch to batch:
 * - ASCII blobs of 64 KiB to 1 MiB, side by side as Latin-1;
 * - other UTF-8 blobs of 64 KiB or more (valid UTF-8 only), decoded side by
 *   side into UTF-16. V8's UTF-8 decoding into a large-object string ran at
 *   ~100 MB/s, a fresh mapping and its page faults each. The units are also
 *   copied, clamped to 255, into one byte per character for the keyword pass
 *   (which reads bytes faster than characters): a native copy at memory speed.
 * Each string is padded over EXTERN_APEX when its blobs are shorter. Every
 * string made costs fresh memory and its page faults (the most of its cost
 * on the build machine), so only the large blobs' characters are copied, once.
 */
export function arenaText(): ArenaText {
  let batchArena: ArrayBufferLike | undefined
  let narrow = ''
  let wide = ''
  /** Where each large blob (by offset in the arena) is: its length, wide or not, its span in that string. */
  let at = new Map<number, [number, boolean, number, number]>()
  let latin1 = Buffer.alloc(0)
  let utf16 = new Uint16Array(0)
  /** The same memory seen twice: written clamped (a unit over 255 becomes 255), read as plain bytes. */
  let clamped = new Uint8ClampedArray(0)
  let utf16Ascii = new Uint8Array(0)
  return {
    batch(buf, spans) {
      batchArena = buf
      at = new Map()
      const ascii: Uint8Array[] = []
      const utf8: Uint8Array[] = []
      let narrowUnits = 0
      let wideUnits = 0 // an upper bound: never more UTF-16 units than UTF-8 bytes
      for (let i = 0; i < spans.length; i += 2) {
        if (spans[i + 1]! < LARGE_STRING) continue
        const v = new Uint8Array(buf, spans[i]!, spans[i + 1]!)
        if (v.subarray(0, 8000).includes(0)) continue // binary: never decoded
        if (isAscii(v)) {
          if (v.length > EXTERN_APEX) continue // an external string of its own, at its size
          ascii.push(v)
          narrowUnits += v.length
        } else if (isUtf8(v)) {
          utf8.push(v)
          wideUnits += v.length
        }
      }
      narrow = ''
      wide = ''
      if (ascii.length) {
        latin1 = scratch(latin1, narrowUnits, (n) => Buffer.allocUnsafeSlow(n))
        let end = 0
        for (const v of ascii) {
          latin1.set(v, end)
          at.set(v.byteOffset, [v.length, false, end, end + v.length])
          end += v.length
        }
        narrow = latin1.toString('latin1', 0, Math.max(end, EXTERN_APEX + 1))
      }
      if (utf8.length) {
        utf16 = scratch(utf16, wideUnits, (n) => new Uint16Array(n))
        let end = 0
        for (const v of utf8) {
          const next = utf8IntoUtf16(v, utf16, end)
          at.set(v.byteOffset, [v.length, true, end, next])
          end = next
        }
        wide = Buffer.from(utf16.buffer, 0, 2 * Math.max(end, EXTERN_APEX + 1)).toString('ucs2')
        if (clamped.length !== utf16.length) {
          const view = new ArrayBuffer(utf16.length)
          clamped = new Uint8ClampedArray(view)
          utf16Ascii = new Uint8Array(view)
        }
        clamped.set(utf16.subarray(0, end))
      }
    },
    text(data) {
      const w = data.buffer === batchArena ? at.get(data.byteOffset) : undefined
      if (!w || w[0] !== data.byteLength) return decode(data)
      if (w[1]) return {text: wide.substring(w[2], w[3]), bytes: utf16Ascii.subarray(w[2], w[3])}
      return {text: narrow.substring(w[2], w[3]), bytes: data}
    },
  }
}

/** A scratch array of at least `units` (and over EXTERN_APEX), reused unless far too large. */
function scratch<T extends {length: number}>(old: T, units: number, make: (n: number) => T): T {
  const size = Math.max(units, EXTERN_APEX + 1)
  return old.length < size || old.length > 4 * size ? make(size) : old
}

function scanBlob(job: BlobJob, bytes: Uint8Array, fp: Fingerprinter, text: (data: Buffer) => BlobText): BlobResult {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (data.subarray(0, 8000).includes(0)) return {sha: job.sha, binary: true, hits: []}
  const seen = new Set<string>()
  const hits: BlobResult['hits'] = []
  const t = text(data)
  for (const m of detect(t.text, {path: job.path, ...(t.bytes ? {bytes: t.bytes} : {})})) {
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
