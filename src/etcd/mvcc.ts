import {ProtoError} from './proto.js'

// etcd's MVCC layer in the `key` bucket. Each bbolt key is a revision:
//   8 bytes main revision (big-endian) | '_' | 8 bytes sub revision [| 't' tombstone]
// and each value an mvccpb.KeyValue:
//   key=1 bytes, create_revision=2, mod_revision=3, version=4, value=5 bytes, lease=6
// A put writes all of them; a delete writes a tombstone whose value holds the key alone.

export interface Revision {
  main: number
  sub: number
  tombstone: boolean
}

export interface KeyValue {
  key: Buffer
  createRevision: number
  modRevision: number
  version: number
  value: Buffer
  lease: number
}

const UNDERSCORE = 0x5f
const TOMBSTONE = 0x74

export function parseRevisionKey(k: Buffer): Revision | null {
  if ((k.length !== 17 && k.length !== 18) || k[8] !== UNDERSCORE) return null
  if (k.length === 18 && k[17] !== TOMBSTONE) return null
  const main = k.readUInt32BE(0) * 0x1_0000_0000 + k.readUInt32BE(4)
  const sub = k.readUInt32BE(9) * 0x1_0000_0000 + k.readUInt32BE(13)
  return {main, sub, tombstone: k.length === 18}
}

/** A revision key in place (no slice): main and sub at `at`, or null when the bytes are not one. */
export function revisionAt(d: Buffer, at: number, size: number): Revision | null {
  if ((size !== 17 && size !== 18) || d[at + 8] !== UNDERSCORE) return null
  if (size === 18 && d[at + 17] !== TOMBSTONE) return null
  return {main: d.readUInt32BE(at) * 0x1_0000_0000 + d.readUInt32BE(at + 4), sub: d.readUInt32BE(at + 9) * 0x1_0000_0000 + d.readUInt32BE(at + 13), tombstone: size === 18}
}

const EMPTY = Buffer.alloc(0)

/**
 * Decodes a KeyValue in [start, end) of `buf`; key and value are views into
 * `buf`, not copies. A straight-line wire decoder: this runs once per
 * revision, so it allocates nothing but the result and the two views.
 */
export function decodeKeyValue(buf: Buffer, start = 0, end = buf.length): KeyValue {
  let key: Buffer = EMPTY
  let value: Buffer = EMPTY
  let createRevision = 0
  let modRevision = 0
  let version = 0
  let lease = 0
  let i = start
  while (i < end) {
    // Tags of the fields we know fit in one byte; anything else is skipped by wire type.
    let tag = buf[i++]!
    if (tag & 0x80) {
      i--
      tag = 0
      let mul = 1
      for (let s = 0; ; s += 7) {
        if (i >= end || s > 63) throw new ProtoError('truncated or overlong tag')
        const b = buf[i++]!
        tag += (b & 0x7f) * mul
        mul *= 128
        if (!(b & 0x80)) break
      }
    }
    const wire = tag & 7
    const no = Math.floor(tag / 8)
    if (no === 0) throw new ProtoError('field number 0')
    if (wire === 0) {
      let v = 0
      let mul = 1
      for (let s = 0; ; s += 7) {
        if (i >= end || s > 63) throw new ProtoError('truncated or overlong varint')
        const b = buf[i++]!
        v += (b & 0x7f) * mul
        mul *= 128
        if (!(b & 0x80)) break
      }
      if (no === 2) createRevision = v
      else if (no === 3) modRevision = v
      else if (no === 4) version = v
      else if (no === 6) lease = v
      else if (no === 1 || no === 5) throw new ProtoError(`KeyValue field ${no} is not bytes`)
    } else if (wire === 2) {
      let len = 0
      let mul = 1
      for (let s = 0; ; s += 7) {
        if (i >= end || s > 63) throw new ProtoError('truncated or overlong length')
        const b = buf[i++]!
        len += (b & 0x7f) * mul
        mul *= 128
        if (!(b & 0x80)) break
      }
      if (len > end - i) throw new ProtoError(`KeyValue field ${no} runs past the end of the record`)
      if (no === 1) key = buf.subarray(i, i + len)
      else if (no === 5) value = buf.subarray(i, i + len)
      else if (no >= 2 && no <= 6) throw new ProtoError(`KeyValue field ${no} is not a varint`)
      i += len
    } else if (wire === 1) {
      if (i + 8 > end) throw new ProtoError('truncated fixed64')
      i += 8
    } else if (wire === 5) {
      if (i + 4 > end) throw new ProtoError('truncated fixed32')
      i += 4
    } else {
      throw new ProtoError(`unsupported wire type ${wire} (field ${no})`)
    }
  }
  return {key, createRevision, modRevision, version, value, lease}
}

