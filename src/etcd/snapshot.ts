import {inputError} from '../errors.js'
import {type Meta, readMeta} from './bbolt/meta.js'
import {PAGE_HEADER, PageError, PageFile} from './bbolt/pages.js'
import {type BucketRef, bucketItems, checkCount, leafElement, leafPages, rootBuckets, type TreeReader} from './bbolt/tree.js'
import {readEnvelope} from './envelope.js'
import {decodeKeyValue, keyValueKey, keyValueValueHead, parseRevisionKey, revisionAt} from './mvcc.js'
import {ProtoError} from './proto.js'
import {type DeepStats, findRemnants, type Remnant} from './remnants.js'
import {checkTrailer, TRAILER_BYTES, type TrailerCheck} from './trailer.js'

export type {DeepStats, Remnant} from './remnants.js'

// An etcd snapshot (or a member's raw `member/snap/db`), read offline and
// read-only: every revision of every key in etcd's `key` bucket, tombstones
// included, and on request (--deep) the remnants of old values in pages
// bbolt has freed but not yet overwritten.
//
// Buffers handed out (keys, values) are views into the file's bytes, not
// copies: cheap for a caller that looks at a value and moves on; a caller
// that keeps many should copy what it keeps (a view pins its 1 MiB block).

export interface SnapshotInfo {
  path: string
  size: number
  pageSize: number
  txid: number
  /** Which meta page is current (the valid one with the higher txid). */
  metaPage: 0 | 1
  rootPgid: number
  /** Pages in use (the meta's high-water mark). */
  pages: number
  /**
   * The SHA-256 `etcdctl snapshot save` appends, checked against the content
   * ('unverified' when opened with verifyTrailer: false). Reading this
   * property waits for the check, which runs beside the caller's reading.
   */
  readonly trailer: 'match' | 'mismatch' | 'absent' | 'unverified'
  buckets: string[]
  /** The revision etcd last finished compacting at (meta bucket `finishedCompactRev`). */
  compactRevision: number | null
  /** A compaction etcd scheduled (`scheduledCompactRev`); above compactRevision when it did not finish. */
  scheduledCompactRevision: number | null
  consistentIndex: number | null
  /** What was skipped or looks wrong, one line each; read it after iterating (it waits for the trailer check). */
  readonly warnings: string[]
}

export interface KeyRevision {
  key: Buffer
  main: number
  sub: number
  tombstone: boolean
  createRevision: number
  modRevision: number
  version: number
  lease: number
  value: Buffer
}

/** The newest revision of a key: which one is current, and whether the key is deleted. */
export interface KeyState {
  main: number
  sub: number
  /** The newest revision is a tombstone: the key no longer exists (older revisions may still be readable). */
  deleted: boolean
  /** How many revisions of the key the snapshot holds. */
  revisions: number
  /** How many of them hold a value (the rest are tombstones). */
  values: number
  /** How many values are stored readably (no encryption envelope): readable by anyone with the file. */
  plaintext: number
}

export interface Snapshot {
  info(): SnapshotInfo
  /** Every revision in the key bucket, in revision order. Damaged parts are skipped and named in info().warnings. */
  revisions(): Iterable<KeyRevision>
  /**
   * Per key (latin1 string of its bytes), the newest revision, whether it
   * is a tombstone, and how many revisions are stored readably. One pass
   * over keys and the first bytes of values, computed once.
   * Damaged parts are skipped here and named by revisions().
   */
  latest(): Map<string, KeyState>
  /** The same, computed afresh for the keys `keep` accepts only (nothing cached): a census of one resource without holding every key. */
  keyStates(keep: (key: string) => boolean): Map<string, KeyState>
  /** Old KeyValue records in pages no longer reachable from the tree (--deep), each old revision once. */
  remnants(): Iterable<Remnant>
  /** What the last remnants() pass looked at. */
  deepStats(): DeepStats
  /** True once a damaged page or record was skipped. */
  damaged(): boolean
  close(): void
}

export interface OpenOptions {
  /** Check the SHA-256 trailer (default true). It is hashed beside the reading, on a worker thread for large files. */
  verifyTrailer?: boolean
}

