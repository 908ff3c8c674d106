import {DANGEROUS_STATES, DEAD_STATES, type EventOf, type VerificationState} from '../incident/events.js'
import type {IncidentState, ItemState} from '../incident/state.js'
import {isBlank} from '../text/shell.js'
import {restartCommand} from './cluster/consumers.js'
import {lookupTable} from '../lookup.js'

// The checklist follows the evidence. A verification (`verify cluster`,
// `verify issuer`) that shows a leaked credential dead (rotated, deleted,
// revoked, expired) ticks the items that rotate it, as `leakctl verify`, with
// the event as evidence; a later one showing the leaked value back re-opens
// what it ticked, with a warning. A person's tick is never undone: it is
// flagged while the value is still served. Checks the tool itself performed
// (the triage's scan, the encryption check) tick their items as `leakctl`.
// Decisions are pure; the fold applies them (state.ts).

export const VERIFY_ACTOR = 'leakctl verify'
export const TOOL_ACTOR = 'leakctl'

/** The latest verification of one finding. */
export interface Seen {
  state: VerificationState
  event: string
  checkedAt: string
  verifier: 'cluster' | 'issuer'
  consumers: {kind: string; namespace?: string; name: string}[]
}

/** What the checklist shows beside an item. */
export interface ItemFollow {
  /** The event that ticked it (a verification or a check). */
  evidence?: string
  /** Why it needs a look: re-opened, or ticked while the leaked value is served. */
  warning?: string
}

export interface FollowState {
  /** findingKey -> its latest verification. */
  latest: Map<string, Seen>
  /** Item id -> what ticked or re-opened it. */
  items: Map<string, ItemFollow>
  /** findingKey -> the items that rotate it; rebuilt when items were added. */
  byFinding: Map<string, string[]>
  indexedItems: number
}

export function newFollowState(): FollowState {
  return {latest: new Map(), items: new Map(), byFinding: new Map(), indexedItems: -1}
}

export type FollowDecision =
  | {item: string; action: 'tick'; actor: string; evidence: string}
  | {item: string; action: 'reopen'; evidence: string; warning: string}

const isDead = (s: VerificationState) => DEAD_STATES.includes(s)
const isDangerous = (s: VerificationState) => DANGEROUS_STATES.includes(s)

/** Items that rotate or revoke a credential; the evidence-of-use items ask something a rotation does not answer. */
export function followsVerification(item: Pick<ItemState, 'id' | 'findings'>): boolean {
  return (item.findings?.length ?? 0) > 0 && !item.id.includes('evidence')
}

/**
 * The items a verification settles, given the latest state of every finding
 * (the event itself already in `latest`). An item is ticked when every
 * credential it covers is dead; re-opened when it was ticked by a
 * verification and one of them is dangerous again.
 */
export function decideVerification(items: readonly ItemState[], latest: ReadonlyMap<string, Seen>, e: EventOf<'verification.recorded'>): FollowDecision[] {
  const out: FollowDecision[] = []
  for (const item of items) {
    const states = (item.findings ?? []).map((k) => latest.get(k)?.state)
    if (states.every((s) => s !== undefined && isDead(s))) {
      if (!item.done) out.push({item: item.id, action: 'tick', actor: VERIFY_ACTOR, evidence: e.id})
    } else if (isDangerous(e.data.state) && item.done && item.doneBy === VERIFY_ACTOR) {
      out.push({item: item.id, action: 'reopen', evidence: e.id, warning: `re-opened: ${e.data.where} serves the leaked value again (${e.data.state} at ${e.data.checkedAt})`})
    }
  }
  return out
}

/** The checks whose items the tool ticks when it performed them: check id -> items. */
const CHECK_ITEMS = lookupTable<{items: string[]; ran: (status: string) => boolean}>({
  'scan-etcd': {items: ['read-snapshot', 'quantify-exposure'], ran: () => true},
  'encryption-at-rest': {items: ['check-encryption-config'], ran: (s) => s === 'pass' || s === 'fail' || s === 'partial'},
})

