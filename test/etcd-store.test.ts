import {copyFileSync, readFileSync, statSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {isLeakctlError} from '../src/errors.js'
import {encodeField} from '../src/etcd/proto.js'
import {type KeyRevision, openSnapshot} from '../src/etcd/snapshot.js'
import {apply, makeSnapshot, saveSnapshot, startEtcd} from '../fixtures/etcd/server.js'
import {buildBolt, inlineBucket, pageBucket, readWhole, revisionKey} from './helpers/bolt.js'
import {tempDir} from './helpers/cli.js'
import {cpuMs} from './helpers/cpu.js'

let tmp: ReturnType<typeof tempDir>
let snap: string
let rawDb: string

const kv = (key: string, value: string, rev: number) => Buffer.concat([encodeField(1, key), encodeField(2, rev), encodeField(3, rev), encodeField(4, 1), encodeField(5, value)])

beforeAll(async () => {
  tmp = tempDir()
  snap = join(tmp.dir, 'snap.db')
  // A real etcd: puts, an update, a delete, a compaction, more writes.
  const etcd = await startEtcd()
  try {
    await apply(etcd.client, [
      {op: 'put', key: '/registry/secrets/prod/db', value: 'password-v1'},
      {op: 'put', key: '/registry/secrets/prod/db', value: 'password-v2'},
      {op: 'put', key: '/registry/secrets/prod/gone', value: 'deleted-later'},
      {op: 'delete', key: '/registry/secrets/prod/gone'},
      {op: 'put', key: '/registry/secrets/prod/old', value: 'compacted-v1'},
      {op: 'put', key: '/registry/secrets/prod/old', value: 'compacted-v2'},
      {op: 'compact'},
      {op: 'put', key: '/registry/secrets/prod/db', value: 'password-v3'},
      ...Array.from({length: 200}, (_, i) => ({op: 'put' as const, key: `/registry/configmaps/ns/cm-${i}`, value: `value-${i}-${'x'.repeat(200)}`})),
    ])
    saveSnapshot(etcd.endpoint, snap)
    await etcd.client.put('/after/snapshot').value('x')
  } finally {
    // Stopped, so member/snap/db is consistent on disk; copy it before the dir goes.
    const db = join(etcd.dataDir, 'data', 'member', 'snap', 'db')
    rawDb = join(tmp.dir, 'raw.db')
    await etcd.client.close()
    await new Promise((r) => setTimeout(r, 200))
    copyFileSync(db, rawDb)
    await etcd.stop()
  }
}, 60_000)
afterAll(() => tmp.cleanup())

const all = (path: string): KeyRevision[] => {
  const s = openSnapshot(path)
  try {
    return [...s.revisions()]
  } finally {
    s.close()
  }
}

describe('reading a real etcd snapshot', () => {
  it('reads the metas, the page size from the file, the buckets and the trailer', () => {
    const s = openSnapshot(snap)
    const info = s.info()
    s.close()
    expect(info.pageSize).toBe(4096)
    expect(info.trailer).toBe('match')
    expect(info.buckets).toEqual(expect.arrayContaining(['key', 'meta', 'lease', 'members']))
    expect(info.compactRevision).toBe(7)
    expect(info.scheduledCompactRevision).toBe(7)
    expect(info.consistentIndex).toBeGreaterThan(0)
    expect(info.warnings).toEqual([])
  })

  it('reports every revision still present, tombstones included, in revision order', () => {
    const revs = all(snap).filter((r) => r.key.toString().startsWith('/registry/secrets/'))
    const view = revs.map((r) => `${r.main} ${r.key.toString().split('/').at(-1)} ${r.tombstone ? 'DELETE' : r.value.toString()}`)
    // Compacting at 7 keeps each key's latest revision up to 7 (db v2, old v2) and drops the deleted key.
    expect(view).toEqual(['3 db password-v2', '7 old compacted-v2', '8 db password-v3'])
  })

  it('before a compaction, the old value and the deleted key are still there', async () => {
    const f = join(tmp.dir, 'uncompacted.db')
    await makeSnapshot(f, [
      {op: 'put', key: '/registry/secrets/a/s', value: 'rotated-last-week'},
      {op: 'put', key: '/registry/secrets/a/s', value: 'current'},
      {op: 'put', key: '/registry/secrets/a/gone', value: 'still-readable'},
      {op: 'delete', key: '/registry/secrets/a/gone'},
    ])
    const revs = all(f).map((r) => [r.key.toString(), r.tombstone, r.value.toString(), r.version])
    expect(revs).toEqual([
      ['/registry/secrets/a/s', false, 'rotated-last-week', 1],
      ['/registry/secrets/a/s', false, 'current', 2],
      ['/registry/secrets/a/gone', false, 'still-readable', 1],
      ['/registry/secrets/a/gone', true, '', 0],
    ])
  })

  it('latest() tells per key the newest revision and whether the key is deleted', async () => {
    const f = join(tmp.dir, 'latest.db')
    await makeSnapshot(f, [
      {op: 'put', key: '/registry/secrets/a/s', value: 'one'},
      {op: 'put', key: '/registry/secrets/a/gone', value: 'still-readable'},
      {op: 'put', key: '/registry/secrets/a/s', value: 'two'},
      {op: 'delete', key: '/registry/secrets/a/gone'},
      {op: 'put', key: '/registry/secrets/a/sealed', value: `k8s:enc:aescbc:v1:key1:${'\u0001'.repeat(48)}`},
      {op: 'put', key: '/registry/secrets/a/sealed', value: 'written before encryption was on'},
    ])
    const s = openSnapshot(f)
    const revs = [...s.revisions()]
    const latest = s.latest()
    s.close()
    // Values counted apart from tombstones; readable ones told from their envelope's first bytes.
    expect(latest.get('/registry/secrets/a/s')).toEqual({main: 4, sub: 0, deleted: false, revisions: 2, values: 2, plaintext: 2})
    expect(latest.get('/registry/secrets/a/gone')).toEqual({main: 5, sub: 0, deleted: true, revisions: 2, values: 1, plaintext: 1})
    expect(latest.get('/registry/secrets/a/sealed')).toEqual({main: 7, sub: 0, deleted: false, revisions: 2, values: 2, plaintext: 1})
    // Which revision is current, from the map.
    const current = revs.filter((r) => latest.get(r.key.toString('latin1'))?.main === r.main && !r.tombstone).map((r) => r.value.toString())
    expect(current).toEqual(['two', 'written before encryption was on'])
  })

  it('a snapshot too big to hash in-thread: the trailer is checked on a worker while the revisions are read', async () => {
    const f = join(tmp.dir, 'big.db')
    const mib = (i: number) => Buffer.alloc(1 << 20, i + 1)
    await makeSnapshot(
      f,
      Array.from({length: 20}, (_, i) => ({op: 'put' as const, key: `/registry/secrets/big/s-${i}`, value: mib(i)})),
      {txn: 2},
    )
    expect(statSync(f).size).toBeGreaterThan(20 << 20)
    const s = openSnapshot(f)
    const revs = [...s.revisions()]
    expect(revs.map((r) => r.value.length)).toEqual(Array(20).fill(1 << 20))
    expect(revs.every((r, i) => r.value.every((b) => b === i + 1))).toBe(true)
    expect([...s.latest().entries()].map(([k, v]) => `${k}@${v.main}`)).toEqual(revs.map((r) => `${r.key}@${r.main}`))
    expect(s.info().trailer).toBe('match')
    s.close()

    // One byte of a value changed: the structure still reads, the trailer says no.
    const tampered = join(tmp.dir, 'big-tampered.db')
    const bytes = readFileSync(f)
    const at = bytes.indexOf(Buffer.alloc(64, 7))
    bytes[at + 10] = 0x99
    writeFileSync(tampered, bytes)
    const t = openSnapshot(tampered)
    expect([...t.revisions()]).toHaveLength(20)
    expect(t.info().trailer).toBe('mismatch')
    expect(t.info().warnings.join()).toMatch(/trailer does not match/)
    t.close()

    // Not asked for: not computed; closed early: the worker is stopped, nothing waits.
    const u = openSnapshot(f, {verifyTrailer: false})
    expect(u.info().trailer).toBe('unverified')
    u.close()
    const early = openSnapshot(f)
    early.close()
  })

  it('accepts a raw member/snap/db (no trailer)', () => {
    const s = openSnapshot(rawDb)
    expect(s.info().trailer).toBe('absent')
    const keys = [...s.revisions()].map((r) => r.key.toString())
    s.close()
    expect(keys).toContain('/after/snapshot')
  })

  it('a trailer that does not match is reported', () => {
    const f = join(tmp.dir, 'tampered.db')
    const bytes = readFileSync(snap)
    bytes[bytes.length - 1] ^= 0xff
    writeFileSync(f, bytes)
    const s = openSnapshot(f)
    expect(s.info().trailer).toBe('mismatch')
    expect(s.info().warnings.join()).toMatch(/trailer does not match/)
    s.close()
  })
})

const keyBucket = (items: {key: Buffer; value: Buffer}[]) => ({key: Buffer.from('key'), value: inlineBucket(items), bucket: true})

describe('synthetic bbolt files', () => {
  it('takes the page size from the file (8192, 16384)', () => {
    for (const pageSize of [8192, 16384]) {
      const f = join(tmp.dir, `ps-${pageSize}.db`)
      writeFileSync(f, buildBolt({pageSize, root: 2, pages: [{type: 'leaf', items: [keyBucket([{key: revisionKey(5), value: kv('/registry/secrets/a/b', 'v', 5)}])]}]}))
      const s = openSnapshot(f)
      expect(s.info().pageSize).toBe(pageSize)
      expect([...s.revisions()].map((r) => r.value.toString())).toEqual(['v'])
      s.close()
    }
  })

  it('a key bucket in its own pages, under a branch page', () => {
    const f = join(tmp.dir, 'branch.db')
    writeFileSync(
      f,
      buildBolt({
        root: 2,
        pages: [
          {type: 'leaf', items: [{key: Buffer.from('key'), value: pageBucket(3), bucket: true}]},
          {type: 'branch', children: [{key: revisionKey(1), page: 4}, {key: revisionKey(2), page: 5}]},
          {type: 'leaf', items: [{key: revisionKey(1), value: kv('/k/a', 'one', 1)}]},
          {type: 'leaf', items: [{key: revisionKey(2), value: kv('/k/b', 'two', 2)}]},
        ],
      }),
    )
    expect(all(f).map((r) => r.value.toString())).toEqual(['one', 'two'])
  })

  it('the meta with the higher txid wins', () => {
    const f = join(tmp.dir, 'txid.db')
    writeFileSync(f, buildBolt({root: 2, txid: 41, pages: [{type: 'leaf', items: [keyBucket([])]}]}))
    const s = openSnapshot(f)
    expect(s.info()).toMatchObject({txid: 42, metaPage: 1})
    s.close()
  })
})

describe('bad input: a clear error or a named warning, within seconds', () => {
  const expectInputError = (f: string, re: RegExp) => {
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

  it('an empty file, a PNG, random bytes, a missing file', () => {
    const empty = join(tmp.dir, 'empty.db')
    writeFileSync(empty, '')
    expectInputError(empty, /is empty/)
    const png = join(tmp.dir, 'image.png')
    writeFileSync(png, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(9000, 7)]))
    expectInputError(png, /not an etcd snapshot or bbolt database \(a PNG image/)
    const junk = join(tmp.dir, 'junk.bin')
    writeFileSync(junk, Buffer.alloc(20_000, 0x41))
    expectInputError(junk, /not an etcd snapshot/)
    expectInputError(join(tmp.dir, 'nope.db'), /no such file/)
  })

  it('a bbolt file that is not etcd', () => {
    const f = join(tmp.dir, 'other.db')
    writeFileSync(f, buildBolt({root: 2, pages: [{type: 'leaf', items: [{key: Buffer.from('widgets'), value: inlineBucket([]), bucket: true}]}]}))
    expectInputError(f, /bbolt database but not an etcd one \(no "key" bucket; buckets: widgets\)/)
  })

  it('a truncated snapshot: what can be read is read, the damage is named', () => {
    const f = join(tmp.dir, 'truncated.db')
    copyFileSync(snap, f)
    truncateSync(f, Math.floor(statSync(f).size / 2))
    let warnings: string[] = []
    try {
      const s = openSnapshot(f)
      ;[...s.revisions()]
      warnings = s.info().warnings
      expect(s.damaged()).toBe(true)
      s.close()
    } catch (error) {
      expect(isLeakctlError(error) && (error as {exitCode: number}).exitCode).toBe(2)
      return
    }
    expect(warnings.join()).toMatch(/truncated/)
  })

  it('a page pointing outside the file', () => {
    const f = join(tmp.dir, 'outside.db')
    writeFileSync(f, buildBolt({root: 2, pages: [{type: 'leaf', items: [{key: Buffer.from('key'), value: pageBucket(999), bucket: true}]}]}))
    const s = openSnapshot(f)
    expect([...s.revisions()]).toEqual([])
    expect(s.damaged()).toBe(true)
    expect(s.info().warnings.join()).toMatch(/page 999 is outside the file/)
    s.close()
  })

  it('a cycle of pages', () => {
    const f = join(tmp.dir, 'cycle.db')
    writeFileSync(
      f,
      buildBolt({
        root: 2,
        pages: [
          {type: 'leaf', items: [{key: Buffer.from('key'), value: pageBucket(3), bucket: true}]},
          {type: 'branch', children: [{key: revisionKey(1), page: 4}]},
          {type: 'branch', children: [{key: revisionKey(1), page: 3}]},
        ],
      }),
    )
    let s: ReturnType<typeof openSnapshot> | undefined
    let revs: unknown[] = []
    expect(cpuMs(() => (revs = [...(s = openSnapshot(f)).revisions()]))).toBeLessThan(2000)
    expect(revs).toEqual([])
    expect(s!.info().warnings.join()).toMatch(/cycle of pages/)
    s!.close()
  })

  it('a corrupted value is skipped and counted', () => {
    const f = join(tmp.dir, 'badvalue.db')
    writeFileSync(f, buildBolt({root: 2, pages: [{type: 'leaf', items: [keyBucket([{key: revisionKey(1), value: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f])}, {key: revisionKey(2), value: kv('/ok', 'fine', 2)}])]}]}))
    const s = openSnapshot(f)
    expect([...s.revisions()].map((r) => r.value.toString())).toEqual(['fine'])
    expect(s.info().warnings.join()).toMatch(/skipped 1 damaged record/)
    s.close()
  })

  it('fuzz: mutated real snapshots never hang and never throw anything but a clear input error', () => {
    const original = readFileSync(snap)
    const f = join(tmp.dir, 'fuzz.db')
    fc.assert(
      fc.property(
        fc.array(fc.record({at: fc.nat({max: original.length - 1}), byte: fc.integer({min: 0, max: 255})}), {minLength: 1, maxLength: 24}),
        fc.option(fc.nat({max: original.length}), {nil: undefined}),
        fc.option(fc.record({page: fc.nat({max: Math.floor(original.length / 4096) - 1}), slot: fc.nat({max: 30}), to: fc.nat({max: 2 ** 31})}), {nil: undefined}),
        (flips, cut, rewire) => {
          const bytes = Buffer.from(original)
          for (const {at, byte} of flips) bytes[at] = byte
          // Point a branch element or a bucket header somewhere else.
          if (rewire) bytes.writeUInt32LE(rewire.to, rewire.page * 4096 + 16 + rewire.slot * 16 + 8)
          writeFileSync(f, cut === undefined ? bytes : bytes.subarray(0, cut))
          const ms = cpuMs(() => readWhole(f))
          expect(ms).toBeLessThan(3000)
        },
      ),
      {numRuns: 300, seed: 20261122},
    )
  })
})