/** Enough of a KeyValue to hold its key: etcd keys are at most a few KiB (--max-request-bytes bounds them). */
const KEY_PREFIX = 8192
/** A first read of a record in an overflow run: its key and its value's envelope, for all but very long keys. */
const FIRST_READ = 2048
/** Enough of a value to read its envelope (`k8s:enc:<provider>:<version>:<name>:`, each part at most 256 bytes). */
const ENVELOPE_HEAD = 1024

/** Whether a KeyValue's key is whole in the window and short enough to leave room for the value's envelope after it. */
const shortKey = (buf: Buffer, start: number, end: number): boolean => (keyValueKey(buf, start, end)?.length ?? Number.POSITIVE_INFINITY) <= FIRST_READ - ENVELOPE_HEAD - 64

const PAGE_SIZES = [4096, 8192, 16384, 65536, 2048, 1024, 512, 32768, 131072, 262144, 524288, 1048576]
const META_BYTES = 16 + 64

export function openSnapshot(path: string, opts: OpenOptions = {}): Snapshot {
  const file = new PageFile(path)
  try {
    return open(file, opts)
  } catch (error) {
    file.close()
    throw error
  }
}

function open(file: PageFile, opts: OpenOptions): Snapshot {
  const path = file.path
  if (file.size === 0) throw inputError('etcd.empty', `${path} is empty`)
  const meta = chooseMeta(file)
  file.pageSize = meta.pageSize
  const warnings: string[] = []
  // Each problem once, however many passes meet it.
  const warn = (message: string) => {
    if (!warnings.includes(message)) warnings.push(message)
  }
  let damaged = false

  // The trailer `etcdctl snapshot save` appends; a raw member/snap/db has none.
  const rest = file.size % meta.pageSize
  const hasTrailer = rest === TRAILER_BYTES
  if (!hasTrailer && rest !== 0) warn(`the file size is not a whole number of ${meta.pageSize}-byte pages (${rest} bytes extra): truncated or appended to`)
  const contentPages = Math.floor((file.size - (hasTrailer ? TRAILER_BYTES : 0)) / meta.pageSize)
  if (meta.pgid > contentPages) {
    warn(`the file is truncated: the database uses ${meta.pgid} pages but the file holds ${contentPages}`)
    damaged = true
  }
  const limit = Math.min(meta.pgid, contentPages)
  const tree: TreeReader = {file, limit}

  let buckets: Map<string, BucketRef>
  try {
    buckets = rootBuckets(tree, meta.root)
  } catch (error) {
    if (error instanceof PageError) throw inputError('etcd.corrupt', `${path}: cannot read the root bucket: ${error.message}`)
    throw error
  }
  const keyBucket = buckets.get('key')
  if (!keyBucket) {
    throw inputError('etcd.not-etcd', `${path} is a bbolt database but not an etcd one (no "key" bucket; buckets: ${[...buckets.keys()].join(', ') || 'none'})`)
  }
  const etcdMeta = readEtcdMeta(tree, buckets.get('meta'), warn)

  // Started last, once the file is known to be etcd's: it reads the whole file.
  let check: TrailerCheck | null = null
  let trailer: SnapshotInfo['trailer'] | null = !hasTrailer ? 'absent' : opts.verifyTrailer === false ? 'unverified' : null
  if (trailer === null) check = checkTrailer(path, file.size - TRAILER_BYTES)
  const settleTrailer = (): SnapshotInfo['trailer'] => {
    if (trailer === null && check) {
      trailer = check.verdict()
      const problem = check.problem()
      if (problem) warn(problem)
      else if (trailer === 'mismatch') warn('the SHA-256 trailer does not match the content: the file was modified or damaged after it was saved')
    }
    return trailer!
  }

  const info = {
    path,
    size: file.size,
    pageSize: meta.pageSize,
    txid: meta.txid,
    metaPage: meta.page,
    rootPgid: meta.root,
    pages: meta.pgid,
    get trailer() {
      return settleTrailer()
    },
    buckets: [...buckets.keys()],
    ...etcdMeta,
    get warnings() {
      settleTrailer()
      return warnings
    },
  } satisfies SnapshotInfo

  let latest: Map<string, KeyState> | null = null
  const stats: DeepStats = {unreachablePages: 0, freelistPages: 0, leafPages: 0, carvedPages: 0, remnants: 0, copiesOfLive: 0}

  /** One pass over the key bucket: every well-formed record, in revision order; damage is counted and named. */
  function* keyRecords(): Generator<KeyRevision> {
    let skippedPages = 0
    let firstSkip = ''
    const skip = (error: PageError) => {
      if (skippedPages++ === 0) firstSkip = error.message
    }
    let bad = 0
    for (const page of leafPages(tree, keyBucket!, skip)) {
      try {
        checkCount(page)
      } catch (error) {
        skip(error as PageError)
        continue
      }
      const d = page.data
      for (let i = 0; i < page.count; i++) {
        let k: number
        let ksize: number
        let vsize: number
        try {
          ;({k, ksize, vsize} = leafElement(page, i))
        } catch {
          bad++
          continue
        }
        const rev = revisionAt(d, k, ksize)
        if (!rev) {
          bad++
          continue
        }
        let kv
        try {
          kv = decodeKeyValue(d, k + ksize, k + ksize + vsize)
        } catch (error) {
          if (!(error instanceof ProtoError)) throw error
          bad++
          continue
        }
        yield {key: kv.key, main: rev.main, sub: rev.sub, tombstone: rev.tombstone, createRevision: kv.createRevision, modRevision: kv.modRevision || rev.main, version: kv.version, lease: kv.lease, value: kv.value}
      }
    }
    if (skippedPages) {
      warn(`skipped ${skippedPages} damaged page(s) of the key bucket and the records below them (${firstSkip})`)
      damaged = true
    }
    if (bad) {
      warn(`skipped ${bad} damaged record(s) in the key bucket`)
      damaged = true
    }
  }

  /**
   * The newest revision per key, from revision keys and KeyValue keys alone:
   * leaf pages are read without their overflow runs, and a record that lies
   * in a run is read by its first bytes only. A big snapshot's values are
   * not read again.
   */
  const keyIndex = (keep?: (key: string) => boolean): Map<string, KeyState> => {
    const out = new Map<string, KeyState>()
    const lean: TreeReader = {file, limit, headOnly: true}
    const pageSize = file.pageSize
    for (const head of leafPages(lean, keyBucket, () => {})) {
      // Element headers past the first page (a leaf of thousands of tiny records): read the whole run.
      const page = head.id >= 0 && head.overflow && PAGE_HEADER + head.count * 16 > head.data.length ? file.page(head.id, limit) : head
      const runBytes = page.id >= 0 ? (page.overflow + 1) * pageSize : page.data.length
      if (PAGE_HEADER + page.count * 16 > page.data.length) continue
      const d = page.data
      for (let i = 0; i < page.count; i++) {
        const at = PAGE_HEADER + i * 16
        const k = at + d.readUInt32LE(at + 4)
        const ksize = d.readUInt32LE(at + 8)
        const vsize = d.readUInt32LE(at + 12)
        if (k < PAGE_HEADER || k + ksize + vsize > runBytes) continue // damage: revisions() names it
        let buf = d
        let start = k
        // A record running into the overflow pages: its key and its envelope are usually in the first page
        // already; else its first bytes are read (more when its key is that long).
        const inPage = k + ksize + Math.min(vsize, KEY_PREFIX) <= d.length || (k + ksize + Math.min(vsize, FIRST_READ) <= d.length && shortKey(d, k + ksize, d.length))
        if (!inPage) {
          buf = file.direct(page.id * pageSize + k, ksize + Math.min(vsize, FIRST_READ))
          start = 0
          if (vsize > FIRST_READ && !shortKey(buf, ksize, buf.length)) buf = file.direct(page.id * pageSize + k, ksize + Math.min(vsize, KEY_PREFIX))
        }
        const rev = revisionAt(buf, start, ksize)
        const name = rev && keyValueKey(buf, start + ksize, Math.min(buf.length, start + ksize + vsize))
        if (!rev || !name) continue
        const key = name.toString('latin1')
        if (keep && !keep(key)) continue
        const head = rev.tombstone ? null : keyValueValueHead(buf, start + ksize, Math.min(buf.length, start + ksize + vsize), ENVELOPE_HEAD)
        const plaintext = head && head.length && readEnvelope(head).storage === 'plaintext' ? 1 : 0
        const prev = out.get(key)
        // The key bucket is in revision order, so the last one seen is the newest.
        if (prev) {
          prev.main = rev.main
          prev.sub = rev.sub
          prev.deleted = rev.tombstone
          prev.revisions++
          prev.values += rev.tombstone ? 0 : 1
          prev.plaintext += plaintext
        } else {
          out.set(key, {main: rev.main, sub: rev.sub, deleted: rev.tombstone, revisions: 1, values: rev.tombstone ? 0 : 1, plaintext})
        }
      }
    }
    return out
  }

  return {
    info: () => info,
    damaged: () => damaged,
    deepStats: () => stats,
    close: () => {
      check?.cancel()
      file.close()
    },
    revisions: keyRecords,
    latest() {
      latest ??= keyIndex()
      return latest
    },
    keyStates: (keep) => keyIndex(keep),
    *remnants() {
      Object.assign(stats, {unreachablePages: 0, freelistPages: 0, leafPages: 0, carvedPages: 0, remnants: 0, copiesOfLive: 0})
      yield* findRemnants({file, root: meta.root, freelist: meta.freelist, limit, contentPages, warn}, stats)
    },
  }
}

