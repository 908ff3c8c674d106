import type {EtcdFinding, Risk} from '../../detect/finding.js'
import {RISK_ORDER} from '../../detect/finding.js'
import {codeUnitOrder} from '../../text/order.js'
import type {Credential} from '../classify.js'
import type {Decryption} from '../decrypt.js'
import type {ObjectKey} from '../k8s/keys.js'
import {ConsumerIndex, type ConsumerRef, type OwnerFacts} from '../../verify/cluster/consumers.js'
import type {Consumer} from '../../verify/cluster/live.js'
import type {Analysis} from './analyze.js'
import {lookupTable} from '../../lookup.js'

// Every revision of every object, folded in revision order into one entry per
// Secret and one finding per credential elsewhere. A credential counts as
// exposed when any revision in the file holds it readably: a Secret rotated
// last week or deleted yesterday still has its old value in the file.

export interface SecretCredential extends Credential {
  /** The revision that first held this value. */
  revision: number
  /** Held by the current value of a live Secret; false: an old revision or a deleted Secret. */
  current: boolean
  /** `anyone`: in a plaintext revision; `with-keys`: only in revisions the --encryption-config keys decrypt. */
  readable: 'anyone' | 'with-keys'
  /** Set only when fewer objects read this data key than read the Secret (env valueFrom naming other keys). */
  consumers?: ConsumerRef[]
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
  /** KMS v2: the key id recorded in the envelope. */
  kmsKeyId: string | null
  risk: Risk | null
  reason: string
  state: 'live' | 'deleted'
  /** Who can read some revision of it: anyone with the file, only with the configured keys, or nobody without the keys. */
  readable: 'anyone' | 'with-keys' | 'no'
  /** Revisions with a value in this file (tombstones not counted). */
  revisions: number
  /** Revisions readable without any key. */
  plaintextRevisions: number
  /** Revisions the --encryption-config keys decrypt. */
  decryptedRevisions: number
  key: string
  created: string | null
  modRevision: number
  credentials: SecretCredential[]
  /** Values of some revision that were not read, and why (`data.release: … decompresses to more than 32 MiB`). */
  skipped?: string[]
  /** The live objects of the snapshot that read it: workloads, ServiceAccounts, Ingresses, owners. */
  consumers: ConsumerRef[]
}

export interface StorageTimeline {
  /** The first revision written encrypted: encryption at rest was on by then. */
  firstEncryptedRevision: number | null
  /** The last Secret revision written in plaintext. */
  lastPlaintextRevision: number | null
  /** Secrets whose latest value is plaintext and older than the first encrypted write: never rewritten since encryption was turned on. */
  plaintextBeforeEncryption: number
  /** Secrets written in plaintext after the first encrypted write: identity first in the config, or an API server without it. */
  plaintextAfterEncryption: number
  /** Secrets encrypted now whose earlier plaintext revision is still in the file (not compacted since the rewrite). */
  oldPlaintextUnderEncrypted: number
}

export interface Revision {
  route: ObjectKey
  key: string
  main: number
  tombstone: boolean
  /** Null for a tombstone. */
  analysis: Analysis | null
}

/** The placeholder list every entry starts with (never written to). */
const NONE = Object.freeze([]) as unknown as never[]

interface SecretAcc {
  entry: SecretEntry
  /** Made on the first credential: most Secrets of an encrypted cluster never have one here. */
  creds: Map<string, SecretCredential> | null
  lastPlaintext: number
  owner: OwnerFacts | null
}

interface ObjectAcc {
  kind: string
  namespace: string | null
  name: string
  key: string
  deleted: boolean
  found: Map<string, EtcdFinding & {current: boolean; withKeys: boolean}>
}

export interface Folded {
  secrets: SecretEntry[]
  findings: EtcdFinding[]
  storage: StorageTimeline
  /** Values that looked like stored objects but did not decode. */
  damagedValues: number
  /** Values not read (a decompression bound), one line each: which object, which field, why. */
  skipped: string[]
}

export class Folder {
  private readonly secrets = new Map<string, SecretAcc>()
  private readonly objects = new Map<string, ObjectAcc>()
  private firstEncrypted: number | null = null
  private lastPlaintext: number | null = null
  private damaged = 0
  private readonly skippedValues: string[] = []
  /** What each live workload, ServiceAccount and Ingress reads, by etcd key: the latest revision only. */
  private readonly consumers = new Map<string, Consumer>()

  add(r: Revision): void {
    if (r.route.category === 'secret') this.secret(r)
    else this.object(r)
  }

