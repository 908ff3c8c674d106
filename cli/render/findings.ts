import chalk from 'chalk'

import {RISK_ORDER, RISKS, type Risk} from '../../src/detect/finding.js'
import {riskColor} from './text.js'

/** "2 critical, 5 high" with colours; zero counts left out. */
export function riskSummary(counts: Partial<Record<Risk, number>>): string {
  const parts = RISKS.filter((r) => counts[r]).map((r) => riskColor(r)(`${counts[r]} ${r}`))
  return parts.length ? parts.join(', ') : chalk.dim('none')
}

export function countByRisk<T extends {risk: Risk}>(items: readonly T[]): Record<Risk, number> {
  const out = {critical: 0, high: 0, medium: 0, low: 0}
  for (const i of items) out[i.risk]++
  return out
}

export function byRisk<T extends {risk: Risk}>(a: T, b: T): number {
  return RISK_ORDER[a.risk] - RISK_ORDER[b.risk]
}
