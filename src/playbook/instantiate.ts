import {createHash} from 'node:crypto'

import {type Finding, findingKey, findingWhere, RISK_ORDER} from '../detect/finding.js'
import type {ChecklistItem, Phase} from '../incident/events.js'
import {parseDuration} from '../time/duration.js'
import {parseWindow} from '../time/window.js'
import {readerAuthLogs, restartConsumers, revokeNow, rewriteHistory, storeNewValue, workloadLogs} from './generate.js'
import type {ProcedureGenerator} from './generators.js'
import {findingContext} from './place.js'
import type {FindingFilter, Playbook, PlaybookStep, Procedure} from './schema.js'
import {renderCommand, renderTemplate, type TemplateContext} from './template.js'

// A playbook plus the incident's findings becomes checklist items with due
// offsets. Pure: the caller records the result as a checklist.items.added event.
// Run again with more findings (or with items missing), it returns only the items
// the incident does not have yet.

export interface InstantiateInput {
  playbook: Playbook
  procedures: ReadonlyMap<string, Procedure>
  findings: readonly Finding[]
  incident: Record<string, string>
  vars?: Record<string, string>
  /** Items the incident already has: kept, never duplicated. */
  existing?: ReadonlyMap<string, ChecklistItem>
  /** A planned rotation (`incident open --planned`): each `<rotation>-planned` procedure replaces the immediate one. */
  planned?: boolean
}

export interface Instantiated {
  phases: Phase[]
  items: ChecklistItem[]
}

export function matchesFilter(f: Finding, filter: FindingFilter): boolean {
  const classMatch = (patterns: string[]) => patterns.some((p) => (p.endsWith('*') ? f.class.startsWith(p.slice(0, -1)) : f.class === p))
  if (filter.class && !classMatch(filter.class)) return false
  if (filter.notClass && classMatch(filter.notClass)) return false
  if (filter.risk && !filter.risk.includes(f.risk)) return false
  if (filter.source && !filter.source.includes(f.source)) return false
  if (filter.state && !(f.source === 'etcd' && filter.state.includes(f.state))) return false
  if (filter.kind && !(f.source === 'etcd' && filter.kind.includes(f.kind))) return false
  return true
}

/** The suffix of a procedure's graceful variant: `database-password-planned` beside `database-password`. */
export const PLANNED_SUFFIX = '-planned'

/**
 * The rotation procedure of a finding: its rotation id, else the first
 * procedure for its class, else the generic one. In an incident that is the
 * immediate one (the leaked value stops working now); a planned rotation
 * takes its graceful `-planned` variant where one exists. A `-planned`
 * procedure is never picked by class alone.
 */
export function procedureFor(f: Finding, procedures: ReadonlyMap<string, Procedure>, planned = false): Procedure | undefined {
  const base =
    procedures.get(f.rotation) ??
    [...procedures.values()].find((p) => !p.id.endsWith(PLANNED_SUFFIX) && p.classes.includes(f.class)) ??
    procedures.get('generic-secret')
  return base && variant(base.id, procedures, planned)
}

/** `id`, or its `-planned` variant when the rotation is planned and one exists. */
function variant(id: string, procedures: ReadonlyMap<string, Procedure>, planned: boolean): Procedure | undefined {
  return (planned && !id.endsWith(PLANNED_SUFFIX) ? procedures.get(id + PLANNED_SUFFIX) : undefined) ?? procedures.get(id)
}

function byRisk(a: Finding, b: Finding): number {
  return RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || findingWhere(a).localeCompare(findingWhere(b))
}

/**
 * By risk; within a risk, the credentials whose procedure revokes them NOW
 * (its first step says so: an AWS key disabled, a token deleted) before those
 * only a rotation ends (a master key, a CA): what stops an attacker at once
 * is done first.
 */
function sortRevocableFirst(findings: Finding[], procedures: ReadonlyMap<string, Procedure>, planned: boolean): void {
  const later = new Map(findings.map((f) => [f, /\bNOW\b/.test(procedureFor(f, procedures, planned)?.steps[0]?.title ?? '') ? 0 : 1]))
  findings.sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || later.get(a)! - later.get(b)! || byRisk(a, b))
}