  private secret(r: Revision): void {
    let acc = this.secrets.get(r.key)
    if (!acc) {
      if (r.tombstone) return
      acc = {
        entry: {
          namespace: r.route.namespace,
          name: r.route.name,
          type: null,
          storage: 'plaintext',
          provider: null,
          keyName: null,
          decryption: null,
          kmsKeyId: null,
          risk: null,
          reason: '',
          state: 'live',
          readable: 'no',
          revisions: 0,
          plaintextRevisions: 0,
          decryptedRevisions: 0,
          key: r.key,
          created: null,
          modRevision: r.main,
          // Both set by finish(): until then one shared empty list, not two fresh ones per Secret.
          credentials: NONE,
          consumers: NONE,
        },
        creds: null,
        lastPlaintext: 0,
        owner: null,
      }
      this.secrets.set(r.key, acc)
    }
    const e = acc.entry
    e.modRevision = r.main
    if (acc.creds) for (const c of acc.creds.values()) c.current = false
    if (r.tombstone || !r.analysis) {
      e.state = 'deleted'
      return
    }
    const a = r.analysis
    if (a.damaged) this.damaged++
    e.revisions++
    e.state = 'live'
    e.storage = a.storage
    e.provider = a.provider
    e.keyName = a.keyName
    e.decryption = a.decryption
    e.kmsKeyId = a.kmsKeyId
    if (a.storage === 'plaintext') {
      e.plaintextRevisions++
      acc.lastPlaintext = r.main
      if (this.lastPlaintext === null || r.main > this.lastPlaintext) this.lastPlaintext = r.main
    } else if (this.firstEncrypted === null || r.main < this.firstEncrypted) this.firstEncrypted = r.main
    if (a.decryption === 'decrypted') e.decryptedRevisions++
    if (a.owner) acc.owner = a.owner
    if (a.object) {
      if (a.object.type) e.type = a.object.type
      if (a.object.name) e.name = a.object.name
      if (a.object.namespace) e.namespace = a.object.namespace
      if (a.object.created) e.created = a.object.created
    }
    for (const why of a.skipped ?? NONE) {
      e.skipped ??= []
      if (e.skipped.includes(why)) continue
      e.skipped.push(why)
      this.skippedValues.push(`Secret ${e.namespace ? `${e.namespace}/` : ''}${e.name} (revision ${r.main}) ${why}`)
    }
    const readable = a.storage === 'plaintext' ? 'anyone' : 'with-keys'
    for (const c of a.credentials) {
      acc.creds ??= new Map()
      const known = acc.creds.get(c.fingerprint)
      if (known) {
        known.current = true
        if (readable === 'anyone') known.readable = 'anyone'
      } else acc.creds.set(c.fingerprint, heldAt(c, r.main, readable))
    }
  }

  private object(r: Revision): void {
    let acc = this.objects.get(r.key)
    if (r.analysis?.consumer) this.consumers.set(r.key, r.analysis.consumer)
    else this.consumers.delete(r.key)
    if (r.tombstone || !r.analysis) {
      if (acc) {
        acc.deleted = true
        for (const f of acc.found.values()) f.current = false
      }
      return
    }
    const a = r.analysis
    if (a.damaged) this.damaged++
    if (acc) {
      acc.deleted = false
      for (const f of acc.found.values()) f.current = false
    }
    if (!a.object || a.found.length === 0) return
    if (!acc) {
      acc = {kind: a.object.kind, namespace: a.object.namespace ?? r.route.namespace, name: a.object.name || r.route.name, key: r.key, deleted: false, found: new Map()}
      this.objects.set(r.key, acc)
    }
    for (const f of a.found) {
      const id = `${f.fingerprint}|${f.field}`
      const known = acc.found.get(id)
      if (known) {
        known.current = true
        continue
      }
      const {keyId, ...rest} = f
      acc.found.set(id, {
        source: 'etcd',
        ...rest,
        ...(keyId ? {keyId} : {}),
        key: r.key,
        revision: r.main,
        kind: acc.kind,
        ...(acc.namespace ? {namespace: acc.namespace} : {}),
        name: acc.name,
        state: 'live',
        current: true,
        withKeys: a.storage === 'encrypted',
      })
    }
  }

