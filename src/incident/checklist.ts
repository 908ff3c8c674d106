import {procedureSteps} from '../playbook/instantiate.js'
import {findingContext} from '../playbook/place.js'
import type {Phase} from './events.js'
import {itemFollow, restartCommands} from '../verify/follow.js'
import {incidentTemplateVars, type IncidentState, isDone, isOverdue, type ItemState, type Progress, progressReport} from './state.js'

// The checklist as a view: phases in playbook order, top-level items with
// their members, each with a status derived at `now`. Shared by the plain
// listing, --json and the interactive app.

export type ItemStatus = 'done' | 'open' | 'overdue'

export interface ChecklistEntry {
  id: string
  title: string
  status: ItemStatus
  due: string | null
  owner: string | null
  doneAt: string | null
  doneBy: string | null
  notes: ItemState['notes']
  why: string | null
  commands: string[]
  /** The rotation procedure's steps, rendered for this item (only when asked for: withSteps). */
  steps: ProcedureStep[]
  procedure: string | null
  check: ItemState['check'] | null
  gap: string | null
  findings: string[]
  /** The event that ticked it, when leakctl did (a verification, a check). */
  evidence: string | null
  /** Re-opened because the leaked value came back, or ticked while it is still served. */
  warning: string | null
  members: ChecklistEntry[]
  membersDone: number
}

export interface ProcedureStep {
  title: string
  commands: string[]
  /** `1h after step 2`: the step's own time (a grace period), when the procedure gives one. */
  due?: string
}

export interface ChecklistPhase {
  id: string
  title: string
  window: Phase['window']
  due: string | null
  progress: Progress
  items: ChecklistEntry[]
}

export interface ChecklistView {
  incident: string
  title: string
  openedAt: string
  now: string
  progress: Progress
  phases: ChecklistPhase[]
}

export interface ChecklistFilter {
  /** Only items not done. */
  open?: boolean
  /** Only items owned by this actor. */
  owner?: string
  /** Case-insensitive text in title, id or notes. */
  text?: string
  phase?: string
  /** Render each item's procedure steps (costly for thousands of items). */
  withSteps?: boolean
}

export function itemStatus(state: IncidentState, item: ItemState, now: Date): ItemStatus {
  if (isDone(state, item)) return 'done'
  return isOverdue(state, item, now) ? 'overdue' : 'open'
}

/** An item's procedure steps with its finding's fields filled in. Rendered on demand, never stored. */
export function itemSteps(state: IncidentState, item: ItemState): ProcedureStep[] {
  const proc = item.procedure ? state.playbook.procedures.find((p) => p.id === item.procedure) : undefined
  if (!proc) return []
  const finding = item.findings?.[0] ? state.findingIndex.get(item.findings[0]) : undefined
  return procedureSteps(proc, {incident: incidentTemplateVars(state), vars: state.vars, finding: finding ? findingContext(finding) : undefined})
}

function entry(state: IncidentState, item: ItemState, now: Date, withSteps: boolean): ChecklistEntry {
  const members = item.children.map((id) => entry(state, state.items.get(id)!, now, withSteps))
  const follow = itemFollow(state, item)
  return {
    id: item.id,
    title: item.title,
    status: itemStatus(state, item, now),
    due: item.due,
    owner: item.owner ?? null,
    doneAt: item.doneAt ?? null,
    doneBy: item.doneBy ?? null,
    notes: item.notes,
    why: item.why ?? null,
    commands: [...item.commands, ...restartCommands(state, item)],
    steps: withSteps ? itemSteps(state, item) : [],
    procedure: item.procedure ?? null,
    check: item.check ?? null,
    gap: item.gap ?? null,
    findings: item.findings ?? [],
    evidence: follow.evidence ?? null,
    warning: follow.warning ?? null,
    members,
    membersDone: members.filter((m) => m.status === 'done').length,
  }
}

function keep(e: ChecklistEntry, f: ChecklistFilter): boolean {
  if (f.open && e.status === 'done') return false
  if (f.owner && e.owner !== f.owner) return false
  if (f.text) {
    const t = f.text.toLowerCase()
    const hay = [e.id, e.title, ...e.notes.map((n) => n.text)].join('\n').toLowerCase()
    if (!hay.includes(t)) return false
  }
  return true
}

export function checklistView(state: IncidentState, now: Date, filter: ChecklistFilter = {}): ChecklistView {
  const openedMs = Date.parse(state.openedAt)
  const report = progressReport(state, now)
  const byPhase = new Map<string, ChecklistEntry[]>(state.phases.map((p) => [p.id, []]))
  for (const item of state.items.values()) {
    if (item.parent || (filter.phase && item.phase !== filter.phase)) continue
    const list = byPhase.get(item.phase)
    if (!list) continue
    const e = entry(state, item, now, filter.withSteps ?? false)
    e.members = e.members.filter((m) => keep(m, filter))
    if (keep(e, filter) || e.members.length) list.push(e)
  }
  const phases = state.phases
    .filter((p) => !filter.phase || p.id === filter.phase)
    .map((p): ChecklistPhase => ({
      id: p.id,
      title: p.title,
      window: p.window,
      due: p.window.endMs === null ? null : new Date(openedMs + p.window.endMs).toISOString(),
      progress: report.byPhase.get(p.id)!,
      items: byPhase.get(p.id)!,
    }))
  return {incident: state.id, title: state.title, openedAt: state.openedAt, now: now.toISOString(), progress: report.overall, phases}
}
