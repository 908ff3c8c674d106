import {type Finding, findingKey} from '../detect/finding.js'
import {scrubText} from '../detect/scrub.js'
import {inputError} from '../errors.js'
import {instantiate} from '../playbook/instantiate.js'
import type {Loaded} from '../playbook/load.js'
import type {Playbook, Procedure} from '../playbook/schema.js'
import {type EventData, type IncidentEvent, type IncidentKind} from './events.js'
import {appendEvents, type NewEvent, readLog} from './log.js'
import {applyEvent, foldIncident, incidentTemplateVars, type IncidentState} from './state.js'
import {createIncidentDir, type IncidentRef, newIncidentId, type Workspace} from './workspace.js'

// The operations every command performs on an incident. Each one appends
// events; none edits anything in place.

export interface OpenOptions {
  title: string
  kind: IncidentKind
  commander: string
  exposedAt: Date | null
  playbook: Loaded<Playbook>
  procedures: ReadonlyMap<string, Procedure>
  actor: string
  findings?: Finding[]
  vars?: Record<string, string>
  now?: Date
}

export interface Opened {
  ref: IncidentRef
  events: IncidentEvent[]
  warnings: string[]
}

export async function openIncident(ws: Workspace, o: OpenOptions): Promise<Opened> {
  const now = o.now ?? new Date()
  const id = newIncidentId(now)
  const title = scrubText(o.title).text
  const opened: EventData<'incident.opened'> = {
    incident: id,
    title,
    kind: o.kind,
    commander: o.commander,
    exposedAt: o.exposedAt ? o.exposedAt.toISOString() : null,
    playbook: {
      name: o.playbook.value.name,
      title: o.playbook.value.title,
      version: o.playbook.value.version,
      file: o.playbook.file,
      sha256: o.playbook.sha256,
      definition: o.playbook.value,
      procedures: [...o.procedures.values()],
    },
    vars: o.vars,
  }
  const findings = dedupe(o.findings ?? [])
  const {phases, items} = instantiate({
    playbook: o.playbook.value,
    procedures: o.procedures,
    findings,
    incident: {id, title, kind: o.kind, commander: o.commander, openedAt: now.toISOString(), exposedAt: opened.exposedAt ?? ''},
    vars: o.vars,
  })
  const batch: NewEvent[] = [
    {type: 'incident.opened', data: opened},
    ...findings.map((finding): NewEvent => ({type: 'finding.recorded', data: {finding}})),
    {type: 'checklist.items.added', data: {phases, items}},
  ]
  const ref = createIncidentDir(ws, id)
  const res = await appendEvents(ref.logPath, o.actor, batch, () => now)
  return {ref, events: res.events, warnings: res.warnings}
}

export interface IncidentSnapshot {
  state: IncidentState
  events: IncidentEvent[]
  warnings: string[]
  offset: number
}

export function loadIncident(ref: IncidentRef): IncidentSnapshot {
  const {events, warnings, offset} = readLog(ref.logPath)
  if (events.length === 0 || !events.some((e) => e.type === 'incident.opened')) {
    throw inputError('log.corrupt', `${ref.logPath}: the event log has no incident.opened event; it is not a leakctl incident`)
  }
  return {state: foldIncident(events), events, warnings, offset}
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>()
  return findings.filter((f) => {
    const k = findingKey(f)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/**
 * Records findings the incident does not have yet and expands its checklist
 * with the items they call for (same playbook, same numbering).
 */
export async function recordFindings(ref: IncidentRef, actor: string, findings: Finding[], scan?: string): Promise<{recorded: number; items: number; warnings: string[]}> {
  const {state, warnings} = loadIncident(ref)
  const fresh = dedupe(findings).filter((f) => !state.findingIndex.has(findingKey(f)))
  if (fresh.length === 0) return {recorded: 0, items: 0, warnings}
  const {items} = instantiate({
    playbook: state.playbook.definition,
    procedures: new Map(state.playbook.procedures.map((p) => [p.id, p])),
    findings: [...state.findings, ...fresh],
    incident: incidentTemplateVars(state),
    vars: state.vars,
    existing: state.items,
  })
  const batch: NewEvent[] = fresh.map((finding) => ({type: 'finding.recorded', data: {finding, scan}}))
  if (items.length) batch.push({type: 'checklist.items.added', data: {phases: [], items}})
  const res = await appendEvents(ref.logPath, actor, batch, undefined, {after: state.lastEventId})
  return {recorded: fresh.length, items: items.length, warnings: [...warnings, ...res.warnings]}
}

export type ItemAction =
  | {type: 'tick'; note?: string}
  | {type: 'untick'; note?: string}
  | {type: 'note'; text: string}
  | {type: 'assign'; owner: string}

/** Resolves item ids (exact); an unknown one is an input error naming close matches. */
export function resolveItems(state: IncidentState, ids: string[]): string[] {
  return ids.map((id) => {
    if (state.items.has(id)) return id
    const close = [...state.items.keys()].filter((k) => k.startsWith(id) || k.includes(id)).slice(0, 5)
    throw inputError('item.unknown', `no checklist item "${id}" in ${state.id}${close.length ? `; did you mean ${close.join(', ')}?` : ' (leakctl checklist lists them)'}`)
  })
}

/**
 * The events an action on items records, planned against `state` (pure).
 * Ticking a grouped item ticks each of its open members; unticking it reopens the done ones.
 */
export function planItemActions(state: IncidentState, ids: string[], action: ItemAction): NewEvent[] {
  const resolved = resolveItems(state, ids)
  const batch: NewEvent[] = []
  const scrub = (t?: string) => (t === undefined ? undefined : scrubText(t).text)
  for (const id of resolved) {
    const item = state.items.get(id)!
    switch (action.type) {
      case 'tick':
      case 'untick': {
        const targets = item.children.length ? item.children.filter((c) => state.items.get(c)!.done !== (action.type === 'tick')) : [id]
        for (const t of targets) batch.push({type: action.type === 'tick' ? 'item.ticked' : 'item.unticked', data: {item: t, note: scrub(action.note)}})
        break
      }
      case 'note':
        batch.push({type: 'item.noted', data: {item: id, text: scrub(action.text)!}})
        break
      case 'assign':
        batch.push({type: 'item.assigned', data: {item: id, owner: action.owner}})
        break
    }
  }
  return batch
}

/** Applies an action to items; ticking a grouped item ticks each of its open members. */
export async function actOnItems(ref: IncidentRef, actor: string, ids: string[], action: ItemAction): Promise<{events: IncidentEvent[]; warnings: string[]; state: IncidentState}> {
  const {state, warnings} = loadIncident(ref)
  const batch = planItemActions(state, ids, action)
  const res = await appendEvents(ref.logPath, actor, batch, undefined, {after: state.lastEventId})
  // Events other responders wrote meanwhile are not in `state`; callers that
  // show more than this command's own effect reload.
  for (const e of res.events) applyEvent(state, e)
  return {events: res.events, warnings: [...warnings, ...res.warnings], state}
}

/** Records an outside result (a check, a piece of evidence, a note) on the incident. */
export async function recordEvents(ref: IncidentRef, actor: string, batch: NewEvent[]): Promise<{events: IncidentEvent[]; warnings: string[]}> {
  for (const e of batch) {
    if (e.type === 'incident.noted') e.data = {text: scrubText((e.data as EventData<'incident.noted'>).text).text}
  }
  return appendEvents(ref.logPath, actor, batch)
}
