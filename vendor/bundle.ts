// Start-up (docs/performance.md): Node 20's ES module loader resolves, reads and
// compiles every file on its own, and oclif's runner (~100 files) and zod (~95)
// were most of what a command loaded before doing anything. At build, each
// entry of package.json's `imports` that points into dist/vendor/ (its `types`
// target is the source: the names it re-exports) is bundled by esbuild. The
// oclif entries share their code through dist/vendor/chunks/, so every part of
// leakctl sees one copy of oclif (its errors are tested with instanceof). tsc has already written
// an unbundled form of each entry at the same place: that is what runs when this
// step was skipped, only slower.
import {rmSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {build, type Plugin} from 'esbuild'

const root = join(import.meta.dirname, '..', '..')
const outdir = 'dist/vendor'

interface Target {
  types: string
  default: string
}

/** The entries bundled as ES modules (`.js` targets) or as CommonJS (`.cjs`: loaded with require(), as src/zod.ts does). */
async function entries(ext: '.js' | '.cjs'): Promise<{in: string; out: string}[]> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {imports: Record<string, Target>}
  return Object.values(pkg.imports)
    .filter((t) => t.default.startsWith(`./${outdir}/`) && t.default.endsWith(ext))
    .map((t) => ({in: t.types, out: t.default.slice(`./${outdir}/`.length, -ext.length)}))
}

/**
 * oclif sorts the manifest's command ids with localeCompare on every start: the first call builds
 * ICU's collator, 8-14 ms of each command's start-up. Our ids are lower-case ASCII words joined by
 * `:` and `-`, which code-unit order sorts the same (test/cli-contracts.test.ts holds it). The build
 * fails if the line is not found, so an oclif upgrade that moves it is noticed.
 */
const SORT_BY_LOCALE = '.sort((a, b) => a.id.localeCompare(b.id))'
const codeUnitSort: Plugin = {
  name: 'oclif-code-unit-sort',
  setup(b) {
    b.onLoad({filter: /@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/}, async (args) => {
      const text = await readFile(args.path, 'utf8')
      if (!text.includes(SORT_BY_LOCALE)) throw new Error(`${args.path}: oclif no longer sorts its commands with "${SORT_BY_LOCALE}"; update vendor/bundle.ts`)
      return {contents: text.replace(SORT_BY_LOCALE, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'), loader: 'js'}
    })
  },
}

const entryPoints = await entries('.js')
// A rerun leaves no chunk of an earlier one; tsc's source maps describe the unbundled form this step replaces.
rmSync(join(root, outdir, 'chunks'), {recursive: true, force: true})
for (const e of entryPoints) rmSync(join(root, outdir, `${e.out}.js.map`), {force: true})

await build({
  absWorkingDir: root,
  entryPoints,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // The bundled packages are CommonJS (oclif) calling require(): ES modules have none.
  // oclif requires it only to read a tsconfig.json when NODE_ENV is test or development.
  external: ['typescript'],
  banner: {js: "import {createRequire as __vendorRequire} from 'node:module'; const require = __vendorRequire(import.meta.url);"},
  plugins: [codeUnitSort],
  logLevel: 'warning',
})

// zod is CommonJS (#zod -> dist/vendor/zod.cjs): src/zod.ts loads it with require() when a schema
// is first built, inside synchronous reads, so commands that validate nothing never load it.
for (const e of await entries('.cjs')) {
  await build({
    absWorkingDir: root,
    entryPoints: [e.in],
    outfile: join(outdir, `${e.out}.cjs`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  })
}
