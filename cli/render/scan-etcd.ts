import chalk from 'chalk'

import {RISKS} from '../../src/detect/finding.js'
import type {EtcdScanResult} from '../../src/etcd/scan.js'
import {csvCell} from '../../src/timeline/export.js'
import {riskColor, table} from './text.js'

const PER_RISK = 20

export function renderEtcdScan(r: EtcdScanResult): string {
  const s = r.summary
  const out: string[] = []
  out.push(s.secrets.readable || s.findings ? chalk.bold.red(`EXPOSED: ${s.verdict}`) : chalk.bold.green(s.verdict))
  const info = r.snapshot
  const trailer = info.trailer === 'match' ? 'SHA-256 trailer matches' : info.trailer === 'mismatch' ? chalk.red('SHA-256 trailer DOES NOT match') : 'no trailer (raw db)'
  out.push(chalk.dim(`${info.path} · ${(info.size / 1048576).toFixed(1)} MiB · ${trailer} · prefix ${s.prefix ?? '?'} · ${s.revisions.toLocaleString('en')} revisions in ${(s.ms / 1000).toFixed(1)} s`))
  const storage = Object.entries(s.providers).sort((a, b) => b[1] - a[1]).map(([p, n]) => `${n.toLocaleString('en')} ${p}`)
  out.push(`Storage of the latest values: ${storage.join(', ') || 'no Secrets'}`)
  if (s.secrets.withOldRevisions || s.secrets.deleted) out.push(`Old values in the file: ${s.secrets.withOldRevisions} Secret(s) with earlier revisions, ${s.secrets.deleted} deleted Secret(s) still readable until compaction`)
  if (s.keys.decrypted || s.keys.unknown || s.keys.wrong) {
    const parts = [`${s.keys.decrypted} decrypted with the configured keys`]
    if (s.keys.unknown) parts.push(chalk.yellow(`${s.keys.unknown} written with a key the configuration no longer has`))
    if (s.keys.wrong) parts.push(chalk.yellow(`${s.keys.wrong} do not decrypt with the configured key of that name`))
    if (s.keys.kms) parts.push(`${s.keys.kms} KMS-encrypted (not decryptable offline)`)
    out.push(`--encryption-config: ${parts.join('; ')}`)
  }
  const readable = r.secrets.filter((x) => x.risk && x.plaintextRevisions > 0)
  for (const risk of RISKS) {
    const group = readable.filter((x) => x.risk === risk)
    if (!group.length) continue
    out.push('', riskColor(risk)(`${risk.toUpperCase()} (${group.length})`))
    out.push(
      table(
        group.slice(0, PER_RISK).map((x) => {
          const c = x.credentials[0]!
          const extra = x.credentials.length > 1 ? chalk.dim(` +${x.credentials.length - 1}`) : ''
          const state = x.state === 'deleted' ? chalk.yellow(' (deleted)') : x.credentials.some((k) => !k.current) ? chalk.yellow(' (+old values)') : ''
          return [`  ${x.namespace ?? ''}/${x.name}${state}`, `${c.class}${extra}`, c.field, c.preview, chalk.dim(c.reason.slice(0, 90))]
        }),
      ),
    )
    if (group.length > PER_RISK) out.push(chalk.dim(`  … ${group.length - PER_RISK} more (--format csv or --json lists every one)`))
  }
  if (r.findings.length) {
    out.push('', chalk.bold(`Credentials outside Secrets (${r.findings.length}) — encryption at rest does not cover these`))
    out.push(table(r.findings.slice(0, 50).map((f) => [`  ${riskColor(f.risk)(f.risk)}`, f.class, `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}`, f.field, f.preview])))
  }
  if (r.remnants.length) {
    out.push('', chalk.bold(`Remnants in freed pages (--deep): ${r.remnants.length} old value(s) not in the live tree`))
    for (const m of r.remnants.slice(0, 20)) out.push(`  ${m.key} (page ${m.pageId}${m.revision ? `, revision ${m.revision}` : ''}): ${m.credentials.map((c) => `${c.class} ${c.preview}`).join(', ')}`)
  }
  const unreadable = r.secrets.filter((x) => x.plaintextRevisions === 0).length
  if (unreadable) out.push('', chalk.dim(`${unreadable} Secret(s) only encrypted: not readable from this file without the keys.`))
  return out.join('\n')
}

export function etcdCsv(r: EtcdScanResult): string {
  const rows = [['namespace', 'name', 'type', 'storage', 'provider', 'key_name', 'state', 'revisions', 'plaintext_revisions', 'risk', 'class', 'field', 'current', 'fingerprint', 'preview', 'reason']]
  for (const s of r.secrets) {
    const base = [s.namespace ?? '', s.name, s.type ?? '', s.storage, s.provider ?? '', s.keyName ?? '', s.state, String(s.revisions), String(s.plaintextRevisions)]
    if (s.credentials.length === 0) rows.push([...base, s.risk ?? '', '', '', '', '', '', s.reason])
    for (const c of s.credentials) rows.push([...base, c.risk, c.class, c.field, String(c.current), c.fingerprint, c.preview, c.reason])
  }
  for (const f of r.findings) rows.push([f.namespace ?? '', f.name, f.kind, 'plaintext', '', '', f.state, '', '', f.risk, f.class, f.field, String(f.state === 'live'), f.fingerprint, f.preview, f.reason])
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
