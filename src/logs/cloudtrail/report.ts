import {judge, type JudgedEvent} from './judge.js'
import type {Pivots} from './pivots.js'
import type {TrailEvent} from './record.js'
import {type KeyLastUsed, type Verdict, verdictOf} from './verdict.js'

// What every source (log files, the LookupEvents API, Athena) hands over,
// and the one result the command prints and records: the same shape
// whichever way the events were collected.

/** Something that could not be read, and why: the difference between "not used" and "not seen". */
export interface Missing {
  what: string
  reason: string
}

export interface Collected {
  source: 'files' | 'api' | 'athena'
  events: TrailEvent[]
  missing: Missing[]
  partial: boolean
  lastUsed: KeyLastUsed[]
  /** What was searched, in words: `55 files, 2,900 records`, `17 regions`. */
  searched: string
  warnings: string[]
  /** Accounts the records belong to. */
  accounts: string[]
  /** Source-specific figures (files read, requests made, ...). */
  stats?: Record<string, unknown>
  /** Set when the run could not go on at all (no or expired credentials, AWS unreachable): exit 3. */
  fatal?: {kind: string; code: string; message: string}
}

export interface KeyReport {
  accessKeyId: string
  kind: 'leaked' | 'session' | 'created'
  /** The key (or `user:<name>`) that minted or created it. */
  parent: string | null
  via: string | null
  mintedAt: string | null
  mintEventId: string | null
  expires: string | null
  owner: string | null
  status: string | null
  lastUsed: string | null
  calls: number
  callsAfterExposure: number
  suspicious: number
  firstSeen: string | null
  lastSeen: string | null
}

export interface CloudTrailResult {
  source: Collected['source']
  verdict: Verdict
  partial: boolean
  missing: Missing[]
  exposedAt: string | null
  searched: string
  accounts: string[]
  keys: KeyReport[]
  users: {userName: string; createdBy: string; at: string; eventId: string}[]
  events: JudgedEvent[]
  warnings: string[]
  stats: Record<string, unknown>
  /** Why the run stopped early, when it did. */
  fatal: string | null
}

export function buildResult(c: Collected, pivots: Pivots, since: number | null): CloudTrailResult {
  const {events} = judge({events: c.events, since, pivots})
  const verdict = verdictOf({events, pivots, since, partial: c.partial, lastUsed: c.lastUsed, searched: c.searched})
  const keys: KeyReport[] = [...pivots.keys.values()].map((k) => {
    const mine = events.filter((e) => e.accessKeyId === k.accessKeyId)
    const iam = c.lastUsed.find((l) => l.accessKeyId === k.accessKeyId)
    const o = k.origin.kind === 'leaked' ? null : k.origin
    return {
      accessKeyId: k.accessKeyId,
      kind: k.origin.kind,
      parent: o?.parent ?? null,
      via: o?.via ?? null,
      mintedAt: o?.at ?? null,
      mintEventId: o?.eventId ?? null,
      expires: o?.expires ?? null,
      owner: iam?.owner ?? mine.find((e) => e.principal)?.principal ?? o?.user ?? null,
      status: iam?.status ?? null,
      lastUsed: iam?.lastUsedAt ?? null,
      calls: mine.length,
      callsAfterExposure: mine.filter((e) => e.afterExposure).length,
      suspicious: mine.filter((e) => e.suspicious).length,
      firstSeen: mine[0]?.eventTime ?? null,
      lastSeen: mine[mine.length - 1]?.eventTime ?? null,
    }
  })
  return {
    source: c.source,
    verdict,
    partial: c.partial,
    missing: c.missing,
    exposedAt: since === null ? null : new Date(since).toISOString(),
    searched: c.searched,
    accounts: c.accounts,
    keys,
    users: [...pivots.users.values()],
    events,
    warnings: c.warnings,
    stats: c.stats ?? {},
    fatal: c.fatal?.message ?? null,
  }
}
