import {createRequire} from 'node:module'

import type {z as Zod} from '#zod'

import {type CacheUse, requireCached} from './code-cache.js'

// zod, loaded when a schema is first built rather than imported: a command that
// reads an incident log validated before (src/incident/validated.ts) never
// loads it (docs/performance.md, start-up). Schemas are built inside
// synchronous reads, so loading is require() of the CommonJS bundle the build
// writes (#zod in package.json, vendor/bundle.ts); without a build (tests on
// the sources) it is the zod package itself. The bundle is compiled from the
// code cache the build writes beside it (src/code-cache.ts).
const require = createRequire(import.meta.url)

let loaded: typeof Zod | undefined
let file: string | undefined
let fromBuild = false
let cacheUse: CacheUse | 'package' | undefined

/** The file zod is loaded from: the build's bundle, else the package. */
export function zodFile(): string {
  if (!file) {
    try {
      file = require.resolve('#zod')
      fromBuild = true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error
      file = require.resolve('zod')
    }
  }
  return file
}

export function zod(): typeof Zod {
  if (loaded) return loaded
  const f = zodFile()
  if (fromBuild) {
    const r = requireCached<{z: typeof Zod}>(f)
    ;[loaded, cacheUse] = [r.exports.z, r.cache]
  } else {
    ;[loaded, cacheUse] = [(require(f) as {z: typeof Zod}).z, 'package']
  }
  return loaded
}

/** How zod was loaded, once it was: from the bundle's code cache or not, or the package itself. */
export function zodCacheUse(): CacheUse | 'package' | undefined {
  return cacheUse
}

/** A schema (or anything else costly to make) built on its first use, once. */
export function onFirstUse<T>(build: () => T): () => T {
  let made: T | undefined
  return () => (made ??= build())
}
