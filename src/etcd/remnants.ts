import {FLAG, PAGE_HEADER, type PageFile} from './bbolt/pages.js'
import {type BucketRef, bucketRef, ELEMENT, leafElement, leafPages, readFreelist, type TreeReader} from './bbolt/tree.js'
import {carveKeyValues, decodeKeyValue, revisionAt} from './mvcc.js'
import {ProtoError} from './proto.js'

// --deep: bbolt never writes a page in place. Every change copies the leaf
// it touches to a new page and frees the old one, and compaction deletes
// revision keys the same way; freed pages keep their old bytes until they
// are reused. So a snapshot still holds older versions of records that the
// tree no longer reaches: a Secret's value from before a rotation, a
// deleted Secret after compaction. This finds them:
//   1. mark every page reachable from the current tree (all buckets), and
//      note which revisions are live, so copies of live records are not
//      reported again;
//   2. an unreachable page whose header is still intact is read as a leaf
//      of the key bucket, element by element;
//   3. unreachable bytes that are no longer a page (the tail of a freed
//      overflow run whose head was reused) are carved for KeyValue records.
// Each old record is reported once, however many freed copies hold it.

export interface Remnant {
  /** The page the record starts in. */
  pageId: number
  /** Byte offset of the KeyValue record within that page. */
  offset: number
  key: Buffer
  /** The old value; a view into the file's bytes: copy it to keep it past the iteration. */
  value: Buffer
  /** The revision it was written at (from its revision key, or the record's mod_revision when carved). */
  main: number | null
  /** 'leaf': from an intact freed leaf page; 'carved': found in bytes that are no longer a page. */
  source: 'leaf' | 'carved'
  /** The record runs past the bytes still there: the value is its first part. */
  truncated: boolean
}

export interface DeepStats {
  /** Pages not reachable from the current tree (in the database, past the metas). */
  unreachablePages: number
  /** Pages the freelist names as free or pending (0 when etcd wrote no freelist). */
  freelistPages: number
  /** Unreachable pages read as intact leaf pages. */
  leafPages: number
  /** Unreachable pages carved byte by byte. */
  carvedPages: number
  remnants: number
  /** Old records skipped because the same revision is still live (a freed copy of a live leaf). */
  copiesOfLive: number
}

export interface DeepInput {
  file: PageFile
  root: number
  freelist: number
  /** Pages in use by the database (the meta's high-water mark, bounded by the file). */
  limit: number
  /** Whole pages of content in the file (the tail past `limit` is carved too). */
  contentPages: number
  warn(message: string): void
}

/** Carved reads are at most this much (plus the overlap), so a long unreachable run costs bounded memory. */
const CARVE_CHUNK = 4 << 20
const CARVE_OVERLAP = 1 << 20
/** A freed leaf run longer than this is carved in chunks rather than read whole (its header may be lying). */
const MAX_FREED_RUN = 64 << 20

