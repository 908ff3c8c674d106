import {execFileSync} from 'node:child_process'
import {existsSync, statSync} from 'node:fs'
import {join} from 'node:path'

// The CLI tests run the compiled binary (bin/run.js -> dist/). Build once,
// unless dist is newer than every source file (scripts/test.sh builds first).
export default function setup(): void {
  const root = join(import.meta.dirname, '..')
  if (process.env.LEAKCTL_SKIP_BUILD === '1' && existsSync(join(root, 'dist', 'commands')) && statSync(join(root, 'oclif.manifest.json'), {throwIfNoEntry: false})) return
  // vitest sets NODE_ENV=test, under which `oclif manifest` records the .ts sources: build as users do.
  execFileSync('npm', ['run', '--silent', 'build'], {cwd: root, stdio: 'inherit', env: {...process.env, NODE_ENV: 'production'}})
}
