import {closeSync, fstatSync, openSync, readSync} from 'node:fs'

import {inputError} from '../../errors.js'

// bbolt's on-disk unit: a page of `pageSize` bytes (read from the meta page,
// never assumed), a 16-byte header, and for large items `overflow` more
// pages that continue it. Pages are read on demand: small reads through a
// cache of 1 MiB blocks, large ones (a big value's overflow run) straight
// into their own buffer, so a 10 GB snapshot never has to fit in memory.
//
//   offset 0  id        uint64
//   offset 8  flags     uint16   0x01 branch, 0x02 leaf, 0x04 meta, 0x10 freelist
//   offset 10 count     uint16
//   offset 12 overflow  uint32

export const PAGE_HEADER = 16
export const FLAG = {branch: 0x01, leaf: 0x02, meta: 0x04, freelist: 0x10} as const

export interface Page {
  id: number
  flags: number
  count: number
  overflow: number
  /** The page and its overflow pages, contiguous. */
  data: Buffer
}

const BLOCK = 1 << 20
const MAX_BLOCKS = 32
/** Reads this large bypass the cache: they are read once (a big value) and would only evict what is reused. */
const DIRECT = BLOCK / 2
/**
 * The largest page run believed. etcd refuses requests over
 * --max-request-bytes (1.5 MiB by default), so a real value is far smaller;
 * a count past this is corruption, and must not turn into a huge allocation.
 */
export const MAX_RUN_BYTES = 256 << 20

