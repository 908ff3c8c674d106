import {jsonOf, unexpected} from './http.js'
import {baseUrl, hostPath, type Issuer, type IssuerOptions, via} from './types.js'

// API keys whose issuer documents a read-only "who am I / what is this key"
// call (Stripe, SendGrid, npm, OpenAI, Anthropic: one module each describes
// its call). The same reading for all: 200 live, 401 dead, 403 live but
// limited (the key authenticated, the call is outside its permissions).

export interface KeyInfoSpec {
  id: string
  classes: readonly string[]
  /** Override variable and real base URL. */
  env: string
  real: string
  path: string
  headers: (value: string) => Record<string, string>
  /** How the key travels, for --dry-run. */
  carried: string
  /** Non-secret facts from a 200 answer. */
  describe: (body: Record<string, unknown> | null) => string
  /** What a 401 body says when the key expired rather than was revoked. */
  expired?: RegExp
  /** The provider's revoke step, printed. */
  revokeStep: string
  /** A reason this key cannot be asked about (a prefix with no check); null when it can. */
  refuse?: (value: string) => string | null
}

export function keyInfoIssuer(s: KeyInfoSpec): Issuer {
  const url = (o: IssuerOptions) => `${baseUrl(o.env, s.env, s.real)}${s.path}`
  return {
    id: s.id,
    classes: s.classes,
    cannotVerify: (l) => (l.value === null ? (l.unresolved ?? 'value not re-read') : (s.refuse?.(l.value) ?? null)),
    calls: (_l, o) => [{method: 'GET', ...hostPath(url(o)), note: s.carried}],
    async verify(l, o) {
      const u = url(o)
      const r = await o.http.request(u, {method: 'GET', headers: {accept: 'application/json', ...s.headers(l.value!)}})
      const v = via('GET', u)
      if (r.status === 200) return {state: 'live', via: v, detail: s.describe(jsonOf(r))}
      if (r.status === 401) return {state: s.expired?.test(r.text.slice(0, 2000)) ? 'expired' : 'revoked', via: v, detail: `${s.id} refused the key (401)`}
      if (r.status === 403) return {state: 'live', via: v, detail: `${s.id} accepted the key but not this call (403): a restricted key, still valid`}
      throw unexpected(r, hostPath(u).host)
    },
    revokePlan: () => ({action: 'print the revoke step', steps: [s.revokeStep], automatic: false}),
  }
}

/** A short non-secret string field of a JSON answer. */
export function field(body: Record<string, unknown> | null, ...path: string[]): string {
  let v: unknown = body
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v).slice(0, 120) : '?'
}