export function* findRemnants(input: DeepInput, stats: DeepStats): Generator<Remnant> {
  const {file, limit, contentPages} = input
  const pageSize = file.pageSize
  const visited = new Uint8Array(Math.max(limit, 2))
  visited[0] = visited[1] = 1

  const freelist = readFreelist(file, input.freelist, limit)
  if (freelist) {
    for (const p of freelist.own) visited[p] = 1
    stats.freelistPages = freelist.free.length
  }

  // 1. Everything reachable, and the identity of every live revision.
  const live = new Set<number>()
  const seen = new Set<number>()
  let damage = 0
  let firstDamage = ''
  const skip = (error: Error) => {
    if (damage++ === 0) firstDamage = error.message
  }
  const tree: TreeReader = {file, limit, visited}
  const walk = (ref: BucketRef, isKeyBucket: boolean, depth: number): void => {
    for (const read of leafPages(tree, ref, skip)) {
      // Outside the key bucket a page may hold buckets walked before its next element: its own copy,
      // since the reader's cache is reused while they are walked.
      const page = isKeyBucket ? read : {...read, data: Buffer.from(read.data)}
      const d = page.data
      for (let i = 0; i < page.count; i++) {
        let el
        try {
          el = leafElement(page, i)
        } catch (error) {
          skip(error as Error)
          break
        }
        if (el.flags & 1) {
          if (depth < 16) {
            try {
              walk(bucketRef(d.subarray(el.k + el.ksize, el.k + el.ksize + el.vsize)), depth === 0 && el.ksize === 3 && d.toString('latin1', el.k, el.k + 3) === 'key', depth + 1)
            } catch (error) {
              skip(error as Error)
            }
          }
          continue
        }
        if (!isKeyBucket) continue
        const rev = revisionAt(d, el.k, el.ksize)
        if (!rev || rev.tombstone) continue
        try {
          const kv = decodeKeyValue(d, el.k + el.ksize, el.k + el.ksize + el.vsize)
          live.add(identity(rev.main, kv.key))
        } catch {
          // a damaged live record: revisions() names it
        }
      }
    }
  }
  walk({root: input.root}, false, 0)
  if (damage) input.warn(`--deep: ${damage} damaged part(s) of the live tree (${firstDamage}); pages below them count as unreachable and are searched too`)

  const report = function* (absolute: number, key: Buffer, value: Buffer, main: number | null, source: Remnant['source'], truncated: boolean): Generator<Remnant> {
    if (main !== null) {
      const id = identity(main, key)
      if (live.has(id)) {
        stats.copiesOfLive++
        return
      }
      if (seen.has(id)) return
      seen.add(id)
    }
    stats.remnants++
    const pageId = Math.floor(absolute / pageSize)
    yield {pageId, offset: absolute - pageId * pageSize, key, value, main, source, truncated}
  }

  // 2 and 3. Unreachable pages, in file order.
  let carveFrom = -1
  const carveRun = function* (from: number, to: number): Generator<Remnant> {
    stats.carvedPages += to - from
    const chunkPages = Math.max(1, Math.floor(CARVE_CHUNK / pageSize))
    const overlapPages = Math.ceil(CARVE_OVERLAP / pageSize)
    for (let s = from; s < to; s += chunkPages) {
      const accept = Math.min(to, s + chunkPages)
      const end = Math.min(to, accept + overlapPages)
      const bytes = file.read(s * pageSize, (end - s) * pageSize)
      for (const c of carveKeyValues(bytes, 0, Math.min(bytes.length, (accept - s) * pageSize))) {
        const main = c.revision?.main ?? c.modRevision
        yield* report(s * pageSize + c.at, c.key, c.value, main, 'carved', c.truncated)
      }
    }
  }

  for (let id = 2; id < contentPages; id++) {
    if (id < limit && visited[id]) {
      if (carveFrom >= 0) yield* carveRun(carveFrom, id)
      carveFrom = -1
      continue
    }
    stats.unreachablePages += id < limit ? 1 : 0
    const head = id < limit ? file.header(id) : null
    const intact =
      head !== null &&
      head.storedId === id &&
      (head.flags === FLAG.leaf || head.flags === FLAG.branch || head.flags === FLAG.freelist || head.flags === FLAG.meta) &&
      (head.overflow + 1) * pageSize <= MAX_FREED_RUN
    if (!intact) {
      if (carveFrom < 0) carveFrom = id
      continue
    }
    if (carveFrom >= 0) yield* carveRun(carveFrom, id)
    carveFrom = -1
    // The run is only as long as its pages are still its own: stop at a reused page or at another page's header.
    let run = 1
    while (run <= head.overflow && id + run < limit && !visited[id + run] && !ownHeader(file, id + run)) run++
    if (head.flags === FLAG.leaf) {
      stats.leafPages++
      yield* freedLeaf(file, id, run, head.count, pageSize, report)
    }
    id += run - 1
  }
  if (carveFrom >= 0) yield* carveRun(carveFrom, contentPages)
}

/** The records of an intact freed leaf: only elements wholly inside its own `run` pages. */
function* freedLeaf(
  file: PageFile,
  id: number,
  run: number,
  count: number,
  pageSize: number,
  report: (absolute: number, key: Buffer, value: Buffer, main: number | null, source: Remnant['source'], truncated: boolean) => Generator<Remnant>,
): Generator<Remnant> {
  const data = file.read(id * pageSize, run * pageSize)
  if (PAGE_HEADER + count * ELEMENT > data.length) return
  const page = {id, flags: FLAG.leaf, count, overflow: run - 1, data}
  for (let i = 0; i < count; i++) {
    let el
    try {
      el = leafElement(page, i)
    } catch {
      continue // its bytes lie past what is still this page's
    }
    if (el.flags & 1) continue
    const rev = revisionAt(data, el.k, el.ksize)
    if (!rev || rev.tombstone) continue
    const start = el.k + el.ksize
    try {
      const kv = decodeKeyValue(data, start, start + el.vsize)
      if (kv.key.length) yield* report(id * pageSize + start, kv.key, kv.value, rev.main, 'leaf', false)
    } catch (error) {
      if (!(error instanceof ProtoError)) throw error
    }
  }
}

function ownHeader(file: PageFile, id: number): boolean {
  const h = file.header(id)
  return h !== null && h.storedId === id && (h.flags === FLAG.leaf || h.flags === FLAG.branch || h.flags === FLAG.freelist)
}

/** (revision, key) names a record: etcd writes a key at most once per revision. A number keeps the sets small. */
function identity(main: number, key: Buffer): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193)
  // 2^42 revisions leave 11 bits for the key's hash below 2^53; a collision can only pair keys written in the same revision.
  return (main % 2 ** 42) * 2048 + ((h >>> 0) & 2047)
}
