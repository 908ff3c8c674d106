import {createHash} from 'node:crypto'

import {inputError} from '../errors.js'
import {type Meta, readMeta} from './bbolt/meta.js'
import {FLAG, PAGE_HEADER, PageError, PageFile, readU64} from './bbolt/pages.js'
import {type BucketRef, bucketItems, bucketRef, leafList, rootBuckets, type TreeReader} from './bbolt/tree.js'
import {decodeKeyValue, parseRevisionKey} from './mvcc.js'
import {ProtoError} from './proto.js'

// An etcd snapshot (or a member's raw `member/snap/db`), read offline and
// read-only: every revision of every key in etcd's `key` bucket, tombstones
// included, and on request the remnants of old values in pages bbolt has
// freed but not yet overwritten.

export interface SnapshotInfo {
  path: string
  size: number
  pageSize: number
  txid: number
  /** Which meta page is current (the valid one with the higher txid). */
  metaPage: 0 | 1
  rootPgid: number
  /** Pages in use (the high-water mark). */
  pages: number
  /** The SHA-256 `etcdctl snapshot save` appends: checked against the content. */
  trailer: 'match' | 'mismatch' | 'absent'
  buckets: string[]
  compactRevision: number | null
  consistentIndex: number | null
  warnings: string[]
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

export interface Remnant {
  pageId: number
  offset: number
  key: Buffer
  value: Buffer
  /** The revision it was written at, when its bbolt key was a revision key. */
  main: number | null
}

export interface Snapshot {
  info(): SnapshotInfo
  /** Every revision in the key bucket, in revision order. Damaged parts are skipped and named in info().warnings. */
  revisions(): Iterable<KeyRevision>
  /** Old KeyValue records in pages no longer reachable from the tree (--deep). */
  remnants(): Iterable<Remnant>
  /** True once a damaged page or record was skipped. */
  damaged(): boolean
  close(): void
}

const PAGE_SIZES = [4096, 8192, 16384, 65536, 2048, 1024, 512, 32768, 131072, 262144, 524288, 1048576]
const TRAILER = 32

export function openSnapshot(path: string): Snapshot {
  const file = new PageFile(path)
  try {
    return open(file)
  } catch (error) {
    file.close()
    throw error
  }
}

function open(file: PageFile): Snapshot {
  const path = file.path
  if (file.size === 0) throw inputError('etcd.empty', `${path} is empty`)
  const meta = chooseMeta(file)
  file.pageSize = meta.pageSize
  const warnings: string[] = []
  let damaged = false

  // The trailer `etcdctl snapshot save` appends; a raw member/snap/db has none.
  const rest = file.size % meta.pageSize
  let trailer: SnapshotInfo['trailer'] = 'absent'
  if (rest === TRAILER) {
    trailer = sha256(file, file.size - TRAILER).equals(file.read(file.size - TRAILER, TRAILER)) ? 'match' : 'mismatch'
    if (trailer === 'mismatch') warnings.push('the SHA-256 trailer does not match the content: the file was modified or damaged after it was saved')
  } else if (rest !== 0) {
    warnings.push(`the file size is not a whole number of ${meta.pageSize}-byte pages (${rest} bytes extra): truncated or appended to`)
  }
  const contentPages = Math.floor((file.size - (rest === TRAILER ? TRAILER : 0)) / meta.pageSize)
  if (meta.pgid > contentPages) {
    warnings.push(`the file is truncated: the database uses ${meta.pgid} pages but the file holds ${contentPages}`)
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
  const {compactRevision, consistentIndex} = readEtcdMeta(tree, buckets.get('meta'), warnings)

  const info: SnapshotInfo = {
    path,
    size: file.size,
    pageSize: meta.pageSize,
    txid: meta.txid,
    metaPage: meta.page,
    rootPgid: meta.root,
    pages: meta.pgid,
    trailer,
    buckets: [...buckets.keys()],
    compactRevision,
    consistentIndex,
    warnings,
  }

  return {
    info: () => info,
    damaged: () => damaged,
    close: () => file.close(),
    *revisions() {
      let bad = 0
      const items = bucketItems(tree, keyBucket)
      for (;;) {
        let next: IteratorResult<{key: Buffer; value: Buffer; bucket: boolean}>
        try {
          next = items.next()
        } catch (error) {
          if (!(error instanceof PageError)) throw error
          // The rest of this subtree is unreadable; what was read stands.
          warnings.push(`skipped the rest of the key bucket: ${error.message}`)
          damaged = true
          return
        }
        if (next.done) break
        const {key, value} = next.value
        const rev = parseRevisionKey(key)
        if (!rev) {
          bad++
          continue
        }
        let kv
        try {
          kv = decodeKeyValue(value)
        } catch (error) {
          if (!(error instanceof ProtoError)) throw error
          bad++
          continue
        }
        yield {key: kv.key, main: rev.main, sub: rev.sub, tombstone: rev.tombstone, createRevision: kv.createRevision, modRevision: kv.modRevision || rev.main, version: kv.version, lease: kv.lease, value: kv.value}
      }
      if (bad) {
        warnings.push(`skipped ${bad} damaged record(s) in the key bucket`)
        damaged = true
      }
    },
    *remnants() {
      // Everything reachable: the metas, the freelist, every bucket's pages.
      const visited = new Set<number>([0, 1])
      const reach: TreeReader = {file, limit, visited}
      const freelist = freelistPages(file, meta, limit)
      for (const p of freelist.own) visited.add(p)
      const walk = (ref: BucketRef) => {
        for (const item of bucketItems(reach, ref)) if (item.bucket) walk(bucketRef(item.value))
      }
      try {
        walk({root: meta.root})
      } catch (error) {
        if (!(error instanceof PageError)) throw error
        warnings.push(`--deep: the tree is damaged (${error.message}); remnants may include live pages`)
      }
      for (let id = 2; id < limit; id++) {
        if (visited.has(id)) continue
        let page
        try {
          page = file.page(id, limit)
        } catch {
          continue
        }
        if (!(page.flags & FLAG.leaf)) {
          id += page.overflow
          continue
        }
        let items
        try {
          items = leafList(page)
        } catch {
          continue // a freed page half overwritten: nothing to trust in it
        }
        let offset = PAGE_HEADER
        for (const item of items) {
          offset += 16
          const rev = parseRevisionKey(item.key)
          if (!rev || rev.tombstone) continue
          try {
            const kv = decodeKeyValue(item.value)
            if (kv.key.length) yield {pageId: id, offset, key: kv.key, value: kv.value, main: rev.main}
          } catch {
            // not a KeyValue
          }
        }
        id += page.overflow
      }
    },
  }
}

function chooseMeta(file: PageFile): Meta {
  const candidates: Meta[] = []
  const reasons: string[] = []
  const m0 = readMeta(file.read(0, PAGE_HEADER + 64), 0)
  if (m0.ok) candidates.push(m0.meta)
  else reasons.push(`meta page 0: ${m0.reason}`)
  // Meta page 1 sits one page in; without a valid meta 0 the page size is unknown, so try the sizes bbolt uses.
  for (const size of m0.ok ? [m0.meta.pageSize] : PAGE_SIZES) {
    const m1 = readMeta(file.read(size, PAGE_HEADER + 64), 1)
    if (m1.ok && m1.meta.pageSize === size) {
      candidates.push(m1.meta)
      break
    }
  }
  if (candidates.length === 0) {
    const head = file.read(0, 8)
    const what = head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ? 'a PNG image' : file.size < 1024 ? `${file.size} bytes, too small` : 'no valid meta page'
    throw inputError('etcd.not-bbolt', `${file.path} is not an etcd snapshot or bbolt database (${what}; ${reasons[0] ?? 'no meta page found'})`)
  }
  return candidates.sort((a, b) => b.txid - a.txid)[0]!
}

function sha256(file: PageFile, length: number): Buffer {
  const h = createHash('sha256')
  const chunk = 4 << 20
  for (let at = 0; at < length; at += chunk) h.update(file.read(at, Math.min(chunk, length - at)))
  return h.digest()
}

function readEtcdMeta(tree: TreeReader, ref: BucketRef | undefined, warnings: string[]): {compactRevision: number | null; consistentIndex: number | null} {
  let compactRevision: number | null = null
  let consistentIndex: number | null = null
  if (!ref) return {compactRevision, consistentIndex}
  try {
    for (const item of bucketItems(tree, ref)) {
      const name = item.key.toString('latin1')
      if (name === 'consistent_index' && item.value.length === 8) consistentIndex = item.value.readUInt32BE(0) * 0x1_0000_0000 + item.value.readUInt32BE(4)
      if (name === 'finishedCompactRev') compactRevision = parseRevisionKey(item.value)?.main ?? null
    }
  } catch (error) {
    if (!(error instanceof PageError)) throw error
    warnings.push(`the meta bucket is damaged: ${error.message}`)
  }
  return {compactRevision, consistentIndex}
}

/** The freelist's own pages (its ids list lists free pages; the page holding the list is in use). */
function freelistPages(file: PageFile, meta: Meta, limit: number): {own: number[]} {
  if (!meta.freelist || meta.freelist >= limit) return {own: []}
  try {
    const page = file.page(meta.freelist, limit)
    if (!(page.flags & FLAG.freelist)) return {own: []}
    return {own: Array.from({length: page.overflow + 1}, (_, i) => meta.freelist + i)}
  } catch {
    return {own: []}
  }
}

