import chalk from 'chalk'

import type {ChecklistEntry, ChecklistView} from '../../src/incident/checklist.js'
import {safeLine} from '../../src/text/terminal.js'
import {formatDuration} from '../../src/time/duration.js'
import {bar, utcAndLocal} from './text.js'

export interface ChecklistRenderOptions {
  /** Members shown under a grouped item before "… N more". */
  members: number
  /** Show each item's commands and notes. */
  verbose: boolean
}

const mark = (e: ChecklistEntry) => (e.status === 'done' ? chalk.green('[x]') : e.status === 'overdue' ? chalk.red('[!]') : '[ ]')

function countdown(due: string, nowMs: number): string {
  const left = Date.parse(due) - nowMs
  return left >= 0 ? `in ${formatDuration(left)}` : chalk.red(`${formatDuration(-left)} overdue`)
}

function line(e: ChecklistEntry, indent: string, now: number, o: ChecklistRenderOptions): string[] {
  const title = safeLine(e.title)
  const bits = [`${indent}${mark(e)} ${chalk.bold(safeLine(e.id))}  ${e.status === 'done' ? chalk.dim(title) : title}`]
  const meta: string[] = []
  if (e.members.length) meta.push(`${e.membersDone}/${e.members.length} done`)
  if (e.owner) meta.push(`owner ${safeLine(e.owner)}`)
  if (e.status === 'done' && e.doneBy) meta.push(`done by ${safeLine(e.doneBy)} ${e.doneAt!.slice(11, 16)}Z`)
  // Items share their phase's due time; say it again only when it has passed.
  if (e.status === 'overdue' && e.due) meta.push(chalk.red.bold(`OVERDUE since ${utcAndLocal(e.due)}`))
  if (e.gap) meta.push(chalk.yellow(`manual: ${safeLine(e.gap)}`))
  if (e.evidence && !e.warning) meta.push(`evidence ${safeLine(e.evidence)}`)
  if (e.warning) meta.push(chalk.red.bold(`WARNING ${safeLine(e.warning)}`))
  if (meta.length) bits.push(`${indent}      ${chalk.dim(meta.join(' · '))}`)
  if (o.verbose) {
    for (const c of e.commands) bits.push(`${indent}      ${chalk.cyan('$')} ${safeLine(c)}`)
    e.steps.forEach((s, i) => {
      bits.push(`${indent}      ${chalk.dim(`${i + 1}.`)} ${safeLine(s.title)}${s.due ? chalk.yellow(` (due ${s.due})`) : ''}`)
      for (const c of s.commands) bits.push(`${indent}         ${chalk.cyan('$')} ${safeLine(c)}`)
    })
    for (const n of e.notes) bits.push(`${indent}      ${chalk.dim(`note ${n.time.slice(11, 16)}Z ${safeLine(n.actor)}:`)} ${safeLine(n.text)}`)
  } else if (e.notes.length) {
    const last = e.notes.at(-1)!
    bits.push(`${indent}      ${chalk.dim(`note (${e.notes.length}) ${safeLine(last.actor)}:`)} ${safeLine(last.text)}`)
  }
  const shown = e.members.slice(0, o.members)
  for (const m of shown) bits.push(...line(m, `${indent}    `, now, o))
  if (e.members.length > shown.length) bits.push(`${indent}    ${chalk.dim(`… ${e.members.length - shown.length} more (--members ${e.members.length} shows all)`)}`)
  return bits
}

export function renderChecklist(v: ChecklistView, o: ChecklistRenderOptions): string {
  const now = Date.parse(v.now)
  const p = v.progress
  const out = [
    `${chalk.bold(v.incident)}  ${safeLine(v.title)}`,
    `${bar(p.done, p.total)} ${p.done}/${p.total} done${p.overdue ? chalk.red(`, ${p.overdue} overdue`) : ''} · opened ${utcAndLocal(v.openedAt)}`,
  ]
  for (const ph of v.phases) {
    out.push('')
    const due = ph.due ? ` · due ${utcAndLocal(ph.due)} ${countdown(ph.due, now)}` : ''
    out.push(`${chalk.bold.underline(safeLine(ph.title))} ${chalk.dim(`(${ph.window.label})`)}  ${ph.progress.done}/${ph.progress.total}${chalk.dim(due)}`)
    if (ph.items.length === 0) out.push(chalk.dim('  (no items match)'))
    for (const e of ph.items) out.push(...line(e, '  ', now, o))
  }
  return out.join('\n')
}