export function instantiate(input: InstantiateInput): Instantiated {
  const existing = input.existing ?? new Map<string, ChecklistItem>()
  const phases: Phase[] = []
  const items: ChecklistItem[] = []
  const base: TemplateContext = {incident: input.incident, vars: input.vars ?? {}}
  const planned = input.planned ?? false
  const add = (item: ChecklistItem) => {
    if (!existing.has(item.id)) items.push(item)
  }

  for (const phase of input.playbook.phases) {
    const window = parseWindow(phase.window)
    if (typeof window === 'string') throw new Error(window) // schema already checked it
    phases.push({id: phase.id, title: phase.title, window})
    const phaseDue = window.endMs

    for (const step of phase.steps) {
      const dueOffsetMs = step.due ? parseDuration(step.due) : phaseDue
      if (step.when && !input.findings.some((f) => matchesFilter(f, step.when!.findings))) continue
      if (!step.forEach) {
        add(staticItem(step, phase.id, dueOffsetMs, base, input.procedures, input.findings, planned))
        continue
      }
      const each = step.forEach
      const matched = input.findings.filter((f) => matchesFilter(f, each.findings))
      if (each.rotation) sortRevocableFirst(matched, input.procedures, planned)
      else matched.sort(byRisk)
      const covered = coveredKeys(existing, step.id)
      const fresh = matched.filter((f) => !covered.has(findingKey(f)))
      if (matched.length === 0) {
        if (each.ifNone) {
          const commands = (each.ifNoneCommands ?? []).map((c) => renderTemplate(c, base))
          add({id: `${step.id}.none`, phase: phase.id, title: renderTemplate(each.ifNone, base), why: step.why, commands, dueOffsetMs})
        }
        continue
      }
      if (fresh.length === 0) continue
      const groupExists = existing.has(step.id)
      const grouped = groupExists || (each.group !== undefined && fresh.length >= each.group.min)
      if (grouped && !groupExists) {
        add({
          id: step.id,
          phase: phase.id,
          // The group's own wording is the planned one only when every item under it is planned.
          ...groupWording(step, matched.map((f) => (each.rotation ? procedureFor(f, input.procedures, planned) : undefined)), matched.length, base),
          commands: step.commands.map((c) => renderCommand(c, base)).filter((c) => !c.includes('<finding.')),
          dueOffsetMs,
        })
      }
      for (const f of fresh) {
        const item = findingItem(step, f, phase.id, dueOffsetMs, base, input.procedures, findingItemId(step.id, f), planned)
        if (grouped) item.parent = step.id
        add(item)
      }
    }
  }
  return {phases, items}
}

/** A step's generated commands (src/playbook/generate.ts), from the findings and variables of the incident. */
function generated(step: PlaybookStep, findings: readonly Finding[], ctx: TemplateContext): string[] {
  switch (step.generate) {
    case 'workload-logs':
      return workloadLogs(findings, '2h')
    case 'restart-consumers':
      return restartConsumers(findings)
    case 'rewrite-history':
      return rewriteHistory(ctx.vars ?? {})
    case undefined:
      return []
  }
}

/**
 * A step's title and why: in its planned wording when the item follows a
 * `-planned` procedure. Under --planned only the classes that have one change
 * (an AWS key is still revoked now), so the wording follows the procedure, not the flag.
 */
function wording(step: PlaybookStep, proc: Procedure | undefined): {title: string; why: string | undefined} {
  return isPlanned(proc) ? {title: step.plannedTitle ?? step.title, why: step.plannedWhy ?? step.why} : {title: step.title, why: step.why}
}

function groupWording(step: PlaybookStep, procs: (Procedure | undefined)[], count: number, base: TemplateContext): {title: string; why: string | undefined} {
  const group = step.forEach!.group!
  const allPlanned = procs.length > 0 && procs.every(isPlanned)
  return {title: renderTemplate((allPlanned && group.plannedTitle) || group.title, {...base, count}), why: allPlanned ? (step.plannedWhy ?? step.why) : step.why}
}

