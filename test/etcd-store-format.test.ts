import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {isLeakctlError} from '../src/errors.js'
import {fnv1a64} from '../src/etcd/bbolt/meta.js'
import {encodeField} from '../src/etcd/proto.js'
import {type KeyRevision, openSnapshot, type Snapshot} from '../src/etcd/snapshot.js'
import {buildBolt, inlineBucket, pageBucket, readWhole, revisionKey, type SyntheticPage} from './helpers/bolt.js'
import {tempDir} from './helpers/cli.js'
import {cpuMs} from './helpers/cpu.js'

// The bbolt format's edge cases, on synthetic files: page sizes real etcd on
// this machine will not write, big values in overflow pages, and every kind
// of broken pointer. Each must end in records, a named warning, or a clear
// input error — within seconds.

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.cleanup())

let n = 0
const file = (bytes: Buffer): string => {
  const f = join(tmp.dir, `f${n++}.db`)
  writeFileSync(f, bytes)
  return f
}

const kv = (key: string, value: string | Buffer, rev: number, version = 1) => Buffer.concat([encodeField(1, key), encodeField(2, rev), encodeField(3, rev), encodeField(4, version), encodeField(5, value)])
const tombstone = (key: string) => encodeField(1, key)
const keyBucket = (items: {key: Buffer; value: Buffer}[]) => ({key: Buffer.from('key'), value: inlineBucket(items), bucket: true})

function read(f: string): {revs: KeyRevision[]; snap: Snapshot} {
  const snap = openSnapshot(f)
  const revs = [...snap.revisions()]
  return {revs, snap}
}

function expectInputError(f: string, re: RegExp): void {
  let err: unknown
  try {
    const s = openSnapshot(f)
    ;[...s.revisions()]
    s.close()
  } catch (error) {
    err = error
  }
  expect(isLeakctlError(err) && err.exitCode).toBe(2)
  expect((err as Error).message).toMatch(re)
}

