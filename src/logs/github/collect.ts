import type {GitHubClient} from './client.js'
import type {Alert, Missing, RepositoryInfo} from './report.js'

// Reads what GitHub keeps about a repository, most perishable first: clone
// traffic (14 days), then the repository, forks, secret scanning alerts and
// their first locations, the repository's events, and the organisation audit
// log (git.clone events: 7 days). Each endpoint that refuses (403/404/401, a
// rate limit too long to wait for) becomes a `missing` entry saying why, in
// terms of the token's scopes or the plan; the rest goes on.

export interface RawTraffic {
  count: number
  uniques: number
  days: {timestamp: string; count: number; uniques: number}[]
}

export interface RawRepoEvent {
  id: string
  type: string
  actor: string | null
  createdAt: string
  /** A short, value-free description of the payload. */
  detail: string
}

export interface RawAuditEntry {
  id: string
  at: string
  action: string
  actor: string | null
  country: string | null
  transport: string | null
}

export interface RawGitHub {
  repository: RepositoryInfo | null
  clones: RawTraffic | null
  views: RawTraffic | null
  forks: {fullName: string; owner: string; createdAt: string; url: string}[]
  alerts: Alert[]
  repoEvents: RawRepoEvent[]
  audit: RawAuditEntry[]
  missing: Missing[]
  requests: number
  rateLimit: {remaining: number | null; reset: string | null}
  fatal: string | null
}

export interface CollectOptions {
  client: GitHubClient
  owner: string
  name: string
  hasToken: boolean
  /** Pages at most per listing (100 items a page). */
  maxPages?: number
  /** First locations are looked up for this many alerts at most. */
  maxAlertLocations?: number
  onProgress?: (text: string) => void
}

type Headers = Record<string, string | number | undefined>
interface HttpError {
  status?: number
  message?: string
  response?: {headers?: Headers; data?: unknown}
  code?: string
}

/** Unreachable, or our own token refused: no other endpoint will answer either. */
export function isFatal(error: unknown): boolean {
  const e = error as HttpError
  return e.status === undefined || e.status === 401 || (e.status === 500 && !e.response)
}

/** Why an endpoint refused, in terms of the token and the plan. */
export function refusal(what: string, error: unknown, hasToken: boolean, hints: {notFound?: string; forbidden?: string} = {}): string {
  const e = error as HttpError
  const h = e.response?.headers ?? {}
  const status = e.status
  // Octokit reports a failed connection as a 500 without a response.
  if (status === undefined || (status === 500 && !e.response)) return `GitHub could not be reached (${e.code ?? (e.message ?? 'network error').split('\n')[0]})`
  if (status === 401) return 'the token was refused (401 Bad credentials): expired or revoked'
  const have = typeof h['x-oauth-scopes'] === 'string' ? h['x-oauth-scopes'].split(',').map((s) => s.trim()).filter(Boolean) : undefined
  const need = typeof h['x-accepted-oauth-scopes'] === 'string' ? h['x-accepted-oauth-scopes'].split(',').map((s) => s.trim()).filter(Boolean) : []
  if ((status === 403 || status === 404) && have && need.length && !need.some((s) => have.includes(s))) {
    return `token lacks ${need.join(' or ')} scope${need.length > 1 ? 's' : ''} (it has: ${have.join(', ') || 'none'})`
  }
  const perm = h['x-accepted-github-permissions']
  if ((status === 403 || status === 404) && typeof perm === 'string' && perm) return `token lacks the ${perm.replaceAll(',', ' or ')} permission (fine-grained token)`
  if (status === 403 && String(h['x-ratelimit-remaining']) === '0') {
    const reset = Number(h['x-ratelimit-reset'])
    return `rate limit exhausted until ${Number.isFinite(reset) ? new Date(reset * 1000).toISOString() : 'later'}`
  }
  if (status === 403 || status === 429) {
    if (/secondary rate/i.test(e.message ?? '')) return 'secondary rate limit: GitHub asked to wait longer than leakctl waits'
    if (!hasToken) return `needs a token (none found: set GITHUB_TOKEN or GH_TOKEN, or gh auth login)`
    return hints.forbidden ?? `forbidden (403): ${(e.message ?? '').split(' - ')[0]}`
  }
  if (status === 404) return hints.notFound ?? `not found (404)${hasToken ? '' : ' — without a token only public data is visible'}`
  return `${what}: HTTP ${status}`
}

