import {collectGitHub} from './collect.js'
import {makeClient, type Token} from './client.js'
import {judgeGitHub} from './judge.js'
import type {GitHubResult} from './report.js'

export interface GitHubInvestigation {
  owner: string
  name: string
  since: Date | null
  token: Token
  baseUrl: string
  maxWaitSeconds: number
  onProgress?: (text: string) => void
}

export async function investigateGitHub(o: GitHubInvestigation): Promise<GitHubResult> {
  const client = makeClient({token: o.token, baseUrl: o.baseUrl, maxWaitSeconds: o.maxWaitSeconds, onWait: o.onProgress})
  const raw = await collectGitHub({client, owner: o.owner, name: o.name, hasToken: o.token !== null, onProgress: o.onProgress})
  if (!o.token) raw.missing.unshift({what: 'token', reason: 'no token (GITHUB_TOKEN, GH_TOKEN or gh auth token): only public data was read'})
  return judgeGitHub(raw, {repo: `${o.owner}/${o.name}`, since: o.since ? o.since.getTime() : null, token: o.token?.from ?? null})
}
