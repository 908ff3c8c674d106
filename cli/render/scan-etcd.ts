import chalk from 'chalk'

import {RISKS} from '../../src/detect/finding.js'
import type {EtcdScanResult, StorageCensus} from '../../src/etcd/scan.js'
import {safeLine} from '../../src/text/terminal.js'
import {csvCell} from '../../src/text/csv.js'
import {riskColor, table} from './text.js'
import {count} from '../../src/text/count.js'

// scan etcd for people: the verdict on the first line, what the storage says
// about when encryption began, then the readable Secrets by risk with the
// reason, the credentials outside Secrets, and the remnants. Values never:
// fingerprints and redacted previews only.

const PER_RISK = 20
const n = count
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`

/** The line printed before any value is decoded: what the storage envelopes alone say. */
export function renderCensus(c: StorageCensus): string {
  const how = chalk.dim(` (from the storage envelopes in ${n(c.ms)} ms; classifying every revision…)`)
  if (c.readable) return `${chalk.bold.red(`EXPOSED: ${n(c.readable)} of ${n(c.secrets)} Secrets are readable by anyone with this file`)}${how}`
  return `${chalk.bold(`${n(c.secrets)} Secrets, none stored readably`)}${how}`
}

export function renderEtcdScan(r: EtcdScanResult): string {
  const s = r.summary
  const out: string[] = []
  out.push(s.secrets.readable || s.findings || s.remnants ? chalk.bold.red(`EXPOSED: ${s.verdict}`) : chalk.bold.green(s.verdict))
  const info = r.snapshot
  const trailer = info.trailer === 'match' ? 'SHA-256 trailer matches' : info.trailer === 'mismatch' ? chalk.red('SHA-256 trailer DOES NOT match') : 'no trailer (raw db)'
  out.push(chalk.dim(`${info.path} · ${(info.size / 1048576).toFixed(1)} MiB · ${trailer} · prefix ${s.prefix ?? '?'} · ${n(s.revisions)} revisions in ${(s.ms / 1000).toFixed(1)} s`))
  const storage = Object.entries(s.providers)
    .sort((a, b) => b[1] - a[1])
    .map(([p, c]) => `${n(c)} ${p}`)
  out.push(`Storage of the latest values: ${storage.join(', ') || 'no Secrets'}`)
  const t = s.storage
  if (t.firstEncryptedRevision !== null && s.secrets.plaintext) {
    const parts = [`encrypted writes since revision ${n(t.firstEncryptedRevision)}`]
    if (t.plaintextBeforeEncryption) parts.push(`${plural(t.plaintextBeforeEncryption, 'Secret')} never rewritten since (still plaintext: kubectl get secrets -A -o json | kubectl replace -f -)`)
    if (t.plaintextAfterEncryption) parts.push(chalk.yellow(`${plural(t.plaintextAfterEncryption, 'Secret')} written in plaintext after that (identity first in the configuration, or an API server without it)`))
    out.push(`Encryption at rest: ${parts.join('; ')}`)
  }
  if (s.secrets.withOldRevisions || s.secrets.deleted) {
    const parts = [`${plural(s.secrets.withOldRevisions, 'Secret')} with earlier revisions`]
    if (t.oldPlaintextUnderEncrypted) parts[0] += chalk.yellow(` (${n(t.oldPlaintextUnderEncrypted)} encrypted now, but an older plaintext revision is still here)`)
    parts.push(`${plural(s.secrets.deleted, 'deleted Secret')} still readable until compaction`)
    out.push(`Old values in the file: ${parts.join('; ')}`)
  }
  if (s.encryptionConfig) {
    const k = s.keys
    const parts = [`${n(k.decrypted)} decrypted with the configured keys${k.stale ? ` (${n(k.stale)} not with the key new writes use, ${s.encryptionConfig.writer}: rewrite them to re-encrypt)` : ''}`]
    if (k.unknown) parts.push(chalk.yellow(`${n(k.unknown)} written with a key the configuration no longer has`))
    if (k.wrong) parts.push(chalk.yellow(`${n(k.wrong)} do not decrypt with the configured key of that name`))
    if (k.kms) parts.push(`${n(k.kms)} KMS-encrypted (not decryptable offline)`)
    out.push(`--encryption-config: ${parts.join('; ')}`)
    if (s.secrets.readableWithKeys) out.push(chalk.yellow(`${plural(s.secrets.readableWithKeys, 'more Secret')} readable by whoever also has these keys (a backup of the control plane often holds both).`))
  }
  const readable = r.secrets.filter((x) => x.risk && x.readable !== 'no')
  for (const risk of RISKS) {
    const group = readable.filter((x) => x.risk === risk)
    if (!group.length) continue
    out.push('', riskColor(risk)(`${risk.toUpperCase()} (${n(group.length)})`))
    out.push(
      table(
        group.slice(0, PER_RISK).map((x) => {
          const c = x.credentials[0]!
          const extra = x.credentials.length > 1 ? chalk.dim(` +${x.credentials.length - 1}`) : ''
          const marks = [x.state === 'deleted' ? 'deleted' : '', x.state === 'live' && x.credentials.some((k) => !k.current) ? '+old values' : '', x.readable === 'with-keys' ? 'with the keys' : ''].filter(Boolean)
          const state = marks.length ? chalk.yellow(` (${marks.join(', ')})`) : ''
          return [`  ${safeLine(`${x.namespace ?? ''}/${x.name}`)}${state}`, `${c.class}${extra}`, safeLine(c.field), safeLine(c.preview), chalk.dim(safeLine(c.reason))]
        }),
      ),
    )
    if (group.length > PER_RISK) out.push(chalk.dim(`  … ${n(group.length - PER_RISK)} more (--format csv or --json lists every one)`))
  }
  if (r.findings.length) {
    out.push('', chalk.bold(`Credentials outside Secrets (${n(r.findings.length)}) — encryption at rest rarely covers these`))
    out.push(table(r.findings.slice(0, 50).map((f) => [`  ${riskColor(f.risk)(f.risk)}`, f.class, `${safeLine(`${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}`)}${f.state === 'deleted' ? chalk.yellow(' (deleted)') : ''}`, safeLine(f.field), safeLine(f.preview), chalk.dim(safeLine(f.reason))])))
    if (r.findings.length > 50) out.push(chalk.dim(`  … ${n(r.findings.length - 50)} more (--format csv or --json lists every one)`))
  }
  if (r.remnants.length) {
    out.push('', chalk.bold(`Remnants in freed pages (--deep): ${plural(r.remnants.length, 'old value')} not in the live tree`))
    for (const m of r.remnants.slice(0, 20)) out.push(`  ${safeLine(m.key)} (page ${m.pageId}${m.revision ? `, revision ${n(m.revision)}` : ''}): ${m.credentials.map((c) => `${riskColor(c.risk)(c.risk)} ${c.class} ${c.preview}`).join(', ')}`)
  }
  const unreadable = r.secrets.filter((x) => x.readable === 'no').length
  if (unreadable) out.push('', chalk.dim(`${plural(unreadable, 'Secret')} only encrypted: not readable from this file without the keys.`))
  return out.join('\n')
}

const HEADER = ['record', 'namespace', 'name', 'kind', 'type', 'storage', 'provider', 'key_name', 'decryption', 'state', 'revisions', 'plaintext_revisions', 'readable', 'risk', 'class', 'field', 'current', 'fingerprint', 'preview', 'reason', 'etcd_key', 'revision']

/** One row per credential (a Secret without any gets one row of its own), then the findings outside Secrets, then the remnants. */
export function etcdCsv(r: EtcdScanResult): string {
  const rows = [HEADER]
  for (const s of r.secrets) {
    const base = ['secret', s.namespace ?? '', s.name, 'Secret', s.type ?? '', s.storage, s.provider ?? '', s.keyName ?? '', s.decryption ?? '', s.state, String(s.revisions), String(s.plaintextRevisions), s.readable]
    if (s.credentials.length === 0) rows.push([...base, s.risk ?? '', '', '', '', '', '', s.reason, s.key, String(s.modRevision)])
    for (const c of s.credentials) rows.push([...base, c.risk, c.class, c.field, String(c.current), c.fingerprint, c.preview, c.reason, s.key, String(c.revision)])
  }
  for (const f of r.findings) rows.push(['finding', f.namespace ?? '', f.name, f.kind, '', '', '', '', '', f.state, '', '', '', f.risk, f.class, f.field, String(f.state === 'live'), f.fingerprint, f.preview, f.reason, f.key, String(f.revision)])
  for (const m of r.remnants) for (const c of m.credentials) rows.push(['remnant', '', '', m.kind ?? '', '', m.storage, '', '', '', 'freed page', '', '', '', c.risk, c.class, c.field, 'false', c.fingerprint, c.preview, c.reason, m.key, m.revision === null ? '' : String(m.revision)])
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
