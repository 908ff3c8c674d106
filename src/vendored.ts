import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'

import {type CacheUse, requireCached} from './code-cache.js'
import {importTarget} from './paths.js'

// Packages bundled at build into CommonJS with V8's code cache (package.json
// `imports` -> dist/vendor/*.cjs, vendor/bundle.ts), loaded on first use with
// require semantics (once per process) rather than imported: a command that
// never needs one never loads it, and callers inside synchronous code can.
// Without a build (tests on the sources) the package itself is loaded.
const require = createRequire(import.meta.url)

interface Vendored {
  file: string
  fromBuild: boolean
  exports?: unknown
  use?: CacheUse | 'package'
}

const table = new Map<string, Vendored>()

function entry(specifier: `#${string}`, pkg: string): Vendored {
  let v = table.get(specifier)
  if (!v) {
    const built = importTarget(specifier)
    v = built !== undefined && existsSync(built) ? {file: built, fromBuild: true} : {file: require.resolve(pkg), fromBuild: false}
    table.set(specifier, v)
  }
  return v
}

/** The file `specifier` is loaded from: the build's bundle, else the package `pkg`. */
export function vendoredFile(specifier: `#${string}`, pkg: string): string {
  return entry(specifier, pkg).file
}

/** `specifier`'s exports, loaded the first time (from the bundle's code cache when V8 accepts it). */
export function loadVendored<T>(specifier: `#${string}`, pkg: string): T {
  const v = entry(specifier, pkg)
  if (v.exports === undefined) {
    if (v.fromBuild) {
      const r = requireCached<T>(v.file)
      ;[v.exports, v.use] = [r.exports, r.cache]
    } else {
      ;[v.exports, v.use] = [require(v.file) as T, 'package']
    }
  }
  return v.exports as T
}

/** How `specifier` was loaded, once it was: from its bundle's code cache or not, or the package itself. */
export function vendoredUse(specifier: `#${string}`): CacheUse | 'package' | undefined {
  return table.get(specifier)?.use
}
