import {type Finding, findingWhere} from '../../detect/finding.js'
import type {GitHubClient, Token} from './client.js'
import {makeClient} from './client.js'
import {isFatal, refusal} from './collect.js'
import type {GitHubEvent, Missing} from './report.js'

// What a leaked GitHub token did. GitHub's audit log records, for every
// action a personal access token, OAuth token or app token performed, the
// plain SHA-256 of the token (`hashed_token`, base64). Fingerprints are keyed
// (they cannot be that digest), so a github-token finding carries it beside
// its fingerprint (`hashedToken`, computed only for GitHub's random token
// formats: see githubHashedToken in src/detect/finding.ts). So the
// organisation's audit log can be searched for the token's own actions
// without the token: search `hashed_token:"<base64>"`. The audit log API
// needs Enterprise Cloud (or Server) and an owner's token with read:audit_log.

export interface LeakedToken {
  /** The finding's fingerprint, or the `sha256:<hex>` given by hand. */
  fingerprint: string
  /** The audit log's `hashed_token`: the plain SHA-256 of the token, base64. */
  hashedToken: string
  /** Where it was found (a Secret, a file), for the report. */
  label: string
}

export interface TokenUseResult {
  org: string
  exposedAt: string | null
  tokens: (LeakedToken & {hashedToken: string; actions: number; afterExposure: number})[]
  events: GitHubEvent[]
  verdict: {status: 'used-after-exposure' | 'no-use-seen' | 'unknown'; text: string}
  missing: Missing[]
  requests: number
  /** Set when GitHub could not be queried at all (unreachable, the token refused): exit 3. */
  fatal: string | null
}

/** The GitHub tokens among the findings (those with the audit log's digest), once each. */
export function leakedTokens(findings: readonly Finding[]): LeakedToken[] {
  const out = new Map<string, LeakedToken>()
  for (const f of findings) if (f.class === 'github-token' && f.hashedToken && !out.has(f.fingerprint)) out.set(f.fingerprint, {fingerprint: f.fingerprint, hashedToken: f.hashedToken, label: findingWhere(f)})
  return [...out.values()]
}

/**
 * Tokens named by hand (--token-fingerprint): the fingerprint of one of the
 * incident's github-token findings, or else the token's plain SHA-256
 * (`printf %s "$TOKEN" | sha256sum`), which is what the audit log holds.
 */
export function givenTokens(given: readonly string[], findings: readonly Finding[]): LeakedToken[] {
  const known = new Map(leakedTokens(findings).map((t) => [t.fingerprint, t]))
  return given.map((fingerprint) => known.get(fingerprint) ?? {fingerprint, hashedToken: plainDigestBase64(fingerprint), label: 'the token given'})
}

function plainDigestBase64(fingerprint: string): string {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(fingerprint)?.[1]
  if (!hex) throw new Error(`not a sha256 digest: ${fingerprint.slice(0, 16)}`)
  return Buffer.from(hex, 'hex').toString('base64')
}

export async function investigateTokenUse(o: {org: string; tokens: LeakedToken[]; since: Date | null; token: Token; baseUrl: string; maxWaitSeconds: number; maxPages?: number; onProgress?: (text: string) => void}): Promise<TokenUseResult> {
  const client = makeClient({token: o.token, baseUrl: o.baseUrl, maxWaitSeconds: o.maxWaitSeconds, onWait: o.onProgress})
  const raw = await collectTokenUse(client, o)
  return judgeTokenUse(raw, o.org, o.since)
}

interface RawTokenUse {
  tokens: {token: LeakedToken; hashed: string; entries: Record<string, any>[] | null}[]
  missing: Missing[]
  requests: number
  fatal: string | null
}

