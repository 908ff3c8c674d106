import type {EncryptionConfig} from '../cluster/encryption-config.js'
import {detect, matchFindingBase} from '../detect/engine.js'
import type {EtcdFinding, Risk} from '../detect/finding.js'
import {RISK_ORDER} from '../detect/finding.js'
import {type Credential, classifySecret} from './classify.js'
import {decrypt, type Decryption, type Keyring, keyringFrom} from './decrypt.js'
import {providerLabel, readEnvelope} from './envelope.js'
import {decodeConfigMap, decodeSecret, decodeStored, type StoredObject, WORKLOAD_KINDS, workloadEnv} from './k8s/objects.js'
import {ProtoError} from './proto.js'
import {openSnapshot, type SnapshotInfo} from './snapshot.js'

// scan etcd: the snapshot's every revision, in one streaming pass, folded
// per object. A Secret is "readable" when any revision of it is stored in
// plaintext: a Secret rotated last week or deleted yesterday still has its
// old value in the file until compaction.

export interface EtcdScanOptions {
  /** Only keys under this prefix (default: every key; the prefix is detected for the report). */
  prefix?: string
  encryptionConfig?: EncryptionConfig
  deep?: boolean
  onProgress?: (revisions: number) => void
}

export interface SecretCredential extends Credential {
  /** The revision that first held this value. */
  revision: number
  /** Held by the current value of a live Secret; false: an old revision or a deleted Secret. */
  current: boolean
}

export interface SecretEntry {
  namespace: string | null
  name: string
  /** The Secret type, when a revision could be read. */
  type: string | null
  /** How the latest value is stored. */
  storage: 'plaintext' | 'encrypted'
  /** `aescbc`, `aesgcm`, `secretbox`, `kms v1`, `kms v2` for encrypted values. */
  provider: string | null
  /** The key (or KMS provider) name in the envelope. */
  keyName: string | null
  /** With --encryption-config: whether the configured key really decrypts the latest value. */
  decryption: Decryption['status'] | null
  risk: Risk | null
  reason: string
  state: 'live' | 'deleted'
  /** Revisions with a value in this file (tombstones not counted). */
  revisions: number
  /** Revisions readable without any key. */
  plaintextRevisions: number
  key: string
  modRevision: number
  credentials: SecretCredential[]
}

export interface Remnant {
  key: string
  pageId: number
  revision: number | null
  credentials: Credential[]
}

export interface EtcdScanSummary {
  verdict: string
  secrets: {total: number; readable: number; live: number; deleted: number; encrypted: number; plaintext: number; withOldRevisions: number}
  providers: Record<string, number>
  /** Secrets whose value names a key the --encryption-config does not have, or that it fails to decrypt. */
  keys: {unknown: number; wrong: number; decrypted: number; kms: number}
  byRisk: Record<Risk, number>
  findings: number
  remnants: number
  prefix: string | null
  revisions: number
  ms: number
}

export interface EtcdScanResult {
  summary: EtcdScanSummary
  snapshot: SnapshotInfo
  secrets: SecretEntry[]
  /** Credentials outside Secrets: ConfigMaps, custom resources, workload env literals. */
  findings: EtcdFinding[]
  remnants: Remnant[]
  warnings: string[]
  damaged: boolean
}

interface SecretAcc {
  entry: SecretEntry
  creds: Map<string, SecretCredential>
}

interface FindingAcc {
  kind: string
  namespace: string | null
  name: string
  key: string
  deleted: boolean
  findings: Map<string, EtcdFinding & {current: boolean}>
}

