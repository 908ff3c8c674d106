import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

// Local stand-ins for the issuers `verify issuer` and `revoke` ask, one HTTP
// server per issuer host on 127.0.0.1, each answering in its service's
// documented wire format and recording every request it receives — so a
// test can prove a credential went to its own issuer and nowhere else.
// GitHub (GET /user with X-OAuth-Scopes, POST /credentials/revoke that
// refuses authentication), GitLab (personal_access_tokens/self), Slack Web
// API (auth.test, auth.revoke: 200 with ok/error) and incoming webhooks
// (400 invalid_payload / 404 no_service), Stripe (basic auth), SendGrid,
// npm (/-/whoami), OpenAI and Anthropic (/v1/models), and a Kubernetes API
// server (TokenReview, Secret delete). Faults on demand: 429 with
// Retry-After, 5xx, slow answers.

export type IssuerName = 'github' | 'gitlab' | 'slack' | 'hooks' | 'stripe' | 'sendgrid' | 'npm' | 'openai' | 'anthropic' | 'kube'

export interface Recorded {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: string
}

export interface Fault {
  /** Answer this status (with Retry-After if given) the next `times` requests. */
  status?: number
  retryAfter?: string
  times?: number
  /** Delay every answer by this much. */
  slowMs?: number
}

export interface IssuerServer {
  name: IssuerName
  url: string
  requests: Recorded[]
  /** Credentials the issuer accepts; revocations remove them. */
  live: Set<string>
  fault: Fault | null
  close(): Promise<void>
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', ...headers})
  res.end(JSON.stringify(body))
}

const bearer = (req: IncomingMessage) => /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1]

type Handler = (req: IncomingMessage, res: ServerResponse, body: string, s: IssuerServer, extra: KubeState) => void

interface KubeState {
  /** Secrets by ns/name, with the token each holds. */
  secrets: Map<string, string>
  responderToken: string
}

