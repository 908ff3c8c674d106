import type {z as Zod} from '#zod'

import type {CacheUse} from './code-cache.js'
import {loadVendored, vendoredFile, vendoredUse} from './vendored.js'

// zod, loaded when a schema is first built rather than imported: a command that
// reads an incident log validated before (src/incident/validated.ts) never
// loads it (docs/performance.md, start-up). Schemas are built inside
// synchronous reads, so loading is synchronous too (src/vendored.ts).

/** The file zod is loaded from: the build's bundle, else the package. */
export const zodFile = (): string => vendoredFile('#zod', 'zod')

export const zod = (): typeof Zod => loadVendored<{z: typeof Zod}>('#zod', 'zod').z

/** How zod was loaded, once it was: from the bundle's code cache or not, or the package itself. */
export const zodCacheUse = (): CacheUse | 'package' | undefined => vendoredUse('#zod')

/** A schema (or anything else costly to make) built on its first use, once. */
export function onFirstUse<T>(build: () => T): () => T {
  let made: T | undefined
  return () => (made ??= build())
}
