import {formatDuration} from '../time/duration.js'
import type {Risk} from '../detect/finding.js'
import {isDone, type IncidentState} from '../incident/state.js'
import type {Milestone} from './durations.js'
import type {Lifecycles, Stamp} from './lifecycle.js'
import {instant, msOf, utcMinute} from './when.js'

// The picture of the exposure window, as data: one lane per critical or high
// credential (its exposed bar, the outside uses, its revocation), a lane of
// the response's milestones, the phase deadlines. The SVG and the Mermaid
// renderers both draw this one model. Dense incidents are grouped: marks
// falling in one bucket (a minute to a day, by the span) become one mark
// with a count, and lanes beyond the cap become "N more".

export interface ChartMark {
  kind: 'use' | 'revoked' | 'dead' | 'live' | 'milestone' | 'done'
  at: string
  /** The bucket's end when the mark groups several. */
  until: string | null
  count: number
  /** The accessible text: what, when, from what. */
  label: string
  /** False when a mark rests on an event whose signature did not verify (the lead wires this). */
  verified?: boolean
}

export interface ChartLane {
  id: string
  kind: 'credential' | 'milestones' | 'outside'
  label: string
  risk: Risk | null
  /** The exposed window; `ongoing` when it is not revoked yet (drawn to `now`). */
  bar: {from: string; to: string; ongoing: boolean; label: string} | null
  marks: ChartMark[]
}

export interface ChartDeadline {
  at: string
  label: string
  /** The phase was not done by then (still open past it, or finished late). */
  overdue: boolean
}

export interface ExposureChart {
  from: string
  to: string
  now: string
  /** The grouping unit of marks. */
  bucket: {ms: number; name: string}
  lanes: ChartLane[]
  /** Critical/high credentials not drawn (beyond the lane cap). */
  more: number
  deadlines: ChartDeadline[]
}

export interface ChartOptions {
  maxLanes?: number
  /** Whether the leakctl event behind a mark verified (by its id); undefined: not asked. */
  verified?: (eventId: string) => boolean | undefined
}

const BUCKETS: {ms: number; name: string}[] = [
  {ms: 60_000, name: 'minute'},
  {ms: 5 * 60_000, name: '5 minutes'},
  {ms: 15 * 60_000, name: '15 minutes'},
  {ms: 3_600_000, name: 'hour'},
  {ms: 6 * 3_600_000, name: '6 hours'},
  {ms: 86_400_000, name: 'day'},
  {ms: 7 * 86_400_000, name: 'week'},
]
/** At most this many buckets across the chart: about 6 px each at print width. */
const MAX_BUCKETS = 120

