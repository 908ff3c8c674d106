import {podSpecOf, type Ref, refsOf} from '../../verify/cluster/consumers.js'
import {Fields, ProtoError, WIRE} from '../proto.js'
import {lookupTable} from '../../lookup.js'

// Kubernetes objects as kube-apiserver stores them. The protobuf storage
// encoding is the 4 bytes "k8s\0" and a runtime.Unknown:
//   Unknown  typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4
// with the object itself in `raw`. Field numbers from k8s.io/api and
// k8s.io/apimachinery generated.proto:
//   ObjectMeta name=1 namespace=3 uid=5 resourceVersion=6 creationTimestamp=8 {seconds=1}
//              labels=11 annotations=12 ownerReferences=13 {kind=1 name=3}
//   Secret     metadata=1 data=2 map<string,bytes> type=3 stringData=4 map<string,string> immutable=5
//   ConfigMap  metadata=1 data=2 map<string,string> binaryData=3 map<string,bytes>
//   Pod        spec=2;  PodTemplate template=2;  PodTemplateSpec spec=2
//   PodSpec    containers=2 initContainers=20 ephemeralContainers=34 {ephemeralContainerCommon=1}
//              volumes=1 {name=1 volumeSource=2} imagePullSecrets=15 {name=1}
//              serviceAccountName=8 serviceAccount=9
//   Container  name=1 command=3 args=4 env=7 {name=1 value=2 valueFrom=3} envFrom=19
//   EnvVarSource secretKeyRef=4 {localObjectReference=1 {name=1}, key=2}
//   EnvFromSource secretRef=3 {localObjectReference=1 {name=1}}
//   VolumeSource secret=6 {secretName=1}, projected=26 {sources=1 {secret=1 {localObjectReference=1}}}
//   ServiceAccount imagePullSecrets=3;  Ingress spec=2 {tls=2 {secretName=2}}
//   Deployment/StatefulSet/ReplicaSet/ReplicationController spec.template=3,
//   DaemonSet spec.template=2, Job spec.template=6,
//   CronJob spec.jobTemplate=5 {spec=2 -> JobSpec}
// Map entries are messages {key=1, value=2}. Decoding goes through a cursor
// (Fields): it runs over every revision of every Secret.

export interface StoredObject {
  encoding: 'protobuf' | 'json'
  apiVersion: string
  kind: string
  /** protobuf: the object's message; json: the parsed document. */
  raw: Buffer | Record<string, unknown>
}

const MAGIC = Buffer.from('k8s\0', 'latin1')
const EMPTY = Buffer.alloc(0)

/** Decodes a plaintext stored value; null when it is neither protobuf nor JSON storage. Throws ProtoError on a damaged message. */
export function decodeStored(value: Buffer): StoredObject | null {
  if (value.length >= 4 && value[0] === 0x6b && value[1] === 0x38 && value[2] === 0x73 && value[3] === 0x00) {
    let apiVersion = ''
    let kind = ''
    let raw: Buffer = EMPTY
    const r = new Fields(value, MAGIC.length)
    while (r.next()) {
      if (r.no === 1 && r.wire === WIRE.bytes) {
        const t = r.message
        while (t.next()) {
          if (t.no === 1) apiVersion = t.string
          else if (t.no === 2) kind = t.string
        }
      } else if (r.no === 2 && r.wire === WIRE.bytes) raw = r.bytes
    }
    return {encoding: 'protobuf', apiVersion, kind, raw}
  }
  let first = 0
  while (first < value.length && (value[first] === 0x20 || value[first] === 0x0a || value[first] === 0x0d || value[first] === 0x09)) first++
  if (value[first] === 0x7b) {
    try {
      const doc = JSON.parse(value.toString('utf8')) as unknown
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return null
      const d = doc as Record<string, unknown>
      return {encoding: 'json', apiVersion: String(d.apiVersion ?? ''), kind: String(d.kind ?? ''), raw: d}
    } catch {
      return null
    }
  }
  return null
}

