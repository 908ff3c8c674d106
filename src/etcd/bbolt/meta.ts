import {PAGE_HEADER, readU64} from './pages.js'

// The two meta pages (0 and 1) describe the database; writers alternate
// between them, so the valid one with the higher txid is current.
//
//   +0  magic     uint32  0xED0CDAED
//   +4  version   uint32  2
//   +8  pageSize  uint32
//   +12 flags     uint32
//   +16 root      bucket {root pgid uint64, sequence uint64}
//   +32 freelist  pgid uint64
//   +40 pgid      uint64  high-water mark: pages in use
//   +48 txid      uint64
//   +56 checksum  uint64  FNV-1a 64 of bytes +0..+56

export const MAGIC = 0xed0cdaed
const META_SIZE = 64

export interface Meta {
  page: 0 | 1
  version: number
  pageSize: number
  root: number
  freelist: number
  pgid: number
  txid: number
}

export type MetaCheck = {ok: true; meta: Meta} | {ok: false; reason: string}

const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const MASK = (1n << 64n) - 1n

export function fnv1a64(bytes: Uint8Array): bigint {
  let h = FNV_OFFSET
  for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK
  return h
}

/** Validates a meta page's bytes (the page starting with its 16-byte header). */
export function readMeta(pageBytes: Buffer, page: 0 | 1): MetaCheck {
  if (pageBytes.length < PAGE_HEADER + META_SIZE) return {ok: false, reason: 'too short for a meta page'}
  const m = pageBytes.subarray(PAGE_HEADER, PAGE_HEADER + META_SIZE)
  if (m.readUInt32LE(0) !== MAGIC) return {ok: false, reason: 'no bbolt magic'}
  const version = m.readUInt32LE(4)
  if (version !== 2) return {ok: false, reason: `unsupported bbolt version ${version}`}
  const stored = m.readBigUInt64LE(56)
  if (fnv1a64(m.subarray(0, 56)) !== stored) return {ok: false, reason: 'meta checksum mismatch'}
  const pageSize = m.readUInt32LE(8)
  // bbolt takes the OS page size (4 KiB; 16 KiB on Apple silicon, 64 KiB on some arm64 and ppc64 kernels)
  // or Options.PageSize, which need not be a power of two.
  if (pageSize < 512 || pageSize > 1 << 20) return {ok: false, reason: `implausible page size ${pageSize}`}
  return {ok: true, meta: {page, version, pageSize, root: readU64(m, 16), freelist: readU64(m, 32), pgid: readU64(m, 40), txid: readU64(m, 48)}}
}
