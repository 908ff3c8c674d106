import type {VerificationState} from '../../incident/events.js'
import {IssuerUnavailable} from './http.js'
import {issuerOf} from './issuers.js'
import type {Call, IssuerOptions, Leaked, Outcome} from './types.js'

// verify issuer: each credential to its own issuer, once per credential
// (the same value found in three places is asked about once, recorded three
// times), all at once within the per-host limits of the HTTP layer. A
// failure to ask is an `unknown` with its reason, never an exception.

export interface Verification {
  fingerprint: string
  class: string
  where: string
  state: VerificationState
  checkedAt: string
  via: string
  detail: string
  /** findingKey() of the finding: what verification.recorded events carry. */
  finding: string
}

export interface PlannedCalls {
  fingerprint: string
  class: string
  where: string
  /** Why nothing would be sent, for a credential that cannot be asked. */
  skipped: string | null
  calls: Call[]
}

export interface VerifySummary {
  total: number
  live: number
  revoked: number
  expired: number
  unknown: number
  unverifiable: number
  /** Distinct credentials an issuer answered about (live, revoked or expired). */
  answered: number
  /** Distinct credentials leakctl tried to ask about. */
  asked: number
}

/** Why a credential cannot be asked about, or null when its issuer can be asked. */
export function skipReason(l: Leaked, o: IssuerOptions): string | null {
  const issuer = issuerOf(l.finding.class)
  if (!issuer) return `no issuer to ask for a ${l.finding.class}: the item stays manual`
  return issuer.cannotVerify(l, o)
}

/** --dry-run: the requests that would be made, nothing sent. */
export function planCalls(leaked: readonly Leaked[], o: IssuerOptions): PlannedCalls[] {
  return leaked.map((l) => {
    const skipped = skipReason(l, o)
    return {fingerprint: l.finding.fingerprint, class: l.finding.class, where: l.where, skipped, calls: skipped ? [] : issuerOf(l.finding.class)!.calls(l, o)}
  })
}

export async function verifyLeaked(leaked: readonly Leaked[], o: IssuerOptions, now: () => Date = () => new Date()): Promise<{verifications: Verification[]; summary: VerifySummary}> {
  const asked = new Map<string, Promise<Outcome & {checkedAt: string}>>()
  const outcomes = leaked.map((l) => {
    const skipped = skipReason(l, o)
    if (skipped) return Promise.resolve({state: 'unverifiable' as const, via: 'none', detail: skipped, checkedAt: now().toISOString()})
    const id = `${l.finding.class} ${l.finding.fingerprint}`
    let p = asked.get(id)
    if (!p) {
      p = ask(l, o, now)
      asked.set(id, p)
    }
    return p
  })
  const done = await Promise.all(outcomes)
  const verifications = leaked.map((l, i) => ({fingerprint: l.finding.fingerprint, class: l.finding.class, where: l.where, ...done[i]!, finding: l.key}))
  const distinct = new Map<string, VerificationState>()
  leaked.forEach((l, i) => done[i]!.state !== 'unverifiable' && distinct.set(`${l.finding.class} ${l.finding.fingerprint}`, done[i]!.state))
  const count = (s: VerificationState) => verifications.filter((v) => v.state === s).length
  return {
    verifications,
    summary: {total: verifications.length, live: count('live'), revoked: count('revoked'), expired: count('expired'), unknown: count('unknown'), unverifiable: count('unverifiable'), answered: [...distinct.values()].filter((s) => s !== 'unknown').length, asked: distinct.size},
  }
}

async function ask(l: Leaked, o: IssuerOptions, now: () => Date): Promise<Outcome & {checkedAt: string}> {
  const issuer = issuerOf(l.finding.class)!
  try {
    const r = await issuer.verify(l, o)
    return {...r, checkedAt: now().toISOString()}
  } catch (error) {
    if (error instanceof IssuerUnavailable) return {state: 'unknown', via: issuer.id, detail: error.message, checkedAt: now().toISOString()}
    throw error
  }
}
