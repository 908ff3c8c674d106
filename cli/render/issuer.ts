import chalk from 'chalk'

import {safeLine} from '../../src/text/terminal.js'
import type {Revocation} from '../../src/verify/issuer/revoke.js'
import type {PlannedCalls, Verification, VerifySummary} from '../../src/verify/issuer/verify.js'

// Human forms of `leakctl verify issuer` and `leakctl revoke`. Everything
// shown may come from outside (paths from a repository, names from a
// snapshot, an issuer's words): each line goes through safeLine.

const STATE_COLOR: Record<string, (s: string) => string> = {live: chalk.bold.red, revoked: chalk.green, expired: chalk.green, unknown: chalk.yellow, unverifiable: chalk.dim}

export function renderVerifications(vs: readonly Verification[], s: VerifySummary): string {
  const out = vs.map((v) => `${(STATE_COLOR[v.state] ?? String)(v.state.padEnd(12))} ${safeLine(v.class)}  ${safeLine(v.where)}\n${' '.repeat(13)}${chalk.dim(safeLine(`${v.detail}${v.via !== 'none' ? ` — via ${v.via}` : ''}`))}`)
  const head = s.live ? chalk.bold.red(`${s.live} leaked credential(s) still work: revoke them now (leakctl revoke).`) : s.answered ? chalk.bold.green('No leaked credential the issuers were asked about still works.') : chalk.bold.yellow('No issuer could say whether the leaked credentials still work.')
  return [head, '', ...out, '', `${s.total} finding(s): ${s.live} live, ${s.revoked} revoked, ${s.expired} expired, ${s.unknown} unknown, ${s.unverifiable} unverifiable`].join('\n')
}

export function renderPlannedCalls(plan: readonly PlannedCalls[]): string {
  const out = ['Dry run: nothing is sent. These requests would be made (credentials redacted):', '']
  for (const p of plan) {
    out.push(`${safeLine(p.class)}  ${safeLine(p.where)}`)
    if (p.skipped) out.push(chalk.dim(`    not asked: ${safeLine(p.skipped)}`))
    for (const c of p.calls) out.push(`    ${c.method} ${safeLine(c.host)}${safeLine(c.path)}  ${chalk.dim(`(${safeLine(c.note)})`)}`)
  }
  return out.join('\n')
}

export function renderRevocations(rs: readonly Revocation[], apply: boolean): string {
  const out = [apply ? 'Revocations:' : 'Dry run (--apply to act): what revoke would do', '']
  for (const r of rs) {
    const mark = r.applied ? chalk.green('revoked ') : r.result.startsWith('manual') ? chalk.yellow('manual  ') : chalk.dim('not done')
    out.push(`${mark} ${safeLine(r.class)}  ${safeLine(r.where)}`, `         ${safeLine(r.action)} — ${safeLine(r.result)}`)
    for (const s of r.steps) out.push(chalk.dim(`         • ${safeLine(s)}`))
  }
  return out.join('\n')
}
