import {fields, ProtoError, WIRE} from '../proto.js'

// Kubernetes objects as kube-apiserver stores them. The protobuf storage
// encoding is the 4 bytes "k8s\0" and a runtime.Unknown:
//   Unknown  typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4
// with the object itself in `raw`. Field numbers from k8s.io/api and
// k8s.io/apimachinery generated.proto:
//   ObjectMeta name=1 namespace=3 uid=5 resourceVersion=6 creationTimestamp=8 {seconds=1}
//              labels=11 annotations=12 ownerReferences=13 {kind=1 name=3}
//   Secret     metadata=1 data=2 map<string,bytes> type=3 immutable=5
//   ConfigMap  metadata=1 data=2 map<string,string> binaryData=3 map<string,bytes>
//   Pod        spec=2;  PodTemplateSpec spec=2
//   PodSpec    containers=2 initContainers=20 ephemeralContainers=34 {common=1}
//   Container  name=1 env=7 {name=1 value=2}
//   Deployment/StatefulSet/ReplicaSet spec.template=3, DaemonSet spec.template=2,
//   Job spec.template=6, CronJob spec.jobTemplate=5 {spec=2}

export interface StoredObject {
  encoding: 'protobuf' | 'json'
  apiVersion: string
  kind: string
  /** protobuf: the object's message; json: the parsed document. */
  raw: Buffer | Record<string, unknown>
}

const MAGIC = Buffer.from('k8s\0', 'latin1')