/**
 * An object's metadata. Annotation values are strings, except in what workloadEnv and
 * decodeConfigMap decode from protobuf: there only detection reads them, and most (a Pod's
 * last-applied-configuration) hold no keyword, so they stay the stored bytes (see mayDetect).
 */
export interface Meta<Annotation = string> {
  name: string
  namespace: string | null
  uid: string
  resourceVersion: string
  created: string | null
  labels: Record<string, string>
  annotations: Record<string, Annotation>
  owners: {kind: string; name: string}[]
}

/** An annotation value as workloads and ConfigMaps give it: the stored bytes (protobuf) or the string (JSON storage). */
export type StoredAnnotation = string | Buffer

/**
 * What the scan reads of a workload's or ConfigMap's metadata: its labels, uid and
 * resourceVersion are read nowhere, so they are not decoded (130,000 Pods of the
 * 1.1 GB benchmark: a uid and two labels each); annotations as stored (see Meta).
 */
export type ScannedMeta = Pick<Meta<StoredAnnotation>, 'name' | 'namespace' | 'created' | 'owners' | 'annotations'>

/** Annotations can be large (last-applied-configuration holds the whole object): kept up to this many bytes. */
export const ANNOTATION_CAP = 256 * 1024

/** A map entry {key=1, value=2} at the reader's current field. */
function mapEntry(r: Fields): [string, Buffer] {
  let k = ''
  let v: Buffer = EMPTY
  const e = r.message
  while (e.next()) {
    if (e.no === 1) k = e.string
    else if (e.no === 2) v = e.bytes
  }
  return [k, v]
}

export function decodeMeta(buf: Buffer): Meta {
  return metaWith(new Fields(buf), annotationText, true)
}

const annotationText = (v: Buffer): string => v.toString('utf8', 0, Math.min(v.length, ANNOTATION_CAP))
/** Annotation values left as their bytes (views of the message, up to ANNOTATION_CAP). */
const annotationBytes = (v: Buffer): Buffer => (v.length > ANNOTATION_CAP ? v.subarray(0, ANNOTATION_CAP) : v)

/** ObjectMeta from its message; `annotation` makes each annotation's value; without `whole`, only what ScannedMeta holds. */
function metaWith<A>(r: Fields, annotation: (v: Buffer) => A, whole: boolean): Meta<A> {
  const m = emptyMeta<A>()
  while (r.next()) {
    switch (r.no) {
      case 1:
        m.name = r.string
        break
      case 3:
        m.namespace = r.string
        break
      case 5:
        if (whole) m.uid = r.string
        break
      case 6:
        if (whole) m.resourceVersion = r.string
        break
      case 8: {
        const t = r.message
        while (t.next()) if (t.no === 1 && t.wire === 0) m.created = seconds(t.int)
        break
      }
      case 11: {
        if (!whole) {
          // Not decoded, but walked: a damaged label makes the object damaged, as when it was read.
          for (const e = r.message; e.next(); );
          break
        }
        const [k, v] = mapEntry(r)
        m.labels[k] = v.toString('utf8')
        break
      }
      case 12: {
        const [k, v] = mapEntry(r)
        m.annotations[k] = annotation(v)
        break
      }
      case 13: {
        const o = {kind: '', name: ''}
        const t = r.message
        while (t.next()) {
          if (t.no === 1) o.kind = t.string
          else if (t.no === 3) o.name = t.string
        }
        m.owners.push(o)
        break
      }
    }
  }
  return m
}

// Objects are created in bursts (a rollout, a namespace's Secrets): the same
// second comes back thousands of times, and formatting a date is not free.
const isoBySecond = new Map<number, string | null>()

function seconds(s: number): string | null {
  let iso = isoBySecond.get(s)
  if (iso === undefined) {
    const d = new Date(s * 1000)
    iso = Number.isNaN(d.getTime()) ? null : d.toISOString()
    if (isoBySecond.size >= 4096) isoBySecond.clear()
    isoBySecond.set(s, iso)
  }
  return iso
}

export interface SecretObject {
  meta: Meta
  type: string
  data: Map<string, Buffer>
  immutable: boolean
}

