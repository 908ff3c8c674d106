import chalk from 'chalk'

import type {GitScanFinding, GitScanResult} from '../../src/git/scan.js'
import {safeLine} from '../../src/text/terminal.js'
import {byRisk, countByRisk, riskSummary} from './findings.js'
import {riskColor} from './text.js'
import {count} from '../../src/text/count.js'

const short = (sha: string) => sha.slice(0, 12)
const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')}${iso.endsWith('Z') ? 'Z' : iso.slice(19)}`
const refName = (r: string) => safeLine(r).replace(/^refs\/(heads|tags|remotes)\//, (_m, kind: string) => (kind === 'tags' ? 'tag:' : kind === 'remotes' ? '' : ''))

export function renderGitScan(r: GitScanResult): string {
  const out: string[] = []
  const verdict = r.summary.verdict
  out.push(r.findings.length || r.uncommitted.length ? chalk.bold.red(`EXPOSED: ${safeLine(verdict)}`) : chalk.bold.green(safeLine(verdict)))
  out.push(chalk.dim(`${count(r.stats.commits)} commits, ${count(r.stats.blobs)} blobs (${(r.stats.bytes / 1048576).toFixed(1)} MiB) in ${(r.stats.ms / 1000).toFixed(1)} s · by risk: `) + riskSummary(countByRisk(r.findings)))
  const groups = new Map<string, GitScanFinding[]>()
  for (const f of r.findings) groups.set(f.fingerprint, [...(groups.get(f.fingerprint) ?? []), f])
  const ordered = [...groups.values()].sort((a, b) => byRisk(a[0]!, b[0]!) || a[0]!.date.localeCompare(b[0]!.date))
  for (const places of ordered) {
    const f = places[0]!
    out.push('')
    out.push(`${riskColor(f.risk)(f.risk.toUpperCase().padEnd(8))} ${chalk.bold(f.class)}  ${safeLine(f.preview)}${f.keyId && f.keyId !== f.preview ? `  key id ${safeLine(f.keyId)}` : ''}  ${chalk.dim(f.fingerprint.slice(0, 19))}`)
    out.push(`         ${chalk.dim(safeLine(f.reason))}`)
    for (const p of places) {
      const state = p.inHead ? chalk.red('at HEAD') : p.removedIn ? chalk.yellow(`removed in ${short(p.removedIn)} ${when(p.removedAt!)}`) : chalk.yellow('not at HEAD')
      out.push(`  ${chalk.bold(`${safeLine(p.path)}:${p.line}`)}  first in ${short(p.commit)} ${when(p.date)} by ${safeLine(p.author)}  ${state}`)
      const refs = p.refs.map(refName)
      out.push(`    ${chalk.dim('reachable from:')} ${refs.length ? refs.slice(0, 8).join(', ') + (refs.length > 8 ? ` … +${refs.length - 8}` : '') : chalk.dim('no ref (only reflog/stash)')}${p.pushed ? chalk.red('  · pushed') : ''}${p.reAddedIn.length ? chalk.dim(`  · re-added in ${p.reAddedIn.map(short).join(', ')}`) : ''}`)
    }
  }
  for (const f of r.uncommitted) {
    out.push('')
    out.push(`${riskColor(f.risk)(f.risk.toUpperCase().padEnd(8))} ${chalk.bold(f.class)}  ${safeLine(f.preview)}  ${chalk.dim(f.fingerprint.slice(0, 19))}`)
    out.push(`  ${chalk.bold(`${safeLine(f.path)}:${f.line}`)}  ${f.state === 'staged' ? 'staged, not committed yet' : 'in the working tree, not committed'}`)
  }
  const skipped = r.skipped.filter((s) => s.reason !== 'binary')
  const binary = r.skipped.length - skipped.length
  if (skipped.length || binary) {
    out.push('')
    out.push(chalk.yellow(`Not scanned: ${binary} binary blob(s)${skipped.length ? `; ${skipped.map((s) => `${safeLine(s.path)} (${s.reason}${s.size ? `, ${(s.size / 1048576).toFixed(0)} MiB` : ''})`).slice(0, 5).join('; ')}${skipped.length > 5 ? ` … +${skipped.length - 5}` : ''}` : ''}`))
  }
  return out.join('\n')
}
