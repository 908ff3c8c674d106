import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {closeSync, mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {BlobReader} from '../src/git/blobs.js'
import {pipeEnds} from '../src/git/fifo.js'
import {TestRepo} from './helpers/git.js'

// cat-file --batch is read into 64 KiB buffers that are reused once the parser lets go of them
// (src/git/fifo.ts): a blob spanning many reads, a header split across two, or a pause for
// backpressure must never see bytes of a later read. Each blob's bytes must hash to its id.

const root = mkdtempSync(join(tmpdir(), 'leakctl-blob-reader-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))

/** Deterministic bytes (a hash chain), `n` of them. */
function bytes(seed: number, n: number): Buffer {
  const out = Buffer.alloc(n)
  let block = createHash('sha256').update(String(seed)).digest()
  for (let at = 0; at < n; at += block.length) {
    block.copy(out, at)
    block = createHash('sha256').update(block).digest()
  }
  return out
}

/** Reads a repository of awkwardly sized blobs, twice over, and checks each blob against its id. */
async function readsEveryBlobWhole(name: string): Promise<void> {
  const repo = new TestRepo(join(root, name))
  // Sizes around the 64 KiB read: whole multiples, one byte either side, several MiB, tiny ones between.
  const sizes = [1, 65_535, 65_536, 65_537, 131_072, 3_000_001, 7, 200_000, 0, 1_048_576, 65_500, 90]
  sizes.forEach((n, i) => repo.write(`f${i}.bin`, bytes(i, n)))
  repo.commit('blobs')
  const ids = repo.git('ls-tree', '-r', 'HEAD').trim().split('\n').map((l) => l.split(/\s+/)[2]!)
  const seen = new Map<string, boolean>()
  let k = 0
  const reader = new BlobReader(repo.dir, 1 << 30, {
    blob(sha, data, size) {
      const h = createHash('sha1').update(`blob ${size}\0`)
      for (const p of data) h.update(p)
      seen.set(sha, h.digest('hex') === sha)
      // Every third answer asks to wait, as the worker pool does when its bytes in flight are many.
      return ++k % 3 === 0 ? new Promise<void>((r) => setTimeout(r, 5)) : undefined
    },
    skip(sha, reason) {
      throw new Error(`${sha} skipped: ${reason}`)
    },
  })
  // Twice each, so the reader's buffers are reused many times over.
  for (const id of [...ids, ...ids]) reader.request(id)
  await reader.close()
  expect(k).toBe(2 * ids.length)
  expect([...seen.entries()].filter(([, ok]) => !ok)).toEqual([])
  expect(seen.size).toBe(new Set(ids).size)
}

describe('BlobReader', () => {
  it('delivers every blob whole and unchanged, across reads, split headers and pauses', async () => {
    // Here mkfifo is there: the reader reads its own FIFO into reused buffers.
    const ends = pipeEnds()
    expect(ends).toBeDefined()
    closeSync(ends!.readFd)
    closeSync(ends!.writeFd)
    await readsEveryBlobWhole('fifo')
  })

  it("does the same through spawn's own pipe where no FIFO can be made (no mkfifo)", async () => {
    // A PATH with git and nothing else: pipeEnds() finds no mkfifo and the reader falls back.
    const bin = join(root, 'bin-without-mkfifo')
    mkdirSync(bin)
    symlinkSync(execFileSync('sh', ['-c', 'command -v git'], {encoding: 'utf8'}).trim(), join(bin, 'git'))
    const path = process.env.PATH
    process.env.PATH = bin
    try {
      expect(pipeEnds()).toBeUndefined()
      await readsEveryBlobWhole('no-fifo')
    } finally {
      process.env.PATH = path
    }
  })
})
