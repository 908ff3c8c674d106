import {type Finding, findingKey} from '../detect/finding.js'
import type {ChecklistItem} from '../incident/events.js'
import {type InstantiateInput, instantiate, procedureFor, procedureSteps} from './instantiate.js'
import {findingContext} from './place.js'

// Every shell line a checklist would show for an incident, in order: each
// item's own commands, its check, and its procedure's steps and verify lines
// rendered for its finding. The command lint and the playbook bench read this,
// so what they prove is exactly what a responder is shown.

export interface RenderedCommand {
  item: string
  /** item: the item's commands; check; step N of its procedure; verify. */
  part: string
  text: string
  /** findingKey() of the finding the line was rendered for. */
  finding?: string
}

/** A `<…>` blank the responder must fill: the same shape isBlank() accepts, found inside a line. */
export const BLANK = /<([A-Za-z][^<>\n'"]{0,80}?)>/g

export function blanksIn(text: string): string[] {
  return [...text.matchAll(BLANK)].map((m) => m[1]!)
}

export function itemCommands(item: ChecklistItem, input: Pick<InstantiateInput, 'procedures' | 'incident' | 'vars'>, findings: ReadonlyMap<string, Finding>): RenderedCommand[] {
  const out: RenderedCommand[] = []
  const key = item.findings?.[0]
  const finding = key ? findings.get(key) : undefined
  const push = (part: string, text: string) => out.push({item: item.id, part, text, ...(key ? {finding: key} : {})})
  for (const c of item.commands) push('commands', c)
  if (item.check) push('check', item.check.command)
  const proc = item.procedure ? input.procedures.get(item.procedure) : undefined
  if (proc) {
    const ctx = {incident: input.incident, vars: input.vars ?? {}, finding: finding ? findingContext(finding) : undefined}
    procedureSteps(proc, ctx).forEach((s, i) => {
      for (const c of s.commands) push(`step ${i + 1}`, c)
    })
  }
  return out
}

/** The incident's checklist for these findings, and every line it shows. */
export function renderAll(input: InstantiateInput): {items: ChecklistItem[]; commands: RenderedCommand[]} {
  const {items} = instantiate(input)
  const byKey = new Map(input.findings.map((f) => [findingKey(f), f]))
  return {items, commands: items.flatMap((i) => itemCommands(i, input, byKey))}
}

/** Every rotation procedure rendered for every finding it applies to, immediate and planned (the lint's second half: procedures no playbook reaches today). */
export function renderProcedures(input: Pick<InstantiateInput, 'procedures' | 'incident' | 'vars' | 'findings'>): RenderedCommand[] {
  const out: RenderedCommand[] = []
  for (const f of input.findings) {
    const procs = new Set([procedureFor(f, input.procedures, false), procedureFor(f, input.procedures, true)])
    for (const proc of procs) {
      if (!proc) continue
      const ctx = {incident: input.incident, vars: input.vars ?? {}, finding: findingContext(f)}
      procedureSteps(proc, ctx).forEach((s, i) => {
        for (const c of s.commands) out.push({item: `procedure:${proc.id}`, part: `step ${i + 1}`, text: c, finding: findingKey(f)})
      })
    }
  }
  return out
}
