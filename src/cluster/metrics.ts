import {providerLabel, readEnvelope} from '../etcd/envelope.js'
import {parseSamples, type Sample} from './prometheus.js'
import {count} from '../text/count.js'

// What kube-apiserver's own counters say about encryption at rest:
//   apiserver_storage_transformation_operations_total{transformation_type, transformer_prefix, status}
//     to_storage with transformer_prefix "k8s:enc:aescbc:v1:key1:" = a write encrypted with key1;
//     to_storage with an empty prefix = a write through identity (plaintext);
//     from_storage "identity" = a PLAINTEXT value read back from etcd; "unknown" = no provider matched.
//   apiserver_envelope_encryption_*                         KMS (v2) key ids, KMS call outcomes
//   apiserver_encryption_config_controller_automatic_reload* whether --encryption-provider-config-automatic-reload works
// Counters start at zero when an API server starts and cover every resource
// the configuration names (the metric has no resource label), and /metrics
// answers for ONE API server behind the load balancer.

const TRANSFORM = 'apiserver_storage_transformation_operations_total'
const ENVELOPE = 'apiserver_envelope_encryption_'
const RELOAD = 'apiserver_encryption_config_controller_'

export interface PrefixCount {
  /** As reported: `k8s:enc:aescbc:v1:key1:`, `` (identity writes), `identity`, `unknown`. */
  prefix: string
  /** `aescbc`, `kms v2`, `identity`, `unknown`. */
  provider: string
  key: string | null
  ok: number
  failed: number
}

export interface MetricsEvidence {
  writes: PrefixCount[]
  reads: PrefixCount[]
  totals: {
    encryptedWrites: number
    plaintextWrites: number
    failedWrites: number
    plaintextReads: number
    /** Reads no configured provider could handle (a key removed too early). */
    unmatchedReads: number
    failedReads: number
  }
  /** What the write counters alone say about the configured resources. */
  writesSay: 'encrypted' | 'plaintext' | 'mixed' | 'no-writes' | 'no-encryption-config'
  kms: {
    providers: {name: string; keyIdHashes: number; calls: number; failedCalls: number}[]
    invalidKeyIds: number
  }
  reload: {
    successes: number | null
    failures: number | null
    lastSuccess: string | null
    lastFailure: string | null
    /** `sha256:<hex>` of the configuration file each API server instance loaded (newer API servers). */
    configHashes: string[]
  }
  notes: string[]
}

