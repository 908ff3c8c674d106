import {jsonOf, unexpected} from './http.js'
import {baseUrl, hostPath, type Issuer, type IssuerOptions, via} from './types.js'

// GitLab tokens. Verify: GET /api/v4/personal_access_tokens/self, the token
// asking about itself (name, scopes, expiry, revoked, active); 401 is a token
// GitLab no longer accepts, and its error_description says why. GITLAB_URL
// points at a self-managed instance. Revoke: printed (the token's own
// DELETE .../self exists but a responder should see which token first).

export const GITLAB = 'https://gitlab.com'
const api = (o: IssuerOptions) => `${baseUrl(o.env, 'GITLAB_URL', GITLAB)}/api/v4/personal_access_tokens/self`

export const gitlab: Issuer = {
  id: 'gitlab',
  classes: ['gitlab-token'],
  cannotVerify: (l) => (l.value === null ? (l.unresolved ?? 'value not re-read') : /^(GR1348941|glrt-)/.test(l.value) ? 'a runner token: GitLab has no read-only check for it' : null),
  calls: (_l, o) => [{method: 'GET', ...hostPath(api(o)), note: 'PRIVATE-TOKEN: <the token>'}],
  async verify(l, o) {
    const url = api(o)
    const r = await o.http.request(url, {method: 'GET', headers: {'private-token': l.value!}})
    const v = via('GET', url)
    if (r.status === 401) {
      const why = String(jsonOf(r)?.error_description ?? jsonOf(r)?.message ?? '')
      return {state: /expired/i.test(why) ? 'expired' : 'revoked', via: v, detail: `GitLab refused the token (401${why ? `: ${why.slice(0, 120)}` : ''})`}
    }
    if (r.status === 200) {
      const t = jsonOf(r) ?? {}
      const scopes = Array.isArray(t.scopes) ? t.scopes.join(', ') : '?'
      const expires = typeof t.expires_at === 'string' ? t.expires_at : 'never'
      if (t.revoked === true) return {state: 'revoked', via: v, detail: `token ${String(t.name ?? '?')} is revoked`}
      if (t.active === false) return {state: 'expired', via: v, detail: `token ${String(t.name ?? '?')} is inactive (expires_at ${expires})`}
      return {state: 'live', via: v, detail: `token ${String(t.name ?? '?')}; scopes: ${scopes}; expires: ${expires}`}
    }
    // 403: authenticated, but the token lacks read_api/api to read itself: it works.
    if (r.status === 403) return {state: 'live', via: v, detail: 'GitLab accepted the token but it may not read itself (403: insufficient scope)'}
    throw unexpected(r, hostPath(url).host)
  },
  revokePlan: (_l, o) => ({
    action: 'print the revoke step',
    steps: [`In GitLab (${hostPath(api(o)).host}): User settings > Access tokens > Revoke (or the group/project's Access tokens page), then create a replacement.`],
    automatic: false,
  }),
}
