import type {JudgedEvent} from './judge.js'
import type {Pivots} from './pivots.js'

// The first line a responder reads: was the leaked key used after it was
// exposed, by whom, and what did they do. Pure.

export type VerdictStatus = 'used-after-exposure' | 'not-used-after-exposure' | 'no-activity' | 'unknown'

export interface KeyLastUsed {
  accessKeyId: string
  /** IAM GetAccessKeyLastUsed: when, which service, which region. */
  lastUsedAt: string | null
  service: string | null
  region: string | null
  owner: string | null
  status: string | null
}

export interface Attacker {
  sourceIp: string
  calls: number
  suspicious: number
  userAgents: string[]
  first: string
  last: string
}

export interface Verdict {
  status: VerdictStatus
  /** One line: `USED AFTER EXPOSURE by 185.220.101.47 — 13 calls, 1 user created`. */
  text: string
  exposedAt: string | null
  callsAfterExposure: number
  callsBeforeExposure: number
  suspicious: number
  firstUseAfterExposure: string | null
  lastUse: string | null
  /** Unfamiliar sources of the suspicious calls, most active first. */
  attackers: Attacker[]
  created: {users: string[]; accessKeys: string[]}
  temporaryKeys: {minted: number; used: number}
  containment: {at: string; what: string}[]
  /** IAM's last-used answer, when it says more than the events do (data events are not in LookupEvents). */
  lastUsedAfterExposure: KeyLastUsed[]
}

export interface VerdictInput {
  events: readonly JudgedEvent[]
  pivots: Pivots
  since: number | null
  partial: boolean
  lastUsed?: readonly KeyLastUsed[]
  /** What was searched, for the "nothing found" line: `3 regions`, `55 files`. */
  searched?: string
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

export function verdictOf(input: VerdictInput): Verdict {
  const {events, pivots, since} = input
  const mine = events.filter((e) => e.via !== 'other')
  const after = mine.filter((e) => e.afterExposure)
  const before = mine.filter((e) => !e.afterExposure)
  const suspicious = mine.filter((e) => e.suspicious)

  const bySource = new Map<string, Attacker>()
  for (const e of suspicious) {
    const unfamiliar = e.reasons.some((r) => r.startsWith(`source IP ${e.sourceIp} never seen`) || r.startsWith('user agent of an offensive tool'))
    if (!unfamiliar && since !== null) continue
    const a = bySource.get(e.sourceIp) ?? {sourceIp: e.sourceIp, calls: 0, suspicious: 0, userAgents: [], first: e.eventTime, last: e.eventTime}
    a.suspicious++
    if (e.userAgent && !a.userAgents.includes(e.userAgent) && a.userAgents.length < 5) a.userAgents.push(e.userAgent)
    a.last = e.eventTime
    bySource.set(e.sourceIp, a)
  }
  for (const e of after) {
    const a = bySource.get(e.sourceIp)
    if (a) a.calls++
  }
  const attackers = [...bySource.values()].sort((a, b) => b.suspicious - a.suspicious || a.first.localeCompare(b.first))

  const created = {
    users: [...pivots.users.values()].filter((u) => since === null || Date.parse(u.at) >= since).map((u) => u.userName),
    accessKeys: [...pivots.keys.values()].filter((k) => k.origin.kind === 'created' && (since === null || Date.parse(k.origin.at) >= since)).map((k) => k.accessKeyId),
  }
  const minted = [...pivots.keys.values()].filter((k) => k.origin.kind === 'session' && (since === null || Date.parse(k.origin.at) >= since))
  const usedKeys = new Set(mine.map((e) => e.accessKeyId))
  const temporaryKeys = {minted: minted.length, used: minted.filter((k) => usedKeys.has(k.accessKeyId)).length}
  const containment = events
    .filter((e) => e.categories.includes('provider-containment') || (e.categories.includes('key-management') && e.via === 'other' && !e.errorCode))
    .map((e) => ({at: e.eventTime, what: e.notes[0] ?? e.eventName}))
  const lastUsedAfterExposure = (input.lastUsed ?? []).filter((l) => l.lastUsedAt && (since === null || Date.parse(l.lastUsedAt) >= since))

  const used = after.length > 0 || lastUsedAfterExposure.length > 0
  const status: VerdictStatus = used ? 'used-after-exposure' : input.partial ? 'unknown' : before.length ? 'not-used-after-exposure' : 'no-activity'
  const lastUse = mine.length ? mine[mine.length - 1]!.eventTime : null

  const facts: string[] = []
  if (after.length) facts.push(plural(after.length, 'call'))
  const failed = after.filter((e) => e.errorCode).length
  if (failed) facts.push(`${failed} denied or failed`)
  if (created.users.length) facts.push(`${plural(created.users.length, 'user')} created`)
  if (created.accessKeys.length) facts.push(`${plural(created.accessKeys.length, 'access key')} created`)
  if (temporaryKeys.minted) facts.push(`${plural(temporaryKeys.minted, 'temporary key')} minted (${temporaryKeys.used} used)`)
  const evasion = after.filter((e) => e.categories.includes('defence-evasion') && !e.errorCode)
  if (evasion.length) facts.push(`defence evasion: ${[...new Set(evasion.map((e) => e.eventName))].join(', ')}`)
  const launches = after.filter((e) => e.categories.includes('resource-abuse') && !e.errorCode)
  if (launches.length) facts.push(`resource abuse: ${[...new Set(launches.map((e) => e.eventName))].join(', ')}`)
  if (suspicious.length) facts.push(`${plural(suspicious.length, 'suspicious event')}`)
  if (containment.length) facts.push(`contained at ${containment[0]!.at}`)

  let text: string
  const exposure = since === null ? '' : ` (exposed ${new Date(since).toISOString()})`
  switch (status) {
    case 'used-after-exposure': {
      const who = attackers.length ? ` by ${attackers.slice(0, 3).map((a) => a.sourceIp || '(no source IP)').join(', ')}${attackers.length > 3 ? ` and ${attackers.length - 3} more` : ''}` : after.length ? ' from familiar sources only' : ''
      if (!after.length && lastUsedAfterExposure.length) {
        const l = lastUsedAfterExposure[0]!
        facts.unshift(`IAM: last used ${l.lastUsedAt} (${l.service ?? '?'} in ${l.region ?? '?'}), no management events found: look at data events`)
      }
      text = `${since === null ? 'USED' : 'USED AFTER EXPOSURE'}${who} — ${facts.join(', ')}`
      break
    }
    case 'not-used-after-exposure':
      text = `NOT USED AFTER EXPOSURE${exposure} — ${plural(before.length, 'call')} before it, the last at ${lastUse}`
      break
    case 'no-activity':
      text = `NO ACTIVITY FOUND for ${pivots.seeds.join(', ')}${input.searched ? ` in ${input.searched}` : ''}`
      break
    case 'unknown':
      text = `UNKNOWN — no use found in what could be read, but the result is partial${before.length ? ` (${plural(before.length, 'call')} before the exposure)` : ''}`
      break
  }
  return {
    status,
    text,
    exposedAt: since === null ? null : new Date(since).toISOString(),
    callsAfterExposure: after.length,
    callsBeforeExposure: before.length,
    suspicious: suspicious.length,
    firstUseAfterExposure: after[0]?.eventTime ?? null,
    lastUse,
    attackers,
    created,
    temporaryKeys,
    containment,
    lastUsedAfterExposure,
  }
}
