import chalk from 'chalk'

import {riskColor, table} from './text.js'
import {restartCommand} from '../../src/verify/cluster/consumers.js'
import type {ClusterVerification, VerifyClusterResult} from '../../src/verify/cluster/verify.js'
import {safeLine} from '../../src/text/terminal.js'

// `verify cluster` for a person: the credentials still served first (with
// who consumes them and the restarts a rotation needs), then the rest.

const STATE_COLOR: Record<string, (s: string) => string> = {current: chalk.red.bold, rotated: chalk.green, deleted: chalk.green, unknown: chalk.yellow}
const ORDER: Record<string, number> = {current: 0, unknown: 1, rotated: 2, deleted: 3}

export function verificationLine(v: ClusterVerification): string {
  const color = STATE_COLOR[v.state] ?? ((s: string) => s)
  return `${color(v.state.toUpperCase().padEnd(8))} ${riskColor(v.risk)(v.risk.padEnd(8))} ${v.class}  ${safeLine(v.where)}`
}

export function renderVerifyCluster(r: VerifyClusterResult, context: string | undefined, max = 50): string {
  const s = r.summary
  const out = [chalk.bold(`leakctl verify cluster — ${safeLine(r.context)} (${safeLine(r.server)})`)]
  const sorted = [...r.verifications].sort((a, b) => ORDER[a.state]! - ORDER[b.state]! || a.where.localeCompare(b.where))
  for (const v of sorted.slice(0, max)) {
    out.push(verificationLine(v))
    out.push(chalk.dim(`         ${safeLine(v.detail)}`))
    if (v.consumers.length) out.push(chalk.dim(`         consumed by ${v.consumers.map((c) => `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`).map(safeLine).join(', ')}`))
    if (v.state === 'current') for (const c of v.consumers) {
      const cmd = restartCommand(c, context)
      if (cmd) out.push(`         ${chalk.cyan('$')} ${cmd}  ${chalk.dim('# after the rotation')}`)
    }
  }
  if (sorted.length > max) out.push(chalk.dim(`… ${sorted.length - max} more (--json lists every one)`))
  for (const g of r.gaps) out.push(`${chalk.yellow('gap:')} ${safeLine(g)}`)
  out.push('')
  out.push(table([[chalk.red.bold(`${s.current} current`), chalk.green(`${s.rotated} rotated`), chalk.green(`${s.deleted} deleted`), chalk.yellow(`${s.unknown} unknown`), chalk.dim(`${r.stats.requests} request(s), ${r.ms} ms`)]]))
  return out.join('\n')
}
