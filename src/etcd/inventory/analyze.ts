import {isAscii} from 'node:buffer'

import {detect, matchFindingBase, mayDetect} from '../../detect/engine.js'
import type {EtcdFinding} from '../../detect/finding.js'
import type {Fingerprinter} from '../../fingerprint/key.js'
import {type Credential, classifySecret, type Skip} from '../classify.js'
import {decrypt, type Decryption, type Keyring} from '../decrypt.js'
import {type Envelope, providerLabel, readEnvelope} from '../envelope.js'
import type {Category} from '../k8s/keys.js'
import {ownerFacts, type OwnerFacts} from '../../verify/cluster/consumers.js'
import type {Consumer} from '../../verify/cluster/live.js'
import {decodeConfigMap, decodeSecret, decodeStored, jsonSecret, type Meta, ProtoError, referencesOf, type StoredAnnotation, type StoredObject, WORKLOAD_KINDS, workloadEnv} from '../k8s/objects.js'

// One stored value, judged on its own: how it is stored (plaintext, or which
// provider and key), whether the configured key opens it, and what
// credentials the object holds. Pure and self-contained, so it runs the same
// inline or on a worker thread; values leave only as fingerprints.

export interface RevisionJob {
  key: string
  /** Main revision (0 for a remnant of unknown revision). */
  main: number
  category: Category
  resource: string
  group: string
  value: Buffer
}

/** A credential outside Secrets, before it is placed (key, revision, state). */
export type ObjectCredential = Pick<EtcdFinding, 'class' | 'risk' | 'reason' | 'fingerprint' | 'hashedToken' | 'preview' | 'rotation' | 'keyId' | 'field'>

export interface Analysis {
  storage: 'plaintext' | 'encrypted'
  /** `aescbc`, `aesgcm`, `secretbox`, `kms v1`, `kms v2`. */
  provider: string | null
  /** The key (or KMS provider) name in the envelope. */
  keyName: string | null
  decryption: Decryption['status'] | null
  /** KMS v2: the key id the plugin reported when it wrapped the data key. */
  kmsKeyId: string | null
  /** Null when the value could not be decoded (encrypted without the key, or damaged). */
  object: {kind: string; name: string; namespace: string | null; created: string | null; type: string | null} | null
  /** A value that looked like a stored object but did not decode. */
  damaged: boolean
  /** Secrets: what each data key holds. */
  credentials: Credential[]
  /** Everything else: credentials in data, env, command lines, fields, annotations. */
  found: ObjectCredential[]
  /** Values not read, one line each (`data.release: why`): a decompression bound was reached. */
  skipped?: string[]
  /** A workload, ServiceAccount or Ingress: the Secrets it reads (the same shape the live cluster's lists give). */
  consumer?: Consumer
  /** A Secret: what names its owners and service account. */
  owner?: OwnerFacts
}

/** Keyrings per resource (`secrets`, `configmaps.`, `widgets.example.com`), from the EncryptionConfiguration. */
export type KeyringFor = (resource: string, group: string) => Keyring | null

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

// One answer per envelope label (`aescbc:key1`): shared, never changed after it is made.
const sealedByLabel = new Map<string, Analysis>()

/**
 * A value nobody can read here — encrypted with a local provider, and no
 * configured key for its resource — is all envelope: its analysis is what
 * the envelope says, and the value is never decoded (nor sent to a worker).
 * Null when the value may be readable (plaintext, KMS, or a keyring to try).
 */
export function sealedAnalysis(env: Envelope, keyring: Keyring | null): Analysis | null {
  if (env.storage !== 'encrypted' || env.provider === 'kms' || keyring) return null
  const label = `${env.provider}:${env.keyName}`
  let a = sealedByLabel.get(label)
  if (!a) {
    a = Object.freeze({storage: 'encrypted', provider: providerLabel(env), keyName: env.keyName, decryption: null, kmsKeyId: null, object: null, damaged: false, credentials: Object.freeze([]) as unknown as Credential[], found: Object.freeze([]) as unknown as ObjectCredential[]}) as Analysis
    if (sealedByLabel.size > 1024) sealedByLabel.clear() // a crafted file's thousands of key names
    sealedByLabel.set(label, a)
  }
  return a
}

