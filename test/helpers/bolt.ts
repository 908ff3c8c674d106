import {fnv1a64} from '../../src/etcd/bbolt/meta.js'
import {openSnapshot} from '../../src/etcd/snapshot.js'
import {isLeakctlError} from '../../src/errors.js'

// Synthetic bbolt files for the cases real etcd will not produce on demand:
// another page size, a page pointing outside the file, a cycle of pages,
// big values in overflow pages, a freelist, freed pages for --deep.

export interface Leaf {
  type: 'leaf'
  items: {key: Buffer; value: Buffer; bucket?: boolean}[]
  /** Written with this page id in its header instead of its own (a stale or overwritten page). */
  claimId?: number
}
export interface Branch {
  type: 'branch'
  children: {key: Buffer; page: number}[]
}
/** Bytes laid down as they are (no header): what is left of a page once it is no longer one. Padded to whole pages. */
export interface Raw {
  type: 'raw'
  bytes: Buffer
}
export interface Freelist {
  type: 'freelist'
  ids: number[]
}
export type SyntheticPage = Leaf | Branch | Raw | Freelist

function header(buf: Buffer, at: number, id: number, flags: number, count: number, overflow = 0): void {
  buf.writeUInt32LE(id, at)
  buf.writeUInt32LE(0, at + 4)
  buf.writeUInt16LE(flags, at + 8)
  buf.writeUInt16LE(count, at + 10)
  buf.writeUInt32LE(overflow, at + 12)
}

function leafLength(items: Leaf['items']): number {
  return 16 + items.length * 16 + items.reduce((n, i) => n + i.key.length + i.value.length, 0)
}

function leafBytes(items: Leaf['items'], size: number, id: number, overflow = 0): Buffer {
  const buf = Buffer.alloc(size)
  header(buf, 0, id, 0x02, items.length, overflow)
  let data = 16 + items.length * 16
  items.forEach((it, i) => {
    const at = 16 + i * 16
    buf.writeUInt32LE(it.bucket ? 1 : 0, at)
    buf.writeUInt32LE(data - at, at + 4)
    buf.writeUInt32LE(it.key.length, at + 8)
    buf.writeUInt32LE(it.value.length, at + 12)
    it.key.copy(buf, data)
    it.value.copy(buf, data + it.key.length)
    data += it.key.length + it.value.length
  })
  return buf
}

/** A bucket value holding an inline page. */
export function inlineBucket(items: Leaf['items']): Buffer {
  const page = leafBytes(items, leafLength(items), 0)
  return Buffer.concat([Buffer.alloc(16), page])
}

/** A bucket value pointing at a page. */
export function pageBucket(root: number): Buffer {
  const b = Buffer.alloc(16)
  b.writeUInt32LE(root, 0)
  return b
}

/** How many page ids a synthetic page takes (a big leaf spills into overflow pages). */
export function pagesTaken(p: SyntheticPage, size = 4096): number {
  if (p.type === 'leaf') return Math.ceil(leafLength(p.items) / size)
  if (p.type === 'raw') return Math.max(1, Math.ceil(p.bytes.length / size))
  if (p.type === 'freelist') return Math.ceil((16 + p.ids.length * 8) / size)
  return 1
}

/**
 * pages are laid out in order from page 2 (0 and 1 are the metas), each
 * taking pagesTaken() ids; root is the root bucket's page.
 * `hwm` overrides the high-water mark (to make pages "outside the database").
 */
export function buildBolt(opts: {pageSize?: number; root: number; pages: SyntheticPage[]; txid?: number; hwm?: number; freelist?: number}): Buffer {
  const size = opts.pageSize ?? 4096
  const total = 2 + opts.pages.reduce((n, p) => n + pagesTaken(p, size), 0)
  const out = Buffer.alloc(total * size)
  for (const m of [0, 1]) {
    const at = m * size
    header(out, at, m, 0x04, 0)
    const meta = at + 16
    out.writeUInt32LE(0xed0cdaed, meta)
    out.writeUInt32LE(2, meta + 4)
    out.writeUInt32LE(size, meta + 8)
    out.writeUInt32LE(opts.root, meta + 16)
    if (opts.freelist === undefined) out.writeBigUInt64LE(0xffffffffffffffffn, meta + 32) // no freelist written (etcd's NoFreelistSync)
    else out.writeUInt32LE(opts.freelist, meta + 32)
    out.writeUInt32LE(opts.hwm ?? total, meta + 40)
    out.writeUInt32LE((opts.txid ?? 10) + m, meta + 48)
    out.writeBigUInt64LE(fnv1a64(out.subarray(meta, meta + 56)), meta + 56)
  }
  let id = 2
  for (const p of opts.pages) {
    const at = id * size
    const taken = pagesTaken(p, size)
    if (p.type === 'leaf') leafBytes(p.items, taken * size, p.claimId ?? id, taken - 1).copy(out, at)
    else if (p.type === 'raw') p.bytes.copy(out, at)
    else if (p.type === 'freelist') {
      header(out, at, id, 0x10, p.ids.length, taken - 1)
      p.ids.forEach((free, i) => out.writeBigUInt64LE(BigInt(free), at + 16 + i * 8))
    } else {
      header(out, at, id, 0x01, p.children.length)
      let data = 16 + p.children.length * 16
      p.children.forEach((c, j) => {
        const e = at + 16 + j * 16
        out.writeUInt32LE(data - (16 + j * 16), e)
        out.writeUInt32LE(c.key.length, e + 4)
        out.writeUInt32LE(c.page, e + 8)
        c.key.copy(out, at + data)
        data += c.key.length
      })
    }
    id += taken
  }
  return out
}

export function revisionKey(main: number, sub = 0, tombstone = false): Buffer {
  const k = Buffer.alloc(tombstone ? 18 : 17)
  k.writeUInt32BE(Math.floor(main / 2 ** 32), 0)
  k.writeUInt32BE(main % 2 ** 32, 4)
  k[8] = 0x5f
  k.writeUInt32BE(0, 9)
  k.writeUInt32BE(sub, 13)
  if (tombstone) k[17] = 0x74
  return k
}

/** Reads all of a (damaged) snapshot as a scan does; an input error (exit 2) is an accepted outcome, anything else is thrown. */
export function readWhole(file: string): void {
  try {
    const s = openSnapshot(file)
    for (const _ of s.revisions());
    s.latest()
    for (const _ of s.remnants());
    void s.info().warnings
    s.close()
  } catch (error) {
    if (!isLeakctlError(error)) throw error
  }
}
