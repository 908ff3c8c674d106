import type {Pivots} from './pivots.js'
import type {TrailEvent} from './record.js'
import {type Category, DENIED_CODES, LAUNCH_CALLS, matchRules, MINING_INSTANCE, OFFENSIVE_AGENTS, SEVERE} from './rules.js'

// Judging: a pure function of the events, the exposure time and the pivots.
// Events before the exposure are the baseline (the owner's own use: where it
// came from, with what, in which regions); events after it are compared to
// that baseline and to the rules.

export type JudgedEvent = JudgedFields & Pick<TrailEvent, 'eventId' | 'eventTime' | 'eventName' | 'eventSource' | 'region' | 'sourceIp' | 'userAgent' | 'accessKeyId' | 'principal' | 'errorCode' | 'madePublic'>

interface JudgedFields {
  /** The leaked key this event traces back to (itself, or through its pivots). */
  leakedKey: string | null
  /** How the caller relates to the leak: the leaked key, a key it minted or created, a user it created. */
  via: 'leaked-key' | 'temporary-key' | 'created-key' | 'created-user' | 'other'
  afterExposure: boolean
  categories: Category[]
  suspicious: boolean
  /** Why it is suspicious (empty when it is not). */
  reasons: string[]
  /** What it is, when it matched a rule but is not suspicious (recon from a familiar source, containment). */
  notes: string[]
}

export interface JudgeInput {
  events: readonly TrailEvent[]
  /** Exposure time in ms; null when unknown (then there is no baseline and every event counts as after). */
  since: number | null
  pivots: Pivots
  /** AccessDenied errors within `burstWindowMs` that make a burst. */
  burstThreshold?: number
  burstWindowMs?: number
}

export interface Baseline {
  ips: Set<string>
  agents: Set<string>
  regions: Set<string>
  events: number
}

