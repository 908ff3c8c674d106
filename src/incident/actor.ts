import {createRequire} from 'node:module'
import {userInfo} from 'node:os'

// child_process (and the socket code under it) only when git is asked: every
// command loads this module, few resolve an actor, most of those from --by or
// LEAKCTL_ACTOR (docs/performance.md, start-up).
const childProcess = (): typeof import('node:child_process') => createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process')

/** Who is acting: --by, else LEAKCTL_ACTOR, else git's user.name, else the OS user. */
export function resolveActor(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = flag?.trim() || env.LEAKCTL_ACTOR?.trim()
  if (explicit) return explicit
  const git = childProcess().spawnSync('git', ['config', '--get', 'user.name'], {encoding: 'utf8', timeout: 2000})
  const name = git.status === 0 ? git.stdout.trim() : ''
  if (name) return name
  try {
    return userInfo().username || 'unknown'
  } catch {
    return env.USER ?? 'unknown'
  }
}
