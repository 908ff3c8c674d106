import chalk from 'chalk'

import {findingsByRisk, type IncidentState, progressReport, timeZero} from '../../src/incident/state.js'
import {safeLine} from '../../src/text/terminal.js'
import {formatRelative} from '../../src/time/duration.js'
import {bar, table, utcAndLocal} from './text.js'

/** The incident's headline, as text and as the JSON every incident command returns. */
export function summarizeIncident(state: IncidentState, now: Date, workspace: string) {
  const report = progressReport(state, now)
  const p = report.overall
  const risks = findingsByRisk(state.findings)
  const zero = timeZero(state)
  const json = {
    incident: {
      id: state.id,
      title: state.title,
      kind: state.kind,
      commander: state.commander,
      openedAt: state.openedAt,
      exposedAt: state.exposedAt,
      playbook: {name: state.playbook.name, version: state.playbook.version},
      lastEventAt: state.lastEventAt,
      events: state.events,
    },
    workspace,
    findings: {total: state.findings.length, ...risks},
    checklist: {
      ...p,
      phases: state.phases.map((ph) => ({id: ph.id, title: ph.title, window: ph.window.label, ...report.byPhase.get(ph.id)!})),
    },
    evidence: {total: state.evidence.length, suspicious: state.evidence.filter((e) => e.suspicious).length},
    checks: state.checks.map((c) => ({check: c.check, status: c.status, summary: c.summary, time: c.time})),
  }
  const lines = [
    `${chalk.bold(state.id)}  ${safeLine(state.title)}`,
    table([
      ['kind', state.kind],
      ['commander', safeLine(state.commander)],
      ['opened', `${utcAndLocal(state.openedAt)}  (${formatRelative(now.getTime() - Date.parse(zero.time))} since the ${zero.label})`],
      ['exposed since', state.exposedAt ? utcAndLocal(state.exposedAt) : chalk.dim('unknown (set --exposed-at)')],
      ['playbook', safeLine(`${state.playbook.name} v${state.playbook.version}`)],
      ['findings', state.findings.length ? `${state.findings.length}: ${risks.critical} critical, ${risks.high} high, ${risks.medium} medium, ${risks.low} low` : chalk.dim('none recorded')],
      ['evidence', state.evidence.length ? `${state.evidence.length} (${json.evidence.suspicious} suspicious)` : chalk.dim('none recorded')],
      ['checklist', `${bar(p.done, p.total)} ${p.done}/${p.total} done${p.overdue ? chalk.red(`, ${p.overdue} overdue`) : ''}`],
    ]),
  ]
  return {text: lines.join('\n'), json}
}