export function decodeSecret(obj: StoredObject): SecretObject {
  if (obj.encoding === 'json') return jsonSecret(obj.raw as Record<string, unknown>)
  const s: SecretObject = {meta: emptyMeta(), type: 'Opaque', data: new Map(), immutable: false}
  const r = new Fields(obj.raw as Buffer)
  while (r.next()) {
    if (r.no === 1 && r.wire === WIRE.bytes) s.meta = metaWith(r.message, annotationText, true)
    else if ((r.no === 2 || r.no === 4) && r.wire === WIRE.bytes) {
      // stringData (4) is write-only in the API, merged into data before storage; read it anyway if present.
      const [k, v] = mapEntry(r)
      s.data.set(k, v)
    } else if (r.no === 3) s.type = r.string || 'Opaque'
    else if (r.no === 5) s.immutable = r.int !== 0
  }
  return s
}

/** A Secret in its JSON form: a custom storage encoding, or a last-applied-configuration annotation. */
export function jsonSecret(doc: Record<string, unknown>): SecretObject {
  const data = new Map<string, Buffer>()
  for (const [k, v] of Object.entries(asRecord(doc.data))) if (typeof v === 'string') data.set(k, Buffer.from(v, 'base64'))
  for (const [k, v] of Object.entries(asRecord(doc.stringData))) if (typeof v === 'string') data.set(k, Buffer.from(v, 'utf8'))
  return {meta: jsonMeta(asRecord(doc.metadata)), type: typeof doc.type === 'string' && doc.type ? doc.type : 'Opaque', data, immutable: doc.immutable === true}
}

export interface ConfigMapObject {
  meta: ScannedMeta
  data: Map<string, Buffer>
}

export function decodeConfigMap(obj: StoredObject): ConfigMapObject {
  if (obj.encoding === 'json') {
    const doc = obj.raw as Record<string, unknown>
    const data = new Map<string, Buffer>()
    for (const [k, v] of Object.entries(asRecord(doc.data))) if (typeof v === 'string') data.set(k, Buffer.from(v, 'utf8'))
    for (const [k, v] of Object.entries(asRecord(doc.binaryData))) if (typeof v === 'string') data.set(k, Buffer.from(v, 'base64'))
    return {meta: jsonMeta(asRecord(doc.metadata)), data}
  }
  const c: ConfigMapObject = {meta: emptyMeta(), data: new Map()}
  const r = new Fields(obj.raw as Buffer)
  while (r.next()) {
    if (r.no === 1 && r.wire === WIRE.bytes) c.meta = metaWith(r.message, annotationBytes, false)
    else if ((r.no === 2 || r.no === 3) && r.wire === WIRE.bytes) {
      const [k, v] = mapEntry(r)
      c.data.set(k, v)
    }
  }
  return c
}

export interface EnvLiteral {
  container: string
  name: string
  value: string
}

/** A container's command line (command + args), where `--password=...` flags end up. */
export interface CommandLine {
  container: string
  argv: string[]
}

export interface Workload {
  meta: ScannedMeta
  env: EnvLiteral[]
  commands: CommandLine[]
  /** The Secrets its pod spec reads (env, envFrom, volumes, imagePullSecrets). */
  refs: Ref[]
  /** The service account its pods run as (null: no pod spec found). */
  serviceAccount: string | null
}

/** Where each workload kind keeps its pod spec, as a path of field numbers from the object. */
const POD_SPEC_PATH = lookupTable<number[]>({
  Pod: [2],
  PodTemplate: [2, 2],
  Deployment: [2, 3, 2],
  StatefulSet: [2, 3, 2],
  ReplicaSet: [2, 3, 2],
  ReplicationController: [2, 3, 2],
  DaemonSet: [2, 2, 2],
  Job: [2, 6, 2],
  CronJob: [2, 5, 2, 6, 2],
})

export const WORKLOAD_KINDS = Object.keys(POD_SPEC_PATH)