/** A varint at `i` in a window that may end inside it: its value and where the next field starts, or null. */
function varintIn(buf: Buffer, i: number, end: number): {value: number; next: number} | null {
  let value = 0
  let mul = 1
  for (let s = 0; ; s += 7) {
    if (i >= end || s > 63) return null
    const b = buf[i++]!
    value += (b & 0x7f) * mul
    mul *= 128
    if (!(b & 0x80)) return {value, next: i}
  }
}

/**
 * The key of a KeyValue whose bytes may be cut short (only its start was
 * read): field 1, which etcd writes first. Null when it is not there whole.
 */
export function keyValueKey(buf: Buffer, start: number, end: number): Buffer | null {
  if (start >= end || buf[start] !== 0x0a) return null
  const len = varintIn(buf, start + 1, end)
  return len && len.next + len.value <= end ? buf.subarray(len.next, len.next + len.value) : null
}

/**
 * The first bytes (up to `max`) of a KeyValue's value, from a window that may
 * stop inside it: enough to read the storage envelope without the value.
 * Null when the value field is not in the window (a tombstone has none).
 */
export function keyValueValueHead(buf: Buffer, start: number, end: number, max: number): Buffer | null {
  let i = start
  while (i < end) {
    const tag = varintIn(buf, i, end)
    if (!tag) return null
    const wire = tag.value & 7
    const field = varintIn(buf, tag.next, end)
    if (!field || (wire !== 0 && wire !== 2)) return null
    if (wire === 0) i = field.next
    else if (tag.value >>> 3 === 5) return buf.subarray(field.next, Math.min(field.next + field.value, end, field.next + max))
    else i = field.next + field.value
  }
  return null
}

// --- carving: KeyValue records in bytes that are no longer a valid page ---

export interface Carved {
  /** Offset of the record's first byte (its key tag) in the buffer. */
  at: number
  /** Offset just past the record (or the end of the buffer when truncated). */
  end: number
  key: Buffer
  value: Buffer
  modRevision: number
  createRevision: number
  version: number
  /** The revision key just before the record, when it is there (a leaf's key and value are adjacent). */
  revision: Revision | null
  /** The value runs past the bytes available: what is there is returned. */
  truncated: boolean
}

const MAX_KEY = 4096

/**
 * Every plausible KeyValue that starts in [from, to) of `buf` (it may run on
 * to buf.length). A record is believed only when it has the shape etcd
 * writes: a printable key, then create_revision, mod_revision and version in
 * order (create <= mod, version >= 1), then a value. Tombstones (a key
 * alone) carry no value and are not returned.
 */
export function* carveKeyValues(buf: Buffer, from = 0, to = buf.length): Generator<Carved> {
  let p = from
  while (p < to) {
    p = buf.indexOf(0x0a, p)
    if (p < 0 || p >= to) return
    const found = tryCarve(buf, p)
    if (found) {
      yield found
      p = found.end
    } else {
      p++
    }
  }
}

function tryCarve(buf: Buffer, at: number): Carved | null {
  const n = buf.length
  let i = at + 1
  const varint = (): number => {
    let v = 0
    let mul = 1
    for (let s = 0; s < 64; s += 7) {
      if (i >= n) return -1
      const b = buf[i++]!
      v += (b & 0x7f) * mul
      if (!(b & 0x80)) return v
      mul *= 128
    }
    return -1
  }
  const klen = varint()
  if (klen < 1 || klen > MAX_KEY || i + klen > n) return null
  for (let j = i; j < i + klen; j++) {
    const c = buf[j]!
    if (c < 0x20 || c > 0x7e) return null
  }
  const key = buf.subarray(i, i + klen)
  i += klen
  if (buf[i] !== 0x10) return null
  i++
  const createRevision = varint()
  if (buf[i] !== 0x18) return null
  i++
  const modRevision = varint()
  if (buf[i] !== 0x20) return null
  i++
  const version = varint()
  if (createRevision < 1 || modRevision < createRevision || version < 1) return null
  let value: Buffer = EMPTY
  let truncated = false
  if (i < n && buf[i] === 0x2a) {
    i++
    const vlen = varint()
    if (vlen < 0) return null
    if (i + vlen > n) {
      truncated = true
      value = buf.subarray(i, n)
    } else {
      value = buf.subarray(i, i + vlen)
      i += vlen
    }
  } else if (i >= n) {
    truncated = true
  }
  if (!truncated && i < n && buf[i] === 0x30) {
    i++
    if (varint() < 0) return null
  }
  const revision = at >= 17 ? revisionAt(buf, at - 17, 17) : null
  return {at, end: truncated ? n : i, key, value, modRevision, createRevision, version, revision: revision && revision.main === modRevision ? revision : null, truncated}
}
