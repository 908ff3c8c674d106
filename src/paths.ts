import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

let root: string | undefined

/** The installed package's root (holds playbooks/), found from this file whether run from src/ or dist/. */
export function packageRoot(): string {
  if (root) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as {name?: string}).name === 'leakctl') return (root = dir)
    const up = dirname(dir)
    if (up === dir) throw new Error('cannot find the leakctl package root')
    dir = up
  }
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