export function scanSnapshot(path: string, opts: EtcdScanOptions = {}): EtcdScanResult {
  const t0 = performance.now()
  const snap = openSnapshot(path)
  try {
    const keyring = opts.encryptionConfig ? keyringFrom(opts.encryptionConfig) : null
    const secrets = new Map<string, SecretAcc>()
    const others = new Map<string, FindingAcc>()
    const prefixes = new Map<string, number>()
    let revisions = 0
    for (const r of snap.revisions()) {
      revisions++
      if (revisions % 20_000 === 0) opts.onProgress?.(revisions)
      const key = r.key.toString('utf8')
      if (opts.prefix && !key.startsWith(`${opts.prefix}/`)) continue
      const parts = key.split('/')
      const isSecretKey = parts.length >= 4 && parts[parts.length - 3] === 'secrets'
      if (isSecretKey) prefixes.set(parts.slice(0, -3).join('/'), (prefixes.get(parts.slice(0, -3).join('/')) ?? 0) + 1)
      if (r.tombstone) {
        const s = secrets.get(key)
        if (s) {
          s.entry.state = 'deleted'
          s.entry.modRevision = r.main
          for (const c of s.creds.values()) c.current = false
        }
        const o = others.get(key)
        if (o) {
          o.deleted = true
          for (const f of o.findings.values()) (f.current = false), (f.state = 'deleted')
        }
        continue
      }
      const env = readEnvelope(r.value)
      let plaintext: Buffer | null = null
      let decryption: Decryption | null = null
      if (env.storage === 'encrypted') {
        if (keyring || env.provider === 'kms') {
          decryption = decrypt(env, r.value, r.key, keyring)
          if (decryption.status === 'decrypted') plaintext = decryption.plaintext
        }
      } else plaintext = r.value
      let obj: StoredObject | null = null
      if (plaintext) {
        try {
          obj = decodeStored(plaintext)
        } catch (error) {
          if (!(error instanceof ProtoError)) throw error
        }
      }
      if (isSecretKey || obj?.kind === 'Secret') {
        foldSecret(secrets, key, parts, r.main, env.storage === 'plaintext', env, decryption, obj)
      } else if (obj && env.storage === 'plaintext') {
        foldOther(others, key, parts, r.main, obj)
      }
    }
    const result = finish(snap.info(), secrets, others, prefixes, revisions, snap.damaged())
    if (opts.deep) result.remnants = remnants(snap, new Set(result.secrets.flatMap((s) => s.credentials.map((c) => c.fingerprint)).concat(result.findings.map((f) => f.fingerprint))))
    result.summary.remnants = result.remnants.length
    result.summary.ms = Math.round(performance.now() - t0)
    result.warnings = [...snap.info().warnings]
    result.damaged = snap.damaged()
    return result
  } finally {
    snap.close()
  }
}

function foldSecret(
  secrets: Map<string, SecretAcc>,
  key: string,
  parts: string[],
  main: number,
  isPlain: boolean,
  env: ReturnType<typeof readEnvelope>,
  decryption: Decryption | null,
  obj: StoredObject | null,
): void {
  let acc = secrets.get(key)
  if (!acc) {
    acc = {
      entry: {
        namespace: parts.at(-2) ?? null,
        name: parts.at(-1) ?? '',
        type: null,
        storage: 'plaintext',
        provider: null,
        keyName: null,
        decryption: null,
        risk: null,
        reason: '',
        state: 'live',
        revisions: 0,
        plaintextRevisions: 0,
        key,
        modRevision: main,
        credentials: [],
      },
      creds: new Map(),
    }
    secrets.set(key, acc)
  }
  const e = acc.entry
  e.revisions++
  e.state = 'live'
  e.modRevision = main
  e.storage = isPlain ? 'plaintext' : 'encrypted'
  e.provider = env.storage === 'encrypted' ? providerLabel(env) : null
  e.keyName = env.storage === 'encrypted' ? env.keyName : null
  e.decryption = decryption?.status ?? null
  if (isPlain) e.plaintextRevisions++
  for (const c of acc.creds.values()) c.current = false
  if (!obj) return
  let secret
  try {
    secret = decodeSecret(obj)
  } catch (error) {
    if (error instanceof ProtoError) return
    throw error
  }
  e.type = secret.type
  if (secret.meta.name) e.name = secret.meta.name
  if (secret.meta.namespace) e.namespace = secret.meta.namespace
  for (const c of classifySecret(secret)) {
    const known = acc.creds.get(c.fingerprint)
    if (known) known.current = true
    else acc.creds.set(c.fingerprint, {...c, revision: main, current: true})
  }
}

