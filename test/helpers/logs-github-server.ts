import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

// A local stand-in for the GitHub REST API endpoints `leakctl logs github`
// reads, answering as GitHub documents: Link pagination, rate-limit headers,
// the primary limit (403 + x-ratelimit-remaining: 0 + x-ratelimit-reset),
// secondary limits (403 + retry-after), 401/403/404 with the scope headers
// (x-oauth-scopes, x-accepted-oauth-scopes) that say what a token lacks.

type Json = Record<string, any>

export interface FakeGitHubOptions {
  token: string
  /** Scopes the token has (x-oauth-scopes). */
  scopes: string[]
  repo: Json
  clones?: Json
  views?: Json
  forks: Json[]
  alerts?: Json[]
  /** Locations per alert number. */
  locations?: Record<number, Json[]>
  events: Json[]
  audit?: Json[]
  /** Audit log entries of actions made with tokens (each with its `hashed_token`): answered to `phrase=hashed_token:"…"` searches only. */
  tokenAudit?: Json[]
  /** Page size for listings. */
  perPage?: number
  /** Paths that answer with the primary rate limit this many times first. */
  rateLimitOnce?: string[]
  /** Paths that answer with a secondary rate limit this many times first. */
  secondaryOnce?: string[]
  /** The audit log needs Enterprise Cloud: 404 when false. */
  auditLog?: boolean
}

export interface FakeGitHub {
  url: string
  requests: {method: string; path: string; auth: string | undefined; at: number}[]
  close: () => Promise<void>
}

const NEEDS: Record<string, string> = {
  traffic: 'repo',
  'secret-scanning': 'security_events',
  'audit-log': 'read:audit_log',
}

export async function startFakeGitHub(o: FakeGitHubOptions): Promise<FakeGitHub> {
  const requests: FakeGitHub['requests'] = []
  const limited = new Set<string>()
  const per = o.perPage ?? 2
  let remaining = 4999

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = url.pathname
    requests.push({method: req.method ?? 'GET', path: `${path}${url.search}`, auth: req.headers.authorization, at: Date.now()})
    const authed = req.headers.authorization === `token ${o.token}` || req.headers.authorization === `bearer ${o.token}` || req.headers.authorization === `Bearer ${o.token}`
    const base: Record<string, string> = {'content-type': 'application/json; charset=utf-8', 'x-ratelimit-limit': '5000', 'x-ratelimit-used': String(5000 - remaining), 'x-ratelimit-resource': 'core', 'x-github-api-version-selected': '2022-11-28'}
    if (authed) base['x-oauth-scopes'] = o.scopes.join(', ')
    const send = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      remaining = Math.max(0, remaining - 1)
      res.writeHead(status, {...base, 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600), ...extra})
      res.end(JSON.stringify(body))
    }
    if (req.headers.authorization && !authed) return send(401, {message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest'})

    if (o.rateLimitOnce?.some((p) => path.endsWith(p)) && !limited.has(`rl:${path}`)) {
      limited.add(`rl:${path}`)
      res.writeHead(403, {...base, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1)})
      return res.end(JSON.stringify({message: 'API rate limit exceeded for user.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'}))
    }
    if (o.secondaryOnce?.some((p) => path.endsWith(p)) && !limited.has(`sec:${path}`)) {
      limited.add(`sec:${path}`)
      return send(403, {message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'}, {'retry-after': '1'})
    }

    const full = `${o.repo.owner.login}/${o.repo.name}`
    const need = Object.entries(NEEDS).find(([seg]) => path.includes(`/${seg}`))?.[1]
    const lacks = need && (!authed || !o.scopes.includes(need) && !(need === 'security_events' && o.scopes.includes('repo')))
    const page = (items: Json[]) => {
      const n = Number(url.searchParams.get('page') ?? '1')
      const size = Math.min(Number(url.searchParams.get('per_page') ?? '30'), per)
      const slice = items.slice((n - 1) * size, n * size)
      const last = Math.max(1, Math.ceil(items.length / size))
      const link = (p: number) => {
        const u = new URL(`http://${req.headers.host}${path}`)
        for (const [k, v] of url.searchParams) u.searchParams.set(k, v)
        u.searchParams.set('page', String(p))
        return u.toString()
      }
      const rels = [n < last ? `<${link(n + 1)}>; rel="next"` : '', n < last ? `<${link(last)}>; rel="last"` : '', n > 1 ? `<${link(1)}>; rel="first"` : '', n > 1 ? `<${link(n - 1)}>; rel="prev"` : ''].filter(Boolean)
      return send(200, slice, rels.length ? {link: rels.join(', ')} : {})
    }

    if (path === `/repos/${full}/traffic/clones` || path === `/repos/${full}/traffic/views`) {
      if (lacks) return send(403, {message: 'Must have push access to repository', documentation_url: 'https://docs.github.com/rest/metrics/traffic'}, {'x-accepted-oauth-scopes': 'repo'})
      return send(200, path.endsWith('clones') ? o.clones : o.views)
    }
    if (path === `/repos/${full}`) return send(200, o.repo)
    if (path === `/repos/${full}/forks`) return page(o.forks)
    if (path === `/repos/${full}/events`) return page(o.events)
    if (path === `/repos/${full}/secret-scanning/alerts`) {
      if (lacks) return send(404, {message: 'Not Found', documentation_url: 'https://docs.github.com/rest/secret-scanning'}, {'x-accepted-oauth-scopes': 'repo, security_events'})
      return page(o.alerts ?? [])
    }
    const loc = new RegExp(`^/repos/${full}/secret-scanning/alerts/(\\d+)/locations$`).exec(path)
    if (loc) return page(o.locations?.[Number(loc[1])] ?? [])
    if (path === `/orgs/${o.repo.owner.login}/audit-log`) {
      if (!o.auditLog) return send(404, {message: 'Not Found', documentation_url: 'https://docs.github.com/rest'})
      if (lacks) return send(403, {message: 'Must have admin:org or read:audit_log scope'}, {'x-accepted-oauth-scopes': 'read:audit_log'})
      // The search phrase, as GitHub reads it: hashed_token:"<base64>" selects the actions of one token.
      const hashed = /hashed_token:"([^"]+)"/.exec(url.searchParams.get('phrase') ?? '')?.[1]
      return page(hashed ? (o.tokenAudit ?? []).filter((e) => e.hashed_token === hashed) : (o.audit ?? []))
    }
    return send(404, {message: 'Not Found'})
  }

  const server = createServer(handle)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    }),
  }
}
