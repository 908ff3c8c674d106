import {type Finding, findingKey, findingWhere, RISK_ORDER, type Risk} from '../detect/finding.js'
import {DANGEROUS_STATES, DEAD_STATES, type EventOf, type IncidentEvent} from '../incident/events.js'
import {type IncidentState, sortEvents} from '../incident/state.js'
import {between, eventTime, instant, msOf} from './when.js'

// The life of each leaked credential, from the facts the response collected:
// introduced (its commit, its Secret's creation) -> exposed -> first outside
// use -> detected -> revoked -> verified dead. Each fact keeps the time it
// happened beside the time leakctl learned it, and what shows it.

export interface Stamp {
  /** When it happened, canonical UTC. */
  happenedAt: string
  /** When leakctl learned it: the time of the event that recorded it. */
  learnedAt: string
  /** What shows it: a commit, a CloudTrail eventId, an event id, who stated it. */
  source: string
  /** The id of the leakctl event that recorded it, when one did (for its signature check). */
  event?: string
}

export type UseStatus = 'seen' | 'none-seen' | 'not-collected'

export interface CredentialLifecycle {
  fingerprint: string
  class: string
  risk: Risk
  /** The first place it was found (findingWhere), and how many places in all. */
  where: string
  places: number
  introduced: Stamp | null
  /** When outsiders could first reach it, and on what that rests. */
  exposed: (Stamp & {basis: string}) | null
  use: {
    status: UseStatus
    first: Stamp | null
    last: Stamp | null
    count: number
    /** Every judged suspicious use tied to this credential, in time order. */
    marks: Stamp[]
    /** The window the collected logs cover for it (when no use was seen, the answer is only this wide). */
    coverage: {from: string | null; to: string} | null
  }
  detected: Stamp
  /** The first sign it stopped working: a revocation applied, a dead verification, its rotation item ticked. */
  revoked: Stamp | null
  /** The last verification says it is dead (rotated, deleted, revoked, expired). */
  verifiedDead: Stamp | null
  /** The last verification found the leaked value still working. */
  stillLive: boolean
  durations: {
    exposedBeforeDetectionMs: number | null
    detectionToRevocationMs: number | null
    /** Exposed to revoked; to `now` while it is not revoked (then `exposureOngoing`). */
    totalExposureMs: number | null
    exposureOngoing: boolean
  }
}

export type PublicStamp = Stamp & ({what: 'repository'} | {what: 'bucket'; bucket: string; object?: string})

export interface ExposureFacts {
  /** The incident's exposure start: stated by a person, or the first push the reflogs show. */
  start: (Stamp & {basis: string}) | null
  firstPush: Stamp | null
  /** Repository visibility changes to public (GitHub) and buckets or objects made public (CloudTrail). */
  madePublic: PublicStamp[]
  /** Suspicious outside activity not tied to one credential (clones, forks). */
  outsideActivity: Stamp[]
}

export interface Lifecycles {
  facts: ExposureFacts
  credentials: CredentialLifecycle[]
}

type Evidence = EventOf<'evidence.found'>
type Ref = Record<string, unknown>

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null)
const shortSha = (s: string) => s.slice(0, 12)

/** The audit log's hashed_token of a GitHub token: the same SHA-256 as the fingerprint, in base64. */
const hashedOf = (fp: string): string | null => {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(fp)?.[1]
  return hex ? Buffer.from(hex, 'hex').toString('base64') : null
}

