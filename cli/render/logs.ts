import chalk from 'chalk'

import type {AccountWideResult} from '../../src/logs/cloudtrail/account-wide.js'
import type {JudgedEvent} from '../../src/logs/cloudtrail/judge.js'
import type {CloudTrailResult} from '../../src/logs/cloudtrail/report.js'
import type {GitHubResult} from '../../src/logs/github/report.js'
import type {TokenUseResult} from '../../src/logs/github/token-use.js'
import {safeLine} from '../../src/text/terminal.js'
import {shortUtc, table} from './text.js'

// Human forms of `leakctl logs cloudtrail` and `leakctl logs github`: the
// verdict first, then what backs it.

const MAX_ROWS = 60

function eventRows(events: JudgedEvent[], reasons: boolean): string[][] {
  return events.map((e) => [
    shortUtc(e.eventTime),
    e.eventName,
    e.accessKeyId ?? e.principal ?? '',
    e.sourceIp,
    e.region,
    ...(reasons ? [(e.suspicious ? e.reasons : e.notes).join('; ')] : []),
  ])
}

export function renderCloudTrail(r: CloudTrailResult, o: {all: boolean}): string {
  const v = r.verdict
  const color = v.status === 'used-after-exposure' ? chalk.bold.red : v.status === 'unknown' ? chalk.bold.yellow : chalk.bold.green
  const out: string[] = [color(v.text)]
  out.push(chalk.dim(`exposed: ${r.exposedAt ?? 'unknown'} · searched: ${r.searched}${r.accounts.length ? ` · account ${r.accounts.join(', ')}` : ''}${r.partial ? ' · PARTIAL' : ''}`))
  if (r.fatal) out.push(chalk.red(`stopped: ${r.fatal}`))

  out.push('', chalk.bold('Keys'))
  out.push(
    table(
      r.keys.map((k) => [
        k.accessKeyId,
        k.kind,
        k.kind === 'leaked' ? (k.owner ?? '') : `${k.via} by ${k.parent} at ${k.mintedAt ? shortUtc(k.mintedAt) : '?'}${k.expires ? `, expires ${shortUtc(k.expires)}` : ''}`,
        `${k.calls} call(s), ${k.callsAfterExposure} after exposure, ${k.suspicious} suspicious`,
        k.lastUsed ? `IAM last used ${shortUtc(k.lastUsed)}` : '',
        k.status ?? '',
      ]),
      ['KEY', 'KIND', 'OWNER / ORIGIN', 'CALLS', 'IAM', 'STATUS'],
    ),
  )
  if (r.users.length) out.push('', chalk.bold('Users created'), ...r.users.map((u) => `  ${u.userName}  by ${u.createdBy} at ${shortUtc(u.at)}`))
  if (v.attackers.length) {
    out.push('', chalk.bold('Unfamiliar sources'))
    out.push(table(v.attackers.map((a) => [a.sourceIp || '(none)', `${a.suspicious} suspicious call(s)`, `${shortUtc(a.first)} → ${shortUtc(a.last)}`, a.userAgents.slice(0, 2).join(' | ').slice(0, 100)]), ['SOURCE IP', 'CALLS', 'WHEN', 'USER AGENTS']))
  }
  if (v.containment.length) out.push('', chalk.bold('Containment'), ...v.containment.map((c) => `  ${shortUtc(c.at)}  ${c.what}`))

  const suspicious = r.events.filter((e) => e.suspicious)
  if (suspicious.length) {
    out.push('', chalk.bold(`Suspicious events (${suspicious.length})`))
    out.push(table(eventRows(suspicious.slice(0, o.all ? undefined : MAX_ROWS), true), ['TIME', 'EVENT', 'KEY', 'SOURCE IP', 'REGION', 'WHY']))
    if (!o.all && suspicious.length > MAX_ROWS) out.push(chalk.dim(`… ${suspicious.length - MAX_ROWS} more (--all, or --json)`))
  }
  if (o.all) {
    const rest = r.events.filter((e) => !e.suspicious)
    if (rest.length) out.push('', chalk.bold(`Other events (${rest.length})`), table(eventRows(rest, true), ['TIME', 'EVENT', 'KEY', 'SOURCE IP', 'REGION', 'NOTES']))
  } else if (r.events.length > suspicious.length) {
    out.push(chalk.dim(`${r.events.length - suspicious.length} other event(s) of these keys (--all lists them)`))
  }
  if (r.missing.length) {
    out.push('', chalk.bold.yellow(`Not seen (${r.missing.length})`), ...r.missing.slice(0, 30).map((m) => `  ${m.what}: ${m.reason}`))
    if (r.missing.length > 30) out.push(chalk.dim(`  … ${r.missing.length - 30} more (--json)`))
  }
  return out.join('\n')
}