/** `fp` is the workspace's fingerprinter: every credential found leaves as its keyed fingerprint. */
export function analyze(job: RevisionJob, keyringFor: KeyringFor | null, fp: Fingerprinter): Analysis {
  const env = readEnvelope(job.value)
  const sealed = sealedAnalysis(env, env.storage === 'encrypted' && env.provider !== 'kms' ? (keyringFor?.(job.resource, job.group) ?? null) : null)
  if (sealed) return sealed
  const a: Analysis = {storage: env.storage, provider: null, keyName: null, decryption: null, kmsKeyId: null, object: null, damaged: false, credentials: [], found: []}
  let plaintext: Buffer | null = job.value
  if (env.storage === 'encrypted') {
    a.provider = providerLabel(env)
    a.keyName = env.keyName
    plaintext = null
    const keyring = keyringFor?.(job.resource, job.group) ?? null
    if (keyring || env.provider === 'kms') {
      const d = decrypt(env, job.value, Buffer.from(job.key, 'utf8'), keyring)
      a.decryption = d.status
      if (d.status === 'kms') a.kmsKeyId = d.keyId
      if (d.status === 'decrypted') plaintext = d.plaintext
    }
  }
  if (!plaintext) return a
  let obj: StoredObject | null
  try {
    obj = decodeStored(plaintext)
  } catch (error) {
    if (!(error instanceof ProtoError)) throw error
    a.damaged = true
    return a
  }
  if (!obj) return a
  try {
    if (job.category === 'secret' || obj.kind === 'Secret') {
      const s = decodeSecret(obj)
      a.object = described(obj.kind || 'Secret', s.meta, s.type)
      a.owner = ownerFacts({type: s.type, namespace: s.meta.namespace ?? '', owners: s.meta.owners, labels: s.meta.labels, annotations: s.meta.annotations})
      const skip = (field: string, why: string) => (a.skipped ??= []).push(`${field}: ${why}`)
      a.credentials = classifySecret(s, fp, skip)
      a.credentials.push(...lastAppliedSecret(s.meta, a.credentials, fp, skip))
    } else if (obj.kind === 'ConfigMap') {
      const cm = decodeConfigMap(obj)
      a.object = described('ConfigMap', cm.meta, null)
      const texts: Text[] = []
      for (const [k, v] of cm.data) {
        if (v.length === 0 || v.subarray(0, 4096).includes(0)) continue
        const s = v.toString('utf8')
        texts.push(s.includes('\n') ? {field: `data.${k}`, text: s, path: k} : {field: `data.${k}`, text: `${k}=${s}`, path: 'config.env'})
      }
      a.found = scanTexts(annotationTexts(cm.meta.annotations, texts), fp)
    } else if (WORKLOAD_KINDS.includes(obj.kind)) {
      const w = workloadEnv(obj)
      a.object = described(obj.kind, w.meta, null)
      const texts: Text[] = []
      for (const v of w.env) texts.push({field: `env ${v.container}/${v.name}`, text: `${v.name}=${JSON.stringify(v.value)}`, path: 'config.env'})
      for (const c of w.commands) texts.push({field: `command ${c.container}`, text: c.argv.join(' '), path: 'command.sh'})
      a.found = scanTexts(annotationTexts(w.meta.annotations, texts), fp)
      if (w.serviceAccount !== null || w.refs.length) a.consumer = consumerFrom(obj.kind, w.meta, job, w.refs, w.serviceAccount)
    } else if (job.category === 'consumer') {
      const {meta, refs} = referencesOf(obj)
      a.object = described(obj.kind, meta, null)
      if (refs.length) a.consumer = consumerFrom(obj.kind, meta, job, refs, null)
    } else if (obj.encoding === 'json') {
      const doc = obj.raw as Record<string, unknown>
      const meta = (doc.metadata ?? {}) as {name?: unknown; namespace?: unknown; creationTimestamp?: unknown; annotations?: unknown}
      a.object = {kind: obj.kind, name: str(meta.name), namespace: typeof meta.namespace === 'string' ? meta.namespace : null, created: typeof meta.creationTimestamp === 'string' ? meta.creationTimestamp : null, type: null}
      const texts: Text[] = []
      for (const part of ['spec', 'data', 'stringData', 'config', 'status'] as const) {
        for (const [path, value] of leaves(doc[part], part, 0)) texts.push({field: path, text: `${path.split('.').at(-1)!.replace(/\[\d+\]$/, '')}: ${JSON.stringify(value)}`, path: 'config.yaml'})
      }
      const annotations: Record<string, string> = {}
      for (const [k, v] of Object.entries((meta.annotations ?? {}) as Record<string, unknown>)) if (typeof v === 'string') annotations[k] = v
      a.found = scanTexts(annotationTexts(annotations, texts), fp)
    } else {
      // A built-in kind the scan does not look inside: its storage still counts.
      a.object = {kind: obj.kind, name: job.key.split('/').at(-1) ?? '', namespace: null, created: null, type: null}
    }
  } catch (error) {
    if (!(error instanceof ProtoError)) throw error
    a.damaged = true
  }
  return a
}

function consumerFrom(kind: string, meta: Pick<Meta<unknown>, 'name' | 'namespace' | 'owners'>, job: RevisionJob, refs: Consumer['refs'], serviceAccount: string | null): Consumer {
  // The key names the object when the stored metadata does not (it always does in a real cluster: split only then).
  let fromKey: string[] | undefined
  const part = (i: number) => (fromKey ??= job.key.split('/').slice(-2))[i]
  // A pod a controller made restarts with its controller: marked so the index leaves it out.
  return {kind, namespace: meta.namespace ?? part(0) ?? '', name: meta.name || (part(1) ?? ''), owned: kind === 'Pod' && meta.owners.length > 0, serviceAccount, refs}
}

function described(kind: string, meta: Pick<Meta<unknown>, 'name' | 'namespace' | 'created'>, type: string | null): NonNullable<Analysis['object']> {
  return {kind, name: meta.name, namespace: meta.namespace, created: meta.created, type}
}

