import {type Finding, findingKey} from '../detect/finding.js'
import {inputError} from '../errors.js'
import {instantiate} from '../playbook/instantiate.js'
import type {Loaded} from '../playbook/load.js'
import type {Playbook, Procedure} from '../playbook/schema.js'
import {type EventData, type IncidentEvent, type IncidentKind, publicKeyId} from './events.js'
import {appendEvents, type NewEvent} from './log.js'
import {loadSigner, localSigners, type Signer} from './signing.js'
import {loadIncident} from './snapshot.js'
import {applyEvent, incidentTemplateVars, type IncidentState} from './state.js'
import {createIncidentDir, type IncidentRef, listIncidents, newIncidentId, type Workspace, workspaceOf} from './workspace.js'

// The operations every command performs on an incident. Each one appends
// events; none edits anything in place.

export {type IncidentSnapshot, loadIncident} from './snapshot.js'

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
  /** A planned rotation, not an incident: graceful `-planned` procedures replace the immediate ones. */
  planned?: boolean
  now?: Date
}

export interface Opened {
  ref: IncidentRef
  events: IncidentEvent[]
  warnings: string[]
}

export async function openIncident(ws: Workspace, o: OpenOptions): Promise<Opened> {
  const now = o.now ?? new Date()
  const id = newIncidentId(now, listIncidents(ws).map((r) => r.id))
  const title = await scrubFreeText(o.title)
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
    ...(o.planned ? {planned: true} : {}),
  }
  const findings = dedupe(o.findings ?? [])
  const {phases, items} = instantiate({
    playbook: o.playbook.value,
    procedures: o.procedures,
    findings,
    incident: {id, title, kind: o.kind, commander: o.commander, openedAt: now.toISOString(), exposedAt: opened.exposedAt ?? ''},
    vars: o.vars,
    planned: o.planned,
  })
  const batch: NewEvent[] = [
    {type: 'incident.opened', data: opened},
    ...findings.map((finding): NewEvent => ({type: 'finding.recorded', data: {finding}})),
    {type: 'checklist.items.added', data: {phases, items}},
  ]
  const ref = createIncidentDir(ws, id)
  // The opener's key signs the opening: it is the commander's key from now on.
  const res = await appendEvents(ref.logPath, loadSigner(ws.dir, o.actor), batch, () => now)
  return {ref, events: res.events, warnings: res.warnings}
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
 * The actor's signer, and the events that must precede theirs: when the
 * actor's key is not admitted yet and this workspace holds the commander's
 * key (a second responder on the commander's machine), the commander's
 * admission of it. Elsewhere the commander admits with `incident admit`.
 */
export function authorFor(ref: IncidentRef, state: IncidentState, actor: string): {signer: Signer; before: NewEvent[]} {
  const ws = workspaceOf(ref)
  const signer = loadSigner(ws, actor)
  const t = state.trust
  if (t.mode !== 'signed' || t.admitted.has(signer.key)) return {signer, before: []}
  const commander = localSigners(ws).find((s) => s.key === t.commanderKey)
  if (!commander) return {signer, before: []}
  return {signer, before: [{type: 'responder.admitted', data: {name: actor, key: signer.key}, signer: commander}]}
}

/** Appends `batch` as `actor` (signed, ordered after what `state` saw), the actor's admission first when due. */
export async function appendAs(ref: IncidentRef, state: IncidentState, actor: string, batch: NewEvent[]) {
  if (batch.length === 0) return {events: [], warnings: []}
  const {signer, before} = authorFor(ref, state, actor)
  return appendEvents(ref.logPath, signer, [...before, ...batch], undefined, {after: state.lastEventId})
}

/**
 * Records findings the incident does not have yet and expands its checklist
 * with the items they call for. Item ids derive from each finding, so runs on
 * several machines at once agree, and a run with nothing new still adds the
 * items a checklist lacks (a repair).
 */
export async function recordFindings(ref: IncidentRef, actor: string, findings: Finding[], scan?: string): Promise<{recorded: number; items: number; warnings: string[]}> {
  const {state, warnings} = loadIncident(ref)
  const fresh = dedupe(findings).filter((f) => !state.findingIndex.has(findingKey(f)))
  const {items} = instantiate({
    playbook: state.playbook.definition,
    procedures: new Map(state.playbook.procedures.map((p) => [p.id, p])),
    findings: [...state.findings, ...fresh],
    incident: incidentTemplateVars(state),
    vars: state.vars,
    planned: state.planned,
    existing: state.items,
  })
  const batch: NewEvent[] = fresh.map((finding) => ({type: 'finding.recorded', data: {finding, scan}}))
  if (items.length) batch.push({type: 'checklist.items.added', data: {phases: [], items}})
  const res = await appendAs(ref, state, actor, batch)
  return {recorded: fresh.length, items: items.length, warnings: [...warnings, ...res.warnings]}
}

export type ItemAction =
  | {type: 'tick'; note?: string}
  | {type: 'untick'; note?: string}
  | {type: 'note'; text: string}
  | {type: 'assign'; owner: string}

declare const scrubbed: unique symbol
/** An action whose note has been through the scrubber: the only kind planItemActions records. */
export type ScrubbedAction = ItemAction & {readonly [scrubbed]: true}

/**
 * Free text a responder typed (a title, a note) as it may go into the log: a
 * credential pasted by mistake is redacted (src/detect/scrub.ts). The
 * detection engine behind it is loaded here, when there is text, not with
 * this module: reading an incident (status, the checklist) never needs it,
 * and loading it was a fifth of their start-up (docs/performance.md).
 */
async function scrubFreeText(text: string): Promise<string> {
  return (await import('../detect/scrub.js')).scrubText(text).text
}

/** The action with its note or text scrubbed; an action without text is returned as it is, nothing loaded. */
export async function scrubAction(action: ItemAction): Promise<ScrubbedAction> {
  if (action.type === 'note') return {...action, text: await scrubFreeText(action.text)} as ScrubbedAction
  if (action.type !== 'assign' && action.note !== undefined) return {...action, note: await scrubFreeText(action.note)} as ScrubbedAction
  return action as ScrubbedAction
}

/** Resolves item ids (exact); an unknown one is an input error naming close matches. */
export function resolveItems(state: IncidentState, ids: string[]): string[] {
  return ids.map((id) => {
    if (state.items.has(id)) return id
    // A per-finding item by a unique prefix of its digest (rotate-high.3f9a).
    const prefixed = id.includes('.') ? [...state.items.keys()].filter((k) => k.startsWith(id)) : []
    if (prefixed.length === 1) return prefixed[0]!
    const close = [...state.items.keys()].filter((k) => k.startsWith(id) || k.includes(id)).slice(0, 5)
    throw inputError('item.unknown', `no checklist item "${id}" in ${state.id}${close.length ? `; did you mean ${close.join(', ')}?` : ' (leakctl checklist lists them)'}`)
  })
}

/**
 * The events an action on items records, planned against `state` (pure).
 * Ticking a grouped item ticks each of its open members; unticking it reopens the done ones.
 */
export function planItemActions(state: IncidentState, ids: string[], action: ScrubbedAction): NewEvent[] {
  const resolved = resolveItems(state, ids)
  const batch: NewEvent[] = []
  for (const id of resolved) {
    const item = state.items.get(id)!
    switch (action.type) {
      case 'tick':
      case 'untick': {
        const targets = item.children.length ? item.children.filter((c) => state.items.get(c)!.done !== (action.type === 'tick')) : [id]
        for (const t of targets) batch.push({type: action.type === 'tick' ? 'item.ticked' : 'item.unticked', data: {item: t, note: action.note}})
        break
      }
      case 'note':
        batch.push({type: 'item.noted', data: {item: id, text: action.text}})
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
  const clean = await scrubAction(action)
  const {state, warnings} = loadIncident(ref)
  const batch = planItemActions(state, ids, clean)
  const res = await appendAs(ref, state, actor, batch)
  // Events other responders wrote meanwhile are not in `state`; callers that
  // show more than this command's own effect reload.
  for (const e of res.events) applyEvent(state, e)
  return {events: res.events, warnings: [...warnings, ...res.warnings], state}
}

/**
 * Records an outside result (a check, a piece of evidence, a note) on the
 * incident. The log is read first: a damaged log stops here, as it stops a tick.
 */
export async function recordEvents(ref: IncidentRef, actor: string, batch: NewEvent[]): Promise<{events: IncidentEvent[]; warnings: string[]}> {
  for (const e of batch) {
    if (e.type === 'incident.noted') e.data = {text: await scrubFreeText((e.data as EventData<'incident.noted'>).text)}
  }
  const {state, warnings} = loadIncident(ref)
  const res = await appendAs(ref, state, actor, batch)
  return {events: res.events, warnings: [...warnings, ...res.warnings]}
}

/**
 * The commander admits a responder's key: from then on events signed by it
 * under `name` count. Only the commander's key can (the fold ignores others').
 */
export async function admitResponder(ref: IncidentRef, actor: string, name: string, key: string | undefined): Promise<{events: IncidentEvent[]; key: string; warnings: string[]}> {
  const {state, warnings} = loadIncident(ref)
  const t = state.trust
  if (t.mode !== 'signed') throw inputError('admit.legacy', `${ref.id} was opened before events were signed; there is no commander key to admit with`)
  const signer = loadSigner(workspaceOf(ref), actor)
  if (signer.key !== t.commanderKey) throw inputError('admit.not-commander', `only the commander can admit responders: ${ref.id} was opened by ${t.admitted.get(t.commanderKey!)} (key ${t.commanderKey}); you act as ${actor} (key ${signer.key})`)
  const requested = t.requests.filter((r) => r.name === name)
  const chosen = key ?? (requested.length === 1 ? requested[0]!.key : undefined)
  if (!chosen) {
    throw inputError('admit.which-key', requested.length ? `${name} asked to join with ${requested.length} keys (${requested.map((r) => r.key).join(', ')}); name the one to admit` : `${name} has not asked to join ${ref.id}; pass the key they give you: leakctl incident admit ${name} KEY`)
  }
  const parsed = publicKeyId().safeParse(chosen)
  if (!parsed.success) throw inputError('admit.key', `not a signing key: ${chosen.slice(0, 60)} (43 base64url characters, as leakctl incident verify or the join request shows it)`)
  const res = await appendEvents(ref.logPath, signer, [{type: 'responder.admitted', data: {name, key: chosen}}], undefined, {after: state.lastEventId})
  return {events: res.events, key: chosen, warnings: [...warnings, ...res.warnings]}
}