export function decideCheck(items: ReadonlyMap<string, ItemState>, e: EventOf<'check.completed'>): FollowDecision[] {
  const rule = CHECK_ITEMS[e.data.check]
  if (!rule || !rule.ran(e.data.status)) return []
  return rule.items.filter((id) => items.get(id) && !items.get(id)!.done).map((id) => ({item: id, action: 'tick', actor: TOOL_ACTOR, evidence: e.id}))
}

function itemsFor(state: IncidentState, finding: string): ItemState[] {
  const f = state.follow
  if (f.indexedItems !== state.items.size) {
    f.byFinding.clear()
    for (const item of state.items.values()) {
      if (!followsVerification(item)) continue
      for (const k of item.findings!) f.byFinding.set(k, [...(f.byFinding.get(k) ?? []), item.id])
    }
    f.indexedItems = state.items.size
  }
  return (f.byFinding.get(finding) ?? []).map((id) => state.items.get(id)!)
}

function apply(state: IncidentState, time: string, decisions: FollowDecision[]): void {
  for (const d of decisions) {
    const item = state.items.get(d.item)!
    if (d.action === 'tick') {
      item.done = true
      item.doneAt = time
      item.doneBy = d.actor
      state.follow.items.set(d.item, {evidence: d.evidence})
    } else {
      item.done = false
      item.doneAt = undefined
      item.doneBy = undefined
      state.follow.items.set(d.item, {evidence: d.evidence, warning: d.warning})
    }
  }
}

/** The fold's hook: a verification or a completed check, followed. */
export function followEvent(state: IncidentState, e: EventOf<'verification.recorded'> | EventOf<'check.completed'>): void {
  if (e.type === 'check.completed') return apply(state, e.time, decideCheck(state.items, e))
  const d = e.data
  state.follow.latest.set(d.finding, {state: d.state, event: e.id, checkedAt: d.checkedAt, verifier: d.verifier, consumers: d.consumers ?? []})
  // unknown and unverifiable say nothing about the value: nothing moves.
  if (!isDead(d.state) && !isDangerous(d.state)) return
  apply(state, e.time, decideVerification(itemsFor(state, d.finding), state.follow.latest, e))
}

/** What the checklist shows beside an item: its evidence, or a warning (a person's tick while the value is served). */
export function itemFollow(state: IncidentState, item: ItemState): ItemFollow {
  const f = state.follow.items.get(item.id) ?? {}
  if (item.done && item.doneBy !== VERIFY_ACTOR && item.doneBy !== TOOL_ACTOR && followsVerification(item)) {
    const served = item.findings!.map((k) => state.follow.latest.get(k)).find((s) => s && isDangerous(s.state))
    if (served) return {warning: `ticked, but the leaked value is still served (${served.state} at ${served.checkedAt})`, evidence: served.event}
  }
  const auto = item.doneBy === VERIFY_ACTOR || item.doneBy === TOOL_ACTOR
  if (item.done) return auto && f.evidence ? {evidence: f.evidence} : {}
  return f.warning ? f : {}
}

/** The live cluster's consumers when a cluster verification could list them, else the snapshot's (scan etcd maps them offline). */
function consumersOf(state: IncidentState, finding: string): {kind: string; namespace?: string; name: string}[] {
  const seen = state.follow.latest.get(finding)
  if (seen && seen.verifier === 'cluster' && seen.state !== 'unknown') return seen.consumers
  const f = state.findingIndex.get(finding)
  return f?.source === 'etcd' ? (f.consumers ?? []) : []
}

/** The restarts a rotate item needs: one per consumer the latest verification (or the snapshot) found for its credentials. */
export function restartCommands(state: IncidentState, item: ItemState): string[] {
  if (!followsVerification(item)) return []
  const context = state.vars.context && !isBlank(state.vars.context) ? state.vars.context : undefined
  const out = new Set<string>()
  for (const k of item.findings!) for (const c of consumersOf(state, k)) {
    const cmd = restartCommand(c, context)
    if (cmd) out.add(cmd)
  }
  return [...out]
}
