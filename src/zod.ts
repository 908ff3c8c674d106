import {createRequire} from 'node:module'

import type {z as Zod} from '#zod'

// zod, loaded when a schema is first built rather than imported: a command that
// reads an incident log validated before (src/incident/validated.ts) never
// loads it (docs/performance.md, start-up). Schemas are built inside
// synchronous reads, so loading is require() of the CommonJS bundle the build
// writes (#zod in package.json, vendor/bundle.ts); without a build (tests on
// the sources) it is the zod package itself.
const require = createRequire(import.meta.url)

let loaded: typeof Zod | undefined
let file: string | undefined

/** The file zod is loaded from: the build's bundle, else the package. */
export function zodFile(): string {
  if (!file) {
    try {
      file = require.resolve('#zod')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error
      file = require.resolve('zod')
    }
  }
  return file
}

export function zod(): typeof Zod {
  loaded ??= (require(zodFile()) as {z: typeof Zod}).z
  return loaded
}

/** A schema (or anything else costly to make) built on its first use, once. */
export function onFirstUse<T>(build: () => T): () => T {
  let made: T | undefined
  return () => (made ??= build())
}