  finish(): Folded {
    const secrets: SecretEntry[] = []
    const timeline: StorageTimeline = {firstEncryptedRevision: this.firstEncrypted, lastPlaintextRevision: this.lastPlaintext, plaintextBeforeEncryption: 0, plaintextAfterEncryption: 0, oldPlaintextUnderEncrypted: 0}
    const index = new ConsumerIndex()
    for (const c of this.consumers.values()) index.add(c)
    this.consumers.clear()
    for (const {entry, creds, lastPlaintext, owner} of this.secrets.values()) {
      entry.credentials = creds ? [...creds.values()].sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || b.revision - a.revision) : []
      consumersOf(index, entry, owner)
      const top = entry.credentials[0]
      entry.risk = top?.risk ?? null
      entry.readable = entry.plaintextRevisions > 0 ? 'anyone' : entry.decryptedRevisions > 0 ? 'with-keys' : 'no'
      const old = entry.credentials.some((c) => !c.current)
      entry.reason = top
        ? `${top.reason}${old ? '; old values are in the file too' : ''}`
        : entry.skipped
          ? `not read: ${entry.skipped[0]}`
          : entry.readable === 'no'
          ? entry.provider?.startsWith('kms')
            ? 'encrypted by a KMS plugin: not decryptable offline'
            : 'encrypted: not readable without the key'
          : 'no credential recognised in its data'
      if (entry.storage === 'plaintext' && entry.state === 'live' && this.firstEncrypted !== null) {
        if (lastPlaintext > this.firstEncrypted) timeline.plaintextAfterEncryption++
        else timeline.plaintextBeforeEncryption++
      }
      if (entry.storage === 'encrypted' && entry.plaintextRevisions > 0) timeline.oldPlaintextUnderEncrypted++
      secrets.push(entry)
    }
    const sortKey = (s: SecretEntry) => `${s.namespace ?? ''}/${s.name}`
    const keyed = secrets.map((s) => ({s, k: sortKey(s), r: s.risk ? RISK_ORDER[s.risk] : 9}))
    keyed.sort((a, b) => a.r - b.r || codeUnitOrder(a.k, b.k))
    return {secrets: keyed.map((x) => x.s), findings: collapseCopies(this.objects), storage: timeline, damagedValues: this.damaged, skipped: this.skippedValues}
  }
}

/** Who reads a Secret, and who reads each of its data keys when that is fewer (the live path's rule: verify/cluster/consumers.ts). */
function consumersOf(index: ConsumerIndex, entry: SecretEntry, owner: OwnerFacts | null): void {
  const ns = entry.namespace ?? ''
  entry.consumers = index.of('Secret', ns, entry.name, null, owner)
  if (entry.consumers.length === 0) return
  for (const c of entry.credentials) {
    if (!c.field.startsWith('data.')) continue
    const only = index.of('Secret', ns, entry.name, c.field.slice(5).replace(/ \([^)]*\)$/, ''), owner)
    if (only.length < entry.consumers.length) c.consumers = only
  }
}

/** Built field by field: one object shape for every credential (a spread per credential was a tenth of the scan). */
function heldAt(c: Credential, revision: number, readable: SecretCredential['readable']): SecretCredential {
  const held: SecretCredential = {field: c.field, class: c.class, risk: c.risk, reason: c.reason, fingerprint: c.fingerprint, preview: c.preview, rotation: c.rotation, revision, current: true, readable}
  if (c.keyId) held.keyId = c.keyId
  if (c.hashedToken) held.hashedToken = c.hashedToken
  return held
}

/** How far up the owner chain a kind is: a Deployment's env literal is copied into its ReplicaSets and their Pods. */
const OWNER_RANK = lookupTable({Deployment: 0, StatefulSet: 0, DaemonSet: 0, CronJob: 0, ReplicationController: 1, ReplicaSet: 1, Job: 1, PodTemplate: 2, Pod: 3})

/**
 * One finding per credential per place to fix. A workload credential shows
 * up in every ReplicaSet and Pod made from its template: those copies are
 * counted in the reason of the top-most object, not listed one by one.
 */
function collapseCopies(objects: Map<string, ObjectAcc>): EtcdFinding[] {
  const all: (EtcdFinding & {withKeys: boolean})[] = []
  for (const o of objects.values()) {
    for (const {current, withKeys, ...f} of o.found.values()) all.push({...f, withKeys, state: current && !o.deleted ? 'live' : 'deleted'})
  }
  const groups = new Map<string, (EtcdFinding & {withKeys: boolean})[]>()
  const out: EtcdFinding[] = []
  for (const f of all) {
    if (OWNER_RANK[f.kind] === undefined) {
      out.push(tidy(f))
      continue
    }
    // Same value, same variable, same namespace: copies of one template.
    const id = `${f.fingerprint}|${f.namespace ?? ''}|${f.field.replace(/^(env|command) [^/ ]+/, '$1')}`
    const g = groups.get(id)
    if (g) g.push(f)
    else groups.set(id, [f])
  }
  for (const g of groups.values()) {
    g.sort((a, b) => OWNER_RANK[a.kind]! - OWNER_RANK[b.kind]! || (a.state === 'live' ? 0 : 1) - (b.state === 'live' ? 0 : 1) || codeUnitOrder(a.key, b.key))
    const [top, ...copies] = g
    if (copies.length) {
      const counts = new Map<string, number>()
      for (const c of copies) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1)
      const list = [...counts].map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ')
      top!.reason = `${top!.reason} (copied into ${list})`
      if (copies.some((c) => c.state === 'live')) top!.state = 'live'
    }
    out.push(tidy(top!))
  }
  return out.sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || codeUnitOrder(a.key, b.key) || codeUnitOrder(a.field, b.field))
}

function tidy(f: EtcdFinding & {withKeys: boolean}): EtcdFinding {
  const {withKeys, ...rest} = f
  return withKeys ? {...rest, reason: `${rest.reason} (in a value the configured keys decrypt)`} : rest
}
