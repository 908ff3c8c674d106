import {spawnSync} from 'node:child_process'
import {userInfo} from 'node:os'

/** Who is acting: --by, else LEAKCTL_ACTOR, else git's user.name, else the OS user. */
export function resolveActor(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = flag?.trim() || env.LEAKCTL_ACTOR?.trim()
  if (explicit) return explicit
  const git = spawnSync('git', ['config', '--get', 'user.name'], {encoding: 'utf8', timeout: 2000})
  const name = git.status === 0 ? git.stdout.trim() : ''
  if (name) return name
  try {
    return userInfo().username || 'unknown'
  } catch {
    return env.USER ?? 'unknown'
  }
}