/** Literal environment values and command lines of a workload's containers (init and ephemeral ones included). */
export function workloadEnv(obj: StoredObject): Workload {
  if (obj.encoding === 'json') return jsonWorkload(obj.raw as Record<string, unknown>)
  const out: Workload = {meta: emptyMeta(), env: [], commands: [], refs: [], serviceAccount: null}
  const path = POD_SPEC_PATH[obj.kind]
  if (!path) return out
  const top = new Fields(obj.raw as Buffer)
  while (top.next()) if (top.no === 1 && top.wire === WIRE.bytes) out.meta = metaWith(top.message, annotationBytes, false)
  let spec = new Fields(obj.raw as Buffer)
  for (const no of path) {
    let next: Fields | null = null
    while (spec.next()) if (spec.no === no && spec.wire === WIRE.bytes) next = spec.message
    if (!next) return out
    spec = next
  }
  const container = (c: Fields) => {
    let name = ''
    const vars: {name: string; value: string}[] = []
    const argv: string[] = []
    while (c.next()) {
      if (c.wire !== WIRE.bytes) continue
      if (c.no === 1) name = c.string
      else if (c.no === 3 || c.no === 4) argv.push(c.string)
      else if (c.no === 7) {
        const v = {name: '', value: ''}
        let from: Buffer | null = null
        const e = c.message
        while (e.next()) {
          if (e.no === 1) v.name = e.string
          else if (e.no === 2) v.value = e.string
          else if (e.no === 3 && e.wire === WIRE.bytes) from = e.bytes
        }
        if (v.value) vars.push(v)
        const selector = from && field(from, 4)
        if (selector) {
          const secret = str(field(selector, 1), 1)
          if (secret) out.refs.push({kind: 'Secret', name: secret, how: `env ${v.name}`, key: str(selector, 2)})
        }
      } else if (c.no === 19) {
        const secret = str(field(field(c.bytes, 3), 1), 1)
        if (secret) out.refs.push({kind: 'Secret', name: secret, how: 'envFrom'})
      }
    }
    for (const v of vars) out.env.push({container: name, ...v})
    if (argv.length) out.commands.push({container: name, argv})
  }
  let account = ''
  let legacyAccount = ''
  const r = spec
  while (r.next()) {
    if (r.wire !== WIRE.bytes) continue
    if (r.no === 2 || r.no === 20) container(r.message)
    else if (r.no === 1) volume(r.bytes, out.refs)
    else if (r.no === 15) {
      const secret = str(r.bytes, 1)
      if (secret) out.refs.push({kind: 'Secret', name: secret, how: 'imagePullSecrets'})
    } else if (r.no === 8) account = r.string
    else if (r.no === 9) legacyAccount = r.string
    else if (r.no === 34) {
      const e = r.message
      while (e.next()) if (e.no === 1 && e.wire === WIRE.bytes) container(e.message)
    }
  }
  out.serviceAccount = account || legacyAccount || 'default'
  return out
}

/** The last length-delimited field `no` of a message (null when absent). */
function field(buf: Buffer | null, no: number): Buffer | null {
  if (!buf) return null
  let out: Buffer | null = null
  const f = new Fields(buf)
  while (f.next()) if (f.no === no && f.wire === WIRE.bytes) out = f.bytes
  return out
}

/** A string field of a message ('' when absent). */
function str(buf: Buffer | null, no: number): string {
  return field(buf, no)?.toString('utf8') ?? ''
}

/** Volume {name=1, volumeSource=2}: a secret volume, or the secrets of a projected one. */
function volume(buf: Buffer, refs: Ref[]): void {
  const name = str(buf, 1)
  const source = field(buf, 2)
  if (!source) return
  const f = new Fields(source)
  while (f.next()) {
    if (f.wire !== WIRE.bytes) continue
    if (f.no === 6) {
      const secret = str(f.bytes, 1)
      if (secret) refs.push({kind: 'Secret', name: secret, how: `volume ${name}`})
    } else if (f.no === 26) {
      const p = new Fields(f.bytes)
      while (p.next()) {
        if (p.no !== 1 || p.wire !== WIRE.bytes) continue
        const secret = str(field(field(p.bytes, 1), 1), 1)
        if (secret) refs.push({kind: 'Secret', name: secret, how: `projected volume ${name}`})
      }
    }
  }
}

