import {type Finding, findingKey, RISK_ORDER} from '../detect/finding.js'
import type {ChecklistItem, EventData, EventOf, IncidentEvent, IncidentKind, Phase} from './events.js'
import {type FollowState, followEvent, newFollowState} from '../verify/follow.js'

// Incident state is a pure fold over its events, in id (time) order.

export interface Note {
  time: string
  actor: string
  text: string
}

export interface ItemState extends ChecklistItem {
  /** Absolute due time (incident start + offset), or null. */
  due: string | null
  done: boolean
  doneAt?: string
  doneBy?: string
  owner?: string
  notes: Note[]
  /** Member ids, for a grouped item. */
  children: string[]
}

export interface IncidentState {
  id: string
  title: string
  kind: IncidentKind
  commander: string
  openedAt: string
  exposedAt: string | null
  playbook: EventData<'incident.opened'>['playbook']
  /** Values for {{vars.x}} in the playbook's templates. */
  vars: Record<string, string>
  /** A planned rotation (`incident open --planned`): graceful procedures instead of immediate revocation. */
  planned: boolean
  phases: Phase[]
  items: Map<string, ItemState>
  findings: Finding[]
  /** findingKey -> finding. */
  findingIndex: Map<string, Finding>
  checks: (EventData<'check.completed'> & {time: string; actor: string})[]
  evidence: (EventData<'evidence.found'> & {time: string; actor: string})[]
  notes: Note[]
  /** Verifications and the items they ticked (verify/follow.ts). */
  follow: FollowState
  events: number
  lastEventAt: string
  /** The greatest event id folded in: new events are ordered after it (appendEvents' `after`). */
  lastEventId: string
  /** Who may write this incident: the commander's key and the keys they admitted. */
  trust: Trust
  /** Ids of the events that count: signed by an admitted key under its admitted name. */
  verified: Set<string>
  /** Events that were not applied (an unadmitted or missing signature, a second opening), in id order. */
  unverified: UnverifiedEvent[]
}

/**
 * The chain of custody, from the log itself. `signed`: the opening is signed,
 * its key is the commander's, and only events signed by a key the commander
 * admitted (under the name it was admitted as) are applied. `legacy`: an
 * incident opened before events were signed; everything applies and nothing
 * is verified.
 */
export interface Trust {
  mode: 'signed' | 'legacy'
  commanderKey: string | null
  /** Admitted key -> the name its events must carry. */
  admitted: Map<string, string>
  /** Keys that asked to join (responder.joined) and are not admitted yet. */
  requests: {name: string; key: string; time: string}[]
}

export interface UnverifiedEvent {
  id: string
  type: string
  actor: string
  time: string
  key: string | null
  reason: string
}


