import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {encodeField} from '../src/etcd/proto.js'
import {openSnapshot, type Remnant} from '../src/etcd/snapshot.js'
import {makeSnapshot, type Op} from '../fixtures/etcd/server.js'
import {buildBolt, pageBucket, revisionKey} from './helpers/bolt.js'
import {tempDir} from './helpers/cli.js'

// --deep: old values in pages the tree no longer reaches. Real etcd decides
// which freed pages it reuses, so the exact set found in its snapshots is
// not fixed; the synthetic file pins every path (an intact freed leaf, a
// freed copy of a live leaf, carving inside a page, across pages, and a
// record cut off by a reused page).

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.cleanup())

const kv = (key: string, value: string | Buffer, rev: number) => Buffer.concat([encodeField(1, key), encodeField(2, rev), encodeField(3, rev), encodeField(4, 1), encodeField(5, value)])

function remnantsOf(f: string) {
  const s = openSnapshot(f)
  try {
    const live = [...s.revisions()]
    const remnants = [...s.remnants()]
    return {live, remnants, stats: {...s.deepStats()}, warnings: [...s.info().warnings], pageSize: s.info().pageSize}
  } finally {
    s.close()
  }
}

/** Every remnant's pageId/offset must point at its record's first byte in the file. */
function expectOffsetsPointAtRecords(f: string, pageSize: number, remnants: Remnant[]): void {
  const bytes = readFileSync(f)
  for (const r of remnants) {
    expect(r.offset).toBeLessThan(pageSize)
    const at = r.pageId * pageSize + r.offset
    expect(bytes[at]).toBe(0x0a)
    expect(bytes.subarray(at, at + 200).includes(r.key)).toBe(true)
  }
}

describe('--deep on snapshots made by a real etcd', () => {
  it('a rotated value and a deleted Secret, both compacted away, are still in freed pages', async () => {
    const f = join(tmp.dir, 'rotated.db')
    const ops: Op[] = []
    for (let i = 0; i < 120; i++) ops.push({op: 'put', key: `/registry/secrets/prod/s-${i}`, value: `OLD-VALUE-${i}-`.padEnd(300, 'o')})
    for (let i = 0; i < 120; i++) ops.push({op: 'put', key: `/registry/secrets/prod/s-${i}`, value: `NEW-VALUE-${i}-`.padEnd(300, 'n')})
    ops.push({op: 'put', key: '/registry/secrets/prod/deleted', value: 'DELETED-BUT-READABLE'})
    ops.push({op: 'delete', key: '/registry/secrets/prod/deleted'})
    ops.push({op: 'compact'})
    await makeSnapshot(f, ops)
    const {live, remnants, stats, warnings, pageSize} = remnantsOf(f)
    // The live tree has only the new values.
    expect(live.every((r) => r.value.toString().startsWith('NEW-VALUE-'))).toBe(true)
    expect(live).toHaveLength(120)
    const values = remnants.map((r) => r.value.toString())
    // No freed copy of a live record comes back as a remnant.
    expect(values.filter((v) => v.startsWith('NEW-VALUE-'))).toEqual([])
    expect(values).toContain('DELETED-BUT-READABLE')
    // Each old value is exactly what was written for its key, and appears once.
    const old = remnants.filter((r) => r.value.toString().startsWith('OLD-VALUE-'))
    expect(old.length).toBeGreaterThan(60)
    for (const r of old) expect(r.value.toString()).toBe(`OLD-VALUE-${r.key.toString().split('-').at(-1)}-`.padEnd(300, 'o'))
    expect(new Set(old.map((r) => r.key.toString())).size).toBe(old.length)
    expect(stats.unreachablePages).toBeGreaterThan(0)
    expect(stats.copiesOfLive).toBeGreaterThan(0)
    expect(warnings).toEqual([])
    expectOffsetsPointAtRecords(f, pageSize, remnants)
  })

  it('big values (Helm release Secrets) freed by compaction: intact runs are read, broken ones carved, every value exact', async () => {
    const f = join(tmp.dir, 'helm.db')
    const big = (tag: string, i: number) => `${tag}-${i}-`.padEnd(30_000, tag[0])
    const ops: Op[] = []
    for (let i = 0; i < 8; i++) ops.push({op: 'put', key: `/registry/secrets/helm/sh.helm.release.v1.app.v${i}`, value: big('OLDV', i)})
    for (let i = 0; i < 8; i++) ops.push({op: 'put', key: `/registry/secrets/helm/sh.helm.release.v1.app.v${i}`, value: big('NEWV', i)})
    ops.push({op: 'compact'})
    // Small writes reuse single freed pages: the heads of freed runs, leaving their tails.
    for (let i = 0; i < 200; i++) ops.push({op: 'put', key: `/registry/configmaps/x/c-${i}`, value: `small-${i}`})
    await makeSnapshot(f, ops)
    const {remnants, stats, pageSize} = remnantsOf(f)
    expect(remnants.length).toBeGreaterThan(0)
    for (const r of remnants) {
      const i = Number(r.key.toString().split('.v').at(-1))
      expect(r.truncated ? big('OLDV', i).startsWith(r.value.toString()) : r.value.toString() === big('OLDV', i)).toBe(true)
    }
    expect(stats.leafPages + stats.carvedPages).toBeGreaterThan(0)
    expectOffsetsPointAtRecords(f, pageSize, remnants)
  })
})

