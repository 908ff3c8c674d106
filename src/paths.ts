import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** What leakctl reads of its own package.json. */
export interface PackageJson {
  name?: string
  imports?: Record<string, string | {default?: string}>
}

let root: {dir: string; pkg: PackageJson} | undefined

function findRoot(): {dir: string; pkg: PackageJson} {
  if (root) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as PackageJson
      if (pkg.name === 'leakctl') return (root = {dir, pkg})
    }
    const up = dirname(dir)
    if (up === dir) throw new Error('cannot find the leakctl package root')
    dir = up
  }
}

/** The installed package's root (holds playbooks/), found from this file whether run from src/ or dist/. */
export const packageRoot = (): string => findRoot().dir

/**
 * The file package.json's `imports` maps `specifier` to (its `default` target), whether or not it
 * exists: what require.resolve() would answer, without the package-scope lookups and realpath
 * that cost it 1.5–4 ms a call at every start (docs/performance.md).
 */
export function importTarget(specifier: `#${string}`): string | undefined {
  const {dir, pkg} = findRoot()
  const t = pkg.imports?.[specifier]
  const target = typeof t === 'string' ? t : t?.default
  return target === undefined ? undefined : join(dir, target)
}

/**
 * The tree of modules this code was compiled from, and their extension: src/ itself when it runs
 * from the TypeScript sources (tests), else the package's dist/src/. That is also where they are
 * when this code runs bundled into a command (build/bundle-commands.ts), away from those files.
 */
export function sourceRoot(): {dir: string; ext: '.ts' | '.js'} {
  const here = fileURLToPath(import.meta.url)
  return here.endsWith('.ts') ? {dir: dirname(here), ext: '.ts'} : {dir: join(packageRoot(), 'dist', 'src'), ext: '.js'}
}
