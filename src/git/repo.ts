import {spawnSync} from 'node:child_process'
import {existsSync, statSync} from 'node:fs'
import {resolve} from 'node:path'

import {simpleGit, type SimpleGit} from 'simple-git'

import {dependencyError, inputError} from '../errors.js'
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

export function git(repo: string, args: string[], input?: string): string {
  const r = spawnSync('git', args, {cwd: repo, env: gitEnv(), input, encoding: 'utf8', maxBuffer: 1 << 30})
  if (r.error) throw dependencyError('git.missing', `cannot run git: ${r.error.message}`)
  if (r.status !== 0) throw new GitError(args, r.stderr)
  return r.stdout
}

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed: ${stderr.trim().split('\n')[0] ?? ''}`)
  }
}

export function simple(path: string): SimpleGit {
  // Local, read-only plumbing only; anything that could prompt or fetch goes through gitEnv().
  return simpleGit({baseDir: path, binary: 'git', maxConcurrentProcesses: 2})
}

export function githubRepo(url: string): string | null {
  const m = /github\.com[:/]+([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(url)
  return m ? `${m[1]}/${m[2]}` : null
}

export async function openRepository(pathArg: string): Promise<RepoInfo> {
  const path = resolve(pathArg)
  if (!existsSync(path)) throw inputError('git.missing-path', `no such directory: ${pathArg}`)
  if (!statSync(path).isDirectory()) throw inputError('git.not-a-directory', `not a directory: ${pathArg}`)
  const g = simple(path)
  let gitDir: string
  try {
    gitDir = (await g.revparse(['--absolute-git-dir'])).trim()
  } catch {
    throw inputError('git.not-a-repository', `not a git repository: ${pathArg}`)
  }
  const shallow = (await g.revparse(['--is-shallow-repository'])).trim() === 'true'
  const partial = (await g.raw(['config', '--get-regexp', '^remote\\..*\\.promisor$']).catch(() => '')).includes('true')
  let head: string | null = null
  try {
    head = (await g.revparse(['--verify', '-q', 'HEAD^{commit}'])).trim() || null
  } catch {
    head = null
  }
  const headRef = (await g.raw(['symbolic-ref', '-q', 'HEAD']).catch(() => '')).trim() || null
  const refs = (await g.raw(['for-each-ref', '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objectname)']))
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
  const config = await g.raw(['config', '-z', '--get-regexp', '^remote\\..*\\.(url|pushurl)$']).catch(() => '')
  for (const rec of config.split('\0')) {
    const m = /^remote\.(.+)\.(url|pushurl)\n([\s\S]*)$/.exec(rec)
    if (m && (m[2] === 'pushurl' || !configured.has(m[1]!))) configured.set(m[1]!, m[3]!)
  }
  const remotes = new Map<string, Remote>()
  for (const r of await g.getRemotes(true)) {
    const effective = r.refs.push || r.refs.fetch
    const url = configured.get(r.name) ?? effective
    // CI clones often carry a token in the URL: only the masked form leaves here.
    remotes.set(r.name, {name: r.name, url: safeUrl(url), github: githubRepo(url) ?? githubRepo(effective)})
  }
  return {path, gitDir, head, headRef, refs, remotes: [...remotes.values()], shallow, partial}
}
