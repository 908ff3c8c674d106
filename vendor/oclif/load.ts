// oclif's one CommonJS bundle (dist/vendor/oclif.cjs), compiled from its V8 code cache
// (src/code-cache.ts), loaded once for every #oclif/* entry: the build writes each entry as the
// names it re-exports from this (vendor/bundle.ts). Without a build nothing imports it.
import {fileURLToPath} from 'node:url'

import {requireCached} from '../../src/code-cache.js'

export const oclif = requireCached<Record<string, Record<string, unknown>>>(fileURLToPath(new URL('../oclif.cjs', import.meta.url)), (specifier) => import(specifier)).exports