export function buildLifecycles(state: IncidentState, events: IncidentEvent[], now: Date): Lifecycles {
  const sorted = sortEvents(events)
  const opened = sorted.find((e): e is EventOf<'incident.opened'> => e.type === 'incident.opened')!
  const facts = exposureFacts(state, sorted, opened)

  // One credential is one fingerprint, wherever it was found.
  const byFp = new Map<string, {findings: Finding[]; detected: Stamp | null}>()
  for (const f of state.findings) {
    const c = byFp.get(f.fingerprint) ?? {findings: [], detected: null}
    c.findings.push(f)
    byFp.set(f.fingerprint, c)
  }
  const byKeyId = new Map<string, string[]>()
  const byHashed = new Map<string, string>()
  for (const [fp, c] of byFp) {
    for (const f of c.findings) if (f.keyId) byKeyId.set(f.keyId, [...new Set([...(byKeyId.get(f.keyId) ?? []), fp])])
    if (c.findings.some((f) => f.class === 'github-token')) {
      const h = hashedOf(fp)
      if (h) byHashed.set(h, fp)
    }
  }

  const uses = new Map<string, Stamp[]>()
  const coverage = new Map<string, {from: string | null; to: string}>()
  const revoked = new Map<string, Stamp[]>()
  const verifications = new Map<string, {checkedAt: string; dead: boolean; dangerous: boolean; stamp: Stamp}[]>()
  const cover = (fp: string, from: string | null, to: string) => {
    const c = coverage.get(fp)
    coverage.set(fp, c ? {from: c.from === null || from === null ? null : c.from < from ? c.from : from, to: c.to > to ? c.to : to} : {from, to})
  }

  for (const e of sorted) {
    const time = eventTime(e)
    if (e.type === 'finding.recorded') {
      const c = byFp.get(e.data.finding.fingerprint)
      if (c && !c.detected) c.detected = {happenedAt: time, learnedAt: time, source: `finding.recorded ${e.id}`, event: e.id}
    } else if (e.type === 'evidence.found') {
      const ref = (e.data.ref ?? {}) as Ref
      const kind = str(ref.kind)
      if (kind === 'summary' && e.data.source === 'cloudtrail') {
        for (const k of Array.isArray(ref.keys) ? (ref.keys as Ref[]) : []) for (const fp of byKeyId.get(str(k.accessKeyId) ?? '') ?? []) cover(fp, instant(str(ref.exposedAt)), time)
        continue
      }
      if (kind === 'token-use-summary') {
        for (const t of Array.isArray(ref.tokens) ? (ref.tokens as Ref[]) : []) {
          const fp = str(t.fingerprint)
          if (fp && byFp.has(fp)) cover(fp, instant(str(ref.exposedAt)), time)
        }
        continue
      }
      if (kind === 'summary' || !e.data.suspicious || kind === 'visibility') continue
      const stamp = useStamp(e)
      if (!stamp) continue
      const fps = usedCredentials(e, byKeyId, byHashed)
      if (fps.length === 0) facts.outsideActivity.push(stamp)
      for (const fp of fps) {
        const list = uses.get(fp)
        if (list) list.push(stamp)
        else uses.set(fp, [stamp])
      }
    } else if (e.type === 'credential.revoked') {
      if (e.data.applied && byFp.has(e.data.fingerprint)) revoked.set(e.data.fingerprint, [...(revoked.get(e.data.fingerprint) ?? []), {happenedAt: time, learnedAt: time, source: `credential.revoked ${e.id}: ${e.data.action}`, event: e.id}])
    } else if (e.type === 'verification.recorded') {
      const checkedAt = instant(e.data.checkedAt) ?? time
      const dead = DEAD_STATES.includes(e.data.state)
      const happenedAt = (dead ? instant(e.data.since) : null) ?? checkedAt
      const stamp = {happenedAt, learnedAt: time, source: `verification.recorded ${e.id}: ${e.data.verifier} says ${e.data.state} (${e.data.via})`, event: e.id}
      if (byFp.has(e.data.fingerprint)) verifications.set(e.data.fingerprint, [...(verifications.get(e.data.fingerprint) ?? []), {checkedAt, dead, dangerous: DANGEROUS_STATES.includes(e.data.state), stamp}])
    }
  }

  // Rotation items ticked done: a person saying the credential was changed.
  const ticks = new Map<string, Stamp>()
  for (const item of state.items.values()) {
    const doneAt = instant(item.doneAt)
    if (!item.done || !doneAt || !item.findings?.length || (!item.procedure && !item.gap)) continue
    for (const key of item.findings) {
      const f = state.findingIndex.get(key)
      if (!f) continue
      const prev = ticks.get(f.fingerprint)
      if (!prev || doneAt < prev.happenedAt) ticks.set(f.fingerprint, {happenedAt: doneAt, learnedAt: doneAt, source: `item ${item.id} ticked by ${item.doneBy ?? 'someone'}`})
    }
  }

  const credentials: CredentialLifecycle[] = []
  for (const [fp, c] of byFp) {
    const first = [...c.findings].sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk])[0]!
    const detected = c.detected ?? {happenedAt: eventTime(opened), learnedAt: eventTime(opened), source: `incident.opened ${opened.id}`}
    const introduced = earliest(c.findings.map((f) => introducedStamp(f, detected.learnedAt)))
    const exposed = exposedStamp(first, introduced, facts, incidentBucket(state))
    const marks = (uses.get(fp) ?? []).sort((a, b) => a.happenedAt.localeCompare(b.happenedAt))
    const cov = coverage.get(fp) ?? null
    const vs = (verifications.get(fp) ?? []).sort((a, b) => a.checkedAt.localeCompare(b.checkedAt))
    const lastDangerous = vs.filter((v) => v.dangerous).at(-1)?.checkedAt ?? ''
    const deadAfter = vs.find((v) => v.dead && v.checkedAt > lastDangerous)
    const stillLive = vs.length > 0 && vs.at(-1)!.dangerous
    const revokedAt = stillLive ? null : earliest([...(revoked.get(fp) ?? []), ...(deadAfter ? [deadAfter.stamp] : []), ...(ticks.has(fp) ? [ticks.get(fp)!] : [])])
    const end = revokedAt?.happenedAt ?? now.toISOString()
    credentials.push({
      fingerprint: fp,
      class: first.class,
      risk: c.findings.reduce<Risk>((r, f) => (RISK_ORDER[f.risk] < RISK_ORDER[r] ? f.risk : r), first.risk),
      where: findingWhere(first),
      places: c.findings.length,
      introduced,
      exposed,
      use: {status: marks.length ? 'seen' : cov ? 'none-seen' : 'not-collected', first: marks[0] ?? null, last: marks.at(-1) ?? null, count: marks.length, marks, coverage: cov},
      detected,
      revoked: revokedAt,
      verifiedDead: deadAfter && !stillLive ? {...deadAfter.stamp, happenedAt: deadAfter.checkedAt} : null,
      stillLive,
      durations: {
        exposedBeforeDetectionMs: between(exposed?.happenedAt, detected.happenedAt),
        detectionToRevocationMs: between(detected.happenedAt, revokedAt?.happenedAt),
        totalExposureMs: between(exposed?.happenedAt, end),
        exposureOngoing: revokedAt === null,
      },
    })
  }
  credentials.sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || (a.exposed?.happenedAt ?? '').localeCompare(b.exposed?.happenedAt ?? '') || a.where.localeCompare(b.where))
  facts.outsideActivity.sort((a, b) => a.happenedAt.localeCompare(b.happenedAt))
  return {facts, credentials}
}

