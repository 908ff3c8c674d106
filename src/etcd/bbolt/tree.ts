import {FLAG, type Page, PAGE_HEADER, PageError, type PageFile, readU64} from './pages.js'

// B+tree pages and buckets. A bucket is a tree: branch pages point at
// children by page id; leaf pages hold key/value pairs; a value flagged as a
// bucket is a nested bucket header {root, sequence}, and root == 0 means the
// bucket is inline: its single leaf page follows the header in the value.
//
// branch element (16 bytes): pos uint32, ksize uint32, pgid uint64
// leaf element   (16 bytes): flags uint32, pos uint32, ksize uint32, vsize uint32
// (pos is relative to the element itself)

export const ELEMENT = 16
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
  /** Pages at or past this id are outside the database. */
  limit: number
  /** Leaf pages come back as their first page only (overflow not read): for passes over keys alone. */
  headOnly?: boolean
  /** Marks every page visited (overflow included), one byte per page, for --deep: what is not reachable is free. */
  visited?: Uint8Array
}

/**
 * The leaf pages of a bucket, in key order. Without `skip`, the first
 * structural problem throws a PageError; with it, the damaged page (and what
 * hangs below it) is reported to `skip` and the walk goes on with its
 * siblings, so one bad page costs only its own records.
 */
export function* leafPages(t: TreeReader, ref: BucketRef, skip?: (error: PageError) => void): Generator<Page> {
  if ('inline' in ref) {
    let page: Page
    try {
      page = inlinePage(ref.inline)
    } catch (error) {
      if (!skip || !(error instanceof PageError)) throw error
      skip(error)
      return
    }
    yield page
    return
  }
  // An explicit stack (children pushed last-first so they pop in key order):
  // no recursion to overflow, and `seen` makes a cycle an error, not a hang.
  const seen = new Set<number>()
  const stack: number[] = [ref.root]
  const depths: number[] = [0]
  while (stack.length) {
    const id = stack.pop()!
    const depth = depths.pop()!
    let page: Page
    try {
      if (depth > MAX_DEPTH) throw new PageError(id, `the tree is deeper than ${MAX_DEPTH} levels at page ${id}`)
      if (seen.has(id)) throw new PageError(id, `page ${id} is reached twice: a cycle of pages`)
      seen.add(id)
      page = t.file.page(id, t.limit, t.headOnly)
      if (page.flags & FLAG.branch && t.headOnly && page.overflow) page = t.file.page(id, t.limit)
      if (page.flags & FLAG.branch) checkCount(page)
      else if (!(page.flags & FLAG.leaf)) throw new PageError(id, `page ${id} has flags 0x${page.flags.toString(16)} where a branch or leaf page belongs`)
    } catch (error) {
      if (!skip || !(error instanceof PageError)) throw error
      skip(error)
      continue
    }
    if (t.visited) t.visited.fill(1, id, id + page.overflow + 1)
    if (page.flags & FLAG.branch) {
      for (let i = page.count - 1; i >= 0; i--) {
        stack.push(readU64(page.data, PAGE_HEADER + i * ELEMENT + 8))
        depths.push(depth + 1)
      }
    } else {
      yield page
    }
  }
}

/** Every item of a bucket, in key order. Throws PageError on corrupt structure unless `skip` is given. */
export function* bucketItems(t: TreeReader, ref: BucketRef, skip?: (error: PageError) => void): Generator<LeafItem> {
  for (const page of leafPages(t, ref, skip)) {
    let items: LeafItem[]
    try {
      items = leafList(page)
    } catch (error) {
      if (!skip || !(error instanceof PageError)) throw error
      skip(error)
      continue
    }
    yield* items
  }
}

/** Throws when a page claims more 16-byte elements than it holds. */
export function checkCount(page: Page): void {
  if (PAGE_HEADER + page.count * ELEMENT > page.data.length) throw new PageError(page.id, `page ${page.id} claims ${page.count} elements, more than fit in it`)
}

/** Checks leaf element i and returns where its key starts; throws when it points outside the page. */
export function leafElement(page: Page, i: number): {flags: number; k: number; ksize: number; vsize: number} {
  const d = page.data
  const at = PAGE_HEADER + i * ELEMENT
  const flags = d.readUInt32LE(at)
  const k = at + d.readUInt32LE(at + 4)
  const ksize = d.readUInt32LE(at + 8)
  const vsize = d.readUInt32LE(at + 12)
  if (k < PAGE_HEADER || k + ksize + vsize > d.length) throw new PageError(page.id, `page ${page.id} element ${i} points outside the page`)
  return {flags, k, ksize, vsize}
}

export function leafList(page: Page): LeafItem[] {
  checkCount(page)
  const d = page.data
  const out: LeafItem[] = []
  for (let i = 0; i < page.count; i++) {
    const {flags, k, ksize, vsize} = leafElement(page, i)
    out.push({key: d.subarray(k, k + ksize), value: d.subarray(k + ksize, k + ksize + vsize), bucket: (flags & BUCKET_FLAG) !== 0})
  }
  return out
}

function inlinePage(value: Buffer): Page {
  const data = value.subarray(BUCKET_HEADER)
  if (data.length < PAGE_HEADER) throw new PageError(-1, 'an inline bucket is too short')
  const page = {id: -1, flags: data.readUInt16LE(8), count: data.readUInt16LE(10), overflow: 0, data}
  if (!(page.flags & FLAG.leaf) && page.count > 0) throw new PageError(-1, `an inline bucket's page has flags 0x${page.flags.toString(16)}, not a leaf`)
  checkCount(page)
  return page
}

/** A nested bucket's reference from its header value. */
export function bucketRef(value: Buffer): BucketRef {
  if (value.length < BUCKET_HEADER) throw new PageError(-1, 'a bucket header is too short')
  const root = readU64(value, 0)
  // An inline bucket is kept for the whole read: its own copy, not a view into the page cache.
  return root === 0 ? {inline: Buffer.from(value)} : {root}
}

/** The top-level buckets by name. */
export function rootBuckets(t: TreeReader, root: number): Map<string, BucketRef> {
  const out = new Map<string, BucketRef>()
  for (const item of bucketItems(t, {root})) if (item.bucket) out.set(item.key.toString('latin1'), bucketRef(item.value))
  return out
}

/**
 * The freelist page: the ids of pages free (or pending release) when the
 * meta was written, and the pages the list itself occupies. bbolt writes
 * no list when opened with NoFreelistSync (freelist pgid all ones).
 */
export function readFreelist(file: PageFile, at: number, limit: number): {own: number[]; free: number[]} | null {
  if (!Number.isSafeInteger(at) || at < 2 || at >= limit) return null
  let page: Page
  try {
    page = file.page(at, limit)
  } catch {
    return null
  }
  if (!(page.flags & FLAG.freelist)) return null
  let count = page.count
  let first = PAGE_HEADER
  // A count of 0xFFFF means the real count is the first uint64 of the list.
  if (count === 0xffff) {
    if (page.data.length < PAGE_HEADER + 8) return null
    count = readU64(page.data, PAGE_HEADER)
    first += 8
  }
  if (!Number.isSafeInteger(count) || first + count * 8 > page.data.length) return null
  const free: number[] = []
  for (let i = 0; i < count; i++) {
    const id = readU64(page.data, first + i * 8)
    if (id >= 2 && id < limit) free.push(id)
  }
  return {own: Array.from({length: page.overflow + 1}, (_, i) => at + i), free}
}
