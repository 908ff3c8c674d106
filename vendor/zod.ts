// Bundled into one file by vendor/bundle.ts at build: only the names listed in ./zod/names.ts exist at run time.
export * as z from './zod/names.js'