/** What a ServiceAccount (imagePullSecrets) or an Ingress (TLS) reads; JSON objects go through the live path's mapping. */
export function referencesOf(obj: StoredObject): {meta: Meta; refs: Ref[]} {
  if (obj.encoding === 'json') {
    const doc = obj.raw as Record<string, unknown>
    return {meta: jsonMeta(asRecord(doc.metadata)), refs: refsOf(obj.kind, doc)}
  }
  let meta = emptyMeta()
  const refs: Ref[] = []
  const top = new Fields(obj.raw as Buffer)
  while (top.next()) {
    if (top.wire !== WIRE.bytes) continue
    if (top.no === 1) meta = metaWith(top.message, annotationText, true)
    else if (obj.kind === 'ServiceAccount' && top.no === 3) {
      const secret = str(top.bytes, 1)
      if (secret) refs.push({kind: 'Secret', name: secret, how: 'imagePullSecrets'})
    } else if (obj.kind === 'Ingress' && top.no === 2) {
      const spec = top.message
      while (spec.next()) {
        if (spec.no !== 2 || spec.wire !== WIRE.bytes) continue
        const secret = str(spec.bytes, 2)
        if (secret) refs.push({kind: 'Secret', name: secret, how: 'tls'})
      }
    }
  }
  return {meta, refs}
}

/** JSON workloads (rare for built-ins, common in custom resources that embed pod templates): every `containers`-like list. */
function jsonWorkload(doc: Record<string, unknown>): Workload {
  const kind = typeof doc.kind === 'string' ? doc.kind : ''
  const spec = podSpecOf(kind, doc)
  const out: Workload = {meta: jsonMeta(asRecord(doc.metadata)), env: [], commands: [], refs: refsOf(kind, doc).filter((r) => r.kind === 'Secret'), serviceAccount: spec ? (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) || (typeof spec.serviceAccount === 'string' && spec.serviceAccount) || 'default' : null}
  const visit = (x: unknown, depth: number) => {
    if (depth > 40) return
    if (Array.isArray(x)) for (const v of x) visit(v, depth + 1)
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>
      if (typeof o.name === 'string' && (Array.isArray(o.env) || Array.isArray(o.args) || Array.isArray(o.command))) {
        for (const e of Array.isArray(o.env) ? (o.env as unknown[]) : []) {
          const v = asRecord(e)
          if (typeof v.value === 'string' && v.value) out.env.push({container: o.name, name: String(v.name ?? ''), value: v.value})
        }
        const argv = [...(Array.isArray(o.command) ? o.command : []), ...(Array.isArray(o.args) ? o.args : [])].filter((a): a is string => typeof a === 'string')
        if (argv.length) out.commands.push({container: o.name, argv})
      }
      for (const v of Object.values(o)) visit(v, depth + 1)
    }
  }
  visit(doc.spec, 0)
  return out
}

export function emptyMeta<A = string>(): Meta<A> {
  return {name: '', namespace: null, uid: '', resourceVersion: '', created: null, labels: {}, annotations: {}, owners: []}
}

function asRecord(x: unknown): Record<string, unknown> {
  return x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : {}
}

function strings(x: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(asRecord(x))) if (typeof v === 'string') out[k] = v
  return out
}

export function jsonMeta(m: Record<string, unknown>): Meta {
  const meta = emptyMeta()
  meta.name = typeof m.name === 'string' ? m.name : ''
  meta.namespace = typeof m.namespace === 'string' ? m.namespace : null
  meta.uid = typeof m.uid === 'string' ? m.uid : ''
  meta.resourceVersion = typeof m.resourceVersion === 'string' ? m.resourceVersion : ''
  meta.created = typeof m.creationTimestamp === 'string' ? m.creationTimestamp : null
  meta.labels = strings(m.labels)
  meta.annotations = strings(m.annotations)
  meta.owners = (Array.isArray(m.ownerReferences) ? m.ownerReferences : []).map((o) => ({kind: String(asRecord(o).kind ?? ''), name: String(asRecord(o).name ?? '')}))
  return meta
}

export {ProtoError}
