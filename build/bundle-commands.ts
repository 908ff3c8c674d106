// Start-up (docs/performance.md): Node 20's ES module loader resolves, reads and
// compiles every file on its own, one after another, and a command that reads an
// incident loaded ~45 of ours. At build, after tsc, each command (dist/commands/)
// is bundled with what it imports into its own file; what it imports only when
// needed (import()) goes into chunks under dist/command-chunks/<command>/, loaded
// as before, on first use. Packages and the vendored bundles (#oclif/*, #zod…)
// stay outside: one copy of oclif for every part of leakctl.
//
// One command runs per process, so a module bundled into two commands is never
// loaded twice. Its errors are caught by the command's own catch(), in the same
// bundle: oclif's help class and bin/run.js's top-level handler load the
// unbundled dist/cli/ only for help and for errors raised before a command runs.
// Code that finds files beside its own module does so through packageRoot() or
// sourceRoot() (src/paths.ts), which do not depend on where the bundle is.
import {readdirSync, rmSync} from 'node:fs'
import {join, relative} from 'node:path'

import {build} from 'esbuild'

const root = join(import.meta.dirname, '..', '..')
const dist = join(root, 'dist')

const walk = (dir: string): string[] =>
  readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []))

rmSync(join(dist, 'command-chunks'), {recursive: true, force: true})
for (const file of walk(join(dist, 'commands'))) {
  const entry = relative(dist, file).slice(0, -'.js'.length) // commands/incident/status
  const id = entry.slice('commands/'.length).replaceAll('/', '-')
  await build({
    absWorkingDir: root,
    entryPoints: {[entry]: file},
    outdir: dist,
    allowOverwrite: true,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    external: ['#*'],
    chunkNames: `command-chunks/${id}/[name]-[hash]`,
    // Through tsc's maps back to the TypeScript: what bench/git.ts's profile summary reads to
    // tell git streams from hand-off in a bundle, and a stack under --enable-source-maps.
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  })
}
