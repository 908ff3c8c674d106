import {createHash} from 'node:crypto'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {Script} from 'node:vm'

// A CommonJS bundle loaded with V8's code cache, written beside it at build
// (vendor/bundle.ts). Node 20 compiles every file again on every start and
// has no cache of its own (module.enableCompileCache is Node 22); zod's bundle
// took 16 ms to compile and run and its schemas as long again to compile
// lazily, on every command that writes an event (docs/performance.md).
//
// The cache is part of the build, like the bundle. V8 checks a cache against
// its own version and flags; what it checks of the source is not documented
// beyond its length, so the file starts with the SHA-256 of the source it was
// made from. A cache made for other code, or one V8 refuses, is not used and
// the module is compiled from source: it costs time, never correctness.

export type CacheUse = 'accepted' | 'rejected' | 'absent'

export const cacheFileOf = (file: string): string => `${file}.v8cache`

const DIGEST = 32

function wrapped(file: string): string {
  // The wrapper Node gives every CommonJS module.
  return `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`
}

const digest = (source: string): Buffer => createHash('sha256').update(source).digest()

function run<T>(script: Script, file: string): T {
  const module = {exports: {} as T}
  const wrapper = script.runInThisContext() as (e: T, r: NodeJS.Require, m: {exports: T}, f: string, d: string) => void
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file))
  return module.exports
}

/** `require(file)`, compiled from its code cache when there is one made for this source that V8 accepts. */
export function requireCached<T>(file: string): {exports: T; cache: CacheUse} {
  const source = wrapped(file)
  const cacheFile = cacheFileOf(file)
  const stored = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined
  const fits = stored !== undefined && stored.length > DIGEST && digest(source).equals(stored.subarray(0, DIGEST))
  const script = new Script(source, {filename: file, ...(fits ? {cachedData: stored.subarray(DIGEST)} : {})})
  const cache: CacheUse = stored === undefined ? 'absent' : !fits || script.cachedDataRejected ? 'rejected' : 'accepted'
  return {exports: run<T>(script, file), cache}
}

/**
 * Writes `file`'s code cache after `warm` has used it: V8 then includes the functions the warm-up
 * compiled, not only the top level, so they are not compiled again on each start either.
 */
export function writeCodeCache<T>(file: string, warm: (exports: T) => void): void {
  const source = wrapped(file)
  const script = new Script(source, {filename: file})
  warm(run<T>(script, file))
  writeFileSync(cacheFileOf(file), Buffer.concat([digest(source), script.createCachedData()]))
}