export class PageFile {
  readonly size: number
  pageSize = 4096
  private readonly fd: number
  private readonly blocks = new Map<number, Buffer>()
  /** The block read last: most reads fall in the same block as the one before. */
  private lastIndex = -1
  private lastBlock: Buffer = Buffer.alloc(0)
  private closed = false

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r')
      this.size = fstatSync(this.fd).size
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw inputError('etcd.missing', `no such file: ${path}`)
      if (code === 'EISDIR') throw inputError('etcd.directory', `${path} is a directory (give the snapshot file, or member/snap/db)`)
      if (code === 'EACCES') throw inputError('etcd.permission', `cannot read ${path}: permission denied`)
      throw error
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    closeSync(this.fd)
    this.blocks.clear()
    this.lastIndex = -1
    this.lastBlock = Buffer.alloc(0)
  }

  /**
   * Bytes [offset, offset+length) of the file; short at the end of the file.
   * The result may be a view into the block cache: valid until the next
   * MAX_BLOCKS blocks are read. Copy what must outlive the record at hand.
   */
  read(offset: number, length: number): Buffer {
    if (offset < 0 || offset >= this.size || length <= 0) return Buffer.alloc(0)
    const end = Math.min(this.size, offset + length)
    if (end - offset >= DIRECT) return this.direct(offset, end - offset)
    const first = Math.floor(offset / BLOCK)
    const last = Math.floor((end - 1) / BLOCK)
    if (first === last) {
      const b = this.block(first)
      return b.subarray(offset - first * BLOCK, end - first * BLOCK)
    }
    const out = Buffer.allocUnsafe(end - offset)
    let at = 0
    for (let i = first; i <= last; i++) {
      const b = this.block(i)
      const from = i === first ? offset - i * BLOCK : 0
      const to = i === last ? end - i * BLOCK : b.length
      b.copy(out, at, from, to)
      at += to - from
    }
    return out
  }

  /** Bytes read straight from the file, past the cache: for small reads scattered over a big file. */
  direct(offset: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length)
    const got = this.fill(buf, offset)
    return got === length ? buf : buf.subarray(0, got)
  }

  private fill(buf: Buffer, offset: number): number {
    let got = 0
    while (got < buf.length) {
      const n = readSync(this.fd, buf, got, buf.length - got, offset + got)
      if (n === 0) break
      got += n
    }
    return got
  }

  private block(i: number): Buffer {
    if (i === this.lastIndex) return this.lastBlock
    const b = this.cachedBlock(i)
    this.lastIndex = i
    this.lastBlock = b
    return b
  }

  private cachedBlock(i: number): Buffer {
    const hit = this.blocks.get(i)
    if (hit) {
      // Move to the back: least recently used blocks leave first.
      this.blocks.delete(i)
      this.blocks.set(i, hit)
      return hit
    }
    // The evicted block's memory is filled again: a gigabyte read through a
    // fresh megabyte at a time made the garbage collector sweep the heap
    // every few dozen blocks. Hence the contract of read() and page().
    let spare: Buffer | undefined
    if (this.blocks.size >= MAX_BLOCKS) {
      const oldest = this.blocks.keys().next().value!
      spare = this.blocks.get(oldest)
      this.blocks.delete(oldest)
    }
    const length = Math.min(BLOCK, this.size - i * BLOCK)
    let b = spare?.length === BLOCK && length === BLOCK ? spare : Buffer.allocUnsafe(length)
    const got = this.fill(b, i * BLOCK)
    if (got < length) b = b.subarray(0, got)
    this.blocks.set(i, b)
    return b
  }

  /** The number of whole pages the file holds. */
  get pages(): number {
    return Math.floor(this.size / this.pageSize)
  }

  /** A page's header alone, or null when the page lies outside the file. */
  header(id: number): {storedId: number; flags: number; count: number; overflow: number} | null {
    if (id < 0 || id >= this.pages) return null
    const head = this.read(id * this.pageSize, PAGE_HEADER)
    if (head.length < PAGE_HEADER) return null
    return {storedId: readU64(head, 0), flags: head.readUInt16LE(8), count: head.readUInt16LE(10), overflow: head.readUInt32LE(12)}
  }

  /**
   * A page with its overflow; every bound checked against the file and the
   * database's page count. With `headOnly`, data is the first page alone
   * (for callers that read only element headers and keys). Like read(),
   * data may be a view into the block cache.
   */
  page(id: number, limit: number, headOnly = false): Page {
    const end = Math.min(limit, this.pages)
    if (!Number.isSafeInteger(id) || id < 0 || id >= end) throw new PageError(id, `page ${id} is outside the file (${end} pages)`)
    const first = this.read(id * this.pageSize, this.pageSize)
    if (first.length < this.pageSize) throw new PageError(id, `page ${id} is truncated`)
    const storedId = readU64(first, 0)
    const flags = first.readUInt16LE(8)
    const count = first.readUInt16LE(10)
    const overflow = first.readUInt32LE(12)
    if (storedId !== id) throw new PageError(id, `page ${id} claims to be page ${storedId} (overwritten, or not bbolt)`)
    if (id + overflow >= end) throw new PageError(id, `page ${id} runs past the end of the database (${overflow} overflow pages)`)
    const bytes = (overflow + 1) * this.pageSize
    if (bytes > MAX_RUN_BYTES) throw new PageError(id, `page ${id} claims ${overflow} overflow pages (${(bytes / 2 ** 20).toFixed(0)} MiB), more than any etcd value`)
    return {id, flags, count, overflow, data: overflow === 0 || headOnly ? first : this.read(id * this.pageSize, bytes)}
  }
}

/** A structural problem at one page: callers skip what hangs off it and say so. */
export class PageError extends Error {
  constructor(
    readonly pageId: number,
    message: string,
  ) {
    super(message)
    this.name = 'PageError'
  }
}

/** uint64 little-endian as a number; a value past 2^53 is corruption here (or bbolt's "no freelist" marker). */
export function readU64(buf: Buffer, at: number): number {
  const lo = buf.readUInt32LE(at)
  const hi = buf.readUInt32LE(at + 4)
  if (hi >= 0x200000) return Number.POSITIVE_INFINITY
  return hi * 0x1_0000_0000 + lo
}