export function sortEvents(events: IncidentEvent[]): IncidentEvent[] {
  return [...events].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/**
 * Folds a log's events. The opening is the first incident.opened in the order
 * given (the log's file order: the one this machine opened or joined); any
 * other is shown as unverified, never applied, whatever its id.
 */
export function foldIncident(events: IncidentEvent[]): IncidentState {
  const first = events.find((e): e is EventOf<'incident.opened'> => e.type === 'incident.opened')
  if (!first) throw new Error('event log does not start with incident.opened')
  const sorted = sortEvents(events)
  const o = first.data
  const state: IncidentState = {
    id: o.incident,
    title: o.title,
    kind: o.kind,
    commander: o.commander,
    openedAt: first.time,
    exposedAt: o.exposedAt,
    playbook: o.playbook,
    vars: o.vars ?? {},
    planned: o.planned === true,
    phases: [],
    items: new Map(),
    findings: [],
    findingIndex: new Map(),
    checks: [],
    evidence: [],
    notes: [],
    follow: newFollowState(),
    events: 0,
    lastEventAt: first.time,
    lastEventId: '',
    trust: trustOf(first, sorted),
    verified: new Set(),
    unverified: [],
  }
  const start = Date.parse(first.time)
  let previous = ''
  for (const e of sorted) {
    // An id is one event: a copy (two imports racing, a log merged by hand) counts once.
    if (e.id === previous) continue
    previous = e.id
    if (e.type === 'incident.opened' && e.id !== first.id) {
      state.events++
      state.unverified.push(unverifiedOf(e, 'a second incident.opened (an incident has exactly one opening)'))
      continue
    }
    applyEvent(state, e, start)
  }
  return state
}

/** The commander's key (the opening's signer) and the keys they admitted, wherever in the log. */
function trustOf(opening: IncidentEvent, sorted: IncidentEvent[]): Trust {
  if (!opening.sig || !opening.key) return {mode: 'legacy', commanderKey: null, admitted: new Map(), requests: []}
  const trust: Trust = {mode: 'signed', commanderKey: opening.key, admitted: new Map([[opening.key, opening.actor]]), requests: []}
  for (const e of sorted) {
    if (e.type === 'responder.admitted' && e.sig && e.key === opening.key && e.actor === opening.actor) trust.admitted.set(e.data.key, e.data.name)
  }
  for (const e of sorted) {
    if (e.type === 'responder.joined' && e.sig && e.key === e.data.key && !trust.admitted.has(e.data.key) && !trust.requests.some((r) => r.key === e.data.key)) {
      trust.requests.push({name: e.data.name, key: e.data.key, time: e.time})
    }
  }
  return trust
}

/** Why an event does not count, or null when it does. */
export function distrust(trust: Trust, e: IncidentEvent): string | null {
  if (trust.mode === 'legacy') return null
  if (!e.sig || !e.key) return 'not signed'
  const name = trust.admitted.get(e.key)
  if (name === undefined) return e.type === 'responder.joined' ? 'a join request, not admitted yet' : `signed by a key the commander has not admitted (${e.key.slice(0, 12)}…)`
  if (name !== e.actor) return `signed by ${name}'s key but names ${e.actor} as its author`
  return null
}

function unverifiedOf(e: IncidentEvent, reason: string): UnverifiedEvent {
  return {id: e.id, type: e.type, actor: e.actor, time: e.time, key: e.key ?? null, reason}
}

/** Whether an event counts as its author's (signed, admitted); false for every event of a legacy incident. */
export function isVerified(state: IncidentState, id: string): boolean {
  return state.verified.has(id)
}

/**
 * Applies one event; exported so a live view can fold new events without
 * re-reading the log. An event the chain of custody does not vouch for is
 * listed in `unverified` and changes nothing else.
 */
export function applyEvent(state: IncidentState, e: IncidentEvent, start = Date.parse(state.openedAt)): void {
  state.events++
  if (e.time > state.lastEventAt) state.lastEventAt = e.time
  if (e.id > state.lastEventId) state.lastEventId = e.id
  const doubt = distrust(state.trust, e)
  if (doubt) {
    state.unverified.push(unverifiedOf(e, doubt))
    return
  }
  if (state.trust.mode === 'signed') state.verified.add(e.id)
  switch (e.type) {
    case 'incident.opened':
    case 'responder.joined':
    case 'responder.admitted':
      return
    case 'incident.noted':
      state.notes.push({time: e.time, actor: e.actor, text: e.data.text})
      return
    case 'checklist.items.added':
      for (const p of e.data.phases) if (!state.phases.some((x) => x.id === p.id)) state.phases.push(p)
      for (const item of e.data.items) {
        if (state.items.has(item.id)) continue
        const due = item.dueOffsetMs === null ? null : new Date(start + item.dueOffsetMs).toISOString()
        // A literal of one fixed shape: spreading 50,000 items is ten times slower.
        state.items.set(item.id, {
          id: item.id,
          phase: item.phase,
          title: item.title,
          why: item.why,
          commands: item.commands,
          procedure: item.procedure,
          check: item.check,
          parent: item.parent,
          findings: item.findings,
          dueOffsetMs: item.dueOffsetMs,
          gap: item.gap,
          due,
          done: false,
          doneAt: undefined,
          doneBy: undefined,
          owner: undefined,
          notes: [],
          children: [],
        })
        if (item.parent) state.items.get(item.parent)?.children.push(item.id)
      }
      return
    case 'finding.recorded': {
      const key = findingKey(e.data.finding)
      if (!state.findingIndex.has(key)) {
        state.findingIndex.set(key, e.data.finding)
        state.findings.push(e.data.finding)
      }
      return
    }
    case 'check.completed':
      state.checks.push({...e.data, time: e.time, actor: e.actor})
      followEvent(state, e)
      return
    case 'verification.recorded':
      followEvent(state, e)
      return
    case 'evidence.found':
      state.evidence.push({...e.data, time: e.time, actor: e.actor})
      return
    case 'item.ticked':
    case 'item.unticked': {
      const item = state.items.get(e.data.item)
      if (!item) return
      item.done = e.type === 'item.ticked'
      item.doneAt = item.done ? e.time : undefined
      item.doneBy = item.done ? e.actor : undefined
      if (e.data.note) item.notes.push({time: e.time, actor: e.actor, text: e.data.note})
      return
    }
    case 'item.noted':
      state.items.get(e.data.item)?.notes.push({time: e.time, actor: e.actor, text: e.data.text})
      return
    case 'item.assigned': {
      const item = state.items.get(e.data.item)
      if (item) item.owner = e.data.owner
      return
    }
  }
}

/** A grouped item is done when all its members are. */
export function isDone(state: IncidentState, item: ItemState): boolean {
  if (item.children.length === 0) return item.done
  return item.children.every((id) => state.items.get(id)?.done === true)
}

export function isOverdue(state: IncidentState, item: ItemState, now: Date): boolean {
  return item.due !== null && !isDone(state, item) && Date.parse(item.due) < now.getTime()
}

export interface Progress {
  done: number
  total: number
  overdue: number
}

export interface ProgressReport {
  overall: Progress
  byPhase: Map<string, Progress>
}

/** Progress over top-level items (a group counts once), overall and per phase, in one pass. */
export function progressReport(state: IncidentState, now: Date): ProgressReport {
  const overall: Progress = {done: 0, total: 0, overdue: 0}
  const byPhase = new Map<string, Progress>(state.phases.map((p) => [p.id, {done: 0, total: 0, overdue: 0}]))
  const nowMs = now.getTime()
  for (const item of state.items.values()) {
    if (item.parent) continue
    const phase = byPhase.get(item.phase)
    const done = isDone(state, item)
    const overdue = !done && item.due !== null && Date.parse(item.due) < nowMs
    for (const p of phase ? [overall, phase] : [overall]) {
      p.total++
      if (done) p.done++
      else if (overdue) p.overdue++
    }
  }
  return {overall, byPhase}
}

export function progress(state: IncidentState, now: Date): Progress {
  return progressReport(state, now).overall
}

export function findingsByRisk(findings: Finding[]): Record<keyof typeof RISK_ORDER, number> {
  const out = {critical: 0, high: 0, medium: 0, low: 0}
  for (const f of findings) out[f.risk]++
  return out
}

/** Values for the playbook's templates: {{incident.x}} and {{vars.x}}. */
export function incidentTemplateVars(state: IncidentState): Record<string, string> {
  return {id: state.id, title: state.title, kind: state.kind, commander: state.commander, openedAt: state.openedAt, exposedAt: state.exposedAt ?? ''}
}

/** The reference time of relative clocks: the exposure if known, else the incident start. */
export function timeZero(state: IncidentState): {time: string; label: 'exposure' | 'incident start'} {
  return state.exposedAt ? {time: state.exposedAt, label: 'exposure'} : {time: state.openedAt, label: 'incident start'}
}
