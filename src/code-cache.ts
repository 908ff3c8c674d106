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
// The cache is part of the build, like the bundle: V8 checks it against its
// own version and flags and the source's length, and compiles from source
// when it does not fit, so a stale or foreign cache costs time, never
// correctness.

export type CacheUse = 'accepted' | 'rejected' | 'absent'

export const cacheFileOf = (file: string): string => `${file}.v8cache`

function compile(file: string, cachedData?: Buffer): Script {
  // The wrapper Node gives every CommonJS module.
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`
  return new Script(source, {filename: file, ...(cachedData ? {cachedData} : {})})
}

function run<T>(script: Script, file: string): T {
  const module = {exports: {} as T}
  const wrapper = script.runInThisContext() as (e: T, r: NodeJS.Require, m: {exports: T}, f: string, d: string) => void
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file))
  return module.exports
}

/** `require(file)`, compiled from its code cache when there is one that fits. */
export function requireCached<T>(file: string): {exports: T; cache: CacheUse} {
  const cacheFile = cacheFileOf(file)
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined
  const script = compile(file, cachedData)
  const cache: CacheUse = !cachedData ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted'
  return {exports: run<T>(script, file), cache}
}

/**
 * Writes `file`'s code cache after `warm` has used it: V8 then includes the functions the warm-up
 * compiled, not only the top level, so they are not compiled again on each start either.
 */
export function writeCodeCache<T>(file: string, warm: (exports: T) => void): void {
  const script = compile(file)
  warm(run<T>(script, file))
  writeFileSync(cacheFileOf(file), script.createCachedData())
}
