import {type ChildProcess, spawn, spawnSync, type SpawnSyncReturns, type StdioOptions} from 'node:child_process'
import {existsSync, statSync} from 'node:fs'
import {resolve} from 'node:path'

import {dependencyError, inputError, LeakctlError} from '../errors.js'
import {safeUrl} from '../text/url.js'

// What a repository is before we read its history: where it is, its refs,
// its remotes (was the secret pushed? to GitHub?), whether it is shallow.

export interface Ref {
  name: string
  /** The commit it points at (tags peeled). */
  commit: string
}

export interface Remote {
  name: string
  url: string
  /** owner/name when the remote is on github.com. */
  github: string | null
}

export interface RepoInfo {
  path: string
  gitDir: string
  head: string | null
  headRef: string | null
  refs: Ref[]
  remotes: Remote[]
  shallow: boolean
  partial: boolean
}

/**
 * git itself, with no pager, no prompts, no lazy fetches of missing objects
 * (GIT_NO_LAZY_FETCH from git 2.44; before that, allowing no transport at all
 * makes a lazy fetch fail at once instead of reaching the network), C locale.
 */
export function gitEnv(): NodeJS.ProcessEnv {
  return {...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', GIT_NO_LAZY_FETCH: '1', GIT_ALLOW_PROTOCOL: 'none', LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0'}
}

/**
 * A scanned repository is hostile input, and its .git/config can name
 * programs git runs on its own: core.fsmonitor on any index read, hooks,
 * external diff and textconv drivers, credential helpers, ssh and askpass
 * commands, a gpg program for signed commits. These settings, given on the
 * command line, win over the repository's config; anything network is off.
 * (Clean/smudge filters run only when git hashes working-tree files: the
 * scan never asks git to, see worktreeFindings.)
 */
export const SAFE_CONFIG = [
  'core.fsmonitor=false',
  'core.hooksPath=/dev/null',
  'core.sshCommand=false',
  'core.askPass=',
  'core.pager=cat',
  'credential.helper=',
  'diff.external=',
  'log.showSignature=false',
  'protocol.allow=never',
] as const

/** Environment variables that name a program for git to run. */
const PROGRAM_VARS = ['GIT_EXTERNAL_DIFF', 'GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_EDITOR', 'GIT_SEQUENCE_EDITOR', 'GIT_PROXY_COMMAND']

/** The argv for git on a scanned repository: the safe settings, then the command. */
export function gitArgv(args: readonly string[]): string[] {
  return [...SAFE_CONFIG.flatMap((c) => ['-c', c]), ...args]
}

/** The environment for git on a scanned repository. */
export function scanGitEnv(): NodeJS.ProcessEnv {
  const env = gitEnv()
  for (const k of PROGRAM_VARS) delete env[k]
  return env
}

/** The one way leakctl starts git on a scanned repository, streaming. */
export function spawnGit(repo: string, args: readonly string[], stdio: StdioOptions): ChildProcess {
  return spawn('git', gitArgv(args), {cwd: repo, env: scanGitEnv(), stdio})
}

/** Runs git on a scanned repository to the end (status, output, and `error` when git could not start). */
export function gitRun(repo: string, args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync('git', gitArgv(args), {cwd: repo, env: scanGitEnv(), input, encoding: 'utf8', maxBuffer: 1 << 30})
}

export function git(repo: string, args: string[], input?: string): string {
  const r = gitRun(repo, args, input)
  if (r.error) throw gitMissing(r.error)
  if (r.status !== 0) throw new GitError(args, r.stderr)
  return r.stdout
}

/** git could not be started: not installed (ENOENT), or not runnable. Exit 3. */
export function gitMissing(e: Error): LeakctlError {
  return (e as NodeJS.ErrnoException).code === 'ENOENT' ? dependencyError('git.missing', 'git is not installed (no git on PATH): install git to scan a repository') : dependencyError('git.missing', `cannot run git: ${e.message}`)
}

/** git ran and refused: a dependency that failed (exit 3), so a scan never passes it off as "nothing found". */
export class GitError extends LeakctlError {
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super('dependency', 'git.failed', `git ${args[0]} failed: ${stderr.trim().split('\n')[0] ?? ''}`)
  }
}

export function githubRepo(url: string): string | null {
  const m = /github\.com[:/]+([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(url)
  return m ? `${m[1]}/${m[2]}` : null
}

/** git's output, or null when git refused (a ref that does not exist, a key not set). */
function gitOrNull(repo: string, args: string[]): string | null {
  try {
    return git(repo, args)
  } catch (error) {
    if (error instanceof GitError) return null
    throw error
  }
}

export async function openRepository(pathArg: string): Promise<RepoInfo> {
  const path = resolve(pathArg)
  if (!existsSync(path)) throw inputError('git.missing-path', `no such directory: ${pathArg}`)
  if (!statSync(path).isDirectory()) throw inputError('git.not-a-directory', `not a directory: ${pathArg}`)
  // git missing is a dependency that failed (exit 3), not a directory that is no repository.
  const gitDir = gitOrNull(path, ['rev-parse', '--absolute-git-dir'])?.trim()
  if (!gitDir) throw inputError('git.not-a-repository', `not a git repository: ${pathArg}`)
  const shallow = git(path, ['rev-parse', '--is-shallow-repository']).trim() === 'true'
  const partial = (gitOrNull(path, ['config', '--get-regexp', '^remote\\..*\\.promisor$']) ?? '').includes('true')
  const head = gitOrNull(path, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'])?.trim() || null
  const headRef = gitOrNull(path, ['symbolic-ref', '-q', 'HEAD'])?.trim() || null
  const refs = git(path, ['for-each-ref', '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objectname)'])
    .split('\n')
    .filter(Boolean)
    .flatMap((line): Ref[] => {
      const [name, type, object, peeled] = line.split('\0')
      const commit = type === 'tag' ? peeled : type === 'commit' ? object : ''
      return commit ? [{name: name!, commit}] : []
    })
  // The URL as configured (what names the host: github.com/owner/name), and
  // as git uses it after url.*.insteadOf rewriting (where pushes really went).
  const configured = new Map<string, string>()
  const config = gitOrNull(path, ['config', '-z', '--get-regexp', '^remote\\..*\\.(url|pushurl)$']) ?? ''
  for (const rec of config.split('\0')) {
    const m = /^remote\.(.+)\.(url|pushurl)\n([\s\S]*)$/.exec(rec)
    if (m && (m[2] === 'pushurl' || !configured.has(m[1]!))) configured.set(m[1]!, m[3]!)
  }
  const effective = new Map<string, {fetch?: string; push?: string}>()
  for (const line of git(path, ['remote', '-v']).split('\n')) {
    const m = /^(\S+)\t(.*) \((fetch|push)\)$/.exec(line)
    if (m) effective.set(m[1]!, {...effective.get(m[1]!), [m[3]!]: m[2]!})
  }
  const remotes = new Map<string, Remote>()
  for (const [name, refs] of effective) {
    const used = refs.push || refs.fetch || ''
    const url = configured.get(name) ?? used
    remotes.set(name, {name, url: safeUrl(url), github: githubRepo(url) ?? githubRepo(used)})
  }
  return {path, gitDir, head, headRef, refs, remotes: [...remotes.values()], shallow, partial}
}
