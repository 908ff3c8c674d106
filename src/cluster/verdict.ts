import type {ApiServerEvidence} from './apiserver.js'
import type {CanaryResult} from './canary.js'
import type {EksEvidence} from './eks.js'
import type {StoredCount} from './etcd.js'
import type {LintResult} from './lint.js'
import type {MetricsEvidence} from './metrics.js'
import type {Missing} from './missing.js'
import {count} from '../text/count.js'

// One verdict from every piece of evidence, strongest first. Two questions:
//   writes — how is a Secret written NOW stored?  canary > API server flags >
//            EKS > the API server's counters > the configuration file
//   stored — how are the Secrets already in etcd stored?  the raw count
// Any plaintext either way is PLAINTEXT (nothing encrypted) or PARTIAL.
// ENCRYPTED needs encrypted evidence and no failed proof the user asked for;
// otherwise UNKNOWN, naming what is missing — never a guess.

export const VERDICTS = ['ENCRYPTED', 'PARTIAL', 'PLAINTEXT', 'UNKNOWN'] as const
export type Verdict = (typeof VERDICTS)[number]

export type Says = 'encrypted' | 'plaintext' | 'mixed' | 'unknown'

export interface Facet {
  says: Says
  /** Which evidence decided it, e.g. `canary`, `etcd`, `configuration file`. */
  basis: string | null
  detail: string
}

export interface VerdictInput {
  lint: LintResult | null
  /** Whether the API server reports having loaded exactly the linted file (null: cannot tell). */
  lintLoaded: boolean | null
  apiserver: ApiServerEvidence | null
  metrics: MetricsEvidence | null
  etcd: StoredCount | null
  canary: CanaryResult | null
  eks: EksEvidence | null
  missing: Missing[]
  /** Failures of evidence the user asked for (etcd, canary, EKS, the whole cluster): without other plaintext evidence they leave the answer open. */
  blocking: Missing[]
}

export interface VerdictResult {
  verdict: Verdict
  /** The one line printed first. */
  line: string
  writes: Facet
  stored: Facet
  /** Whether the storage itself was read (raw count, canary) rather than inferred. */
  proven: {writes: boolean; stored: boolean}
  /** Cross-checks between the sources, in the order a responder should read them. */
  notes: string[]
  exitCode: 0 | 1 | 3
}

const n = count

