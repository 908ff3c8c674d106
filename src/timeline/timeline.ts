import type {IncidentEvent} from '../incident/events.js'
import {type IncidentState, sortEvents, timeZero} from '../incident/state.js'
import {formatRelative} from '../time/duration.js'
import {type Category, categoryOf, describeEvent} from './describe.js'

// The timeline: every event placed at the moment it happened. Evidence
// happened when the outside system says (a CloudTrail eventTime), a leaked
// commit when it was authored; the rest when it was recorded.

export interface TimelineEntry {
  /** When it happened. */
  time: string
  /** T+HH:MM from time zero (the exposure, else the incident start). */
  relative: string
  /** When leakctl recorded it. */
  recorded: string
  actor: string
  type: string
  category: Category
  text: string
  eventIds: string[]
  /** Number of events folded into this entry (bulk findings). */
  count: number
  /** Every event of the entry is signed by a responder the commander admitted (false throughout an unsigned incident). */
  verified: boolean
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
}

export function occurredAt(e: IncidentEvent): string {
  if (e.type === 'evidence.found' && e.data.at) return new Date(e.data.at).toISOString()
  if (e.type === 'finding.recorded' && e.data.finding.source === 'git') return new Date(e.data.finding.date).toISOString()
  return e.time
}

export function buildTimeline(state: IncidentState, events: IncidentEvent[], opts: TimelineOptions = {}): Timeline {
  const zero = timeZero(state)
  const zeroMs = Date.parse(zero.time)
  const title = (id: string) => state.items.get(id)?.title
  const entries: TimelineEntry[] = []
  const sorted = sortEvents(events)
  const limit = opts.collapseFindingsAbove ?? Number.POSITIVE_INFINITY

  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!
    if (e.type === 'finding.recorded' && limit !== Number.POSITIVE_INFINITY && !(sorted[i - 1]?.type === 'finding.recorded' && sorted[i - 1]!.time === e.time)) {
      // Only at the start of a batch: scanning it again from each member is quadratic.
      let j = i
      while (j + 1 < sorted.length && sorted[j + 1]!.type === 'finding.recorded' && sorted[j + 1]!.time === e.time) j++
      if (j + 1 - i > limit) {
        entries.push(bulkFindings(sorted.slice(i, j + 1), zeroMs, state))
        i = j
        continue
      }
    }
    const time = occurredAt(e)
    entries.push({
      time,
      relative: formatRelative(Date.parse(time) - zeroMs),
      recorded: e.time,
      actor: e.actor,
      type: e.type,
      category: categoryOf(e),
      text: describeEvent(e, title),
      eventIds: [e.id],
      count: 1,
      verified: state.verified.has(e.id),
    })
  }
  const since = opts.since?.getTime() ?? Number.NEGATIVE_INFINITY
  const until = opts.until?.getTime() ?? Number.POSITIVE_INFINITY
  const kept = entries.filter((x) => {
    const t = Date.parse(x.time)
    return t >= since && t <= until
  })
  kept.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.eventIds[0]! < b.eventIds[0]! ? -1 : 1))
  return {
    incident: {id: state.id, title: state.title, kind: state.kind, commander: state.commander, openedAt: state.openedAt, exposedAt: state.exposedAt},
    custody: state.trust.mode,
    zero,
    entries: kept,
  }
}

function bulkFindings(batch: IncidentEvent[], zeroMs: number, state: IncidentState): TimelineEntry {
  const risks: Record<string, number> = {}
  for (const e of batch) if (e.type === 'finding.recorded') risks[e.data.finding.risk] = (risks[e.data.finding.risk] ?? 0) + 1
  const first = batch[0]!
  const parts = ['critical', 'high', 'medium', 'low'].filter((r) => risks[r]).map((r) => `${risks[r]} ${r}`)
  return {
    time: first.time,
    relative: formatRelative(Date.parse(first.time) - zeroMs),
    recorded: first.time,
    actor: first.actor,
    type: 'finding.recorded',
    category: 'finding',
    text: `${batch.length} findings recorded (${parts.join(', ')}); each is listed in the json and csv exports`,
    eventIds: batch.map((e) => e.id),
    count: batch.length,
    verified: batch.every((e) => state.verified.has(e.id)),
  }
}
