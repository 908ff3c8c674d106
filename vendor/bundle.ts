// Start-up (docs/performance.md): Node 20's ES module loader resolves, reads and
// compiles every file on its own, and oclif's runner (~100 files) and zod (~95)
// were most of what a command loaded before doing anything. At build, each
// entry of package.json's `imports` that points into dist/vendor/ (its `types`
// target is the source: the names it re-exports) is bundled by esbuild. The
// oclif entries are one CommonJS bundle, so every part of leakctl sees one copy
// of oclif (its errors are tested with instanceof). tsc has already written
// an unbundled form of oclif's entries at the same place: that is what runs when
// this step was skipped, only slower; the others are then the packages themselves
// (src/vendored.ts). oclif's sources are edited on the way in
// (vendor/oclif-edits.ts), and every bundle gets V8's code cache
// (src/code-cache.ts).
import {rmSync} from 'node:fs'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {build, type BuildOptions, type Plugin} from 'esbuild'

import type {z as Zod} from '#zod'

import {writeCodeCache} from '../src/code-cache.js'
import {escapeNonAscii} from './ascii.js'
import {EDITS} from './oclif-edits.js'

const root = join(import.meta.dirname, '..', '..')
const outdir = 'dist/vendor'

interface Target {
  types: string
  default: string
}

/** The entries whose targets are ES modules (`.js`: oclif's) or CommonJS (`.cjs`: loaded by src/vendored.ts). */
async function entries(ext: '.js' | '.cjs'): Promise<{in: string; out: string}[]> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {imports: Record<string, Target>}
  return Object.values(pkg.imports)
    .filter((t) => t.default.startsWith(`./${outdir}/`) && t.default.endsWith(ext))
    .map((t) => ({in: t.types, out: t.default.slice(`./${outdir}/`.length, -ext.length)}))
}

/** Applies vendor/oclif-edits.ts; the build fails if a file it names was never bundled. */
const sourceEdits = (): Plugin => ({
  name: 'source-edits',
  setup(b) {
    const edited = new Set<string>()
    b.onEnd(() => {
      const missed = Object.keys(EDITS).filter((f) => !edited.has(f))
      if (missed.length > 0) throw new Error(`${missed.join(', ')} no longer bundled: update vendor/oclif-edits.ts`)
    })
    b.onLoad({filter: /[\\/]node_modules[\\/].*\.js$/}, async (args) => {
      const path = args.path.replaceAll('\\', '/')
      const file = Object.keys(EDITS).find((f) => path.endsWith(`/node_modules/${f}`))
      if (!file) return undefined
      edited.add(file)
      let text = await readFile(args.path, 'utf8')
      for (const e of EDITS[file]!) {
        const found = text.split(e.from).length - 1
        if (found !== (e.count ?? 1)) throw new Error(`${args.path}: "${e.from}" found ${found} times, not ${e.count ?? 1} (${e.why}); update vendor/oclif-edits.ts`)
        text = text.replaceAll(e.from, e.to)
      }
      return {contents: text, loader: 'js'}
    })
  },
})

// oclif's entries (#oclif/run, #oclif/flags…: the `.js` targets) are one CommonJS bundle, each
// entry's names under its own key, compiled from V8's code cache: as ES modules, compiling them was
// ~25 ms of every start. Each entry's file is a module that re-exports its names from that one
// instance (its errors are tested with instanceof), which vendor/oclif/load.ts loads once.
const OCLIF = 'oclif/'
const oclifEntries = await entries('.js')
const strays = oclifEntries.filter((e) => !e.out.startsWith(OCLIF))
if (strays.length > 0) throw new Error(`${strays.map((e) => e.in).join(', ')}: only oclif's entries are ES modules; make it a .cjs target`)
for (const e of oclifEntries) rmSync(join(root, outdir, `${e.out}.js.map`), {force: true})
const oclifBundle = join(root, outdir, 'oclif.cjs')
const keyOf = (e: {out: string}): string => e.out.slice(OCLIF.length)
await bundleCommonJs(
  {stdin: {contents: oclifEntries.map((e) => `export * as ${keyOf(e)} from './${e.in}'`).join('\n'), resolveDir: root, loader: 'ts'}},
  oclifBundle,
  [sourceEdits()],
)
// No warm-up: one through oclif's config loading (`--version`) made the cache larger and no start faster.
const oclif = await writeCodeCache<Record<string, Record<string, unknown>>>(oclifBundle, () => {}, (specifier) => import(specifier))
for (const e of oclifEntries) {
  const names = Object.keys(oclif[keyOf(e)] ?? {})
  if (names.length === 0) throw new Error(`${e.in} exports nothing from ${oclifBundle}`)
  await writeFile(
    join(root, outdir, `${e.out}.js`),
    `// Written by vendor/bundle.ts: ${e.in}'s names from oclif's one bundle (./load.js).
import {oclif} from './load.js'
export const {${names.join(', ')}} = oclif.${keyOf(e)}
`,
  )
}