describe('page sizes come from the file', () => {
  it.each([1024, 12_288, 65_536])('%i-byte pages, the key bucket in its own page', (pageSize) => {
    const f = file(
      buildBolt({
        pageSize,
        root: 2,
        pages: [
          {type: 'leaf', items: [{key: Buffer.from('key'), value: pageBucket(3), bucket: true}]},
          {type: 'leaf', items: [{key: revisionKey(7), value: kv('/registry/secrets/ns/a', 'alpha', 7)}, {key: revisionKey(8), value: kv('/registry/secrets/ns/b', 'beta', 8)}]},
        ],
      }),
    )
    const {revs, snap} = read(f)
    expect(snap.info().pageSize).toBe(pageSize)
    expect(revs.map((r) => `${r.main} ${r.value}`)).toEqual(['7 alpha', '8 beta'])
    snap.close()
  })

  it('a damaged meta page 0: the page size is found from meta page 1', () => {
    const bytes = buildBolt({pageSize: 16_384, root: 2, pages: [{type: 'leaf', items: [keyBucket([{key: revisionKey(3), value: kv('/k', 'v', 3)}])]}]})
    bytes[16 + 20] ^= 0xff // meta 0's root: its checksum no longer matches
    const {revs, snap} = read(file(bytes))
    expect(snap.info()).toMatchObject({pageSize: 16_384, metaPage: 1})
    expect(revs).toHaveLength(1)
    snap.close()
  })

  it('the valid meta with the higher txid wins, whichever page it is on', () => {
    const bytes = buildBolt({root: 2, txid: 50, pages: [{type: 'leaf', items: [keyBucket([])]}]})
    // Make meta 0 the newer one: txid 99, checksum recomputed.
    bytes.writeUInt32LE(99, 16 + 48)
    bytes.writeBigUInt64LE(fnv1a64(bytes.subarray(16, 16 + 56)), 16 + 56)
    const s = openSnapshot(file(bytes))
    expect(s.info()).toMatchObject({txid: 99, metaPage: 0})
    s.close()
  })

  it('both metas damaged: not a bbolt database', () => {
    const bytes = buildBolt({root: 2, pages: [{type: 'leaf', items: [keyBucket([])]}]})
    bytes[16 + 60] ^= 1
    bytes[4096 + 16 + 60] ^= 1
    expectInputError(file(bytes), /not an etcd snapshot or bbolt database \(no valid meta page; meta page 0: meta checksum mismatch/)
  })
})

describe('values in overflow pages', () => {
  it('a 20 KB value spills over five pages and reads back whole', () => {
    const big = Buffer.alloc(20_000, 0x61)
    big.write('END', big.length - 3)
    const f = file(
      buildBolt({
        root: 2,
        pages: [
          {type: 'leaf', items: [{key: Buffer.from('key'), value: pageBucket(3), bucket: true}]},
          {type: 'leaf', items: [{key: revisionKey(4), value: kv('/registry/secrets/ns/big', big, 4)}, {key: revisionKey(5), value: kv('/registry/secrets/ns/small', 'x', 5)}]},
        ],
      }),
    )
    const {revs, snap} = read(f)
    expect(revs.map((r) => r.value.length)).toEqual([20_000, 1])
    expect(revs[0]!.value.subarray(-3).toString()).toBe('END')
    // The key index reads the record's first bytes only, straight from the run.
    expect(snap.latest()).toEqual(
      new Map([
        ['/registry/secrets/ns/big', {main: 4, sub: 0, deleted: false, revisions: 1, values: 1, plaintext: 1}],
        ['/registry/secrets/ns/small', {main: 5, sub: 0, deleted: false, revisions: 1, values: 1, plaintext: 1}],
      ]),
    )
    expect(snap.info().warnings).toEqual(['no "meta" bucket: consistent index and compaction unknown'])
    snap.close()
  })

  it('an overflow count past the end of the file is a named warning, not a huge read', () => {
    const bytes = buildBolt({
      root: 2,
      pages: [
        {type: 'leaf', items: [{key: Buffer.from('key'), value: pageBucket(3), bucket: true}]},
        {type: 'leaf', items: [{key: revisionKey(4), value: kv('/k', 'v', 4)}]},
      ],
    })
    bytes.writeUInt32LE(0x7fff_ffff, 3 * 4096 + 12)
    const {revs, snap} = read(file(bytes))
    expect(revs).toEqual([])
    expect(snap.damaged()).toBe(true)
    expect(snap.info().warnings.join()).toMatch(/page 3 runs past the end of the database \(2147483647 overflow pages\)/)
    snap.close()
  })
})

describe('broken pointers cost only what hangs off them', () => {
  const root = {type: 'leaf', items: [{key: Buffer.from('key'), value: pageBucket(3), bucket: true}]} as SyntheticPage

  it('a branch child outside the file: its siblings are still read', () => {
    const f = file(
      buildBolt({
        root: 2,
        pages: [
          root,
          {type: 'branch', children: [{key: revisionKey(1), page: 4}, {key: revisionKey(2), page: 999}, {key: revisionKey(3), page: 5}]},
          {type: 'leaf', items: [{key: revisionKey(1), value: kv('/a', 'one', 1)}]},
          {type: 'leaf', items: [{key: revisionKey(3), value: kv('/c', 'three', 3)}]},
        ],
      }),
    )
    const {revs, snap} = read(f)
    expect(revs.map((r) => r.value.toString())).toEqual(['one', 'three'])
    expect(snap.info().warnings.join()).toMatch(/skipped 1 damaged page\(s\) of the key bucket and the records below them \(page 999 is outside the file/)
    snap.close()
  })

  it('a child that is a meta page, a page that claims another id, a count that does not fit', () => {
    const bytes = buildBolt({
      root: 2,
      pages: [
        root,
        {type: 'branch', children: [{key: revisionKey(1), page: 0}, {key: revisionKey(2), page: 4}, {key: revisionKey(3), page: 5}, {key: revisionKey(4), page: 6}]},
        {type: 'leaf', claimId: 77, items: [{key: revisionKey(2), value: kv('/b', 'stale', 2)}]},
        {type: 'leaf', items: [{key: revisionKey(3), value: kv('/c', 'bad-count', 3)}]},
        {type: 'leaf', items: [{key: revisionKey(4), value: kv('/d', 'fine', 4)}]},
      ],
    })
    bytes.writeUInt16LE(5000, 5 * 4096 + 10)
    const {revs, snap} = read(file(bytes))
    expect(revs.map((r) => r.value.toString())).toEqual(['fine'])
    expect(snap.info().warnings.join()).toMatch(/skipped 3 damaged page\(s\) of the key bucket .*page 0 has flags 0x4 where a branch or leaf page belongs/)
    snap.close()
  })

  it('a chain of branches deeper than any real tree ends with a warning', () => {
    const pages: SyntheticPage[] = [root]
    for (let i = 0; i < 80; i++) pages.push({type: 'branch', children: [{key: revisionKey(1), page: 4 + i}]})
    pages.push({type: 'leaf', items: [{key: revisionKey(1), value: kv('/deep', 'v', 1)}]})
    let out: ReturnType<typeof read> | undefined
    expect(cpuMs(() => (out = read(file(buildBolt({root: 2, pages})))))).toBeLessThan(2000)
    const {revs, snap} = out!
    expect(revs).toEqual([])
    expect(snap.info().warnings.join()).toMatch(/deeper than 64 levels/)
    snap.close()
  })

  it('an element pointing outside its page, a record that is not a KeyValue, a key that is not a revision', () => {
    const bytes = buildBolt({
      root: 2,
      pages: [
        root,
        {
          type: 'leaf',
          items: [
            {key: revisionKey(1), value: kv('/a', 'ok-1', 1)},
            {key: revisionKey(2), value: kv('/b', 'points-away', 2)},
            {key: Buffer.from('not-a-revision'), value: kv('/c', 'x', 3)},
            {key: revisionKey(4), value: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f])},
            {key: revisionKey(5), value: kv('/e', 'ok-5', 5)},
          ],
        },
      ],
    })
    bytes.writeUInt32LE(90_000, 3 * 4096 + 16 + 16 + 4) // element 1's pos
    const {revs, snap} = read(file(bytes))
    expect(revs.map((r) => r.value.toString())).toEqual(['ok-1', 'ok-5'])
    expect(snap.info().warnings.join()).toMatch(/skipped 3 damaged record\(s\) in the key bucket/)
    snap.close()
  })

  it('an inline bucket too short to hold its page is refused as corrupt', () => {
    const f = file(buildBolt({root: 2, pages: [{type: 'leaf', items: [{key: Buffer.from('key'), value: Buffer.alloc(20), bucket: true}]}]}))
    const {revs, snap} = read(f)
    expect(revs).toEqual([])
    expect(snap.info().warnings.join()).toMatch(/inline bucket is too short/)
    snap.close()
  })
})