export function buildChart(state: IncidentState, life: Lifecycles, ms: Milestone[], now: Date, o: ChartOptions = {}): ExposureChart {
  const maxLanes = o.maxLanes ?? 12
  const nowIso = now.toISOString()
  const shown = life.credentials.filter((c) => c.risk === 'critical' || c.risk === 'high')
  const drawn = shown.slice(0, maxLanes)
  const openedAt = instant(state.openedAt) ?? nowIso
  const deadlines = phaseDeadlines(state, openedAt, now)

  // The window: from the earliest exposure (or use, or milestone) to the last thing that happened, or
  // the last deadline already past; to now while a drawn credential is still exposed.
  const times: number[] = [msOf(openedAt)]
  for (const c of drawn) {
    for (const s of [c.exposed, c.use.first, c.use.last, c.revoked, c.verifiedDead]) if (s) times.push(msOf(s.happenedAt))
  }
  for (const m of ms) times.push(msOf(m.at.happenedAt))
  for (const a of life.facts.outsideActivity) times.push(msOf(a.happenedAt))
  if (drawn.some((c) => !c.revoked)) times.push(now.getTime())
  const finite = times.filter(Number.isFinite)
  let lo = Math.min(...finite)
  let hi = Math.max(...finite)
  for (const d of deadlines) if (msOf(d.at) <= Math.max(hi, now.getTime())) hi = Math.max(hi, msOf(d.at))
  if (hi - lo < 10 * 60_000) hi = lo + 10 * 60_000
  const pad = (hi - lo) * 0.03
  lo -= pad
  hi += pad
  const bucket = BUCKETS.find((b) => (hi - lo) / b.ms <= MAX_BUCKETS) ?? BUCKETS.at(-1)!

  const check = (s: Stamp) => (s.event ? o.verified?.(s.event) : undefined)
  const lanes: ChartLane[] = drawn.map((c, i) => {
    const marks: ChartMark[] = grouped(c.use.marks, bucket, 'use', (n, s) => (n === 1 ? `Outside use at ${utcMinute(s.happenedAt)} (${s.source})` : `${n} outside uses in the ${bucket.name} from ${utcMinute(s.happenedAt)}`), check)
    if (c.revoked) marks.push(mark('revoked', c.revoked, `Revoked at ${utcMinute(c.revoked.happenedAt)} (${c.revoked.source})`, check))
    if (c.verifiedDead) marks.push(mark('dead', c.verifiedDead, `Verified dead at ${utcMinute(c.verifiedDead.happenedAt)} (${c.verifiedDead.source})`, check))
    if (c.stillLive) marks.push({kind: 'live', at: nowIso, until: null, count: 1, label: `Still works by its last verification (as of ${utcMinute(nowIso)})`})
    const from = c.exposed?.happenedAt ?? null
    const to = c.revoked?.happenedAt ?? nowIso
    return {
      id: `credential-${i + 1}`,
      kind: 'credential',
      label: `${c.risk} ${c.class} ${c.where}${c.places > 1 ? ` (+${c.places - 1} places)` : ''}`,
      risk: c.risk,
      bar: from ? {from, to, ongoing: !c.revoked, label: `Exposed from ${utcMinute(from)} (${c.exposed!.basis}) ${c.revoked ? `to ${utcMinute(to)}: ${formatDuration(msOf(to) - msOf(from))}` : `and still exposed (${formatDuration(msOf(to) - msOf(from))} so far)`}`} : null,
      marks,
    }
  })

  const response: ChartMark[] = ms.map((m) => mark('milestone', m.at, `${m.label} at ${utcMinute(m.at.happenedAt)}`, check))
  // Each item ticked, members of a group included: the rhythm of the response.
  const done = [...state.items.values()].filter((it) => it.children.length === 0 && it.done && instant(it.doneAt)).map((it): Stamp => ({happenedAt: instant(it.doneAt)!, learnedAt: instant(it.doneAt)!, source: `item ${it.id}`}))
  done.sort((a, b) => a.happenedAt.localeCompare(b.happenedAt))
  response.push(...grouped(done, bucket, 'done', (n, s) => (n === 1 ? `Checklist item done at ${utcMinute(s.happenedAt)} (${s.source})` : `${n} checklist items done in the ${bucket.name} from ${utcMinute(s.happenedAt)}`), check))
  lanes.push({id: 'milestones', kind: 'milestones', label: 'Response milestones', risk: null, bar: null, marks: response})
  if (life.facts.outsideActivity.length) {
    const marks = grouped(life.facts.outsideActivity, bucket, 'use', (n, s) => (n === 1 ? `Outside activity at ${utcMinute(s.happenedAt)} (${s.source})` : `${n} outside events in the ${bucket.name} from ${utcMinute(s.happenedAt)}`), check)
    lanes.push({id: 'outside', kind: 'outside', label: 'Outside activity (not tied to one credential)', risk: null, bar: null, marks})
  }
  return {from: new Date(lo).toISOString(), to: new Date(hi).toISOString(), now: nowIso, bucket, lanes, more: shown.length - drawn.length, deadlines: deadlines.filter((d) => msOf(d.at) >= lo && msOf(d.at) <= hi)}
}

function mark(kind: ChartMark['kind'], s: Stamp, label: string, check: (s: Stamp) => boolean | undefined): ChartMark {
  const v = check(s)
  return {kind, at: s.happenedAt, until: null, count: 1, label: v === false ? `${label} (unverified)` : label, ...(v === undefined ? {} : {verified: v})}
}

/** Stamps in time order -> one mark per bucket that has any. */
function grouped(stamps: Stamp[], bucket: {ms: number}, kind: ChartMark['kind'], label: (n: number, first: Stamp) => string, check: (s: Stamp) => boolean | undefined): ChartMark[] {
  const out: ChartMark[] = []
  let i = 0
  while (i < stamps.length) {
    const start = Math.floor(msOf(stamps[i]!.happenedAt) / bucket.ms) * bucket.ms
    let j = i
    while (j + 1 < stamps.length && msOf(stamps[j + 1]!.happenedAt) < start + bucket.ms) j++
    const n = j - i + 1
    if (n === 1) out.push(mark(kind, stamps[i]!, label(1, stamps[i]!), check))
    else out.push({kind, at: new Date(start).toISOString(), until: new Date(start + bucket.ms).toISOString(), count: n, label: label(n, {...stamps[i]!, happenedAt: new Date(start).toISOString()})})
    i = j + 1
  }
  return out
}

function phaseDeadlines(state: IncidentState, openedAt: string, now: Date): ChartDeadline[] {
  const out: ChartDeadline[] = []
  for (const p of state.phases) {
    if (p.window.endMs === null) continue
    const at = new Date(msOf(openedAt) + p.window.endMs).toISOString()
    const items = [...state.items.values()].filter((it) => it.phase === p.id && !it.parent)
    const open = items.some((it) => !isDone(state, it))
    const lastDone = items.map((it) => (it.children.length ? it.children.map((id) => instant(state.items.get(id)?.doneAt) ?? '').sort().at(-1) : instant(it.doneAt)) ?? '').sort().at(-1) ?? ''
    const overdue = open ? msOf(at) < now.getTime() : lastDone > at
    out.push({at, label: `${p.title} due ${utcMinute(at)}${overdue ? (open ? ': OVERDUE' : ': finished late') : ''}`, overdue})
  }
  return out
}