export async function collectGitHub(o: CollectOptions): Promise<RawGitHub> {
  const {client, owner, name: repo} = o
  const maxPages = o.maxPages ?? 10
  const out: RawGitHub = {repository: null, clones: null, views: null, forks: [], alerts: [], repoEvents: [], audit: [], missing: [], requests: 0, rateLimit: {remaining: null, reset: null}, fatal: null}
  const note = (headers: Headers | undefined) => {
    out.requests++
    const rem = headers?.['x-ratelimit-remaining']
    const reset = headers?.['x-ratelimit-reset']
    if (rem !== undefined) out.rateLimit.remaining = Number(rem)
    if (reset !== undefined) out.rateLimit.reset = new Date(Number(reset) * 1000).toISOString()
  }
  const miss = (what: string, error: unknown, hints?: {notFound?: string; forbidden?: string}) => {
    const e = error as HttpError
    if (e.response?.headers) note(e.response.headers)
    const reason = refusal(what, error, o.hasToken, hints)
    out.missing.push({what, reason})
    if (isFatal(error)) out.fatal ??= reason
  }
  /** Every page of a listing (Link: rel="next"), bounded. */
  const list = async <T>(what: string, route: string, params: Record<string, unknown>): Promise<T[] | null> => {
    const items: T[] = []
    let pages = 0
    try {
      for await (const page of client.paginate.iterator(route, {...params, per_page: 100})) {
        note(page.headers as Headers)
        items.push(...(page.data as T[]))
        if (++pages >= maxPages) {
          out.missing.push({what: `${what} beyond ${maxPages * 100}`, reason: 'not read (the listing is longer than leakctl pages through)'})
          break
        }
      }
      return items
    } catch (error) {
      miss(what, error)
      return pages ? items : null
    }
  }
  const traffic = async (kind: 'clones' | 'views'): Promise<RawTraffic | null> => {
    try {
      o.onProgress?.(`github: traffic/${kind}`)
      const r = await client.request(`GET /repos/{owner}/{repo}/traffic/${kind}`, {owner, repo, per: 'day'})
      note(r.headers as Headers)
      const d = r.data as {count: number; uniques: number; clones?: RawTraffic['days']; views?: RawTraffic['days']}
      return {count: d.count, uniques: d.uniques, days: (d.clones ?? d.views ?? []).map((x) => ({timestamp: new Date(x.timestamp).toISOString(), count: x.count, uniques: x.uniques}))}
    } catch (error) {
      miss(`${kind === 'clones' ? 'clone' : 'view'} traffic`, error, {forbidden: 'needs push access to the repository (a token with repo scope, or Administration/traffic read)', notFound: 'needs push access to the repository, or it does not exist'})
      return null
    }
  }

  // Clone traffic first: GitHub keeps 14 days of it, and the clock runs.
  out.clones = await traffic('clones')
  if (out.fatal) return out
  out.views = await traffic('views')

  try {
    o.onProgress?.('github: repository')
    const r = await client.request('GET /repos/{owner}/{repo}', {owner, repo})
    note(r.headers as Headers)
    const d = r.data as Record<string, any>
    out.repository = {
      fullName: d.full_name,
      visibility: d.visibility ?? (d.private ? 'private' : 'public'),
      private: !!d.private,
      fork: !!d.fork,
      forks: d.forks_count ?? 0,
      stars: d.stargazers_count ?? 0,
      createdAt: d.created_at ?? null,
      pushedAt: d.pushed_at ?? null,
      archived: !!d.archived,
      ownerType: d.owner?.type ?? null,
      defaultBranch: d.default_branch ?? null,
      permissions: d.permissions ?? null,
    }
  } catch (error) {
    miss('repository', error, {notFound: `repository ${owner}/${repo} not found, or the token cannot see it`})
    if (out.fatal) return out
  }

  o.onProgress?.('github: forks')
  const forks = await list<Record<string, any>>('forks', 'GET /repos/{owner}/{repo}/forks', {owner, repo, sort: 'oldest'})
  out.forks = (forks ?? []).map((f) => ({fullName: f.full_name, owner: f.owner?.login ?? '', createdAt: f.created_at, url: f.html_url}))

  o.onProgress?.('github: secret scanning alerts')
  const alerts = await list<Record<string, any>>('secret scanning alerts', 'GET /repos/{owner}/{repo}/secret-scanning/alerts', {owner, repo})
  if (alerts) {
    let located = 0
    for (const a of alerts) {
      // The alert carries the secret itself (`secret`): it is never read into the result.
      let first: Alert['firstLocation'] = null
      const fl = a.first_location_detected
      if (fl && typeof fl === 'object') first = {type: 'commit', path: fl.path ?? null, line: fl.start_line ?? null, commit: fl.commit_sha ?? null}
      else if (located < (o.maxAlertLocations ?? 20)) {
        located++
        try {
          const r = await client.request('GET /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}/locations', {owner, repo, alert_number: a.number, per_page: 1})
          note(r.headers as Headers)
          const loc = (r.data as {type: string; details: Record<string, any>}[])[0]
          if (loc) first = {type: loc.type, path: loc.details?.path ?? null, line: loc.details?.start_line ?? null, commit: loc.details?.commit_sha ?? null}
        } catch (error) {
          miss(`first location of secret scanning alert #${a.number}`, error)
        }
      }
      out.alerts.push({
        number: a.number,
        secretType: a.secret_type_display_name ?? a.secret_type ?? 'unknown',
        state: a.state ?? 'unknown',
        resolution: a.resolution ?? null,
        validity: a.validity ?? null,
        createdAt: a.created_at,
        publiclyLeaked: typeof a.publicly_leaked === 'boolean' ? a.publicly_leaked : null,
        pushProtectionBypassed: !!a.push_protection_bypassed,
        bypassedBy: a.push_protection_bypassed_by?.login ?? null,
        bypassedAt: a.push_protection_bypassed_at ?? null,
        firstLocation: first,
        url: a.html_url ?? null,
      })
    }
  }
  const lastAlertMissing = out.missing.at(-1)
  if (lastAlertMissing?.what === 'secret scanning alerts' && /not found/.test(lastAlertMissing.reason)) {
    lastAlertMissing.reason = 'secret scanning is not enabled for this repository, or the token cannot read its alerts (needs security_events scope, or Secret scanning alerts: read)'
  }

  o.onProgress?.('github: repository events')
  const events = await list<Record<string, any>>('repository events', 'GET /repos/{owner}/{repo}/events', {owner, repo})
  out.repoEvents = (events ?? []).map((e) => ({id: String(e.id), type: e.type, actor: e.actor?.login ?? null, createdAt: e.created_at, detail: eventDetail(e)}))

  const org = out.repository?.ownerType === 'Organization' || (!out.repository && owner) ? owner : null
  if (out.repository && out.repository.ownerType !== 'Organization') {
    out.missing.push({what: 'organisation audit log', reason: `${owner} is a user account: only organisations have an audit log (clones of a user's repository are visible as traffic only)`})
  } else if (org) {
    o.onProgress?.('github: organisation audit log')
    const entries = await list<Record<string, any>>('organisation audit log', 'GET /orgs/{org}/audit-log', {org, phrase: `repo:${owner}/${repo}`, include: 'all', order: 'desc'})
    if (entries) {
      out.audit = entries.map((x) => ({
        id: String(x._document_id ?? x['@timestamp'] ?? Math.random()),
        at: new Date(Number(x['@timestamp'] ?? x.created_at ?? 0)).toISOString(),
        action: String(x.action ?? ''),
        actor: x.actor ?? null,
        country: x.actor_location?.country_code ?? null,
        transport: x.transport_protocol_name ?? null,
      }))
    } else {
      const m = out.missing.at(-1)
      if (m?.what === 'organisation audit log' && /not found|forbidden/.test(m.reason)) m.reason = 'not available: the audit log API needs GitHub Enterprise Cloud and an organisation owner\'s token with read:audit_log (git.clone events are kept 7 days)'
    }
  }
  return out
}

function eventDetail(e: Record<string, any>): string {
  const p = e.payload ?? {}
  switch (e.type) {
    case 'PushEvent':
      return `pushed ${p.size ?? p.commits?.length ?? '?'} commit(s) to ${String(p.ref ?? '').replace('refs/heads/', '')}`
    case 'ForkEvent':
      return `forked to ${p.forkee?.full_name ?? '?'}`
    case 'PublicEvent':
      return 'made the repository public'
    case 'WatchEvent':
      return 'starred the repository'
    case 'MemberEvent':
      return `${p.action ?? 'changed'} collaborator ${p.member?.login ?? '?'}`
    case 'CreateEvent':
      return `created ${p.ref_type ?? ''} ${p.ref ?? ''}`.trim()
    case 'DeleteEvent':
      return `deleted ${p.ref_type ?? ''} ${p.ref ?? ''}`.trim()
    case 'ReleaseEvent':
      return `${p.action ?? ''} release ${p.release?.tag_name ?? ''}`.trim()
    default:
      return e.type
  }
}