/** A user agent's family: its first product and the OS, without versions (aws-cli@linux, boto3@darwin). */
export function agentFamily(ua: string): string {
  // Drop run ids glued to a product name (stratus-red-team_<uuid>, session suffixes).
  const first = (/^\s*\[?([A-Za-z][\w.-]*)/.exec(ua)?.[1] ?? ua.trim()).toLowerCase().replace(/[_-]?[0-9a-f]{8}(-?[0-9a-f]{4}){3}-?[0-9a-f]{12}$/, '')
  const os = /\b(linux|darwin|macos|windows|win32|android|ios)\b/i.exec(ua)?.[1]?.toLowerCase()
  return os ? `${first}@${os === 'win32' ? 'windows' : os === 'macos' ? 'darwin' : os}` : first
}

/** A source IP address (not `AWS Internal`, not a service name such as `ec2.amazonaws.com`). */
export function isIpAddress(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (/^[0-9a-f:]+$/i.test(s) && s.includes(':'))
}

export function baselineOf(events: readonly TrailEvent[], since: number | null): Baseline {
  const b: Baseline = {ips: new Set(), agents: new Set(), regions: new Set(), events: 0}
  if (since === null) return b
  for (const e of events) {
    if (Date.parse(e.eventTime) >= since) continue
    b.events++
    if (e.sourceIp) b.ips.add(e.sourceIp)
    if (e.userAgent) b.agents.add(agentFamily(e.userAgent))
    if (e.region) b.regions.add(e.region)
  }
  return b
}

export function judge(input: JudgeInput): {events: JudgedEvent[]; baseline: Baseline} {
  const {pivots, since} = input
  const threshold = input.burstThreshold ?? 5
  const window = input.burstWindowMs ?? 10 * 60_000
  const sorted = [...input.events].sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.eventId < b.eventId ? -1 : 1))
  const baseline = baselineOf(sorted, since)
  const bursts = deniedBursts(sorted, since, threshold, window)
  /** Keys and users minted or created by a suspicious event: their use is suspicious too. */
  const taintedBy = new Map<string, string>()
  const disabledAt = new Map<string, string>()
  const out: JudgedEvent[] = []

  for (const e of sorted) {
    const t = Date.parse(e.eventTime)
    const after = since === null || t >= since
    const matches = matchRules(e)
    const categories = [...new Set(matches.map((m) => m.rule.category))]
    const reasons: string[] = []
    const notes: string[] = []
    const node = e.accessKeyId ? pivots.keys.get(e.accessKeyId) : undefined
    const createdUser = !node && e.identityType === 'IAMUser' && e.userName ? pivots.users.get(e.userName) : undefined
    const via: JudgedEvent['via'] = node ? (node.origin.kind === 'leaked' ? 'leaked-key' : node.origin.kind === 'session' ? 'temporary-key' : 'created-key') : createdUser ? 'created-user' : 'other'
    const byFollowed = via !== 'other'

    if (categories.includes('provider-containment')) {
      notes.push(...matches.map((m) => m.reason))
    } else if (categories.includes('key-management') && !byFollowed) {
      // Someone (a responder) disabling or deleting a followed key.
      notes.push(...matches.map((m) => m.reason))
      if (e.keyActedOn && !e.errorCode && (e.keyStatus === 'Inactive' || e.keyStatus === 'Deleted') && !disabledAt.has(e.keyActedOn)) disabledAt.set(e.keyActedOn, e.eventTime)
    } else if (after && byFollowed) {
      const unfamiliar: string[] = []
      if (since !== null) {
        if (isIpAddress(e.sourceIp) && !baseline.ips.has(e.sourceIp)) unfamiliar.push(`source IP ${e.sourceIp} never seen before the exposure`)
        const family = e.userAgent ? agentFamily(e.userAgent) : ''
        if (family && isIpAddress(e.sourceIp) && !baseline.agents.has(family)) unfamiliar.push(`user agent ${family} never seen before the exposure`)
      }
      reasons.push(...unfamiliar)
      const tool = OFFENSIVE_AGENTS.find((a) => a.pattern.test(e.userAgent))
      if (tool) reasons.push(`user agent of an offensive tool (${tool.name})`)
      const burst = bursts.get(e.eventId)
      if (burst) reasons.push(`one of ${burst} AccessDenied errors within ${Math.round(window / 60_000)} min (permission probing)`)
      if (LAUNCH_CALLS.has(e.eventName) && !e.errorCode) {
        if (since !== null && e.region && !baseline.regions.has(e.region)) reasons.push(`${e.eventName} in ${e.region}, a region this key never used before the exposure`)
        if (e.instanceType && MINING_INSTANCE.test(e.instanceType)) reasons.push(`instance type ${e.instanceType} (GPU or large compute: the crypto-mining pattern)`)
      }
      const taint = (e.accessKeyId && taintedBy.get(e.accessKeyId)) || (createdUser && taintedBy.get(`user:${createdUser.userName}`))
      if (taint) reasons.push(taint)
      if (e.accessKeyId && node && node.origin.kind !== 'leaked') {
        const root = pivots.rootOf(e.accessKeyId)
        const off = root ? disabledAt.get(root) : undefined
        if (off && e.eventTime > off) reasons.push(`made after the leaked key ${root} was disabled (${off}): a ${via === 'temporary-key' ? 'temporary' : 'created'} key still works`)
      }
      const severe = matches.filter((m) => SEVERE.has(m.rule.category))
      const suspiciousSoFar = reasons.length > 0 || severe.length > 0
      if (suspiciousSoFar) {
        // What it did: the matched rules, severe ones first.
        reasons.push(...severe.map((m) => m.reason), ...matches.filter((m) => !SEVERE.has(m.rule.category)).map((m) => m.reason))
        if (e.errorCode && !burst) reasons.push(`failed: ${e.errorCode}`)
        const why = `minted by suspicious ${e.eventName} ${e.eventId} from ${e.sourceIp || 'an unknown source'}`
        if (e.issuedKeyId && !e.errorCode) taintedBy.set(e.issuedKeyId, `temporary key ${why}`)
        if (e.createdKeyId && !e.errorCode) taintedBy.set(e.createdKeyId, `access key created by suspicious ${e.eventName} ${e.eventId} from ${e.sourceIp || 'an unknown source'}`)
        if (e.createdUser && !e.errorCode) taintedBy.set(`user:${e.createdUser}`, `user ${e.createdUser} created by suspicious ${e.eventName} ${e.eventId} from ${e.sourceIp || 'an unknown source'}`)
      } else {
        notes.push(...matches.map((m) => m.reason))
      }
    } else {
      notes.push(...matches.map((m) => m.reason))
    }

    out.push({
      eventId: e.eventId,
      eventTime: e.eventTime,
      eventName: e.eventName,
      eventSource: e.eventSource,
      region: e.region,
      sourceIp: e.sourceIp,
      userAgent: e.userAgent,
      accessKeyId: e.accessKeyId,
      principal: e.principal,
      errorCode: e.errorCode,
      ...(e.madePublic ? {madePublic: e.madePublic} : {}),
      leakedKey: node ? pivots.rootOf(e.accessKeyId) : createdUser ? pivots.rootOf(createdUser.createdBy) : e.keyActedOn ? pivots.rootOf(e.keyActedOn) : null,
      via,
      afterExposure: after,
      categories,
      suspicious: reasons.length > 0,
      reasons: [...new Set(reasons)],
      notes: [...new Set(notes)],
    })
  }
  return {events: out, baseline}
}

/** eventId -> size of the largest AccessDenied burst (per key, after the exposure) it belongs to. */
function deniedBursts(sorted: readonly TrailEvent[], since: number | null, threshold: number, window: number): Map<string, number> {
  const byKey = new Map<string, {t: number; id: string}[]>()
  for (const e of sorted) {
    if (!e.errorCode || !DENIED_CODES.has(e.errorCode)) continue
    const t = Date.parse(e.eventTime)
    if (since !== null && t < since) continue
    const k = e.accessKeyId ?? e.principal ?? '?'
    let list = byKey.get(k)
    if (!list) byKey.set(k, (list = []))
    list.push({t, id: e.eventId})
  }
  const out = new Map<string, number>()
  for (const list of byKey.values()) {
    let lo = 0
    for (let hi = 0; hi < list.length; hi++) {
      while (list[hi]!.t - list[lo]!.t > window) lo++
      const n = hi - lo + 1
      if (n >= threshold) for (let i = lo; i <= hi; i++) out.set(list[i]!.id, Math.max(out.get(list[i]!.id) ?? 0, n))
    }
  }
  return out
}