/**
 * `kubectl apply` keeps the whole Secret, data included, in an annotation. After
 * a `kubectl edit` or a controller's rotation, the annotation still holds the
 * value that was applied: an old credential in the current revision.
 */
function lastAppliedSecret(meta: Meta, current: Credential[], fp: Fingerprinter, skip: Skip): Credential[] {
  const text = meta.annotations[LAST_APPLIED]
  if (!text || !text.includes('"data"')) return []
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return []
  }
  if (!doc || typeof doc !== 'object') return []
  const old = jsonSecret(doc as Record<string, unknown>)
  old.meta = {...meta, annotations: {}}
  const known = new Set(current.map((c) => c.fingerprint))
  return classifySecret(old, fp, (field, why) => skip(`annotation last-applied-configuration: ${field}`, why))
    .filter((c) => !known.has(c.fingerprint))
    .map((c) => ({...c, field: `annotation last-applied-configuration: ${c.field}`, reason: `${c.reason} (an earlier value kept by kubectl apply in the last-applied-configuration annotation)`}))
}

interface Text {
  field: string
  /** The text, or the UTF-8 bytes it is stored as (decoded only when a keyword occurs: see detected). */
  text: string | Buffer
  path: string
}

/** Appends the annotations' texts to `out` (after the data's: a credential in both is reported in the data). */
function annotationTexts(annotations: Record<string, StoredAnnotation>, out: Text[]): Text[] {
  for (const [k, v] of Object.entries(annotations)) {
    if (v.length === 0) continue
    if (k === LAST_APPLIED) out.push({field: 'annotation last-applied-configuration', text: v, path: 'last-applied.json'})
    else out.push({field: `annotation ${k}`, text: `${k.split('/').at(-1)}: ${JSON.stringify(typeof v === 'string' ? v : v.toString('utf8'))}`, path: 'config.yaml'})
  }
  return out
}

type Base = ReturnType<typeof matchFindingBase>

/**
 * Texts longer than this are scanned every time: copies are env values and
 * small config entries, while long texts (a Pod's last-applied annotation)
 * are mostly unique, and keying a map by them cost more than it saved.
 */
const CACHED_TEXT_MAX = 256
const CACHED_TEXTS = 20_000
/**
 * What the engine found in a text, per fingerprint key and path: a Deployment's
 * env is copied into every ReplicaSet and Pod made from it, and `LOG_LEVEL=info`
 * is in half the ConfigMaps. Held in memory only, like the values themselves.
 */
const textCache = new WeakMap<Fingerprinter, {byPath: Map<string, Map<string, readonly Base[]>>; size: number}>()

const NOTHING: readonly Base[] = Object.freeze([])

function detected(stored: string | Buffer, path: string, fp: Fingerprinter): readonly Base[] {
  let text: string
  let bytes: Buffer | undefined
  if (typeof stored === 'string') text = stored
  else {
    // A Pod's last-applied-configuration: kilobytes, unique, and often without any keyword,
    // which the bytes tell before any decoding. ASCII ones are handed to the keyword pass as bytes.
    if (!mayDetect(stored, path)) return NOTHING
    bytes = isAscii(stored) ? stored : undefined
    text = stored.toString(bytes ? 'latin1' : 'utf8')
  }
  if (text.length > CACHED_TEXT_MAX) return detect(text, {path, bytes}).map((m) => matchFindingBase(m, fp))
  let all = textCache.get(fp)
  if (!all) textCache.set(fp, (all = {byPath: new Map(), size: 0}))
  let cache = all.byPath.get(path)
  if (!cache) all.byPath.set(path, (cache = new Map()))
  let bases = cache.get(text)
  if (!bases) {
    bases = detect(text, {path}).map((m) => matchFindingBase(m, fp))
    if (all.size >= CACHED_TEXTS) {
      all.byPath.clear()
      all.byPath.set(path, (cache = new Map()))
      all.size = 0
    }
    cache.set(text, bases)
    all.size++
  }
  return bases
}

/** Runs the engine over each text; one credential per fingerprint per object (the first field that holds it: data before annotations). */
function scanTexts(texts: Text[], fp: Fingerprinter): ObjectCredential[] {
  const out: ObjectCredential[] = []
  let seen: Set<string> | undefined // made on the first credential: most objects hold none
  for (const {field, text, path} of texts) {
    for (const base of detected(text, path, fp)) {
      seen ??= new Set()
      if (seen.has(base.fingerprint)) continue
      seen.add(base.fingerprint)
      out.push({...base, field})
    }
  }
  return out
}

function* leaves(x: unknown, path: string, depth: number): Generator<[string, string]> {
  if (depth > 40 || x === undefined || x === null) return
  if (typeof x === 'string') yield [path, x]
  else if (Array.isArray(x)) for (let i = 0; i < x.length && i < 1000; i++) yield* leaves(x[i], `${path}[${i}]`, depth + 1)
  else if (typeof x === 'object') for (const [k, v] of Object.entries(x)) yield* leaves(v, `${path}.${k}`, depth + 1)
}

function str(x: unknown): string {
  return typeof x === 'string' ? x : ''
}
