import {jsonOf, unexpected} from './http.js'
import {baseUrl, hostPath, type Issuer, type IssuerOptions, type Outcome, via} from './types.js'

// Slack. Tokens: auth.test (who the token is; ok:false with an error code
// when dead) and auth.revoke to revoke. Incoming webhooks: a POST with an
// empty body to the webhook itself — Slack answers `invalid_payload` or
// `no_text` (400) when the hook exists, `no_service`/`invalid_token` (404/403)
// when it is gone; an empty body can never be posted as a message.
// SLACK_API_URL replaces https://slack.com; SLACK_HOOKS_URL replaces the
// scheme and host of webhook URLs (tests, Slack GovSlack).

export const SLACK_API = 'https://slack.com'
const api = (o: IssuerOptions, method: string) => `${baseUrl(o.env, 'SLACK_API_URL', SLACK_API)}/api/${method}`
const DEAD = new Set(['invalid_auth', 'token_revoked', 'account_inactive', 'not_authed', 'no_service', 'invalid_token', 'team_disabled', 'org_login_required'])

function hookUrl(value: string, o: IssuerOptions): string {
  const u = new URL(value)
  const base = o.env.SLACK_HOOKS_URL?.trim()
  return base ? `${base.replace(/\/+$/, '')}${u.pathname}` : `https://${u.host}${u.pathname}`
}

/** A webhook path with its secret parts hidden: /services/T0000/B0000/**** keeps the workspace and hook ids. */
function redactedHook(url: string): {host: string; path: string} {
  const u = new URL(url)
  const parts = u.pathname.split('/')
  return {host: u.host, path: parts.map((p, i) => (i >= 3 && p ? '****' : p)).join('/')}
}

export const slack: Issuer = {
  id: 'slack',
  classes: ['slack-token'],
  cannotVerify: (l) => (l.value === null ? (l.unresolved ?? 'value not re-read') : /^xox[ec]/.test(l.value) ? 'a Slack refresh or configuration token: using it would rotate it' : null),
  calls: (_l, o) => [{method: 'POST', ...hostPath(api(o, 'auth.test')), note: 'Authorization: Bearer <the token>'}],
  async verify(l, o) {
    const url = api(o, 'auth.test')
    const r = await o.http.request(url, {method: 'POST', headers: {authorization: `Bearer ${l.value}`, 'content-type': 'application/x-www-form-urlencoded'}})
    return slackAnswer(r.status, jsonOf(r), via('POST', url), hostPath(url).host)
  },
  revokePlan: (_l, o) => ({action: `POST ${hostPath(api(o, 'auth.revoke')).host}/api/auth.revoke`, steps: ['Create a replacement token in the Slack app settings (OAuth & Permissions) and redeploy it.'], automatic: true}),
  async revoke(batch, o) {
    const url = api(o, 'auth.revoke')
    const out = []
    for (const l of batch) {
      const r = await o.http.request(url, {method: 'POST', headers: {authorization: `Bearer ${l.value}`, 'content-type': 'application/x-www-form-urlencoded'}})
      const j = jsonOf(r)
      out.push(j?.ok === true ? {applied: true, result: `revoked by Slack (revoked: ${String(j.revoked)})`} : {applied: false, result: `Slack refused: ${String(j?.error ?? `HTTP ${r.status}`).slice(0, 80)}`})
    }
    return out
  },
}

function slackAnswer(status: number, j: Record<string, unknown> | null, v: string, host: string): Outcome {
  if (j?.ok === true) return {state: 'live', via: v, detail: `team ${String(j.team ?? '?')}, user ${String(j.user ?? '?')}${j.bot_id ? ` (bot ${String(j.bot_id)})` : ''}`}
  const error = typeof j?.error === 'string' ? j.error : null
  if (error === 'token_expired') return {state: 'expired', via: v, detail: 'Slack: token_expired'}
  if (error && DEAD.has(error)) return {state: 'revoked', via: v, detail: `Slack: ${error}`}
  if (error === 'ratelimited') throw unexpected({status: 429, headers: new Headers(), text: ''}, host)
  throw unexpected({status, headers: new Headers(), text: ''}, host)
}

export const slackWebhook: Issuer = {
  id: 'slack-webhook',
  classes: ['slack-webhook'],
  cannotVerify: (l) => (l.value === null ? (l.unresolved ?? 'value not re-read') : null),
  calls: (l, o) => [{method: 'POST', ...redactedHook(hookUrl(l.value!, o)), note: 'empty body (never a message); the URL is the credential'}],
  async verify(l, o) {
    const url = hookUrl(l.value!, o)
    const r = await o.http.request(url, {method: 'POST', headers: {'content-type': 'application/json'}, body: ''})
    const h = redactedHook(url)
    const v = `POST ${h.host}${h.path} (empty body)`
    // Only Slack's own error words are repeated, never the body itself.
    const live = /\b(invalid_payload|no_text|missing_text)\b/.exec(r.text.slice(0, 200))?.[1]
    const dead = /\b(no_service|invalid_token|no_team|team_disabled|channel_is_archived|action_prohibited)\b/.exec(r.text.slice(0, 200))?.[1]
    if (r.status === 400 && live) return {state: 'live', via: v, detail: `Slack: ${live} — the webhook exists and would post`}
    if ((r.status === 404 || r.status === 403 || r.status === 410) && dead) return {state: 'revoked', via: v, detail: `Slack: ${dead}`}
    throw unexpected(r, h.host)
  },
  revokePlan: () => ({action: 'print the revoke step', steps: ['Slack app settings > Incoming Webhooks > remove the webhook (or disable the app), then add a new one and redeploy.'], automatic: false}),
}