function exposureFacts(state: IncidentState, sorted: IncidentEvent[], opened: EventOf<'incident.opened'>): ExposureFacts {
  const scanGit = sorted.find((e): e is EventOf<'check.completed'> => e.type === 'check.completed' && e.data.check === 'scan-git')
  const details = (scanGit?.data.details ?? {}) as Ref
  const how = str(details.exposureSource)
  const push = (details.firstPush ?? null) as Ref | null
  const pushAt = instant(str(push?.at)) ?? (how === 'push' || how === 'fetch' ? instant(str(details.exposedAt)) : null)
  const firstPush: Stamp | null =
    pushAt && scanGit ? {happenedAt: pushAt, learnedAt: eventTime(scanGit), source: `reflog of ${str(push?.ref) ?? 'a remote-tracking ref'}${str(push?.commit) ? `: commit ${shortSha(str(push?.commit)!)}` : ''}`} : null
  const exposedAt = instant(state.exposedAt)
  let start: ExposureFacts['start'] = null
  if (exposedAt) {
    const basis =
      how === 'push' || how === 'fetch'
        ? `the first ${how} to a remote (remote-tracking reflog)`
        : how === 'first commit'
          ? 'the first commit (no push recorded in the reflogs)'
          : `stated by ${opened.actor} when the incident was opened`
    start = {happenedAt: exposedAt, learnedAt: eventTime(opened), source: firstPush && how !== 'flag' ? firstPush.source : `incident.opened ${opened.id}`, basis}
  }
  const madePublic: PublicStamp[] = []
  for (const e of sorted) {
    if (e.type !== 'evidence.found') continue
    const ref = (e.data.ref ?? {}) as Ref
    const s = useStamp(e)
    if (!s) continue
    if (str(ref.kind) === 'visibility') madePublic.push({...s, what: 'repository'})
    else if (str(ref.exposure) === 'made-public' && str(ref.bucket)) madePublic.push({...s, what: 'bucket', bucket: str(ref.bucket)!, ...(str(ref.object) ? {object: str(ref.object)!} : {})})
  }
  return {start, firstPush, madePublic, outsideActivity: []}
}

