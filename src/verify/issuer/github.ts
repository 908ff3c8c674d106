import {jsonOf, unexpected} from './http.js'
import {baseUrl, hostPath, type Issuer, type Leaked, type IssuerOptions, type RevokeResult, via} from './types.js'

// GitHub tokens. Verify: GET /user with the token (the least a token can ask:
// who am I), reading the login, the classic scopes (X-OAuth-Scopes) and the
// expiry GitHub announces (GitHub-Authentication-Token-Expiration); 401 is a
// dead token. Revoke: POST /credentials/revoke, GitHub's endpoint for
// credentials found exposed: unauthenticated (an authenticated call is
// refused with 403), up to 1,000 tokens per call, 60 calls an hour.

export const GITHUB_API = 'https://api.github.com'
const BATCH = 1000
const api = (o: IssuerOptions) => baseUrl(o.env, 'GITHUB_API_URL', GITHUB_API)
const HEADERS = {accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28'}

export const github: Issuer = {
  id: 'github',
  classes: ['github-token'],
  cannotVerify: (l) => (l.value === null ? (l.unresolved ?? 'value not re-read') : l.value.startsWith('ghr_') ? 'a GitHub App refresh token is only accepted by the token exchange, which would mint a new token' : null),
  calls: (l, o) => [{method: 'GET', ...hostPath(`${api(o)}/user`), note: 'Authorization: Bearer <the token>'}],
  async verify(l, o) {
    const url = `${api(o)}/user`
    const r = await o.http.request(url, {method: 'GET', headers: {...HEADERS, authorization: `Bearer ${l.value}`}})
    const v = via('GET', url)
    if (r.status === 401) return {state: 'revoked', via: v, detail: 'GitHub refused the token (401 Bad credentials): revoked, expired or deleted'}
    if (r.status === 200) {
      const login = String(jsonOf(r)?.login ?? '?')
      const scopes = r.headers.get('x-oauth-scopes')
      const expires = r.headers.get('github-authentication-token-expiration')
      if (expires && Date.parse(expires.replace(' UTC', 'Z').replace(' ', 'T')) < Date.now()) return {state: 'expired', via: v, detail: `login ${login}; expired ${expires}`}
      return {state: 'live', via: v, detail: `login ${login}; scopes: ${scopes === null ? 'none announced (fine-grained or app token)' : scopes || '(none)'}; expires: ${expires ?? 'never'}`}
    }
    // 403 without a rate limit: the token authenticated but is blocked (SSO, IP allow list): it still exists.
    if (r.status === 403) return {state: 'live', via: v, detail: `GitHub accepted the token but refused the call (403: ${String(jsonOf(r)?.message ?? '').slice(0, 120)})`}
    throw unexpected(r, hostPath(url).host)
  },
  revokePlan: (l, o) => ({
    action: `POST ${hostPath(`${api(o)}/credentials/revoke`).host}/credentials/revoke (unauthenticated, batched)`,
    steps: [`The owner is notified by GitHub; a new token must be created where ${l.finding.preview} was used.`],
    automatic: !l.value?.startsWith('ghs_'),
  }),
  async revoke(batch, o) {
    const url = `${api(o)}/credentials/revoke`
    const out: RevokeResult[] = []
    for (let i = 0; i < batch.length; i += BATCH) {
      const part = batch.slice(i, i + BATCH)
      const r = await o.http.request(url, {method: 'POST', headers: {...HEADERS, 'content-type': 'application/json'}, body: JSON.stringify({credentials: part.map((l) => l.value)})})
      const result = r.status === 202 ? `accepted by GitHub (202) in a batch of ${part.length}` : `refused by GitHub (HTTP ${r.status}${r.status === 422 ? ': validation failed or the endpoint was spammed' : ''})`
      for (const _ of part) out.push({applied: r.status === 202, result})
    }
    return out
  },
}