function chooseMeta(file: PageFile): Meta {
  const candidates: Meta[] = []
  const reasons: string[] = []
  const m0 = readMeta(file.read(0, META_BYTES), 0)
  if (m0.ok) candidates.push(m0.meta)
  else reasons.push(`meta page 0: ${m0.reason}`)
  // Meta page 1 sits one page in. Its page size must agree with where it was
  // found; without a valid meta 0, try every page size bbolt is used with.
  for (const size of m0.ok ? [m0.meta.pageSize] : PAGE_SIZES) {
    const m1 = readMeta(file.read(size, META_BYTES), 1)
    if (m1.ok && m1.meta.pageSize === size) {
      candidates.push(m1.meta)
      break
    }
  }
  if (candidates.length === 0) {
    const what = isPng(file.read(0, 8)) ? 'a PNG image' : file.size < 1024 ? `${file.size} bytes, too small` : 'no valid meta page'
    throw inputError('etcd.not-bbolt', `${file.path} is not an etcd snapshot or bbolt database (${what}; ${reasons[0] ?? 'no meta page found'})`)
  }
  return candidates.sort((a, b) => b.txid - a.txid)[0]!
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const isPng = (head: Buffer) => head.length === 8 && head.equals(PNG)

function readEtcdMeta(tree: TreeReader, ref: BucketRef | undefined, warn: (message: string) => void): Pick<SnapshotInfo, 'compactRevision' | 'scheduledCompactRevision' | 'consistentIndex'> {
  const out: Pick<SnapshotInfo, 'compactRevision' | 'scheduledCompactRevision' | 'consistentIndex'> = {compactRevision: null, scheduledCompactRevision: null, consistentIndex: null}
  if (!ref) {
    warn('no "meta" bucket: consistent index and compaction unknown')
    return out
  }
  try {
    for (const item of bucketItems(tree, ref)) {
      const name = item.key.toString('latin1')
      if (name === 'consistent_index' && item.value.length === 8) out.consistentIndex = item.value.readUInt32BE(0) * 0x1_0000_0000 + item.value.readUInt32BE(4)
      else if (name === 'finishedCompactRev') out.compactRevision = parseRevisionKey(item.value)?.main ?? null
      else if (name === 'scheduledCompactRev') out.scheduledCompactRevision = parseRevisionKey(item.value)?.main ?? null
    }
  } catch (error) {
    if (!(error instanceof PageError)) throw error
    warn(`the meta bucket is damaged: ${error.message}`)
  }
  if (out.scheduledCompactRevision !== null && (out.compactRevision === null || out.scheduledCompactRevision > out.compactRevision)) {
    warn(`a compaction at revision ${out.scheduledCompactRevision} was scheduled but not finished: some revisions at or below it may already be gone`)
  }
  return out
}
