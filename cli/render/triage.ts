import chalk from 'chalk'

import type {PhaseReport} from '../../src/triage/phases.js'
import {safeLine} from '../../src/text/terminal.js'

const MARK: Record<PhaseReport['status'], string> = {pass: '✓', fail: '!', partial: '~', skipped: '-'}

export function phaseLine(p: PhaseReport): string {
  const color = p.status === 'fail' ? chalk.bold.red : p.status === 'pass' ? chalk.green : chalk.yellow
  const took = p.ms !== undefined ? chalk.dim(`  (${(p.ms / 1000).toFixed(1)} s)`) : ''
  return `${color(`[${MARK[p.status]}] ${safeLine(p.title)}`)}: ${p.status === 'skipped' ? chalk.yellow('SKIPPED — ') : ''}${safeLine(p.summary)}${took}`
}