describe('--deep on a synthetic file: every path pinned', () => {
  // page 2  root: key -> 3
  // page 3  key bucket (live): rev 5 '/registry/secrets/a/live' = LIVE
  // page 4  freed leaf, intact: rev 3 (old value), rev 5 (a copy of the live record)
  // page 5  no longer a page: text noise, then a revision key + KeyValue (rev 4)
  // page 6-7 no longer pages: a record starting near the end of 6, its value running into 7
  // page 8  no longer a page: a record whose value runs past page 8, into page 9 (reused)
  // page 9  the freelist (live): it lists 4..8
  const truncated = kv('/registry/secrets/b/cut-off', Buffer.alloc(9000, 0x54), 7)
  const build = () => {
    const noise = (n: number) => Buffer.from(Array.from({length: n}, (_, i) => (i % 7 === 0 ? '\n' : String.fromCharCode(0x61 + (i % 26)))).join(''))
    const page = (parts: Buffer[], size = 4096) => {
      const b = Buffer.concat(parts)
      return Buffer.concat([b, noise(size - b.length)])
    }
    const span = kv('/registry/secrets/b/spanning', Buffer.alloc(3000, 0x53), 6)
    const spanStart = 4096 - 1000
    const pages = [
      {type: 'leaf', items: [{key: Buffer.from('key'), value: pageBucket(3), bucket: true}]},
      {type: 'leaf', items: [{key: revisionKey(5), value: kv('/registry/secrets/a/live', 'LIVE', 5)}]},
      {type: 'leaf', items: [{key: revisionKey(3), value: kv('/registry/secrets/a/live', 'OLD-3', 3)}, {key: revisionKey(5), value: kv('/registry/secrets/a/live', 'LIVE', 5)}]},
      {type: 'raw', bytes: page([noise(700), revisionKey(4), kv('/registry/secrets/b/gone', 'CARVED-4', 4)])},
      {type: 'raw', bytes: Buffer.concat([page([noise(spanStart - 17), revisionKey(6), span], 8192)])},
      {type: 'raw', bytes: page([noise(3000), truncated.subarray(0, 4096 - 3000)])},
      {type: 'freelist', ids: [4, 5, 6, 7, 8]},
    ] as const
    return buildBolt({root: 2, freelist: 9, pages: pages as never})
  }

  it('finds each old record once, with its page and offset; skips the live copy', () => {
    const f = join(tmp.dir, 'deep-synthetic.db')
    writeFileSync(f, build())
    const {remnants, stats, pageSize} = remnantsOf(f)
    expect(remnants.map((r) => ({page: r.pageId, source: r.source, main: r.main, key: r.key.toString(), value: r.value.length > 20 ? `${r.value.length} bytes` : r.value.toString(), truncated: r.truncated}))).toEqual([
      {page: 4, source: 'leaf', main: 3, key: '/registry/secrets/a/live', value: 'OLD-3', truncated: false},
      {page: 5, source: 'carved', main: 4, key: '/registry/secrets/b/gone', value: 'CARVED-4', truncated: false},
      {page: 6, source: 'carved', main: 6, key: '/registry/secrets/b/spanning', value: '3000 bytes', truncated: false},
      {page: 8, source: 'carved', main: 7, key: '/registry/secrets/b/cut-off', value: `${4096 - 3000 - (truncated.length - 9000)} bytes`, truncated: true},
    ])
    expect(stats).toEqual({unreachablePages: 5, freelistPages: 5, leafPages: 1, carvedPages: 4, remnants: 4, copiesOfLive: 1})
    expectOffsetsPointAtRecords(f, pageSize, remnants)
  })

  it('a noisy page of text with newlines yields nothing made up', () => {
    const noise = Buffer.from(Array.from({length: 4096 * 4}, (_, i) => (i % 5 === 0 ? '\n' : i % 11 === 0 ? '\x10' : 'k')).join(''), 'latin1')
    const f = join(tmp.dir, 'noise.db')
    writeFileSync(
      f,
      buildBolt({
        root: 2,
        pages: [{type: 'leaf', items: [{key: Buffer.from('key'), value: pageBucket(3), bucket: true}]}, {type: 'leaf', items: [{key: revisionKey(1), value: kv('/k', 'v', 1)}]}, {type: 'raw', bytes: noise}],
      }),
    )
    const {remnants, stats} = remnantsOf(f)
    expect(remnants).toEqual([])
    expect(stats.carvedPages).toBe(4)
  })
})