function useStamp(e: Evidence): Stamp | null {
  const learnedAt = eventTime(e)
  const ref = (e.data.ref ?? {}) as Ref
  const id = str(ref.eventId) ? `CloudTrail eventId ${str(ref.eventId)}` : str(ref.id) ? `${e.data.source} ${str(ref.id)}` : `evidence.found ${e.id}`
  return {happenedAt: instant(e.data.at) ?? learnedAt, learnedAt, source: id, event: e.id}
}

function usedCredentials(e: Evidence, byKeyId: Map<string, string[]>, byHashed: Map<string, string>): string[] {
  const ref = (e.data.ref ?? {}) as Ref
  const key = str(ref.leakedKey) ?? str(ref.accessKeyId)
  if (key && byKeyId.has(key)) return byKeyId.get(key)!
  if (str(ref.kind) === 'token-use') {
    const hashed = /token:([A-Za-z0-9+/=]+):/.exec(str(ref.id) ?? '')?.[1]
    const fp = hashed ? byHashed.get(hashed) : undefined
    if (fp) return [fp]
  }
  return []
}

function introducedStamp(f: Finding, learnedAt: string): Stamp | null {
  if (f.source === 'git') {
    const at = instant(f.date)
    return at ? {happenedAt: at, learnedAt, source: `commit ${shortSha(f.commit)} (${f.path}:${f.line})`} : null
  }
  if (f.source === 'etcd' && f.created) {
    const at = instant(f.created)
    return at ? {happenedAt: at, learnedAt, source: `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name} creationTimestamp (revision ${f.revision})`} : null
  }
  return null
}

/** The incident's backup bucket (`vars.bucket`, as `name`, `s3://name` or `s3://name/prefix`), unless still the template's placeholder. */
function incidentBucket(state: IncidentState): string | null {
  const v = state.vars.bucket?.trim()
  if (!v || v.startsWith('<')) return null
  return v.replace(/^s3:\/\//, '').split('/')[0] || null
}

/**
 * An etcd credential is exposed from the stated exposure (`--exposed-at`), else from when
 * CloudTrail shows its bucket made public (`vars.bucket` when set, else any bucket).
 * A git credential from when the repository was (first push, stated exposure, made public),
 * or from its own commit if later.
 */
function exposedStamp(f: Finding, introduced: Stamp | null, facts: ExposureFacts, bucket: string | null): CredentialLifecycle['exposed'] {
  if (f.source === 'etcd') {
    if (facts.start) return facts.start
    const opened = earliest(facts.madePublic.filter((p) => p.what === 'bucket' && (!bucket || p.bucket === bucket || p.bucket === '*')))
    return opened ? {...plainStamp(opened), basis: `s3://${bucket ?? (opened as {bucket: string}).bucket} made public (CloudTrail)`} : null
  }
  const publicAt = earliest([...(facts.start ? [facts.start] : []), ...facts.madePublic.filter((p) => p.what === 'repository')])
  if (!publicAt) return f.source === 'git' && introduced ? {...introduced, basis: 'its commit (no push or exposure time recorded)'} : null
  const basis = facts.start && publicAt.happenedAt === facts.start.happenedAt ? facts.start.basis : 'the repository made public (GitHub)'
  if (f.source === 'git' && introduced && introduced.happenedAt > publicAt.happenedAt) return {...introduced, basis: `its commit, after the exposure began (${basis})`}
  return {...publicAt, basis}
}

/** A stamp without what it is about (for milestones and the exposed stamp). */
export function plainStamp(s: Stamp): Stamp {
  return {happenedAt: s.happenedAt, learnedAt: s.learnedAt, source: s.source, ...(s.event ? {event: s.event} : {})}
}

function earliest<S extends Stamp>(stamps: (S | null)[]): S | null {
  let best: S | null = null
  for (const s of stamps) if (s && (!best || msOf(s.happenedAt) < msOf(best.happenedAt))) best = s
  return best
}