export function decideWrites(i: VerdictInput): Facet {
  if (i.canary) {
    const c = i.canary
    return c.status === 'plaintext'
      ? {says: 'plaintext', basis: 'canary', detail: `a canary Secret written through the API server was stored in plaintext (${c.key})`}
      : {says: 'encrypted', basis: 'canary', detail: `a canary Secret written through the API server was stored encrypted with ${c.provider} key ${c.keyName}`}
  }
  const a = i.apiserver
  if (a?.encryptionFlag === 'none') return {says: 'plaintext', basis: 'API server flags', detail: `no kube-apiserver runs with --encryption-provider-config (${a.pods!.length} checked): every new Secret is written in plaintext`}
  if (a?.encryptionFlag === 'some') {
    const without = a.pods!.filter((p) => !p.flags.encryptionProviderConfig).map((p) => p.name)
    return {says: 'mixed', basis: 'API server flags', detail: `${without.join(', ')} run${without.length === 1 ? 's' : ''} without --encryption-provider-config: Secrets written through ${without.length === 1 ? 'it' : 'them'} are plaintext`}
  }
  if (i.eks) {
    const says = i.eks.secrets === 'not-envelope-encrypted' ? 'plaintext' : 'encrypted'
    return {says, basis: 'EKS DescribeCluster', detail: i.eks.summary}
  }
  const lint = i.lint
  // A file the API server would refuse cannot be what it runs with — unless it writes plaintext
  // anyway (fixing the refused part would not change that).
  const lintUsable = lint && i.lintLoaded !== false && (!lint.rejected || lint.secrets.mode !== 'encrypted')
  // The running server's counters outrank a file that may not be the one loaded.
  const m = i.metrics
  if (m && (i.lintLoaded !== true || !lintUsable) && (m.writesSay === 'encrypted' || m.writesSay === 'plaintext')) {
    const enc = m.writes.filter((w) => w.provider !== 'identity' && w.provider !== 'unknown' && w.ok)
    return m.writesSay === 'encrypted'
      ? {says: 'encrypted', basis: 'API server metrics', detail: `the API server's writes through its encryption configuration all went to ${enc.map((w) => `${w.provider} ${w.key}`).join(', ')} (${n(m.totals.encryptedWrites)} since it started)`}
      : {says: 'plaintext', basis: 'API server metrics', detail: `every write through the API server's encryption configuration went to identity: ${n(m.totals.plaintextWrites)} plaintext writes since it started, none encrypted`}
  }
  if (lint && lintUsable) {
    const s = lint.secrets
    const ofFile = i.lintLoaded ? 'the configuration the API server loaded' : `${lint.file}${a?.encryptionFlag === 'all' ? '' : ' (not confirmed to be the file the API server uses)'}`
    if (s.mode === 'not-covered') return {says: 'plaintext', basis: 'configuration file', detail: `${ofFile} has no rule for secrets: Secrets are written in plaintext`}
    if (s.mode === 'plaintext') return {says: 'plaintext', basis: 'configuration file', detail: `${ofFile} lists identity first for secrets (line ${s.line}): new Secrets are written in plaintext${s.fallbacks.length ? ` (${s.fallbacks.join(', ')} below it only decrypt${s.fallbacks.length === 1 ? 's' : ''})` : ''}`}
    return {says: 'encrypted', basis: 'configuration file', detail: `${ofFile} writes Secrets with ${s.provider} ${s.provider.startsWith('kms') ? 'provider' : 'key'} ${s.key} (line ${s.line})`}
  }
  if (lint?.rejected) return {says: 'unknown', basis: null, detail: `${lint.file} would be refused by kube-apiserver: it cannot be what the API server runs with`}
  if (m?.writesSay === 'mixed') return {says: 'unknown', basis: null, detail: 'the API server writes some configured resources encrypted and some in plaintext; which ones is not in its counters'}
  return {says: 'unknown', basis: null, detail: 'nothing here shows how new Secrets are written'}
}

export function decideStored(i: VerdictInput): Facet {
  const e = i.etcd
  if (e) {
    if (e.total === 0) return {says: 'unknown', basis: null, detail: `no Secrets under ${e.prefix}/secrets/ in etcd: wrong --etcd-prefix, or an etcd without this cluster's data`}
    const providers = e.byProvider.map((p) => `${n(p.count)} ${p.provider} ${p.key}`).join(', ')
    if (e.plaintext === 0) return {says: 'encrypted', basis: 'etcd', detail: `all ${n(e.total)} Secrets in etcd are encrypted (${providers})`}
    if (e.encrypted === 0) return {says: 'plaintext', basis: 'etcd', detail: `all ${n(e.total)} Secrets in etcd are PLAINTEXT`}
    return {says: 'mixed', basis: 'etcd', detail: `${n(e.plaintext)} of ${n(e.total)} Secrets in etcd are PLAINTEXT; ${providers}`}
  }
  if (i.eks?.secrets === 'aws-owned-key') return {says: 'encrypted', basis: 'EKS DescribeCluster', detail: 'EKS documents envelope encryption of all stored Kubernetes API data on this version'}
  return {says: 'unknown', basis: null, detail: 'the Secrets already stored were not read (give --etcd-endpoints for the raw count)'}
}

