import {spawnSync} from 'node:child_process'

import {retry} from '@octokit/plugin-retry'
import {throttling} from '@octokit/plugin-throttling'
import {Octokit} from '@octokit/rest'

// The GitHub client: @octokit/rest with the throttling plugin (waits out the
// primary rate limit and secondary limits, as GitHub documents them) and the
// retry plugin (5xx and network hiccups). The token comes from GITHUB_TOKEN,
// GH_TOKEN or `gh auth token`; it is never printed, and octokit redacts it
// from the errors it builds.

export type Token = {value: string; from: 'GITHUB_TOKEN' | 'GH_TOKEN' | 'gh auth token'} | null

export function resolveToken(env: NodeJS.ProcessEnv = process.env, host?: string): Token {
  if (env.GITHUB_TOKEN) return {value: env.GITHUB_TOKEN, from: 'GITHUB_TOKEN'}
  if (env.GH_TOKEN) return {value: env.GH_TOKEN, from: 'GH_TOKEN'}
  const args = ['auth', 'token', ...(host ? ['--hostname', host] : [])]
  const r = spawnSync('gh', args, {encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore']})
  const value = r.status === 0 ? r.stdout.trim() : ''
  return value ? {value, from: 'gh auth token'} : null
}

export interface ClientOptions {
  token: Token
  baseUrl: string
  /** The longest wait for a rate limit the client accepts before giving up on an endpoint. */
  maxWaitSeconds: number
  onWait?: (text: string) => void
}

const Throttled = Octokit.plugin(throttling, retry)
export type GitHubClient = InstanceType<typeof Throttled>

export function makeClient(o: ClientOptions): GitHubClient {
  return new Throttled({
    auth: o.token?.value,
    baseUrl: o.baseUrl.replace(/\/+$/, ''),
    userAgent: 'leakctl',
    log: {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}},
    // 5xx and network failures: two retries, 0.5 s then 2 s apart.
    retry: {retries: 2, retryAfterBaseValue: 500, doNotRetry: [400, 401, 403, 404, 410, 422, 451]},
    throttle: {
      onRateLimit: (retryAfter: number, options: {method?: string; url?: string}, _octokit: unknown, retryCount: number) => {
        if (retryCount >= 3 || retryAfter > o.maxWaitSeconds) return false
        o.onWait?.(`github: rate limit reached; waiting ${retryAfter}s (${options.method} ${options.url})`)
        return true
      },
      onSecondaryRateLimit: (retryAfter: number, options: {method?: string; url?: string}, _octokit: unknown, retryCount: number) => {
        if (retryCount >= 3 || retryAfter > o.maxWaitSeconds) return false
        o.onWait?.(`github: secondary rate limit; waiting ${retryAfter}s (${options.method} ${options.url})`)
        return true
      },
    },
  })
}

/** owner/name from a GitHub remote URL (https, ssh, scp-like), or null. */
export function repoFromRemote(url: string): {owner: string; name: string; host: string} | null {
  const m =
    /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url.trim()) ??
    /^(?:[^@/]+@)?([^/:]+):([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url.trim())
  return m ? {host: m[1]!, owner: m[2]!, name: m[3]!} : null
}

/** The GitHub repository of a working tree's remotes (origin first). */
export function repoOfWorkingTree(dir: string): {owner: string; name: string; host: string} | null {
  const r = spawnSync('git', ['-C', dir, 'remote', '-v'], {encoding: 'utf8', timeout: 10_000})
  if (r.status !== 0) return null
  const remotes = r.stdout
    .split('\n')
    .map((l) => l.split(/\s+/))
    .filter((p) => p.length >= 2)
    .sort((a, b) => (a[0] === 'origin' ? -1 : b[0] === 'origin' ? 1 : 0))
  for (const [, url] of remotes) {
    const repo = repoFromRemote(url!)
    if (repo) return repo
  }
  return null
}