/** Decodes a plaintext stored value; null when it is neither protobuf nor JSON storage. */
export function decodeStored(value: Buffer): StoredObject | null {
  if (value.subarray(0, 4).equals(MAGIC)) {
    let apiVersion = ''
    let kind = ''
    let raw: Buffer = Buffer.alloc(0)
    for (const f of fields(value.subarray(4))) {
      if (f.no === 1 && f.wire === WIRE.bytes) {
        for (const t of fields(f.bytes)) {
          if (t.no === 1) apiVersion = t.bytes.toString('utf8')
          if (t.no === 2) kind = t.bytes.toString('utf8')
        }
      } else if (f.no === 2 && f.wire === WIRE.bytes) raw = f.bytes
    }
    return {encoding: 'protobuf', apiVersion, kind, raw}
  }
  const first = value.findIndex((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)
  if (first >= 0 && value[first] === 0x7b) {
    try {
      const doc = JSON.parse(value.toString('utf8')) as Record<string, unknown>
      return {encoding: 'json', apiVersion: String(doc.apiVersion ?? ''), kind: String(doc.kind ?? ''), raw: doc}
    } catch {
      return null
    }
  }
  return null
}

export interface Meta {
  name: string
  namespace: string | null
  uid: string
  resourceVersion: string
  created: string | null
  labels: Record<string, string>
  annotations: Record<string, string>
  owners: {kind: string; name: string}[]
}

function mapEntry(buf: Buffer): [string, Buffer] {
  let k = ''
  let v: Buffer = Buffer.alloc(0)
  for (const f of fields(buf)) {
    if (f.no === 1) k = f.bytes.toString('utf8')
    else if (f.no === 2) v = f.bytes
  }
  return [k, v]
}

export function decodeMeta(buf: Buffer): Meta {
  const m: Meta = {name: '', namespace: null, uid: '', resourceVersion: '', created: null, labels: {}, annotations: {}, owners: []}
  for (const f of fields(buf)) {
    switch (f.no) {
      case 1:
        m.name = f.bytes.toString('utf8')
        break
      case 3:
        m.namespace = f.bytes.toString('utf8')
        break
      case 5:
        m.uid = f.bytes.toString('utf8')
        break
      case 6:
        m.resourceVersion = f.bytes.toString('utf8')
        break
      case 8:
        for (const t of fields(f.bytes)) if (t.no === 1) m.created = new Date(t.int * 1000).toISOString()
        break
      case 11: {
        const [k, v] = mapEntry(f.bytes)
        m.labels[k] = v.toString('utf8')
        break
      }
      case 12: {
        const [k, v] = mapEntry(f.bytes)
        // Annotations can be large (last-applied-configuration); keep names, cap values.
        m.annotations[k] = v.subarray(0, 4096).toString('utf8')
        break
      }
      case 13: {
        const o = {kind: '', name: ''}
        for (const t of fields(f.bytes)) {
          if (t.no === 1) o.kind = t.bytes.toString('utf8')
          if (t.no === 3) o.name = t.bytes.toString('utf8')
        }
        m.owners.push(o)
        break
      }
    }
  }
  return m
}

export interface SecretObject {
  meta: Meta
  type: string
  data: Map<string, Buffer>
}

export function decodeSecret(obj: StoredObject): SecretObject {
  if (obj.encoding === 'json') {
    const doc = obj.raw as {metadata?: Record<string, unknown>; type?: string; data?: Record<string, string>; stringData?: Record<string, string>}
    const data = new Map<string, Buffer>()
    for (const [k, v] of Object.entries(doc.data ?? {})) data.set(k, Buffer.from(String(v), 'base64'))
    for (const [k, v] of Object.entries(doc.stringData ?? {})) data.set(k, Buffer.from(String(v), 'utf8'))
    return {meta: jsonMeta(doc.metadata), type: doc.type ?? 'Opaque', data}
  }
  const s: SecretObject = {meta: emptyMeta(), type: 'Opaque', data: new Map()}
  for (const f of fields(obj.raw as Buffer)) {
    if (f.no === 1) s.meta = decodeMeta(f.bytes)
    else if (f.no === 2) {
      const [k, v] = mapEntry(f.bytes)
      s.data.set(k, v)
    } else if (f.no === 3) s.type = f.bytes.toString('utf8') || 'Opaque'
  }
  return s
}

export interface ConfigMapObject {
  meta: Meta
  data: Map<string, Buffer>
}

export function decodeConfigMap(obj: StoredObject): ConfigMapObject {
  if (obj.encoding === 'json') {
    const doc = obj.raw as {metadata?: Record<string, unknown>; data?: Record<string, string>; binaryData?: Record<string, string>}
    const data = new Map<string, Buffer>()
    for (const [k, v] of Object.entries(doc.data ?? {})) data.set(k, Buffer.from(String(v), 'utf8'))
    for (const [k, v] of Object.entries(doc.binaryData ?? {})) data.set(k, Buffer.from(String(v), 'base64'))
    return {meta: jsonMeta(doc.metadata), data}
  }
  const c: ConfigMapObject = {meta: emptyMeta(), data: new Map()}
  for (const f of fields(obj.raw as Buffer)) {
    if (f.no === 1) c.meta = decodeMeta(f.bytes)
    else if (f.no === 2 || f.no === 3) {
      const [k, v] = mapEntry(f.bytes)
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

/** Where each workload kind keeps its pod spec, as a path of field numbers from the object. */
const POD_SPEC_PATH: Record<string, number[]> = {
  Pod: [2],
  PodTemplate: [2, 2],
  Deployment: [2, 3, 2],
  StatefulSet: [2, 3, 2],
  ReplicaSet: [2, 3, 2],
  ReplicationController: [2, 3, 2],
  DaemonSet: [2, 2, 2],
  Job: [2, 6, 2],
  CronJob: [2, 5, 2, 6, 2],
}

export const WORKLOAD_KINDS = Object.keys(POD_SPEC_PATH)

/** Environment variables with literal values in a workload's containers. */
export function workloadEnv(obj: StoredObject): {meta: Meta; env: EnvLiteral[]} {
  if (obj.encoding === 'json') return jsonWorkloadEnv(obj.raw as Record<string, unknown>)
  let meta = emptyMeta()
  let spec: Buffer | null = obj.raw as Buffer
  const path = POD_SPEC_PATH[obj.kind]
  if (!path) return {meta, env: []}
  for (const f of fields(obj.raw as Buffer)) if (f.no === 1) meta = decodeMeta(f.bytes)
  for (const no of path) {
    let next: Buffer | null = null
    for (const f of fields(spec!)) if (f.no === no && f.wire === WIRE.bytes) next = f.bytes
    spec = next
    if (!spec) return {meta, env: []}
  }
  const env: EnvLiteral[] = []
  const container = (buf: Buffer) => {
    let name = ''
    const vars: {name: string; value: string | null}[] = []
    for (const f of fields(buf)) {
      if (f.no === 1) name = f.bytes.toString('utf8')
      if (f.no === 7) {
        const v = {name: '', value: null as string | null}
        for (const t of fields(f.bytes)) {
          if (t.no === 1) v.name = t.bytes.toString('utf8')
          if (t.no === 2) v.value = t.bytes.toString('utf8')
        }
        vars.push(v)
      }
    }
    for (const v of vars) if (v.value) env.push({container: name, name: v.name, value: v.value})
  }
  for (const f of fields(spec!)) {
    if (f.no === 2 || f.no === 20) container(f.bytes)
    if (f.no === 34) for (const t of fields(f.bytes)) if (t.no === 1) container(t.bytes)
  }
  return {meta, env}
}

function jsonWorkloadEnv(doc: Record<string, unknown>): {meta: Meta; env: EnvLiteral[]} {
  const env: EnvLiteral[] = []
  const visit = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(visit)
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>
      if (typeof o.name === 'string' && Array.isArray(o.env)) {
        for (const e of o.env as {name?: unknown; value?: unknown}[]) if (typeof e?.value === 'string' && e.value) env.push({container: o.name, name: String(e.name ?? ''), value: e.value})
      }
      for (const v of Object.values(o)) visit(v)
    }
  }
  visit(doc.spec)
  return {meta: jsonMeta(doc.metadata as Record<string, unknown> | undefined), env}
}

function emptyMeta(): Meta {
  return {name: '', namespace: null, uid: '', resourceVersion: '', created: null, labels: {}, annotations: {}, owners: []}
}

function jsonMeta(m: Record<string, unknown> | undefined): Meta {
  const meta = emptyMeta()
  if (!m) return meta
  meta.name = String(m.name ?? '')
  meta.namespace = m.namespace === undefined ? null : String(m.namespace)
  meta.uid = String(m.uid ?? '')
  meta.created = typeof m.creationTimestamp === 'string' ? m.creationTimestamp : null
  meta.labels = (m.labels as Record<string, string>) ?? {}
  meta.annotations = (m.annotations as Record<string, string>) ?? {}
  return meta
}

export {ProtoError}