function foldOther(others: Map<string, FindingAcc>, key: string, parts: string[], main: number, obj: StoredObject): void {
  const texts: {field: string; text: string}[] = []
  let namespace: string | null = parts.at(-2) ?? null
  let name = parts.at(-1) ?? ''
  try {
    if (obj.kind === 'ConfigMap') {
      const cm = decodeConfigMap(obj)
      ;({namespace, name} = {namespace: cm.meta.namespace ?? namespace, name: cm.meta.name || name})
      for (const [k, v] of cm.data) if (!v.subarray(0, 4096).includes(0)) texts.push({field: `data.${k}`, text: v.toString('utf8').includes('\n') ? v.toString('utf8') : `${k}=${v.toString('utf8')}`})
    } else if (WORKLOAD_KINDS.includes(obj.kind)) {
      const w = workloadEnv(obj)
      ;({namespace, name} = {namespace: w.meta.namespace ?? namespace, name: w.meta.name || name})
      for (const v of w.env) texts.push({field: `env ${v.container}/${v.name}`, text: `${v.name}=${JSON.stringify(v.value)}`})
    } else if (obj.encoding === 'json') {
      const doc = obj.raw as Record<string, unknown>
      const meta = (doc.metadata ?? {}) as {name?: string; namespace?: string}
      namespace = meta.namespace ?? namespace
      name = meta.name ?? name
      for (const [path, value] of leaves(doc.spec ?? doc.data ?? {}, 'spec')) texts.push({field: path, text: `${path.split('.').at(-1)}: ${JSON.stringify(value)}`})
    } else return
  } catch (error) {
    if (error instanceof ProtoError) return
    throw error
  }
  if (texts.length === 0) return
  let acc = others.get(key)
  for (const f of acc?.findings.values() ?? []) f.current = false
  for (const {field, text} of texts) {
    const seen = new Set<string>()
    for (const m of detect(text, {path: field.endsWith('.properties') ? field : 'config.env'})) {
      const base = matchFindingBase(m)
      if (seen.has(base.fingerprint)) continue
      seen.add(base.fingerprint)
      if (!acc) {
        acc = {kind: obj.kind, namespace, name, key, deleted: false, findings: new Map()}
        others.set(key, acc)
      }
      const id = `${base.fingerprint}|${field}`
      const known = acc.findings.get(id)
      if (known) {
        known.current = true
        known.state = 'live'
        continue
      }
      acc.findings.set(id, {source: 'etcd', ...base, key, revision: main, kind: obj.kind, ...(namespace ? {namespace} : {}), name, field, state: 'live', current: true})
    }
  }
}

function* leaves(x: unknown, path: string): Generator<[string, string]> {
  if (typeof x === 'string') yield [path, x]
  else if (Array.isArray(x)) for (let i = 0; i < x.length && i < 1000; i++) yield* leaves(x[i], `${path}[${i}]`)
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) yield* leaves(v, `${path}.${k}`)
}