export function renderGitHub(r: GitHubResult): string {
  const v = r.verdict
  const color = v.status === 'copied-after-exposure' || v.status === 'exposed' ? chalk.bold.red : v.status === 'unknown' ? chalk.bold.yellow : chalk.bold.green
  const out: string[] = [color(v.text)]
  out.push(chalk.dim(`repository: ${r.repo} · exposed: ${r.exposedAt ?? 'unknown'}${r.partial ? ' · PARTIAL' : ''}`))
  if (r.repository) {
    const x = r.repository
    out.push('', chalk.bold('Repository'), `  ${x.visibility}${x.fork ? ' (a fork)' : ''}, ${x.forks} fork(s), ${x.stars} star(s), pushed ${x.pushedAt ? shortUtc(x.pushedAt) : '?'}${x.archived ? ', archived' : ''}`)
  }
  if (r.clones) {
    out.push('', chalk.bold(`Clones, last 14 days: ${r.clones.count} (${r.clones.uniques} unique)`))
    if (r.clones.days.length) out.push(table(r.clones.days.map((d) => [d.timestamp.slice(0, 10), String(d.count), String(d.uniques), d.afterExposure ? chalk.red('after exposure') : '']), ['DAY', 'CLONES', 'UNIQUE', '']))
  }
  if (r.forks.length) out.push('', chalk.bold(`Forks (${r.forks.length})`), table(r.forks.slice(0, MAX_ROWS).map((f) => [f.fullName, shortUtc(f.createdAt), f.afterExposure ? chalk.red('after exposure') : '']), ['FORK', 'CREATED', '']))
  if (r.alerts.length) {
    out.push('', chalk.bold(`Secret scanning alerts (${r.alerts.length})`))
    out.push(
      table(
        r.alerts.map((a) => [
          `#${a.number}`,
          a.secretType,
          a.state,
          `validity ${a.validity ?? 'unknown'}`,
          a.firstLocation ? `${a.firstLocation.path}:${a.firstLocation.line ?? '?'}${a.firstLocation.commit ? ` @ ${a.firstLocation.commit.slice(0, 12)}` : ''}` : '',
          a.pushProtectionBypassed ? chalk.red(`push protection bypassed by ${a.bypassedBy ?? '?'}`) : '',
        ]),
        ['ALERT', 'TYPE', 'STATE', 'VALIDITY', 'FIRST LOCATION', ''],
      ),
    )
  }
  const suspicious = r.events.filter((e) => e.suspicious)
  if (suspicious.length) out.push('', chalk.bold(`Suspicious activity (${suspicious.length})`), table(suspicious.slice(0, MAX_ROWS).map((e) => [shortUtc(e.at), e.kind, e.actor ?? '', e.summary, e.reasons.join('; ')]), ['TIME', 'KIND', 'ACTOR', 'WHAT', 'WHY']))
  if (r.missing.length) out.push('', chalk.bold.yellow(`Could not see (${r.missing.length})`), ...r.missing.map((m) => `  ${m.what}: ${m.reason}`))
  return out.join('\n')
}

export function renderTokenUse(r: TokenUseResult): string {
  const v = r.verdict
  const color = v.status === 'used-after-exposure' ? chalk.bold.red : v.status === 'unknown' ? chalk.bold.yellow : chalk.bold.green
  const out: string[] = [color(v.text), chalk.dim(`organisation: ${r.org} · exposed: ${r.exposedAt ?? 'unknown'} · searched by hashed_token (the SHA-256 of each token, never the token)`)]
  if (r.tokens.length) out.push('', chalk.bold('Leaked tokens'), table(r.tokens.map((t) => [t.label, t.hashedToken, String(t.actions), t.afterExposure ? chalk.red(String(t.afterExposure)) : '0']), ['FOUND IN', 'HASHED_TOKEN', 'ACTIONS', 'AFTER EXPOSURE']))
  const after = r.events.filter((e) => e.suspicious)
  if (after.length) out.push('', chalk.bold(`Used after the exposure (${after.length})`), table(after.slice(0, MAX_ROWS).map((e) => [shortUtc(e.at), e.actor ?? '', e.summary]), ['TIME', 'ACTOR', 'WHAT']))
  if (r.missing.length) out.push('', chalk.bold.yellow(`Could not see (${r.missing.length})`), ...r.missing.map((m) => `  ${m.what}: ${m.reason}`))
  return out.join('\n')
}

export function renderAccountWide(r: AccountWideResult): string {
  const out = [
    r.changes.length
      ? chalk.red.bold(`${r.changes.length} account change(s) or new sign-in(s) since ${shortUtc(r.since)}: check each one was yours`)
      : chalk.green(`No user, key, login, policy or trust change and no sign-in from a new address since ${shortUtc(r.since)}`),
    chalk.dim(`searched: ${r.searched}${r.knownSignIns ? `; ${r.knownSignIns} sign-in(s) from addresses seen before the exposure` : ''}`),
  ]
  if (r.changes.length) {
    out.push(
      table(
        r.changes.map((c) => [shortUtc(c.event.eventTime), c.event.eventName, safeLine(c.event.principal ?? c.event.userName ?? '?'), safeLine(c.event.sourceIp), safeLine(c.reason)]),
        ['time', 'event', 'by', 'from', 'why'],
      ),
    )
  }
  for (const m of r.missing) out.push(chalk.yellow(`not read: ${safeLine(m.what)}: ${safeLine(m.reason)}`))
  return out.join('\n')
}