export function readEncryptionMetrics(text: string): MetricsEvidence {
  const samples = parseSamples(text, [TRANSFORM, ENVELOPE, RELOAD, 'apiserver_storage_data_key_generation_failures_total', 'apiserver_storage_envelope_transformation_cache_misses_total'])
  const writes = new Map<string, PrefixCount>()
  const reads = new Map<string, PrefixCount>()
  let sawTransform = false
  for (const s of samples) {
    if (s.name !== TRANSFORM) continue
    sawTransform = true
    const type = s.labels.transformation_type
    const table = type === 'to_storage' ? writes : type === 'from_storage' ? reads : null
    if (!table) continue
    const prefix = s.labels.transformer_prefix ?? ''
    const entry = table.get(prefix) ?? {prefix, ...describePrefix(prefix), ok: 0, failed: 0}
    if ((s.labels.status ?? 'OK') === 'OK') entry.ok += s.value
    else entry.failed += s.value
    table.set(prefix, entry)
  }
  const sum = (list: PrefixCount[], pred: (p: PrefixCount) => boolean, f: 'ok' | 'failed') => list.filter(pred).reduce((n, p) => n + p[f], 0)
  const w = [...writes.values()].sort(byCount)
  const r = [...reads.values()].sort(byCount)
  const isPlain = (p: PrefixCount) => p.provider === 'identity'
  const isEnc = (p: PrefixCount) => p.provider !== 'identity' && p.provider !== 'unknown'
  const totals = {
    encryptedWrites: sum(w, isEnc, 'ok'),
    plaintextWrites: sum(w, isPlain, 'ok'),
    failedWrites: sum(w, () => true, 'failed'),
    plaintextReads: sum(r, isPlain, 'ok'),
    unmatchedReads: sum(r, (p) => p.provider === 'unknown', 'ok') + sum(r, (p) => p.provider === 'unknown', 'failed'),
    failedReads: sum(r, (p) => p.provider !== 'unknown', 'failed'),
  }
  const writesSay: MetricsEvidence['writesSay'] = !sawTransform
    ? 'no-encryption-config'
    : totals.encryptedWrites && totals.plaintextWrites
      ? 'mixed'
      : totals.encryptedWrites
        ? 'encrypted'
        : totals.plaintextWrites
          ? 'plaintext'
          : 'no-writes'

  const kmsByName = new Map<string, {name: string; keyIds: Set<string>; calls: number; failedCalls: number}>()
  const kmsEntry = (name: string) => kmsByName.get(name) ?? kmsByName.set(name, {name, keyIds: new Set(), calls: 0, failedCalls: 0}).get(name)!
  let invalidKeyIds = 0
  for (const s of samples) {
    if (s.name === `${ENVELOPE}key_id_hash_total` && s.labels.provider_name) kmsEntry(s.labels.provider_name).keyIds.add(s.labels.key_id_hash ?? '')
    if (s.name === `${ENVELOPE}kms_operations_latency_seconds_count` && s.labels.provider_name) {
      const e = kmsEntry(s.labels.provider_name)
      e.calls += s.value
      if (s.labels.grpc_status_code && s.labels.grpc_status_code !== 'OK') e.failedCalls += s.value
    }
    if (s.name === `${ENVELOPE}invalid_key_id_from_status_total`) invalidKeyIds += s.value
  }

  const reload = reloadState(samples)
  const notes: string[] = []
  if (writesSay === 'no-encryption-config') notes.push('no storage transformation counters at all: this API server has no EncryptionConfiguration loaded (or has not read or written anything since it started)')
  if (totals.plaintextReads) notes.push(`${fmt(totals.plaintextReads)} plaintext value(s) read back from etcd since this API server started: plaintext objects of a configured resource are still stored`)
  if (totals.unmatchedReads) notes.push(`${fmt(totals.unmatchedReads)} read(s) matched no configured provider: values written with a key that is no longer in the configuration (unreadable)`)
  if (totals.failedWrites) notes.push(`${fmt(totals.failedWrites)} write(s) failed in the encryption layer (KMS plugin down or timing out?)`)
  if (invalidKeyIds) notes.push(`${fmt(invalidKeyIds)} invalid key id(s) reported by a KMS v2 plugin`)
  if (reload.failures) notes.push(`automatic reload of the encryption configuration failed ${fmt(reload.failures)} time(s)${reload.lastFailure ? `, last at ${reload.lastFailure}` : ''}: the API server keeps the previous configuration`)
  return {
    writes: w,
    reads: r,
    totals,
    writesSay,
    kms: {providers: [...kmsByName.values()].map((k) => ({name: k.name, keyIdHashes: k.keyIds.size, calls: k.calls, failedCalls: k.failedCalls})), invalidKeyIds},
    reload,
    notes,
  }
}

function describePrefix(prefix: string): {provider: string; key: string | null} {
  if (prefix === '' || prefix === 'identity') return {provider: 'identity', key: null}
  if (prefix === 'unknown') return {provider: 'unknown', key: null}
  const e = readEnvelope(Buffer.from(prefix, 'latin1'))
  return e.storage === 'encrypted' ? {provider: providerLabel(e), key: e.keyName} : {provider: 'unknown', key: null}
}

function reloadState(samples: Sample[]): MetricsEvidence['reload'] {
  let successes: number | null = null
  let failures: number | null = null
  let lastSuccess: number | null = null
  let lastFailure: number | null = null
  const hashes = new Set<string>()
  const add = (a: number | null, b: number) => (a ?? 0) + b
  for (const s of samples) {
    switch (s.name) {
      case `${RELOAD}automatic_reloads_total`:
        if (s.labels.status === 'success') successes = add(successes, s.value)
        else if (s.labels.status === 'failure') failures = add(failures, s.value)
        break
      // Deprecated in 1.30; read when the new series is absent.
      case `${RELOAD}automatic_reload_success_total`:
        if (!samples.some((x) => x.name === `${RELOAD}automatic_reloads_total`)) successes = add(successes, s.value)
        break
      case `${RELOAD}automatic_reload_failures_total`:
        if (!samples.some((x) => x.name === `${RELOAD}automatic_reloads_total`)) failures = add(failures, s.value)
        break
      case `${RELOAD}automatic_reload_last_timestamp_seconds`:
        if (s.labels.status === 'failure') lastFailure = Math.max(lastFailure ?? 0, s.value)
        else lastSuccess = Math.max(lastSuccess ?? 0, s.value)
        break
      case `${RELOAD}last_config_info`:
        if (s.labels.hash && s.value === 1) hashes.add(s.labels.hash)
        break
    }
  }
  const iso = (t: number | null) => (t ? new Date(t * 1000).toISOString() : null)
  return {successes, failures, lastSuccess: iso(lastSuccess), lastFailure: iso(lastFailure), configHashes: [...hashes]}
}

const byCount = (a: PrefixCount, b: PrefixCount) => b.ok + b.failed - (a.ok + a.failed) || a.prefix.localeCompare(b.prefix)
const fmt = count
