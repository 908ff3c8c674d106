import {createHash} from 'node:crypto'
import {isAscii} from 'node:buffer'
import {closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, writeFileSync} from 'node:fs'
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
// made from (its bytes, wrapped). A cache made for other code, or one V8 refuses, is not used and
// the module is compiled from source: it costs time, never correctness.
//
// Code compiled by vm.Script has no loader for import() on Node 20 (without
// --experimental-vm-modules), so the module's wrapper has one more parameter,
// `__import`: the import() of the ES module that loads it. A bundle that needs
// import() calls that instead (vendor/oclif-edits.ts).

export type CacheUse = 'accepted' | 'rejected' | 'absent'

export const cacheFileOf = (file: string): string => `${file}.v8cache`

const DIGEST = 32

/** import() as the ES module that loads a bundle would call it. */
export type DynamicImport = (specifier: string) => Promise<unknown>

// The wrapper Node gives every CommonJS module, and the import() it cannot give.
const HEAD = Buffer.from('(function (exports, require, module, __filename, __dirname, __import) {')
const TAIL = Buffer.from('\n})')

/**
 * The wrapped source and its digest. Every byte copied counts at start-up (a bundle is ~0.5 MB):
 * the file is read once into a buffer that already holds the wrapper, hashed as bytes, and
 * decoded once; ASCII (what esbuild writes) becomes a one-byte string without UTF-8 decoding.
 */
function wrapped(file: string): {source: string; digest: Buffer} {
  const fd = openSync(file, 'r')
  let buf: Buffer
  try {
    const size = fstatSync(fd).size
    buf = Buffer.allocUnsafe(HEAD.length + size + TAIL.length)
    HEAD.copy(buf)
    let read = 0
    while (read < size) {
      const n = readSync(fd, buf, HEAD.length + read, size - read, null)
      if (n === 0) break
      read += n
    }
    TAIL.copy(buf, HEAD.length + read)
    buf = buf.subarray(0, HEAD.length + read + TAIL.length)
  } finally {
    closeSync(fd)
  }
  const source = isAscii(buf) ? buf.toString('latin1') : buf.toString('utf8')
  return {source, digest: createHash('sha256').update(buf).digest()}
}

const noImport =
  (file: string): DynamicImport =>
  (specifier) =>
    Promise.reject(new Error(`${file} called import(${JSON.stringify(specifier)}) but was loaded without a loader for it`))

function run<T>(script: Script, file: string, dynamicImport: DynamicImport): T {
  const module = {exports: {} as T}
  const wrapper = script.runInThisContext() as (e: T, r: NodeJS.Require, m: {exports: T}, f: string, d: string, i: DynamicImport) => void
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file), dynamicImport)
  return module.exports
}

/**
 * `require(file)`, compiled from its code cache when there is one made for this source that V8 accepts.
 * Unlike require() it loads the file again on each call: a caller that needs one instance keeps it.
 */
export function requireCached<T>(file: string, dynamicImport: DynamicImport = noImport(file)): {exports: T; cache: CacheUse} {
  const {source, digest} = wrapped(file)
  const cacheFile = cacheFileOf(file)
  const stored = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined
  const fits = stored !== undefined && stored.length > DIGEST && digest.equals(stored.subarray(0, DIGEST))
  const script = new Script(source, {filename: file, ...(fits ? {cachedData: stored.subarray(DIGEST)} : {})})
  const cache: CacheUse = stored === undefined ? 'absent' : !fits || script.cachedDataRejected ? 'rejected' : 'accepted'
  return {exports: run<T>(script, file, dynamicImport), cache}
}

/**
 * Writes `file`'s code cache after `warm` has used it: V8 then includes the functions the warm-up
 * compiled, not only the top level, so they are not compiled again on each start either.
 */
export async function writeCodeCache<T>(file: string, warm: (exports: T) => void | Promise<void>, dynamicImport: DynamicImport = noImport(file)): Promise<T> {
  const {source, digest} = wrapped(file)
  const script = new Script(source, {filename: file})
  const exports = run<T>(script, file, dynamicImport)
  await warm(exports)
  writeFileSync(cacheFileOf(file), Buffer.concat([digest, script.createCachedData()]))
  return exports
}
