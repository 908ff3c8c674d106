import type {EventData} from '../incident/events.js'
import {recordEvents} from '../incident/incident.js'
import type {IncidentRef} from '../incident/workspace.js'
import type {EncryptionCheck} from './check.js'

// The check as an incident event: the verdict, the counts and what was
// missing — names, counts and key names only, never a value or key material.

const STATUS = {ENCRYPTED: 'pass', PARTIAL: 'partial', PLAINTEXT: 'fail', UNKNOWN: 'unknown'} as const

export function checkEvent(r: EncryptionCheck): EventData<'check.completed'> {
  return {
    check: 'encryption-at-rest',
    status: STATUS[r.verdict],
    summary: r.summary,
    details: {
      verdict: r.verdict,
      writes: r.writes,
      stored: r.stored,
      proven: r.proven,
      ...(r.etcd ? {etcd: {prefix: r.etcd.prefix, revision: r.etcd.revision, total: r.etcd.total, plaintext: r.etcd.plaintext, encrypted: r.etcd.encrypted, byProvider: r.etcd.byProvider, plaintextByNamespace: r.etcd.plaintextByNamespace}} : {}),
      ...(r.canary ? {canary: {status: r.canary.status, provider: r.canary.provider, keyName: r.canary.keyName, key: r.canary.key, deleted: r.canary.deleted}} : {}),
      ...(r.lint ? {lint: {file: r.lint.file, sha256: r.lint.sha256, counts: r.lint.counts, rejected: r.lint.rejected, issues: r.lint.issues.filter((i) => i.severity !== 'info').map((i) => ({id: i.id, severity: i.severity, line: i.line}))}} : {}),
      ...(r.eks ? {eks: {cluster: r.eks.cluster, region: r.eks.region, secrets: r.eks.secrets}} : {}),
      missing: r.missing.map((m) => ({evidence: m.evidence, kind: m.kind, reason: m.reason})),
      notes: r.notes,
    },
  }
}

export async function recordCheck(ref: IncidentRef, actor: string, r: EncryptionCheck): Promise<{warnings: string[]}> {
  const res = await recordEvents(ref, actor, [{type: 'check.completed', data: checkEvent(r)}])
  return {warnings: res.warnings}
}
