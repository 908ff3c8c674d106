import {randomBytes} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {Fingerprinter} from '../src/fingerprint/key.js'
import {type GitScanResult, scanRepository} from '../src/git/scan.js'
import {TEST_FINGERPRINTER} from './helpers/fingerprint.js'
import {tempDir} from './helpers/cli.js'
import {TestRepo} from './helpers/git.js'

// The blob cache of scan git: a second scan of a repository reads only the
// blobs the first did not see, gives the same answer, keeps no value, and a
// cache from other detection code or another key is never trusted.

const token = `ghp_${randomBytes(40).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 36)}`
const password = randomBytes(12).toString('base64url')
let tmp: ReturnType<typeof tempDir>
let repo: TestRepo
let secretBlob: string
const strip = (r: GitScanResult) => ({...r, stats: {...r.stats, ms: 0}})
const cacheFiles = (ws: string) => readdirSync(join(ws, 'cache', 'scan-git')).map((f) => join(ws, 'cache', 'scan-git', f))
/** Removes a loose object: a scan that still asks git for it reports it missing. */
const dropObject = (sha: string) => rmSync(join(repo.dir, '.git', 'objects', sha.slice(0, 2), sha.slice(2)))

beforeAll(() => {
  tmp = tempDir()
  repo = new TestRepo(join(tmp.dir, 'repo'))
  repo.write('README.md', '# api\n').write('app.env', `GITHUB_TOKEN=${token}\n`)
  repo.commit('init')
  repo.write('db.env', `DB_PASSWORD=${password}\n`)
  repo.commit('db')
  secretBlob = repo.git('rev-parse', 'HEAD:db.env').trim()
}, 60_000)
afterAll(() => tmp.cleanup())

describe('scan git blob cache', () => {
  it('a second scan reads no blob it has seen, and answers the same', async () => {
    const ws = join(tmp.dir, 'ws1')
    const first = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, cacheDir: ws})
    expect(first.findings.map((f) => f.path).sort()).toEqual(['app.env', 'db.env'])
    const [file] = cacheFiles(ws)
    expect(statSync(file!).mode & 0o777).toBe(0o600)
    expect(statSync(join(ws, 'cache', 'scan-git')).mode & 0o777).toBe(0o700)
    const text = readFileSync(file!, 'utf8')
    expect(text).toContain(secretBlob)
    expect(text).not.toContain(token.slice(4))
    expect(text).not.toContain(password)
    // The blob is gone from the repository: only the cache can answer for it.
    const saved = readFileSync(join(repo.dir, '.git', 'objects', secretBlob.slice(0, 2), secretBlob.slice(2)))
    dropObject(secretBlob)
    try {
      const second = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, cacheDir: ws})
      expect(strip(second)).toEqual(strip(first))
      // Without the cache the same scan has to read it, and cannot.
      const uncached = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER})
      expect(uncached.skipped.map((s) => s.blob)).toContain(secretBlob)
      // A cache written by other detection code (its header differs) is not trusted.
      writeFileSync(file!, text.replace(/^leakctl-blob-cache 1 [0-9a-f]+/, `leakctl-blob-cache 1 ${'0'.repeat(64)}`))
      const otherRules = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, cacheDir: ws})
      expect(otherRules.skipped.map((s) => s.blob)).toContain(secretBlob)
      // Nor is a damaged one.
      writeFileSync(file!, `${text.split('\n')[0]}\nnot a cache line\n`)
      const damaged = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, cacheDir: ws})
      expect(damaged.skipped.map((s) => s.blob)).toContain(secretBlob)
    } finally {
      mkdirSync(join(repo.dir, '.git', 'objects', secretBlob.slice(0, 2)), {recursive: true})
      writeFileSync(join(repo.dir, '.git', 'objects', secretBlob.slice(0, 2), secretBlob.slice(2)), saved)
    }
  })

  it('another fingerprint key has its own cache: fingerprints are never mixed', async () => {
    const ws = join(tmp.dir, 'ws2')
    const other = new Fingerprinter(Buffer.alloc(32, 0x11))
    await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, cacheDir: ws})
    const r = await scanRepository(repo.dir, {fingerprinter: other, cacheDir: ws})
    expect(r.findings.map((f) => f.fingerprint)).toContain(other.of(token))
    expect(cacheFiles(ws)).toHaveLength(2)
  })

  it('a blob over this scan’s size limit is skipped as too large, even when cached', async () => {
    const ws = join(tmp.dir, 'ws3')
    await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, cacheDir: ws})
    const r = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, cacheDir: ws, maxBlobBytes: 10})
    expect(r.skipped.filter((s) => s.reason === 'too-large').map((s) => s.path).sort()).toEqual(['app.env', 'db.env'])
    expect(r.findings).toHaveLength(0)
  })
})
