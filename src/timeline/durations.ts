import {isDone, type IncidentState} from '../incident/state.js'
import {type CredentialLifecycle, type Lifecycles, plainStamp, type PublicStamp, type Stamp} from './lifecycle.js'
import {between, instant, msOf} from './when.js'

// The incident's key durations, the figures a post-mortem leads with: how
// long the exposure ran before anyone noticed, how long to the first and the
// last critical credential dead, how long until the checklist was done; and,
// as plainly, what is still unknown.

export interface KeyDurations {
  exposureStart: string | null
  detectedAt: string
  /** Exposure start to detection (the incident opened). */
  timeToDetectMs: number | null
  firstRevokedAt: string | null
  detectionToFirstRevocationMs: number | null
  /** Which credentials containment waits for: the critical ones, else the high ones. */
  containRisk: 'critical' | 'high' | null
  /** The last of those revoked; null while any is not. */
  containedAt: string | null
  /** Detection to contained: the last critical credential dead. */
  timeToContainMs: number | null
  /** The last checklist item done; null while any is open. */
  remediatedAt: string | null
  timeToRemediateMs: number | null
  open: {items: number; credentials: number}
  unknowns: string[]
}

export function keyDurations(state: IncidentState, life: Lifecycles): KeyDurations {
  const creds = life.credentials
  const detectedAt = instant(state.openedAt) ?? life.credentials[0]?.detected.happenedAt ?? new Date(0).toISOString()
  const exposureStart = life.facts.start?.happenedAt ?? minTime(creds.map((c) => c.exposed?.happenedAt))
  const firstRevokedAt = minTime(creds.map((c) => c.revoked?.happenedAt))
  const containRisk = creds.some((c) => c.risk === 'critical') ? 'critical' : creds.some((c) => c.risk === 'high') ? 'high' : null
  const containSet = creds.filter((c) => c.risk === containRisk)
  const containedAt = containSet.length && containSet.every((c) => c.revoked) ? maxTime(containSet.map((c) => c.revoked!.happenedAt)) : null

  let items = 0
  let last: string | null = null
  for (const item of state.items.values()) {
    if (item.parent) continue
    if (!isDone(state, item)) items++
    else {
      const doneAt = item.children.length ? maxTime(item.children.map((id) => instant(state.items.get(id)?.doneAt))) : instant(item.doneAt)
      if (doneAt && (!last || doneAt > last)) last = doneAt
    }
  }
  const remediatedAt = items === 0 && state.items.size > 0 ? last : null

  return {
    exposureStart,
    detectedAt,
    timeToDetectMs: between(exposureStart, detectedAt),
    firstRevokedAt,
    detectionToFirstRevocationMs: between(detectedAt, firstRevokedAt),
    containRisk,
    containedAt,
    timeToContainMs: between(detectedAt, containedAt),
    remediatedAt,
    timeToRemediateMs: between(detectedAt, remediatedAt),
    open: {items, credentials: creds.filter((c) => !c.revoked).length},
    unknowns: unknowns(life, creds, containSet),
  }
}

function unknowns(life: Lifecycles, creds: CredentialLifecycle[], containSet: CredentialLifecycle[]): string[] {
  const out: string[] = []
  if (!life.facts.start) out.push('When the exposure began: no exposure time was stated (--exposed-at) or found in the reflogs')
  const count = (pred: (c: CredentialLifecycle) => boolean) => creds.filter(pred).length
  const notCollected = count((c) => c.use.status === 'not-collected')
  if (notCollected) out.push(`Whether ${notCollected} credential(s) were used by someone else: no logs were collected for them`)
  const noIntro = count((c) => !c.introduced)
  if (noIntro) out.push(`When ${noIntro} credential(s) were introduced: the source does not say`)
  const open = containSet.filter((c) => !c.revoked).length
  if (open) out.push(`When containment ends: ${open} ${containSet[0]!.risk} credential(s) not revoked yet`)
  const live = count((c) => c.stillLive)
  if (live) out.push(`${live} credential(s) still work, by their last verification`)
  const unverified = count((c) => !!c.revoked && !c.verifiedDead)
  if (unverified) out.push(`Whether ${unverified} revoked credential(s) are really dead: not verified (leakctl verify cluster / verify issuer)`)
  return out
}

export interface Milestone {
  kind: 'exposed' | 'pushed' | 'made-public' | 'first-use' | 'last-use' | 'detected' | 'first-revocation' | 'contained' | 'remediated'
  label: string
  at: Stamp
}

/** The response's milestones, for the timeline and the picture's milestone lane. */
export function milestones(life: Lifecycles, d: KeyDurations): Milestone[] {
  const out: Milestone[] = []
  const f = life.facts
  if (f.start) out.push({kind: 'exposed', label: `Exposure began (${f.start.basis})`, at: f.start})
  if (f.firstPush && f.firstPush.happenedAt !== f.start?.happenedAt) out.push({kind: 'pushed', label: 'First push to a remote', at: f.firstPush})
  for (const p of f.madePublic) out.push({kind: 'made-public', label: publicLabel(p), at: plainStamp(p)})
  const used = life.credentials.filter((c) => c.use.first)
  const first = used.map((c) => c.use.first!).sort((a, b) => a.happenedAt.localeCompare(b.happenedAt))[0]
  const lastUse = used.map((c) => c.use.last!).sort((a, b) => b.happenedAt.localeCompare(a.happenedAt))[0]
  if (first) out.push({kind: 'first-use', label: 'First outside use of a leaked credential', at: first})
  if (lastUse && lastUse !== first) out.push({kind: 'last-use', label: 'Last outside use seen', at: lastUse})
  out.push({kind: 'detected', label: 'Incident opened (detected)', at: {happenedAt: d.detectedAt, learnedAt: d.detectedAt, source: 'incident.opened'}})
  const firstRevoked = life.credentials.map((c) => c.revoked).filter((s): s is Stamp => !!s).sort((a, b) => a.happenedAt.localeCompare(b.happenedAt))[0]
  if (firstRevoked) out.push({kind: 'first-revocation', label: 'First credential revoked', at: firstRevoked})
  if (d.containedAt) out.push({kind: 'contained', label: `Contained: the last ${d.containRisk} credential revoked`, at: {happenedAt: d.containedAt, learnedAt: d.containedAt, source: 'lifecycles'}})
  if (d.remediatedAt) out.push({kind: 'remediated', label: 'Remediated: the last checklist item done', at: {happenedAt: d.remediatedAt, learnedAt: d.remediatedAt, source: 'checklist'}})
  return out.sort((a, b) => msOf(a.at.happenedAt) - msOf(b.at.happenedAt))
}

function publicLabel(p: PublicStamp): string {
  if (p.what === 'repository') return 'Repository made public'
  if (p.bucket === '*') return 'Public access block lifted for every bucket of the account'
  return p.object ? `Object s3://${p.bucket}/${p.object} made public` : `Bucket s3://${p.bucket} made public`
}

function minTime(xs: (string | null | undefined)[]): string | null {
  let m: string | null = null
  for (const x of xs) if (x && (!m || x < m)) m = x
  return m
}

function maxTime(xs: (string | null | undefined)[]): string | null {
  let m: string | null = null
  for (const x of xs) if (x && (!m || x > m)) m = x
  return m
}
