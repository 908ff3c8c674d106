import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdirSync, readFileSync, realpathSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {cacheFileOf, requireCached, writeCodeCache} from '../src/code-cache.js'
import {importTarget} from '../src/paths.js'
import {leakctl, ROOT, tempDir} from './helpers/cli.js'

const t = tempDir()
afterAll(() => t.cleanup())

// A CommonJS module that uses what Node's wrapper gives it.
const MODULE = `'use strict'
const {sibling} = require('./sibling.cjs')
exports.self = this === module.exports
exports.file = __filename
exports.dir = __dirname
exports.sibling = sibling
exports.double = (n) => n * 2
`

function fresh(name: string, body = MODULE): string {
  const dir = join(t.dir, name)
  mkdirSync(dir, {recursive: true})
  writeFileSync(join(dir, 'sibling.cjs'), 'exports.sibling = 42\n')
  writeFileSync(join(dir, 'm.cjs'), body)
  return join(dir, 'm.cjs')
}

type M = {self: boolean; file: string; dir: string; sibling: number; double: (n: number) => number}

describe('requireCached', () => {
  it('loads a module as require() does, without a cache', () => {
    const file = fresh('plain')
    const {exports, cache} = requireCached<M>(file)
    expect(cache).toBe('absent')
    expect(exports).toMatchObject({self: true, file, dir: join(t.dir, 'plain'), sibling: 42})
    expect(exports.double(21)).toBe(42)
  })

  it('compiles from the cache the warm-up wrote, to the same module', async () => {
    const file = fresh('cached')
    let warmed = 0
    await writeCodeCache<M>(file, (m) => (warmed = m.double(2)))
    expect(warmed).toBe(4)
    const {exports, cache} = requireCached<M>(file)
    expect(cache).toBe('accepted')
    expect(exports).toMatchObject({self: true, file, sibling: 42})
    expect(exports.double(5)).toBe(10)
  })

  it('compiles from source when the cache is garbage, or belongs to other code', async () => {
    const garbage = fresh('garbage')
    writeFileSync(cacheFileOf(garbage), randomBytes(4096))
    expect(requireCached<M>(garbage)).toMatchObject({cache: 'rejected', exports: {sibling: 42}})

    const changed = fresh('changed')
    await writeCodeCache<M>(changed, () => {})
    writeFileSync(changed, `${MODULE}exports.added = 'a longer source than the cache was made for'\n`)
    const r = requireCached<M & {added: string}>(changed)
    expect(r.cache).toBe('rejected')
    expect(r.exports.added).toMatch(/longer source/)
  })

  it('compiles from source when the code changed and kept its length', async () => {
    const file = fresh('same-length')
    await writeCodeCache<M>(file, (m) => m.double(1))
    writeFileSync(file, MODULE.replace('n * 2', 'n * 3'))
    const r = requireCached<M>(file)
    expect(r.cache).toBe('rejected')
    expect(r.exports.double(2)).toBe(6)
  })

  it('import() inside the module is the one its loader passes in (vm.Script has none of its own)', async () => {
    const file = fresh('imports', `exports.load = (specifier) => __import(specifier)\n`)
    const seen: string[] = []
    const {exports} = requireCached<{load: (s: string) => Promise<{cpus: unknown}>}>(file, (specifier) => {
      seen.push(specifier)
      return import(specifier)
    })
    expect(typeof (await exports.load('node:os')).cpus).toBe('function')
    expect(seen).toEqual(['node:os'])
    const bare = requireCached<{load: (s: string) => Promise<unknown>}>(file).exports
    await expect(bare.load('node:os')).rejects.toThrow(/called import\("node:os"\) but was loaded without a loader for it/)
  })

  it("the build writes oclif's cache, this node accepts it, and oclif loads a command through it", () => {
    const bundle = join(ROOT, 'dist', 'vendor', 'oclif.cjs')
    const codeCache = join(ROOT, 'dist', 'src', 'code-cache.js')
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const {requireCached} = await import(${JSON.stringify(codeCache)}); const r = requireCached(${JSON.stringify(bundle)}, (s) => import(s)); console.log(r.cache, typeof r.exports.run.run, typeof r.exports.command.Command)`],
      {encoding: 'utf8'},
    )
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('accepted function function')
    const listed = leakctl(['playbook', 'list', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toBeTruthy()
  })

  it("package.json's imports are read as require.resolve reads them, for every entry", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {imports: Record<string, unknown>}
    const req = createRequire(join(ROOT, 'dist', 'commands', 'incident', 'status.js'))
    const specifiers = Object.keys(pkg.imports) as `#${string}`[]
    expect(specifiers.length).toBeGreaterThan(5)
    for (const s of specifiers) expect(realpathSync(importTarget(s)!), s).toBe(req.resolve(s))
    expect(importTarget('#not-there')).toBeUndefined()
  })

  it('the lock and id packages load from their bundles and caches, each once', () => {
    const vendored = join(ROOT, 'dist', 'src', 'vendored.js')
    const script = `const v = await import(${JSON.stringify(vendored)});
const a = v.loadVendored('#proper-lockfile', 'proper-lockfile'); const b = v.loadVendored('#proper-lockfile', 'proper-lockfile');
const u = v.loadVendored('#ulidx', 'ulidx');
console.log(typeof a.lock, a === b, v.vendoredUse('#proper-lockfile'), v.vendoredUse('#ulidx'), u.decodeTime(u.monotonicFactory()(1e12)), v.vendoredFile('#ulidx', 'ulidx').endsWith('ulidx.cjs'))`
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'})
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('function true accepted accepted 1000000000000 true')
  })

  it('the build writes zod\'s cache, and this node accepts it', () => {
    const zodModule = join(ROOT, 'dist', 'src', 'zod.js')
    expect(readFileSync(cacheFileOf(join(ROOT, 'dist', 'vendor', 'zod.cjs'))).length).toBeGreaterThan(10_000)
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(zodModule)}); const z = m.zod(); console.log(m.zodCacheUse(), z.string().min(2).safeParse('a').success)`], {encoding: 'utf8'})
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('accepted false')
  })
})
