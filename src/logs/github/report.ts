// The shapes of `leakctl logs github`: what GitHub says about a repository a
// secret leaked in, and what the token or plan could not see.

export interface Missing {
  what: string
  reason: string
}

export interface RepositoryInfo {
  fullName: string
  visibility: string
  private: boolean
  fork: boolean
  forks: number
  stars: number
  createdAt: string | null
  pushedAt: string | null
  archived: boolean
  ownerType: string | null
  defaultBranch: string | null
  /** The token's permissions on it, when GitHub says. */
  permissions: Record<string, boolean> | null
}

export interface TrafficDay {
  timestamp: string
  count: number
  uniques: number
  afterExposure: boolean
}

export interface Traffic {
  count: number
  uniques: number
  days: TrafficDay[]
}

export interface Fork {
  fullName: string
  owner: string
  createdAt: string
  url: string
  afterExposure: boolean
}

export interface Alert {
  number: number
  secretType: string
  state: string
  resolution: string | null
  validity: string | null
  createdAt: string
  publiclyLeaked: boolean | null
  pushProtectionBypassed: boolean
  bypassedBy: string | null
  bypassedAt: string | null
  firstLocation: {path: string | null; line: number | null; commit: string | null; type: string} | null
  url: string | null
}

/** One thing that happened, from any endpoint, judged. */
export interface GitHubEvent {
  id: string
  at: string
  kind: 'clones' | 'fork' | 'repo-event' | 'audit-log' | 'secret-alert' | 'push-protection-bypass' | 'visibility' | 'token-use'
  actor: string | null
  summary: string
  afterExposure: boolean
  suspicious: boolean
  reasons: string[]
}

export type GitHubVerdictStatus = 'copied-after-exposure' | 'exposed' | 'no-copies-seen' | 'unknown'

export interface GitHubVerdict {
  status: GitHubVerdictStatus
  text: string
  clonesAfterExposure: number | null
  forksAfterExposure: number
  activeSecrets: number
  bypasses: number
}

export interface GitHubResult {
  repo: string
  exposedAt: string | null
  verdict: GitHubVerdict
  partial: boolean
  missing: Missing[]
  repository: RepositoryInfo | null
  clones: Traffic | null
  views: Traffic | null
  forks: Fork[]
  alerts: Alert[]
  events: GitHubEvent[]
  token: 'GITHUB_TOKEN' | 'GH_TOKEN' | 'gh auth token' | null
  /** Requests made, and the rate limit left after them. */
  requests: number
  rateLimit: {remaining: number | null; reset: string | null}
  /** Set when GitHub could not be queried at all (unreachable, the token refused): exit 3. */
  fatal: string | null
}
