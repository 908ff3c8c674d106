// A protobuf wire-format reader small enough to audit: varints and
// length-delimited fields, bounds-checked, zero-copy. Used for etcd's
// KeyValue and Kubernetes' storage encoding; field numbers live with the
// decoders that use them.

export const WIRE = {varint: 0, fixed64: 1, bytes: 2, fixed32: 5} as const

export class ProtoError extends Error {}

export interface Field {
  no: number
  wire: number
  /** For varint fields. */
  int: number
  /** For length-delimited fields: a view into the message. */
  bytes: Buffer
}

/** Iterates the top-level fields of a message; throws ProtoError on malformed input. */
export function* fields(buf: Buffer): Generator<Field> {
  let i = 0
  const n = buf.length
  const varint = (): number => {
    let result = 0
    let mul = 1
    for (let shift = 0; shift < 64; shift += 7) {
      if (i >= n) throw new ProtoError('truncated varint')
      const b = buf[i++]!
      result += (b & 0x7f) * mul
      if ((b & 0x80) === 0) return result
      mul *= 128
    }
    throw new ProtoError('varint too long')
  }
  while (i < n) {
    const tag = varint()
    const no = Math.floor(tag / 8)
    const wire = tag & 7
    if (no === 0) throw new ProtoError('field number 0')
    switch (wire) {
      case WIRE.varint:
        yield {no, wire, int: varint(), bytes: EMPTY}
        break
      case WIRE.bytes: {
        const len = varint()
        if (len > n - i) throw new ProtoError(`field ${no} runs past the end of the message`)
        yield {no, wire, int: 0, bytes: buf.subarray(i, i + len)}
        i += len
        break
      }
      case WIRE.fixed64:
        if (i + 8 > n) throw new ProtoError('truncated fixed64')
        yield {no, wire, int: buf.readUInt32LE(i) + buf.readUInt32LE(i + 4) * 0x1_0000_0000, bytes: EMPTY}
        i += 8
        break
      case WIRE.fixed32:
        if (i + 4 > n) throw new ProtoError('truncated fixed32')
        yield {no, wire, int: buf.readUInt32LE(i), bytes: EMPTY}
        i += 4
        break
      default:
        throw new ProtoError(`unsupported wire type ${wire} (field ${no})`)
    }
  }
}

const EMPTY = Buffer.alloc(0)

/** Encoding helpers, for fixtures and tests that must produce real wire bytes. */
export function encodeVarint(v: number): Buffer {
  const out: number[] = []
  let x = v
  while (x >= 0x80) {
    out.push((x % 128) | 0x80)
    x = Math.floor(x / 128)
  }
  out.push(x)
  return Buffer.from(out)
}

export function encodeField(no: number, value: number | Uint8Array | string): Buffer {
  if (typeof value === 'number') return Buffer.concat([encodeVarint(no * 8 + WIRE.varint), encodeVarint(value)])
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)
  return Buffer.concat([encodeVarint(no * 8 + WIRE.bytes), encodeVarint(bytes.length), bytes])
}

/**
 * The same wire format through a cursor instead of a generator: no object per
 * field, and strings read straight from the message. The Kubernetes decoders
 * run it over every Secret revision, where the generator's allocations showed.
 *
 *   const r = new WireReader(buf)
 *   while (r.next()) if (r.no === 1) name = r.string()
 */
export class WireReader {
  /** Field number and wire type of the current field. */
  no = 0
  wire = 0
  /** Value of a varint, fixed32 or fixed64 field. */
  int = 0
  /** Bounds of a length-delimited field's payload in `buf`. */
  start = 0
  end = 0
  private at: number
  private readonly stop: number

  constructor(
    readonly buf: Buffer,
    from = 0,
    to = buf.length,
  ) {
    this.at = from
    this.stop = to
  }

  /** Moves to the next field; false at the end of the message. Throws ProtoError on malformed input. */
  next(): boolean {
    if (this.at >= this.stop) return false
    const tag = this.varint()
    this.no = Math.floor(tag / 8)
    this.wire = tag & 7
    if (this.no === 0) throw new ProtoError('field number 0')
    switch (this.wire) {
      case WIRE.varint:
        this.int = this.varint()
        break
      case WIRE.bytes: {
        const len = this.varint()
        if (len > this.stop - this.at) throw new ProtoError(`field ${this.no} runs past the end of the message`)
        this.start = this.at
        this.end = this.at + len
        this.at += len
        break
      }
      case WIRE.fixed64:
        if (this.at + 8 > this.stop) throw new ProtoError('truncated fixed64')
        this.int = this.buf.readUInt32LE(this.at) + this.buf.readUInt32LE(this.at + 4) * 0x1_0000_0000
        this.at += 8
        break
      case WIRE.fixed32:
        if (this.at + 4 > this.stop) throw new ProtoError('truncated fixed32')
        this.int = this.buf.readUInt32LE(this.at)
        this.at += 4
        break
      default:
        throw new ProtoError(`unsupported wire type ${this.wire} (field ${this.no})`)
    }
    return true
  }

  /** True when the current field is length-delimited (a string, bytes or a message). */
  get isBytes(): boolean {
    return this.wire === WIRE.bytes
  }

  /** The current length-delimited field as a view (no copy). */
  bytes(): Buffer {
    return this.wire === WIRE.bytes ? this.buf.subarray(this.start, this.end) : EMPTY
  }

  string(): string {
    return this.wire === WIRE.bytes ? this.buf.toString('utf8', this.start, this.end) : ''
  }

  /** A reader over the current field's payload (an embedded message). */
  message(): WireReader {
    return this.wire === WIRE.bytes ? new WireReader(this.buf, this.start, this.end) : new WireReader(EMPTY)
  }

  private varint(): number {
    const buf = this.buf
    let result = 0
    let mul = 1
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.at >= this.stop) throw new ProtoError('truncated varint')
      const b = buf[this.at++]!
      result += (b & 0x7f) * mul
      if ((b & 0x80) === 0) return result
      mul *= 128
    }
    throw new ProtoError('varint too long')
  }
}
