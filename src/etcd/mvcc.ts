import {Fields, ProtoError, WIRE} from './proto.js'

// etcd's MVCC layer in the `key` bucket. Each bbolt key is a revision:
//   8 bytes main revision (big-endian) | '_' | 8 bytes sub revision [| 't' tombstone]
// and each value an mvccpb.KeyValue:
//   key=1 bytes, create_revision=2, mod_revision=3, version=4, value=5 bytes, lease=6

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

export function parseRevisionKey(k: Buffer): Revision | null {
  if ((k.length !== 17 && k.length !== 18) || k[8] !== 0x5f) return null
  if (k.length === 18 && k[17] !== 0x74) return null
  const main = k.readUInt32BE(0) * 0x1_0000_0000 + k.readUInt32BE(4)
  const sub = k.readUInt32BE(9) * 0x1_0000_0000 + k.readUInt32BE(13)
  return {main, sub, tombstone: k.length === 18}
}

const EMPTY = Buffer.alloc(0)

export function decodeKeyValue(buf: Buffer): KeyValue {
  const kv: KeyValue = {key: EMPTY, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0}
  for (const f = new Fields(buf); f.next(); ) {
    switch (f.no) {
      case 1:
        if (f.wire !== WIRE.bytes) throw new ProtoError('KeyValue.key is not bytes')
        kv.key = f.bytes
        break
      case 2:
        kv.createRevision = f.int
        break
      case 3:
        kv.modRevision = f.int
        break
      case 4:
        kv.version = f.int
        break
      case 5:
        if (f.wire !== WIRE.bytes) throw new ProtoError('KeyValue.value is not bytes')
        kv.value = f.bytes
        break
      case 6:
        kv.lease = f.int
        break
    }
  }
  return kv
}