function finish(info: SnapshotInfo, secrets: Map<string, SecretAcc>, others: Map<string, FindingAcc>, prefixes: Map<string, number>, revisions: number, damaged: boolean): EtcdScanResult {
  const list: SecretEntry[] = []
  const byRisk: Record<Risk, number> = {critical: 0, high: 0, medium: 0, low: 0}
  const providers: Record<string, number> = {}
  const keys = {unknown: 0, wrong: 0, decrypted: 0, kms: 0}
  let readable = 0
  let withOld = 0
  for (const {entry, creds} of secrets.values()) {
    entry.credentials = [...creds.values()].sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || b.revision - a.revision)
    const top = entry.credentials[0]
    entry.risk = top?.risk ?? null
    entry.reason = top ? `${top.reason}${entry.credentials.some((c) => !c.current) ? '; old values are in the file too' : ''}` : entry.plaintextRevisions ? 'no credential recognised in its data' : 'encrypted: not readable without the key'
    if (entry.plaintextRevisions > 0) readable++
    if (entry.revisions > 1) withOld++
    if (entry.risk && entry.plaintextRevisions > 0) byRisk[entry.risk]++
    const p = entry.provider ?? 'identity (plaintext)'
    providers[entry.keyName && entry.provider && !entry.provider.startsWith('kms') ? `${p}:${entry.keyName}` : p] = (providers[entry.keyName && entry.provider && !entry.provider.startsWith('kms') ? `${p}:${entry.keyName}` : p] ?? 0) + 1
    if (entry.decryption === 'unknown-key') keys.unknown++
    if (entry.decryption === 'wrong-key') keys.wrong++
    if (entry.decryption === 'decrypted') keys.decrypted++
    if (entry.decryption === 'kms') keys.kms++
    list.push(entry)
  }
  list.sort((a, b) => (a.risk && b.risk ? RISK_ORDER[a.risk] - RISK_ORDER[b.risk] : a.risk ? -1 : b.risk ? 1 : 0) || `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))
  const findings: EtcdFinding[] = []
  for (const o of others.values()) for (const {current, ...f} of o.findings.values()) findings.push({...f, state: current && !o.deleted ? 'live' : 'deleted'})
  findings.sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || a.key.localeCompare(b.key))
  const total = list.length
  const live = list.filter((s) => s.state === 'live').length
  const encrypted = list.filter((s) => s.storage === 'encrypted').length
  const prefix = [...prefixes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
  const verdict =
    total === 0
      ? `No Secrets found in this snapshot${prefix ? '' : ' (no /secrets/ keys)'}${findings.length ? `; ${findings.length} credential(s) found outside Secrets` : ''}.`
      : `${readable.toLocaleString('en')} of ${total.toLocaleString('en')} Secrets are readable by anyone with this file${readable ? ` (${byRisk.critical} critical, ${byRisk.high} high, ${byRisk.medium} medium, ${byRisk.low} low)` : ''}${findings.length ? `; ${findings.length} more credential(s) outside Secrets` : ''}.`
  return {
    summary: {
      verdict,
      secrets: {total, readable, live, deleted: total - live, encrypted, plaintext: total - encrypted, withOldRevisions: withOld},
      providers,
      keys,
      byRisk,
      findings: findings.length,
      remnants: 0,
      prefix,
      revisions,
      ms: 0,
    },
    snapshot: info,
    secrets: list,
    findings,
    remnants: [],
    warnings: [],
    damaged,
  }
}

function remnants(snap: ReturnType<typeof openSnapshot>, known: Set<string>): Remnant[] {
  const out: Remnant[] = []
  const seen = new Set<string>()
  for (const r of snap.remnants()) {
    const env = readEnvelope(r.value)
    if (env.storage !== 'plaintext') continue
    let creds: Credential[] = []
    try {
      const obj = decodeStored(r.value)
      if (obj?.kind === 'Secret') creds = classifySecret(decodeSecret(obj))
      else if (obj) creds = detect(r.value.toString('utf8')).map((m) => ({field: 'value', ...matchFindingBase(m)}) as Credential)
    } catch {
      continue
    }
    const fresh = creds.filter((c) => !known.has(c.fingerprint) && !seen.has(c.fingerprint))
    for (const c of fresh) seen.add(c.fingerprint)
    if (fresh.length) out.push({key: r.key.toString('utf8'), pageId: r.pageId, revision: r.main, credentials: fresh})
  }
  return out
}

/** Every exposed credential as a Finding for an incident: those in readable Secrets (current and old), and those outside Secrets. */
export function etcdFindings(result: EtcdScanResult): EtcdFinding[] {
  const out: EtcdFinding[] = []
  for (const s of result.secrets) {
    if (s.plaintextRevisions === 0 && s.decryption !== 'decrypted') continue
    for (const c of s.credentials) {
      out.push({
        source: 'etcd',
        class: c.class,
        risk: c.risk,
        reason: c.current ? c.reason : `${c.reason} (an old or deleted value still in the snapshot)`,
        fingerprint: c.fingerprint,
        preview: c.preview,
        rotation: c.rotation,
        ...(c.keyId ? {keyId: c.keyId} : {}),
        key: s.key,
        revision: c.revision,
        kind: 'Secret',
        ...(s.namespace ? {namespace: s.namespace} : {}),
        name: s.name,
        field: c.field,
        state: c.current && s.state === 'live' ? 'live' : 'deleted',
      })
    }
  }
  return [...out, ...result.findings]
}