async function collectTokenUse(client: GitHubClient, o: {org: string; tokens: LeakedToken[]; token: Token; maxPages?: number; onProgress?: (text: string) => void}): Promise<RawTokenUse> {
  const out: RawTokenUse = {tokens: [], missing: [], requests: 0, fatal: null}
  if (!o.token) {
    out.fatal = 'no GitHub token (GITHUB_TOKEN, GH_TOKEN or gh auth login): the audit log needs an organisation owner\'s token with read:audit_log'
    return out
  }
  const maxPages = o.maxPages ?? 10
  for (const t of o.tokens) {
    const hashed = t.hashedToken
    o.onProgress?.(`github: audit log of ${o.org} for the token in ${t.label}`)
    const entries: Record<string, any>[] = []
    let pages = 0
    try {
      for await (const page of client.paginate.iterator('GET /orgs/{org}/audit-log', {org: o.org, phrase: `hashed_token:"${hashed}"`, include: 'all', order: 'asc', per_page: 100})) {
        out.requests++
        entries.push(...(page.data as Record<string, any>[]))
        if (++pages >= maxPages) {
          out.missing.push({what: `actions of the token in ${t.label} beyond ${maxPages * 100}`, reason: 'not read (the listing is longer than leakctl pages through)'})
          break
        }
      }
      out.tokens.push({token: t, hashed, entries})
    } catch (error) {
      out.requests++
      const status = (error as {status?: number}).status
      let reason = refusal('organisation audit log', error, true)
      if (status === 404 || (status === 403 && /forbidden/.test(reason))) reason = `the audit log of ${o.org} is not available: it needs GitHub Enterprise Cloud and an organisation owner's token with read:audit_log`
      out.missing.push({what: `actions of the token in ${t.label}`, reason})
      out.tokens.push({token: t, hashed, entries: pages ? entries : null})
      if (isFatal(error)) {
        out.fatal = reason
        break
      }
    }
  }
  return out
}

/** Pure: every action after the exposure is the leaked token used by whoever holds a copy. */
export function judgeTokenUse(raw: RawTokenUse, org: string, since: Date | null): TokenUseResult {
  const events: GitHubEvent[] = []
  const tokens: TokenUseResult['tokens'] = []
  for (const {token, hashed, entries} of raw.tokens) {
    let afterExposure = 0
    for (const x of entries ?? []) {
      const at = new Date(Number(x['@timestamp'] ?? x.created_at ?? 0)).toISOString()
      const after = since === null || Date.parse(at) >= since.getTime()
      if (after) afterExposure++
      const where = [x.repo ? `on ${x.repo}` : '', x.actor_location?.country_code ? `from ${x.actor_location.country_code}` : '', x.user_agent ? `(${String(x.user_agent).slice(0, 60)})` : ''].filter(Boolean).join(' ')
      events.push({
        id: `token:${hashed}:${x._document_id ?? x['@timestamp']}`,
        at,
        kind: 'token-use',
        actor: x.actor ?? null,
        summary: `${x.action ?? 'action'} with the token in ${token.label}${x.actor ? ` as ${x.actor}` : ''}${where ? ` ${where}` : ''}`,
        afterExposure: after,
        suspicious: after,
        reasons: after ? ['the leaked token was used after the exposure: whoever holds a copy can act as its owner until it is revoked'] : [],
      })
    }
    tokens.push({...token, hashedToken: hashed, actions: entries?.length ?? 0, afterExposure})
  }
  events.sort((a, b) => a.at.localeCompare(b.at))
  const used = tokens.filter((t) => t.afterExposure > 0)
  const unread = raw.tokens.filter((t) => t.entries === null).length
  const verdict: TokenUseResult['verdict'] = used.length
    ? {status: 'used-after-exposure', text: `USED: ${used.length} of ${tokens.length} leaked GitHub token(s) acted in ${org} after the exposure (${used.reduce((n, t) => n + t.afterExposure, 0)} action(s))`}
    : unread === raw.tokens.length || raw.fatal
      ? {status: 'unknown', text: `UNKNOWN: the audit log of ${org} could not be read for the leaked token(s)`}
      : {status: 'no-use-seen', text: `no action of the ${tokens.length} leaked GitHub token(s) in ${org}'s audit log after the exposure${unread ? ` (${unread} not read)` : ''}`}
  return {org, exposedAt: since?.toISOString() ?? null, tokens, events, verdict, missing: raw.missing, requests: raw.requests, fatal: raw.fatal}
}
