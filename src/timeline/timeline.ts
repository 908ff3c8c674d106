import type {IncidentEvent} from '../incident/events.js'
import {type IncidentState, sortEvents, timeZero} from '../incident/state.js'
import {formatRelative} from '../time/duration.js'
import {type Category, categoryOf, describeEvent} from './describe.js'
import type {Milestone} from './durations.js'
import {eventTime, instant} from './when.js'

// The timeline: every event placed at the moment it happened. Evidence
// happened when the outside system says (a CloudTrail eventTime), a leaked
// commit when it was authored; the rest when it was recorded.

export interface TimelineEntry {
  /** When it happened (a CloudTrail eventTime, a commit's author date), canonical UTC. */
  happenedAt: string
  /** T+HH:MM from time zero (the exposure, else the incident start). */
  relative: string
  /** When leakctl learned it: the time the event was recorded. */
  learnedAt: string
  /** What shows it: a commit, a CloudTrail eventId, a GitHub event, else the event id. */
  source: string
  actor: string
  type: string
  category: Category | 'milestone'
  text: string
  eventIds: string[]
  /** Number of events folded into this entry (bulk findings). */
  count: number
  /**
   * Every event of the entry is signed by a responder the commander admitted
   * (TimelineOptions.verified, by default the chain of custody's verdict);
   * undefined for derived entries (milestones) and incidents that predate signing.
   */
  verified?: boolean
}

export interface Timeline {
  incident: {id: string; title: string; kind: string; commander: string; openedAt: string; exposedAt: string | null}
  /** signed: entries carry `verified`; legacy: the incident predates signing, nothing is verified. */
  custody: 'signed' | 'legacy'
  zero: {time: string; label: string}
  entries: TimelineEntry[]
}

export interface TimelineOptions {
  since?: Date
  until?: Date
  /** Fold batches of more than this many findings recorded at once into one entry. */
  collapseFindingsAbove?: number
  /** With more evidence entries than this, fold them by source and hour (day when the span is over a week). */
  groupEvidenceAbove?: number
  /** Milestones derived from the facts (exposure began, first use, contained), placed among the events. */
  milestones?: Milestone[]
  /** Whether an event's signature is verified; the renderers mark entries where this says false. */
  verified?: (e: IncidentEvent) => boolean | undefined
  /** How an actor is shown (a role, a redacted name). */
  actorLabel?: (actor: string) => string
}

/** When an event happened, canonical UTC: the outside system's time where it says, else when it was recorded. */
export function occurredAt(e: IncidentEvent): string {
  if (e.type === 'evidence.found' && e.data.at) return instant(e.data.at) ?? eventTime(e)
  if (e.type === 'finding.recorded' && e.data.finding.source === 'git') return instant(e.data.finding.date) ?? eventTime(e)
  if (e.type === 'finding.recorded' && e.data.finding.source === 'etcd' && e.data.finding.created) return instant(e.data.finding.created) ?? eventTime(e)
  if (e.type === 'verification.recorded') return instant(e.data.checkedAt) ?? eventTime(e)
  return eventTime(e)
}

/** What shows an event: the outside reference it carries, else its own id. */
export function sourceOf(e: IncidentEvent): string {
  if (e.type === 'evidence.found') {
    const ref = (e.data.ref ?? {}) as Record<string, unknown>
    if (typeof ref.eventId === 'string') return `CloudTrail eventId ${ref.eventId}`
    if (typeof ref.id === 'string') return `${e.data.source} ${ref.id}`
  }
  if (e.type === 'finding.recorded' && e.data.finding.source === 'git') return `commit ${e.data.finding.commit.slice(0, 12)}`
  if (e.type === 'finding.recorded' && e.data.finding.source === 'etcd') return `etcd ${e.data.finding.key} revision ${e.data.finding.revision}`
  if (e.type === 'verification.recorded') return `${e.data.verifier}: ${e.data.via}`
  return `event ${e.id}`
}

