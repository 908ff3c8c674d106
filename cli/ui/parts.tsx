import React from 'react'

import type {ChecklistEntry, ChecklistPhase, ChecklistView, ProcedureStep} from '../../src/incident/checklist.js'
import type {SyncMarker} from '../../src/sync/marker.js'
import {safeLine} from '../../src/text/terminal.js'
import {formatRelative} from '../../src/time/duration.js'
import {ago, barParts, clock, clockAndLocal, countdown} from './format.js'
import {Line, type Seg} from './line.js'
import type {Row} from './rows.js'

// The pieces of the screen, each a pure function of what it shows.

export interface Filters {
  open: boolean
  mine: boolean
  text: string
}

export type SyncDisplay = {state: 'off'} | {state: 'idle'; marker: SyncMarker} | {state: 'running'} | {state: 'failed'; message: string}

function bar(done: number, total: number, width: number): Seg[] {
  const [full, empty] = barParts(done, total, width)
  return [
    {text: full, color: 'green'},
    {text: empty, dim: true},
  ]
}

export function Header({view, width, nowMs, filters, sync, zero}: {view: ChecklistView; width: number; nowMs: number; filters: Filters; sync: SyncDisplay; zero: {time: string; label: string}}) {
  const p = view.progress
  const syncSeg: Seg =
    sync.state === 'off'
      ? {text: 'not shared', dim: true}
      : sync.state === 'running'
        ? {text: 'syncing…', color: 'cyan'}
        : sync.state === 'failed'
          ? {text: 'sync failed', color: 'red', bold: true}
          : {text: sync.marker.last ? `synced ${ago(sync.marker.last.at, nowMs)}` : 'shared, never synced', dim: !sync.marker.last}
  const chips: Seg[] = []
  if (filters.open) chips.push({text: ' [open]', color: 'cyan'})
  if (filters.mine) chips.push({text: ' [mine]', color: 'cyan'})
  if (filters.text) chips.push({text: ` /${filters.text}`, color: 'cyan'})
  return (
    <>
      <Line width={width} left={[{text: view.incident, bold: true}, {text: '  '}, {text: view.title}]} right={[syncSeg]} />
      <Line
        width={width}
        left={[
          ...bar(p.done, p.total, 16),
          {text: ` ${p.done}/${p.total} done`},
          ...(p.overdue ? [{text: ` · ${p.overdue} overdue`, color: 'red' as const, bold: true}] : []),
          {text: ` · ${formatRelative(nowMs - Date.parse(zero.time))} since ${zero.label}`, dim: true},
        ]}
        right={chips}
      />
    </>
  )
}

export function PhaseLine({phase, width, nowMs, nowIso, sticky}: {phase: ChecklistPhase; width: number; nowMs: number; nowIso: string; sticky: boolean}) {
  const pr = phase.progress
  const complete = pr.total > 0 && pr.done === pr.total
  const right: Seg[] = [...bar(pr.done, pr.total, 10), {text: ` ${pr.done}/${pr.total}`}]
  if (complete) right.push({text: ' · done', color: 'green'})
  else if (phase.due) {
    const c = countdown(phase.due, nowMs)
    right.push({text: ` · due ${clock(phase.due, nowIso)} `, dim: true}, {text: c.text, color: c.overdue ? 'red' : undefined, bold: c.overdue})
  }
  return <Line width={width} left={[{text: sticky ? '▲ ' : '▌ ', dim: sticky}, {text: phase.title, bold: true}, {text: ` (${phase.window.label})`, dim: true}]} right={right} />
}

function mark(e: ChecklistEntry): Seg {
  return e.status === 'done' ? {text: '[x]', color: 'green'} : e.status === 'overdue' ? {text: '[!]', color: 'red', bold: true} : {text: '[ ]'}
}

export function ItemLine({row, width, selected, expanded, nowIso}: {row: Extract<Row, {kind: 'item'}>; width: number; selected: boolean; expanded: boolean; nowIso: string}) {
  const e = row.entry
  const group = e.members.length > 0
  const left: Seg[] = [
    {text: selected ? '› ' : '  ', color: 'cyan', bold: true},
    {text: row.depth ? '    ' : ''},
    mark(e),
    {text: ' '},
    {text: group ? (expanded ? '▾ ' : '▸ ') : ''},
    {text: e.id, bold: true},
    {text: '  '},
    {text: e.title, dim: e.status === 'done'},
  ]
  const right: Seg[] = []
  if (group) right.push({text: `${e.membersDone}/${e.members.length} `, dim: true})
  if (e.notes.length) right.push({text: `✎${e.notes.length} `, dim: true})
  if (e.owner) right.push({text: `@${e.owner} `, color: 'magenta'})
  if (e.gap && e.status !== 'done') right.push({text: 'manual ', color: 'yellow'})
  if (e.warning) right.push({text: e.status === 'done' ? '⚠ still served ' : '⚠ value back ', color: 'red', bold: true})
  if (e.status === 'done' && e.doneBy && e.doneAt) right.push({text: `✓ ${e.doneBy} ${clock(e.doneAt, nowIso)}`, color: 'green'})
  // Open items share their phase's deadline (on its header line); an overdue one says so itself.
  else if (e.status === 'overdue') right.push({text: 'OVERDUE', color: 'red', bold: true})
  return <Line width={width} inverse={selected} left={left} right={right} />
}