export function decideVerdict(i: VerdictInput): VerdictResult {
  const writes = decideWrites(i)
  const stored = decideStored(i)
  const plain = [writes, stored].some((f) => f.says === 'plaintext' || f.says === 'mixed')
  const enc = [writes, stored].some((f) => f.says === 'encrypted' || f.says === 'mixed')
  const failedAsked = i.blocking
  const notes = crossChecks(i, writes)
  let verdict: Verdict
  if (plain) verdict = enc ? 'PARTIAL' : 'PLAINTEXT'
  else if (enc && failedAsked.length === 0) verdict = 'ENCRYPTED'
  else verdict = 'UNKNOWN'

  const proven = {writes: writes.basis === 'canary', stored: stored.basis === 'etcd'}
  let line: string
  switch (verdict) {
    case 'PLAINTEXT':
      line = `PLAINTEXT — ${[writes, stored].filter((f) => f.says === 'plaintext').map((f) => f.detail).join('; ')}`
      break
    case 'PARTIAL':
      line = `PARTIAL — ${[writes, stored].filter((f) => f.says !== 'unknown').map((f) => f.detail).join('; ')}`
      break
    case 'ENCRYPTED': {
      const parts = [writes, stored].filter((f) => f.says === 'encrypted').map((f) => f.detail)
      const unproven = [!proven.writes && 'new writes (--canary)', !proven.stored && stored.basis !== 'EKS DescribeCluster' && 'stored Secrets (--etcd-endpoints)'].filter(Boolean)
      line = `ENCRYPTED — ${parts.join('; ')}${unproven.length ? `; not proven from etcd: ${unproven.join(', ')}` : ''}`
      break
    }
    case 'UNKNOWN':
      line = `UNKNOWN — ${failedAsked.length ? `cannot verify: ${failedAsked.map((m) => m.reason).join('; ')}` : [writes.detail, stored.detail].join('; ')}`
      break
  }
  return {verdict, line, writes, stored, proven, notes, exitCode: verdict === 'ENCRYPTED' ? 0 : verdict === 'UNKNOWN' ? 3 : 1}
}

function crossChecks(i: VerdictInput, writes: Facet): string[] {
  const notes: string[] = []
  const lint = i.lint
  if (lint && i.lintLoaded === true) notes.push(`${lint.file} is the configuration the API server reports having loaded (same sha256)`)
  if (lint && i.lintLoaded === false) notes.push(`the API server reports a different configuration than ${lint.file} (sha256 differs): the lint is about a file that is not in use`)
  if (lint && i.canary && lint.secrets.mode !== 'not-covered') {
    const fileSays = lint.secrets.mode === 'encrypted' ? 'encrypted' : 'plaintext'
    if (fileSays !== i.canary.status) notes.push(`${lint.file} says new Secrets are ${fileSays}, the canary says ${i.canary.status}: the API server is not running this file (or has not reloaded it)`)
  }
  const e = i.etcd
  if (e) {
    for (const p of e.byProvider) {
      if (p.proof === 'unknown-key') notes.push(`${n(p.count)} Secret(s) are stored with ${p.provider} key ${p.key}, which ${lint?.file ?? 'the configuration'} does not have: the API server cannot read them unless that key is still configured`)
      if (p.proof === 'wrong-key') notes.push(`${p.provider} key ${p.key} in ${lint?.file ?? 'the configuration'} does not open the values stored under that name: a different key with the same name wrote them`)
    }
    const writer = e.byProvider.find((p) => p.writes)
    const old = e.byProvider.filter((p) => p.writes === false)
    if (writer && old.length) notes.push(`${n(old.reduce((s, p) => s + p.count, 0))} Secret(s) still under older keys (${old.map((p) => `${p.provider} ${p.key}`).join(', ')}): rewrite them to finish the rotation before removing those keys`)
    if (e.plaintext && lint && lint.issues.some((x) => x.id === 'no-identity-fallback' && x.resources?.some((r) => r === 'secrets' || r === '*.' || r === '*.*'))) {
      notes.push(`${n(e.plaintext)} plaintext Secret(s) are stored but the configuration has no identity fallback: the API server fails to read them until they are rewritten`)
    }
  }
  const m = i.metrics
  if (m) {
    for (const t of m.notes) notes.push(`API server metrics: ${t}`)
    if (writes.basis !== 'API server metrics' && m.writesSay === 'plaintext' && writes.says === 'encrypted') notes.push('the API server counters show only plaintext writes through its encryption configuration, which contradicts the evidence above')
  }
  const a = i.apiserver
  if (a?.encryptionFlag && a.encryptionFlag !== 'none' && a.automaticReload === 'none') notes.push('--encryption-provider-config-automatic-reload is off: a changed configuration takes effect only when each kube-apiserver restarts')
  if (a?.pods && a.pods.length > 1) {
    const paths = new Set(a.pods.map((p) => p.flags.encryptionProviderConfig ?? '(none)'))
    if (paths.size > 1) notes.push(`the API servers use different configuration paths: ${[...paths].join(', ')}`)
  }
  for (const h of a?.health ?? []) {
    for (const k of h.kms) if (!k.ok) notes.push(`${h.endpoint}: ${k.name} is failing (${k.detail}): writes of resources encrypted with that KMS provider fail`)
  }
  return notes
}