export function buildTimeline(state: IncidentState, events: IncidentEvent[], opts: TimelineOptions = {}): Timeline {
  const z = timeZero(state)
  const zero = {time: instant(z.time) ?? new Date(0).toISOString(), label: z.label}
  const zeroMs = Date.parse(zero.time)
  // A signed incident vouches for each event through its chain of custody; an older one says nothing.
  const isVerified = opts.verified ?? (state.trust.mode === 'signed' ? (e: IncidentEvent) => state.verified.has(e.id) : undefined)
  const title = (id: string) => state.items.get(id)?.title
  const entries: TimelineEntry[] = []
  const sorted = sortEvents(events)
  const limit = opts.collapseFindingsAbove ?? Number.POSITIVE_INFINITY
  const who = opts.actorLabel ?? ((a: string) => a)

  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!
    if (e.type === 'finding.recorded' && limit !== Number.POSITIVE_INFINITY && !(sorted[i - 1]?.type === 'finding.recorded' && sorted[i - 1]!.time === e.time)) {
      // Only at the start of a batch: scanning it again from each member is quadratic.
      let j = i
      while (j + 1 < sorted.length && sorted[j + 1]!.type === 'finding.recorded' && sorted[j + 1]!.time === e.time) j++
      if (j + 1 - i > limit) {
        entries.push(bulkFindings(sorted.slice(i, j + 1), zeroMs, who, isVerified))
        i = j
        continue
      }
    }
    const time = occurredAt(e)
    const verified = isVerified?.(e)
    entries.push({
      happenedAt: time,
      relative: formatRelative(Date.parse(time) - zeroMs),
      learnedAt: eventTime(e),
      source: sourceOf(e),
      actor: who(e.actor),
      type: e.type,
      category: categoryOf(e),
      text: describeEvent(e, title),
      eventIds: [e.id],
      count: 1,
      ...(verified === undefined ? {} : {verified}),
    })
  }
  for (const m of opts.milestones ?? []) {
    entries.push({
      happenedAt: m.at.happenedAt,
      relative: formatRelative(Date.parse(m.at.happenedAt) - zeroMs),
      learnedAt: m.at.learnedAt,
      source: m.at.source,
      actor: 'leakctl',
      type: `milestone.${m.kind}`,
      category: 'milestone',
      text: `Milestone: ${m.label}`,
      eventIds: [],
      count: 1,
    })
  }
  if (opts.groupEvidenceAbove !== undefined) groupEvidence(entries, opts.groupEvidenceAbove, zeroMs)
  const since = opts.since?.getTime() ?? Number.NEGATIVE_INFINITY
  const until = opts.until?.getTime() ?? Number.POSITIVE_INFINITY
  const kept = entries.filter((x) => {
    const t = Date.parse(x.happenedAt)
    return t >= since && t <= until
  })
  kept.sort((a, b) => (a.happenedAt < b.happenedAt ? -1 : a.happenedAt > b.happenedAt ? 1 : (a.eventIds[0] ?? '') < (b.eventIds[0] ?? '') ? -1 : 1))
  return {
    incident: {id: state.id, title: state.title, kind: state.kind, commander: who(state.commander), openedAt: instant(state.openedAt) ?? zero.time, exposedAt: instant(state.exposedAt)},
    custody: state.trust.mode,
    zero,
    entries: kept,
  }
}

/** Dense evidence, readable: one entry per source, verdict and hour (or day), in place. */
function groupEvidence(entries: TimelineEntry[], limit: number, zeroMs: number): void {
  const evidence = entries.filter((e) => e.type === 'evidence.found')
  if (evidence.length <= limit) return
  const times = evidence.map((e) => Date.parse(e.happenedAt))
  const unit = Math.max(...times) - Math.min(...times) > 7 * 86_400_000 ? {ms: 86_400_000, name: 'day'} : {ms: 3_600_000, name: 'hour'}
  const groups = new Map<string, TimelineEntry[]>()
  for (const e of evidence) {
    const key = `${Math.floor(Date.parse(e.happenedAt) / unit.ms)}|${/^Evidence from (\S+)( \(SUSPICIOUS\))?/.exec(e.text)?.slice(1).join('|') ?? ''}`
    const g = groups.get(key)
    if (g) g.push(e)
    else groups.set(key, [e])
  }
  const kept = entries.filter((e) => e.type !== 'evidence.found')
  for (const g of groups.values()) {
    if (g.length === 1) {
      kept.push(g[0]!)
      continue
    }
    g.sort((a, b) => a.happenedAt.localeCompare(b.happenedAt))
    const first = g[0]!
    const last = g.at(-1)!
    const start = new Date(Math.floor(Date.parse(first.happenedAt) / unit.ms) * unit.ms).toISOString()
    const head = /^Evidence from \S+(?: \(SUSPICIOUS\))?/.exec(first.text)?.[0] ?? 'Evidence'
    kept.push({
      happenedAt: start,
      relative: formatRelative(Date.parse(start) - zeroMs),
      learnedAt: g.map((e) => e.learnedAt).sort()[0]!,
      source: `${g.length} events, first ${first.source}, last ${last.source}`,
      actor: first.actor,
      type: 'evidence.found',
      category: 'evidence',
      text: `${head}: ${g.length} events in the ${unit.name} from ${start.slice(0, 16).replace('T', ' ')}Z (first ${first.happenedAt.slice(11, 16)}, last ${last.happenedAt.slice(11, 16)}); each is listed in the json and csv exports`,
      eventIds: g.flatMap((e) => e.eventIds),
      count: g.reduce((n, e) => n + e.count, 0),
    })
  }
  entries.splice(0, entries.length, ...kept)
}

function bulkFindings(batch: IncidentEvent[], zeroMs: number, who: (a: string) => string, isVerified: ((e: IncidentEvent) => boolean | undefined) | undefined): TimelineEntry {
  const risks: Record<string, number> = {}
  for (const e of batch) if (e.type === 'finding.recorded') risks[e.data.finding.risk] = (risks[e.data.finding.risk] ?? 0) + 1
  const first = batch[0]!
  const time = eventTime(first)
  const parts = ['critical', 'high', 'medium', 'low'].filter((r) => risks[r]).map((r) => `${risks[r]} ${r}`)
  return {
    happenedAt: time,
    relative: formatRelative(Date.parse(time) - zeroMs),
    learnedAt: time,
    source: `${batch.length} events from ${first.id}`,
    actor: who(first.actor),
    type: 'finding.recorded',
    category: 'finding',
    text: `${batch.length} findings recorded (${parts.join(', ')}); each is listed in the json and csv exports`,
    eventIds: batch.map((e) => e.id),
    count: batch.length,
    ...(isVerified ? {verified: batch.every((e) => isVerified(e) === true)} : {}),
  }
}
