import {FLAG, type Page, PAGE_HEADER, PageError, type PageFile, readU64} from './pages.js'

// B+tree pages and buckets. A bucket is a tree: branch pages point at
// children by page id; leaf pages hold key/value pairs; a value flagged as a
// bucket is a nested bucket header {root, sequence}, and root == 0 means the
// bucket is inline: its single leaf page follows the header in the value.
//
// branch element (16 bytes): pos uint32, ksize uint32, pgid uint64
// leaf element   (16 bytes): flags uint32, pos uint32, ksize uint32, vsize uint32
// (pos is relative to the element itself)

const ELEMENT = 16
const BUCKET_FLAG = 0x01
const BUCKET_HEADER = 16
const MAX_DEPTH = 64

export interface LeafItem {
  key: Buffer
  value: Buffer
  bucket: boolean
}

export type BucketRef = {root: number} | {inline: Buffer}

export interface TreeReader {
  file: PageFile
  /** Pages past this id are outside the database. */
  limit: number
  /** Every page id visited, for --deep (what is not reachable is free). */
  visited?: Set<number>
}

/** Every item of a bucket, in key order. Throws PageError on corrupt structure. */
export function* bucketItems(t: TreeReader, ref: BucketRef): Generator<LeafItem> {
  if ('inline' in ref) {
    yield* leafList(inlinePage(ref.inline))
    return
  }
  // An explicit stack: a generator recursing through yield* per level is slow.
  const seen = new Set<number>()
  const stack: {id: number; depth: number}[] = [{id: ref.root, depth: 0}]
  while (stack.length) {
    const {id, depth} = stack.pop()!
    if (depth > MAX_DEPTH) throw new PageError(id, `the tree is deeper than ${MAX_DEPTH} levels at page ${id} (a cycle?)`)
    if (seen.has(id)) throw new PageError(id, `page ${id} is reached twice: a cycle of pages`)
    seen.add(id)
    const page = t.file.page(id, t.limit)
    if (t.visited) for (let i = 0; i <= page.overflow; i++) t.visited.add(id + i)
    if (page.flags & FLAG.branch) {
      checkCount(page, ELEMENT)
      // Children pushed last-first so they pop in key order.
      for (let i = page.count - 1; i >= 0; i--) stack.push({id: readU64(page.data, PAGE_HEADER + i * ELEMENT + 8), depth: depth + 1})
    } else if (page.flags & FLAG.leaf) {
      yield* leafList(page)
    } else {
      throw new PageError(id, `page ${id} has flags 0x${page.flags.toString(16)}, not a branch or leaf page`)
    }
  }
}

/** Calls `each` for every item of a bucket, in key order. */
export function walkBucket(t: TreeReader, ref: BucketRef, each: (item: LeafItem) => void): void {
  for (const item of bucketItems(t, ref)) each(item)
}

function checkCount(page: Page, size: number): void {
  if (PAGE_HEADER + page.count * size > page.data.length) throw new PageError(page.id, `page ${page.id} claims ${page.count} elements, more than fit in it`)
}

export function leafList(page: Page): LeafItem[] {
  checkCount(page, ELEMENT)
  const d = page.data
  const out: LeafItem[] = []
  for (let i = 0; i < page.count; i++) {
    const at = PAGE_HEADER + i * ELEMENT
    const flags = d.readUInt32LE(at)
    const pos = d.readUInt32LE(at + 4)
    const ksize = d.readUInt32LE(at + 8)
    const vsize = d.readUInt32LE(at + 12)
    const k = at + pos
    const end = k + ksize + vsize
    if (end > d.length || k < PAGE_HEADER) throw new PageError(page.id, `page ${page.id} element ${i} points outside the page`)
    out.push({key: d.subarray(k, k + ksize), value: d.subarray(k + ksize, end), bucket: (flags & BUCKET_FLAG) !== 0})
  }
  return out
}

function inlinePage(value: Buffer): Page {
  const data = value.subarray(BUCKET_HEADER)
  if (data.length < PAGE_HEADER) throw new PageError(-1, 'an inline bucket is too short')
  return {id: -1, flags: data.readUInt16LE(8), count: data.readUInt16LE(10), overflow: 0, data}
}

/** A nested bucket's reference from its header value. */
export function bucketRef(value: Buffer): BucketRef {
  if (value.length < BUCKET_HEADER) throw new PageError(-1, 'a bucket header is too short')
  const root = readU64(value, 0)
  return root === 0 ? {inline: value} : {root}
}

/** The top-level buckets by name. */
export function rootBuckets(t: TreeReader, root: number): Map<string, BucketRef> {
  const out = new Map<string, BucketRef>()
  walkBucket(t, {root}, (item) => {
    if (item.bucket) out.set(item.key.toString('latin1'), bucketRef(item.value))
  })
  return out
}
