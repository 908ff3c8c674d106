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