// The others (#zod, #proper-lockfile, #ulidx: the `.cjs` targets) are loaded on first use by
// src/vendored.ts, inside synchronous code where needed, so a command that never validates or
// writes never loads them. zod's cache is written after a warm-up with the schemas leakctl builds.
const WARM_UP: Record<string, (exports: never) => void> = {zod: warmZod}
for (const e of await entries('.cjs')) {
  const file = join(root, outdir, `${e.out}.cjs`)
  await bundleCommonJs({entryPoints: [e.in]}, file, [])
  await writeCodeCache(file, WARM_UP[e.out] ?? (() => {}))
}

/**
 * A CommonJS bundle for requireCached() (src/code-cache.ts), which reads, hashes and compiles it
 * at every start: minified (half the bytes; names kept for errors and stacks, the map names the
 * original lines for the benches' profiles) and ASCII, read without UTF-8 decoding into half the
 * memory. esbuild writes ASCII but for raw characters in regular expressions (ansis's
 * /[\u001b\u009b].../), escaped here. The build fails if an import() is left: the bundle runs
 * without a loader for it.
 */
async function bundleCommonJs(input: Pick<BuildOptions, 'stdin' | 'entryPoints'>, outfile: string, plugins: Plugin[]): Promise<void> {
  await build({
    ...input,
    absWorkingDir: root,
    outfile,
    bundle: true,
    minify: true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // oclif requires it only to read a tsconfig.json when NODE_ENV is test or development.
    external: ['typescript'],
    plugins,
    logLevel: 'warning',
  })
  const text = await readFile(outfile, 'utf8')
  await writeFile(outfile, escapeNonAscii(text))
  const imports = text.match(/(?<![\w$.'"`])import\s*\((?!\))[^\n]{0,60}/g)
  if (imports) throw new Error(`import() left in ${outfile}: ${imports.join(' | ')}; edit it in vendor/oclif-edits.ts`)
}

/**
 * The warm-up before zod's code cache is written: the kinds of schema leakctl builds (strict and
 * open objects, discriminated unions, refinements, defaults, bounds, patterns) and both outcomes of
 * parsing, so the functions they compile are in the cache too.
 */
function warmZod({z}: {z: typeof Zod}): void {
  const item = z.strictObject({
    id: z.string().min(1).max(64).regex(/^[a-z][a-z0-9-]*$/),
    count: z.number().int().nonnegative(),
    done: z.boolean().default(false),
    state: z.enum(['open', 'done']),
    tags: z.array(z.string().max(32)).max(8).optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
    at: z.string().nullable(),
  })
  const event = z.discriminatedUnion('type', [
    z.object({type: z.literal('item'), item}).superRefine((v, ctx) => {
      if (v.item.count > 1000) ctx.addIssue({code: 'custom', message: 'too many'})
    }),
    z.object({type: z.literal('note'), text: z.string().min(1).refine((t) => !t.includes('\u0000')).transform((t) => t.trim())}),
  ])
  const samples: unknown[] = [
    {type: 'item', item: {id: 'read-snapshot', count: 3, state: 'open', tags: ['a'], meta: {k: 1}, at: null}},
    {type: 'note', text: ' a note '},
    {type: 'item', item: {id: 'Bad id', count: -1, state: 'gone', extra: true, at: 5}},
    {type: 'note', text: ''},
    {type: 'other'},
    null,
  ]
  for (let i = 0; i < 3; i++) for (const v of samples) event.safeParse(v)
  event.parse(samples[0])
  if (!(event.safeParse(samples[2]).error instanceof z.ZodError)) throw new Error('zod warm-up: a bad event parsed')
}
