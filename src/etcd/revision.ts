import {parentPort, workerData} from 'node:worker_threads'

import {detect, matchFindingBase} from '../detect/engine.js'
import {serveJobs} from '../parallel/pool.js'
import {type Credential, classifySecret} from './classify.js'
import {decrypt, type Decryption, type Keyring, type LocalProvider} from './decrypt.js'
import {providerLabel, readEnvelope} from './envelope.js'
import {decodeConfigMap, decodeSecret, decodeStored, type StoredObject, WORKLOAD_KINDS, workloadEnv} from './k8s/objects.js'
import {ProtoError} from './proto.js'

// The work done for one revision of one key: envelope, decryption, decoding,
// classification. Pure, and the same inline or on a worker thread; the fold
// of results per object stays on the main thread, in revision order.

export interface RevisionJob {
  seq: number
  secretKey: boolean
  key: Uint8Array
  value: Uint8Array
}

export interface FoundValue {
  field: string
  base: ReturnType<typeof matchFindingBase>
}

export type RevisionResult =
  | {seq: number; kind: 'secret'; storage: 'plaintext' | 'encrypted'; provider: string | null; keyName: string | null; decryption: Decryption['status'] | null; type: string | null; name: string | null; namespace: string | null; creds: Credential[]}
  | {seq: number; kind: 'other'; objKind: string; name: string | null; namespace: string | null; found: FoundValue[]}
  | {seq: number; kind: 'none'}

export function processRevision(job: RevisionJob, keyring: Keyring | null): RevisionResult {
  const value = Buffer.from(job.value.buffer, job.value.byteOffset, job.value.byteLength)
  const key = Buffer.from(job.key.buffer, job.key.byteOffset, job.key.byteLength)
  const env = readEnvelope(value)
  let plaintext: Buffer | null = null
  let decryption: Decryption | null = null
  if (env.storage === 'encrypted') {
    if (keyring || env.provider === 'kms') {
      decryption = decrypt(env, value, key, keyring)
      if (decryption.status === 'decrypted') plaintext = decryption.plaintext
    }
  } else plaintext = value
  let obj: StoredObject | null = null
  if (plaintext) {
    try {
      obj = decodeStored(plaintext)
    } catch (error) {
      if (!(error instanceof ProtoError)) throw error
    }
  }
  if (job.secretKey || obj?.kind === 'Secret') {
    const base = {seq: job.seq, kind: 'secret' as const, storage: env.storage, provider: env.storage === 'encrypted' ? providerLabel(env) : null, keyName: env.storage === 'encrypted' ? env.keyName : null, decryption: decryption?.status ?? null}
    if (!obj) return {...base, type: null, name: null, namespace: null, creds: []}
    try {
      const s = decodeSecret(obj)
      return {...base, type: s.type, name: s.meta.name || null, namespace: s.meta.namespace, creds: classifySecret(s)}
    } catch (error) {
      if (error instanceof ProtoError) return {...base, type: null, name: null, namespace: null, creds: []}
      throw error
    }
  }
  if (obj && env.storage === 'plaintext') return other(job.seq, obj)
  return {seq: job.seq, kind: 'none'}
}

function other(seq: number, obj: StoredObject): RevisionResult {
  const texts: {field: string; text: string}[] = []
  let namespace: string | null = null
  let name: string | null = null
  try {
    if (obj.kind === 'ConfigMap') {
      const cm = decodeConfigMap(obj)
      ;({namespace, name} = {namespace: cm.meta.namespace, name: cm.meta.name || null})
      for (const [k, v] of cm.data) if (!v.subarray(0, 4096).includes(0)) texts.push({field: `data.${k}`, text: v.includes(0x0a) ? v.toString('utf8') : `${k}=${v.toString('utf8')}`})
    } else if (WORKLOAD_KINDS.includes(obj.kind)) {
      const w = workloadEnv(obj)
      ;({namespace, name} = {namespace: w.meta.namespace, name: w.meta.name || null})
      for (const v of w.env) texts.push({field: `env ${v.container}/${v.name}`, text: `${v.name}=${JSON.stringify(v.value)}`})
    } else if (obj.encoding === 'json') {
      const doc = obj.raw as Record<string, unknown>
      const meta = (doc.metadata ?? {}) as {name?: string; namespace?: string}
      namespace = meta.namespace ?? null
      name = meta.name ?? null
      for (const [path, value] of leaves(doc.spec ?? doc.data ?? {}, 'spec')) texts.push({field: path, text: `${path.split('.').at(-1)}: ${JSON.stringify(value)}`})
    } else return {seq, kind: 'none'}
  } catch (error) {
    if (error instanceof ProtoError) return {seq, kind: 'none'}
    throw error
  }
  const found: FoundValue[] = []
  for (const {field, text} of texts) {
    const seen = new Set<string>()
    for (const m of detect(text, {path: 'config.env'})) {
      const base = matchFindingBase(m)
      if (seen.has(base.fingerprint)) continue
      seen.add(base.fingerprint)
      found.push({field, base})
    }
  }
  return found.length ? {seq, kind: 'other', objKind: obj.kind, name, namespace, found} : {seq, kind: 'none'}
}

function* leaves(x: unknown, path: string): Generator<[string, string]> {
  if (typeof x === 'string') yield [path, x]
  else if (Array.isArray(x)) for (let i = 0; i < x.length && i < 1000; i++) yield* leaves(x[i], `${path}[${i}]`)
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) yield* leaves(v, `${path}.${k}`)
}

/** What a worker needs to rebuild the keyring (key material stays in this process). */
export type KeyringData = {keys: [string, LocalProvider, Uint8Array][]; kms: string[]} | null

export function keyringData(k: Keyring | null): KeyringData {
  return k ? {keys: [...k.keys].map(([name, v]) => [name, v.provider, new Uint8Array(v.secret)]), kms: [...k.kms]} : null
}

export function keyringOf(d: KeyringData): Keyring | null {
  return d ? {keys: new Map(d.keys.map(([name, provider, secret]) => [name, {provider, secret: Buffer.from(secret)}])), kms: new Set(d.kms)} : null
}

if (parentPort && (workerData as {leakctlWorker?: boolean} | undefined)?.leakctlWorker) {
  const keyring = keyringOf((workerData as {keyring: KeyringData}).keyring)
  serveJobs(parentPort, (job: RevisionJob) => processRevision(job, keyring))
}