describe('the newest revision of each key', () => {
  const f = () =>
    file(
      buildBolt({
        root: 2,
        pages: [
          {
            type: 'leaf',
            items: [
              keyBucket([
                {key: revisionKey(2), value: kv('/registry/secrets/a/rotated', 'v1', 2)},
                {key: revisionKey(3), value: kv('/registry/secrets/a/gone', 'still-here', 3)},
                {key: revisionKey(4), value: kv('/registry/secrets/a/rotated', 'v2', 4, 2)},
                {key: revisionKey(5, 0, true), value: tombstone('/registry/secrets/a/gone')},
                {key: revisionKey(6), value: kv('/registry/secrets/a/rotated', 'v3', 6, 3)},
              ]),
            ],
          },
        ],
      }),
    )

  it('latest() after a pass, and on its own, agree', () => {
    const s = openSnapshot(f())
    const own = new Map(s.latest())
    ;[...s.revisions()]
    const after = s.latest()
    expect(after).toEqual(own)
    expect(after.get('/registry/secrets/a/rotated')).toEqual({main: 6, sub: 0, deleted: false, revisions: 3, values: 3, plaintext: 3})
    expect(after.get('/registry/secrets/a/gone')).toEqual({main: 5, sub: 0, deleted: true, revisions: 2, values: 1, plaintext: 1})
    s.close()
  })

  it('a tombstone is a revision of its own, with no value', () => {
    const {revs, snap} = read(f())
    expect(revs.map((r) => [r.main, r.tombstone, r.value.toString()])).toEqual([
      [2, false, 'v1'],
      [3, false, 'still-here'],
      [4, false, 'v2'],
      [5, true, ''],
      [6, false, 'v3'],
    ])
    snap.close()
  })
})

describe('fuzz: random page structures', () => {
  it('any tree of pages pointing anywhere: no hang, no crash, only input errors', () => {
    const page = fc.oneof(
      fc.record({type: fc.constant('branch' as const), children: fc.array(fc.record({key: fc.constant(revisionKey(1)), page: fc.nat({max: 14})}), {minLength: 1, maxLength: 4})}),
      fc.record({
        type: fc.constant('leaf' as const),
        items: fc.array(
          fc.oneof(
            fc.record({key: fc.nat({max: 50}).map((r) => revisionKey(r)), value: fc.nat({max: 50}).map((r) => kv(`/k/${r}`, `v${r}`, r + 1))}),
            fc.record({key: fc.constant(Buffer.from('key')), value: fc.nat({max: 14}).map(pageBucket), bucket: fc.constant(true)}),
            fc.record({key: fc.uint8Array({maxLength: 20}).map(Buffer.from), value: fc.uint8Array({maxLength: 40}).map(Buffer.from)}),
          ),
          {maxLength: 6},
        ),
      }),
      fc.record({type: fc.constant('raw' as const), bytes: fc.uint8Array({minLength: 16, maxLength: 600}).map(Buffer.from)}),
    )
    fc.assert(
      fc.property(
        fc.constantFrom(512, 1024, 4096),
        fc.nat({max: 14}),
        fc.array(page, {minLength: 1, maxLength: 12}),
        fc.array(fc.record({at: fc.nat(), byte: fc.integer({min: 0, max: 255})}), {maxLength: 8}),
        (pageSize, root, pages, flips) => {
          let bytes: Buffer
          try {
            bytes = buildBolt({pageSize, root, pages: pages as SyntheticPage[]})
          } catch {
            return // the generator made an item larger than the builder handles
          }
          for (const {at, byte} of flips) bytes[2 * pageSize + (at % Math.max(1, bytes.length - 2 * pageSize))] = byte
          const f = join(tmp.dir, 'fuzz-structure.db')
          writeFileSync(f, bytes)
          const ms = cpuMs(() => readWhole(f))
          expect(ms).toBeLessThan(2000)
        },
      ),
      {numRuns: 400, seed: 7_041_122},
    )
  })
})