const HANDLERS: Record<IssuerName, Handler> = {
  github(req, res, body, s) {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/credentials/revoke' && req.method === 'POST') {
      if (req.headers.authorization) return json(res, 403, {message: 'Authenticated requests are not accepted'})
      const creds = (JSON.parse(body || '{}') as {credentials?: unknown}).credentials
      if (!Array.isArray(creds) || creds.length === 0 || creds.length > 1000) return json(res, 422, {message: 'Validation Failed'})
      for (const c of creds) s.live.delete(String(c))
      return json(res, 202, {})
    }
    if (path === '/user') {
      const t = bearer(req)
      if (!t || !s.live.has(t)) return json(res, 401, {message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest'})
      const headers: Record<string, string> = {'x-ratelimit-remaining': '4999'}
      if (t.startsWith('ghp_')) headers['x-oauth-scopes'] = 'repo, read:org'
      if (t.startsWith('github_pat_')) headers['github-authentication-token-expiration'] = '2099-01-01 00:00:00 UTC'
      return json(res, 200, {login: 'octo-dev', id: 1}, headers)
    }
    return json(res, 404, {message: 'Not Found'})
  },
  gitlab(req, res, _b, s) {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/api/v4/personal_access_tokens/self') return json(res, 404, {message: '404 Not Found'})
    const t = String(req.headers['private-token'] ?? '')
    if (!s.live.has(t)) return json(res, 401, {error: 'invalid_token', error_description: 'Token was revoked. You have to re-authorize from the user.'})
    return json(res, 200, {id: 7, name: 'ci-deploy', revoked: false, active: true, scopes: ['api', 'read_repository'], expires_at: '2099-01-01', user_id: 3})
  },
  slack(req, res, _b, s) {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const t = bearer(req)
    const ok = t !== undefined && s.live.has(t)
    if (path === '/api/auth.test') return json(res, 200, ok ? {ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'deploy-bot', team_id: 'T0001', user_id: 'U0001'} : {ok: false, error: 'invalid_auth'})
    if (path === '/api/auth.revoke') {
      if (!ok) return json(res, 200, {ok: false, error: 'invalid_auth'})
      s.live.delete(t!)
      return json(res, 200, {ok: true, revoked: true})
    }
    return json(res, 404, {ok: false, error: 'unknown_method'})
  },
  hooks(req, res, body, s) {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    res.writeHead(s.live.has(path) ? 400 : 404, {'content-type': 'text/html'})
    // Slack's answer to an empty body: the hook exists but there is nothing to post.
    res.end(s.live.has(path) ? (body ? 'ok' : 'invalid_payload') : 'no_service')
  },
  stripe(req, res, _b, s) {
    const basic = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1]
    const key = basic ? Buffer.from(basic, 'base64').toString().replace(/:$/, '') : ''
    if (!s.live.has(key)) return json(res, 401, {error: {type: 'invalid_request_error', message: `Invalid API Key provided: ${key.slice(0, 8)}****`}})
    return json(res, 200, {id: 'acct_1Acme', object: 'account', livemode: key.startsWith('sk_live_')})
  },
  sendgrid(req, res, _b, s) {
    const t = bearer(req)
    if (!t || !s.live.has(t)) return json(res, 401, {errors: [{field: null, message: 'authorization required'}]})
    return json(res, 200, {scopes: ['mail.send', 'alerts.read']})
  },
  npm(req, res, _b, s) {
    const t = bearer(req)
    if (!t || !s.live.has(t)) return json(res, 401, {error: 'Unauthorized'})
    return json(res, 200, {username: 'acme-publisher'})
  },
  openai(req, res, _b, s) {
    const t = bearer(req)
    if (!t || !s.live.has(t)) return json(res, 401, {error: {message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key'}})
    return json(res, 200, {object: 'list', data: [{id: 'gpt-4o', object: 'model'}]})
  },
  anthropic(req, res, _b, s) {
    const t = String(req.headers['x-api-key'] ?? '')
    if (!s.live.has(t) || !req.headers['anthropic-version']) return json(res, 401, {type: 'error', error: {type: 'authentication_error', message: 'invalid x-api-key'}})
    return json(res, 200, {data: [{id: 'claude-sonnet-4-5', type: 'model'}], has_more: false})
  },
  kube(req, res, body, s, k) {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (bearer(req) !== k.responderToken) return json(res, 401, {kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401})
    if (path === '/apis/authentication.k8s.io/v1/tokenreviews' && req.method === 'POST') {
      const review = JSON.parse(body) as {spec?: {token?: string}}
      const token = review.spec?.token ?? ''
      const owner = [...k.secrets].find(([, t]) => t === token)?.[0]
      const status = s.live.has(token)
        ? {authenticated: true, user: {username: token.includes('.') && token.length === 23 ? `system:bootstrap:${token.slice(0, 6)}` : `system:serviceaccount:${owner?.split('/')[0] ?? 'ops'}:deployer`, groups: ['system:serviceaccounts', 'system:authenticated']}}
        : {authenticated: false, error: 'invalid bearer token, token lookup failed'}
      return json(res, 201, {kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: {creationTimestamp: null}, spec: review.spec, status})
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(path)
    if (m && req.method === 'DELETE') {
      const id = `${m[1]}/${m[2]}`
      const token = k.secrets.get(id)
      if (token === undefined) return json(res, 404, {kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `secrets "${m[2]}" not found`, reason: 'NotFound', code: 404})
      k.secrets.delete(id)
      s.live.delete(token)
      return json(res, 200, {kind: 'Status', apiVersion: 'v1', status: 'Success', details: {name: m[2], kind: 'secrets'}})
    }
    return json(res, 404, {kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404})
  },
}

async function start(name: IssuerName, live: Iterable<string>, kube: KubeState): Promise<IssuerServer> {
  const s: IssuerServer = {name, url: '', requests: [], live: new Set(live), fault: null, close: async () => {}}
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      s.requests.push({method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body})
      const f = s.fault
      const answer = () => {
        if (f?.status && (f.times ?? Infinity) > 0) {
          if (f.times !== undefined) f.times--
          return json(res, f.status, {message: `fault ${f.status}`}, f.retryAfter ? {'retry-after': f.retryAfter} : {})
        }
        HANDLERS[name](req, res, body, s, kube)
      }
      if (f?.slowMs) setTimeout(answer, f.slowMs)
      else answer()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  s.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    })
  return s
}

export interface IssuerServers {
  servers: Record<IssuerName, IssuerServer>
  /** The environment that points leakctl at them. */
  env: Record<string, string>
  /** A kubeconfig for the Kubernetes stand-in (plain HTTP, which @kubernetes/client-node allows only with insecure-skip-tls-verify). */
  kubeconfigYaml: string
  kube: KubeState
  close(): Promise<void>
}

/** Starts every issuer server; `live` lists the credentials each accepts (webhooks: their URL path). */
export async function startIssuerServers(live: Partial<Record<IssuerName, string[]>>, kubeSecrets: Record<string, string> = {}): Promise<IssuerServers> {
  const kube: KubeState = {secrets: new Map(Object.entries(kubeSecrets)), responderToken: 'responder-kube-token'}
  const names = Object.keys(HANDLERS) as IssuerName[]
  const list = await Promise.all(names.map((n) => start(n, live[n] ?? [], kube)))
  const servers = Object.fromEntries(list.map((s) => [s.name, s])) as Record<IssuerName, IssuerServer>
  return {
    servers,
    kube,
    env: {
      GITHUB_API_URL: servers.github.url,
      GITLAB_URL: servers.gitlab.url,
      SLACK_API_URL: servers.slack.url,
      SLACK_HOOKS_URL: servers.hooks.url,
      STRIPE_API_URL: servers.stripe.url,
      SENDGRID_API_URL: servers.sendgrid.url,
      NPM_CONFIG_REGISTRY: servers.npm.url,
      OPENAI_BASE_URL: `${servers.openai.url}/v1`,
      ANTHROPIC_BASE_URL: servers.anthropic.url,
    },
    kubeconfigYaml: `apiVersion: v1
kind: Config
clusters:
- name: leaked
  cluster:
    server: ${servers.kube.url}
    insecure-skip-tls-verify: true
users:
- name: responder
  user:
    token: ${kube.responderToken}
contexts:
- name: leaked
  context: {cluster: leaked, user: responder}
current-context: leaked
`,
    close: async () => {
      await Promise.all(list.map((s) => s.close()))
    },
  }
}

/** Every string a request carried (path, headers, body), to search for a credential. */
export function carried(r: Recorded): string {
  return `${r.method} ${r.path}\n${JSON.stringify(r.headers)}\n${r.body}`
}
