import chalk from 'chalk'

import {findingsByRisk, type IncidentState, progressReport, timeZero} from '../../src/incident/state.js'
import type {VerifyReport} from '../../src/incident/verify.js'
import {shQuote} from '../../src/text/shell.js'
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
      rotations: state.planned ? 'planned' : 'immediate',
      lastEventAt: state.lastEventAt,
      events: state.events,
    },
    custody: {
      mode: state.trust.mode,
      commanderKey: state.trust.commanderKey,
      verified: state.verified.size,
      unverified: state.unverified.map((u) => ({id: u.id, type: u.type, actor: u.actor, reason: u.reason})),
      requests: state.trust.requests,
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
  // The text only when it is printed (not under --json).
  const text = () => [
    `${chalk.bold(state.id)}  ${safeLine(state.title)}`,
    table([
      ['kind', state.kind],
      ['commander', safeLine(state.commander)],
      ['opened', `${utcAndLocal(state.openedAt)}  (${formatRelative(now.getTime() - Date.parse(zero.time))} since the ${zero.label})`],
      ['exposed since', state.exposedAt ? utcAndLocal(state.exposedAt) : chalk.dim('unknown (set --exposed-at)')],
      ['playbook', safeLine(`${state.playbook.name} v${state.playbook.version}`)],
      ['rotations', state.planned ? 'planned: graceful two-credential procedures (--planned)' : 'immediate: revoke first'],
      ['findings', state.findings.length ? `${state.findings.length}: ${risks.critical} critical, ${risks.high} high, ${risks.medium} medium, ${risks.low} low` : chalk.dim('none recorded')],
      ['evidence', state.evidence.length ? `${state.evidence.length} (${json.evidence.suspicious} suspicious)` : chalk.dim('none recorded')],
      ['checklist', `${bar(p.done, p.total)} ${p.done}/${p.total} done${p.overdue ? chalk.red(`, ${p.overdue} overdue`) : ''}`],
      ['custody', custodyLine(state)],
    ]),
    ...state.trust.requests.map((q) => `${safeLine(q.name)} asked to join (key ${q.key}): leakctl incident admit ${shQuote(q.name)}`),
  ].join('\n')
  return {text, json}
}

function custodyLine(state: IncidentState): string {
  if (state.trust.mode === 'legacy') return chalk.dim('unsigned (opened before events were signed)')
  const n = state.unverified.length
  return `${state.verified.size} signed events verified${n ? chalk.red(`, ${n} unverified (not applied; leakctl incident verify)`) : ''}`
}

/** `incident verify` as text: the verdict first, then each problem, then who signed. */
export function renderVerify(r: VerifyReport): string {
  const lines: string[] = []
  const verdict = r.problems.length === 0 ? chalk.green(`${r.incident}: chain of custody intact`) : chalk.red(`${r.incident}: ${r.problems.length} problem(s) in the chain of custody`)
  lines.push(`${verdict} (${r.verified}/${r.events} events verified${r.commander ? `; commander ${safeLine(r.commander.name)}, key ${r.commander.key}` : ''})`)
  for (const p of r.problems.slice(0, 200)) lines.push(`  ${chalk.yellow(p.kind)}${p.id ? ` ${p.id}` : ''}: ${safeLine(p.detail)}`)
  if (r.problems.length > 200) lines.push(`  … ${r.problems.length - 200} more (--json lists every one)`)
  if (r.authors.length) {
    lines.push('', table(r.authors.map((a) => [safeLine(a.name), a.key, a.admitted ? 'admitted' : chalk.red('not admitted'), String(a.events)]), ['SIGNER', 'KEY', 'STATUS', 'EVENTS']))
  }
  for (const q of r.requests) lines.push(`${safeLine(q.name)} asked to join with key ${q.key}: the commander admits with  leakctl incident admit ${shQuote(q.name)} ${q.key}`)
  return lines.join('\n')
}