function isPlanned(proc: Procedure | undefined): boolean {
  return proc?.id.endsWith(PLANNED_SUFFIX) ?? false
}

function staticItem(
  step: PlaybookStep,
  phase: string,
  dueOffsetMs: number | null,
  ctx: TemplateContext,
  procedures: ReadonlyMap<string, Procedure>,
  findings: readonly Finding[],
  planned: boolean,
): ChecklistItem {
  const proc = step.procedure ? variant(step.procedure, procedures, planned) : undefined
  const {title, why} = wording(step, proc)
  const item: ChecklistItem = {
    id: step.id,
    phase,
    title: renderTemplate(title, ctx),
    why,
    commands: [...step.commands.map((c) => renderCommand(c, ctx)), ...generated(step, findings, ctx)],
    dueOffsetMs,
  }
  if (step.check) item.check = {command: renderCommand(step.check.command, ctx), description: step.check.description}
  if (proc) item.procedure = proc.id
  return item
}

function findingItem(
  step: PlaybookStep,
  f: Finding,
  phase: string,
  dueOffsetMs: number | null,
  base: TemplateContext,
  procedures: ReadonlyMap<string, Procedure>,
  id: string,
  planned: boolean,
): ChecklistItem {
  const ctx: TemplateContext = {...base, finding: findingContext(f)}
  const proc = step.forEach?.rotation ? procedureFor(f, procedures, planned) : undefined
  const {title, why} = wording(step, proc)
  const item: ChecklistItem = {
    id,
    phase,
    title: renderTemplate(title, ctx),
    why,
    commands: step.commands.map((c) => renderCommand(c, ctx)),
    findings: [findingKey(f)],
    dueOffsetMs,
  }
  if (step.check) item.check = {command: renderCommand(step.check.command, ctx), description: step.check.description}
  if (step.forEach?.rotation) {
    if (proc) item.procedure = proc.id
    else item.gap = `no rotation procedure for class ${f.class}: rotate it by the provider's own procedure`
  }
  return item
}

function procedureGenerated(generator: ProcedureGenerator | undefined, finding: Record<string, string> | undefined): string[] {
  switch (generator) {
    case 'store-new-value':
      return storeNewValue(finding)
    case 'revoke-now':
      return revokeNow(finding)
    case 'reader-auth-logs':
      return readerAuthLogs(finding)
    case undefined:
      return []
  }
}

/**
 * A procedure's steps rendered for one item (its finding, the incident, the
 * vars; ctx.finding from findingContext()), its generated commands filled in,
 * and its verify lines as a last step.
 */
export function procedureSteps(proc: Procedure, ctx: TemplateContext): {title: string; commands: string[]; due?: string}[] {
  const steps = proc.steps.map((s, i) => ({
    title: s.title,
    commands: [...s.commands.map((c) => renderCommand(c, ctx)), ...procedureGenerated(s.generate, ctx.finding)],
    ...(s.due ? {due: i ? `${s.due} after step ${i}` : `${s.due} after the item starts`} : {}),
  }))
  if (proc.verify?.length) steps.push({title: 'Verify', commands: proc.verify.map((c) => renderCommand(c, ctx))})
  return steps
}

function coveredKeys(existing: ReadonlyMap<string, ChecklistItem>, stepId: string): Set<string> {
  const keys = new Set<string>()
  for (const item of existing.values()) {
    if (item.id.startsWith(`${stepId}.`)) for (const k of item.findings ?? []) keys.add(k)
  }
  return keys
}

/**
 * A per-finding item's id: the step and a short digest of the finding's key
 * (fingerprint and place). The same finding gets the same id on every machine
 * and in every run, whoever records it first, so a tick always names the item
 * its author meant. 48 bits: no collision in any real incident's few thousand.
 */
export function findingItemId(stepId: string, f: Finding): string {
  return `${stepId}.${createHash('sha256').update(findingKey(f), 'utf8').digest('hex').slice(0, 12)}`
}