export function Rule({width, label}: {width: number; label?: string}) {
  const text = label ? `── ${label} ` : ''
  return <Line width={width} left={[{text: text + '─'.repeat(Math.max(0, width - text.length)), dim: true}]} />
}

/** The selected item in a few lines; `lines` is how many the screen has for it. */
export function detailLines(e: ChecklistEntry | null, steps: ProcedureStep[], lines: number, nowMs: number, nowIso: string, full: boolean): Seg[][] {
  if (!e) return [[{text: 'No item here. o / m / esc change the filters.', dim: true}]]
  const head: Seg[] = [{text: e.id, bold: true}, {text: ` · ${e.status === 'done' ? 'done' : e.status === 'overdue' ? 'OVERDUE' : 'open'}`, color: e.status === 'done' ? 'green' : e.status === 'overdue' ? 'red' : undefined}]
  if (e.members.length) head.push({text: ` · ${e.membersDone}/${e.members.length} members done`})
  head.push({text: ` · owner ${e.owner ?? 'none'}`, color: e.owner ? 'magenta' : undefined, dim: !e.owner})
  if (e.status === 'done' && e.doneBy && e.doneAt) head.push({text: ` · done by ${e.doneBy} at ${clock(e.doneAt, nowIso)}`})
  else if (e.due) {
    const c = countdown(e.due, nowMs)
    head.push({text: ` · due ${clockAndLocal(e.due, nowIso)} ${c.text}`, color: c.overdue ? 'red' : undefined})
  }
  const out: Seg[][] = [head]
  if (e.gap) out.push([{text: `manual: ${e.gap}`, color: 'yellow'}])
  if (e.warning) out.push([{text: `⚠ ${safeLine(e.warning)}`, color: 'red', bold: true}])
  else if (e.evidence) out.push([{text: `evidence: event ${e.evidence}`, dim: true}])
  const commands = [...e.commands, ...steps.flatMap((s) => s.commands)]
  if (!full) {
    if (e.why && out.length < lines - 1) out.push([{text: e.why, dim: true}])
    const last = e.notes.at(-1)
    if (last) out.push([{text: `✎ ${last.actor} ${clock(last.time, nowIso)}: `, dim: true}, {text: last.text}, {text: e.notes.length > 1 ? `  (+${e.notes.length - 1} more, enter shows all)` : '', dim: true}])
    else if (commands.length) out.push([{text: '$ ', color: 'cyan'}, {text: commands[0]!}, {text: commands.length > 1 ? `  (+${commands.length - 1} more, c copies)` : '  (c copies)', dim: true}])
    return out.slice(0, lines)
  }
  if (e.why) out.push([{text: e.why, dim: true}])
  for (const c of e.commands) out.push([{text: '$ ', color: 'cyan'}, {text: c}])
  steps.forEach((s, i) => {
    out.push([{text: `${i + 1}. `, dim: true}, {text: s.title}, {text: s.due ? ` (due ${s.due})` : '', color: 'yellow'}])
    for (const c of s.commands) out.push([{text: '   $ ', color: 'cyan'}, {text: c}])
  })
  for (const n of e.notes) out.push([{text: `✎ ${n.actor} ${clock(n.time, nowIso)}: `, dim: true}, {text: n.text}])
  if (out.length > lines) {
    const hidden = out.length - lines + 1
    return [...out.slice(0, lines - 1), [{text: `… ${hidden} more line${hidden === 1 ? '' : 's'} (c copies the commands)`, dim: true}]]
  }
  return out
}

export const HELP: [string, string][] = [
  ['↑ ↓  j k', 'move (PgUp PgDn, g G: page, top, bottom)'],
  ['space', 'tick / untick the item (a group: all its members, after y)'],
  ['enter', 'expand a group; on an item: its commands, steps and notes'],
  ['n', 'add a note (credentials pasted by mistake are redacted)'],
  ['a', 'assign the item (enter alone: to me)'],
  ['/', 'filter by text (id, title, notes); esc clears it'],
  ['o', 'only open items'],
  ['m', 'only items assigned to me'],
  ['c', 'copy the item’s commands (printed on exit too without a clipboard tool)'],
  ['M', 'draft the update for stakeholders, exec or customers: copy it (c), mark it sent (S)'],
  ['s', 'sync with the shared remote now (leakctl incident share)'],
  ['?', 'this help'],
  ['q', 'quit'],
]
