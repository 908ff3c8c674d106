import {shQuote} from '../../text/shell.js'
import type {Consumer, LiveObject} from './live.js'
import {lookupTable} from '../../lookup.js'

// Who reads a Secret (or ConfigMap): the pod templates that name it — env
// valueFrom.secretKeyRef, envFrom.secretRef, secret and projected volumes,
// imagePullSecrets —, the workloads running as the service account a token
// Secret belongs to, the Ingresses serving it as TLS, and what owns it (an
// ownerReference, a Helm release, a CloudNativePG cluster). After a rotation
// each of them must restart or reload: the blast radius of the credential.

export interface Ref {
  kind: 'Secret' | 'ConfigMap'
  name: string
  /** How it is read: `env DB_PASSWORD`, `envFrom`, `volume creds`, `imagePullSecrets`, `tls`. */
  how: string
  /** The data key read, when only one is (env valueFrom). */
  key?: string
}

export interface ConsumerRef {
  kind: string
  namespace?: string
  name: string
}

type Obj = Record<string, unknown>
const rec = (x: unknown): Obj => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Obj) : {})
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : [])
const str = (x: unknown): string => (typeof x === 'string' ? x : '')

/** Where each kind keeps its pod spec. */
export function podSpecOf(kind: string, obj: Obj): Obj | null {
  const spec = rec(obj.spec)
  switch (kind) {
    case 'Pod':
      return spec
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return rec(rec(spec.template).spec)
    case 'CronJob':
      return rec(rec(rec(rec(spec.jobTemplate).spec).template).spec)
    default:
      return null
  }
}

/** The Secrets and ConfigMaps an object reads. */
export function refsOf(kind: string, obj: Obj): Ref[] {
  if (kind === 'ServiceAccount') return arr(obj.imagePullSecrets).map((s) => str(rec(s).name)).filter(Boolean).map((name) => ({kind: 'Secret', name, how: 'imagePullSecrets'}))
  if (kind === 'Ingress') return arr(rec(obj.spec).tls).map((t) => str(rec(t).secretName)).filter(Boolean).map((name) => ({kind: 'Secret', name, how: 'tls'}))
  const spec = podSpecOf(kind, obj)
  if (!spec) return []
  const out: Ref[] = []
  for (const s of arr(spec.imagePullSecrets)) if (str(rec(s).name)) out.push({kind: 'Secret', name: str(rec(s).name), how: 'imagePullSecrets'})
  for (const v of arr(spec.volumes).map(rec)) {
    const vol = str(v.name)
    if (str(rec(v.secret).secretName)) out.push({kind: 'Secret', name: str(rec(v.secret).secretName), how: `volume ${vol}`})
    if (str(rec(v.configMap).name)) out.push({kind: 'ConfigMap', name: str(rec(v.configMap).name), how: `volume ${vol}`})
    for (const p of arr(rec(v.projected).sources).map(rec)) {
      if (str(rec(p.secret).name)) out.push({kind: 'Secret', name: str(rec(p.secret).name), how: `projected volume ${vol}`})
      if (str(rec(p.configMap).name)) out.push({kind: 'ConfigMap', name: str(rec(p.configMap).name), how: `projected volume ${vol}`})
    }
  }
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers), ...arr(spec.ephemeralContainers)].map(rec)) {
    for (const e of arr(c.env).map(rec)) {
      const from = rec(e.valueFrom)
      const s = rec(from.secretKeyRef)
      const m = rec(from.configMapKeyRef)
      if (str(s.name)) out.push({kind: 'Secret', name: str(s.name), how: `env ${str(e.name)}`, key: str(s.key)})
      if (str(m.name)) out.push({kind: 'ConfigMap', name: str(m.name), how: `env ${str(e.name)}`, key: str(m.key)})
    }
    for (const f of arr(c.envFrom).map(rec)) {
      if (str(rec(f.secretRef).name)) out.push({kind: 'Secret', name: str(rec(f.secretRef).name), how: 'envFrom'})
      if (str(rec(f.configMapRef).name)) out.push({kind: 'ConfigMap', name: str(rec(f.configMapRef).name), how: 'envFrom'})
    }
  }
  return out
}

/** Consumers by the object they read: `Secret/ns/name` -> consumers. */
export class ConsumerIndex {
  private readonly byRef = new Map<string, Consumer[]>()
  private readonly bySa = new Map<string, Consumer[]>()

  add(c: Consumer): void {
    // A pod a controller made restarts with its controller, which is listed itself.
    if (c.kind === 'Pod' && c.owned) return
    for (const r of c.refs) {
      const k = `${r.kind}/${c.namespace}/${r.name}`
      const list = this.byRef.get(k) ?? []
      if (!list.includes(c)) list.push(c)
      this.byRef.set(k, list)
    }
    if (c.serviceAccount) {
      const k = `${c.namespace}/${c.serviceAccount}`
      // Appended in place: every Pod of a namespace names `default`, and a copy per Pod was quadratic.
      const list = this.bySa.get(k)
      if (list) list.push(c)
      else this.bySa.set(k, [c])
    }
  }

  /** Everything that reads this object (the key: when a field names one data key, env refs to other keys do not count). */
  of(kind: string, namespace: string, name: string, key: string | null, object: OwnerFacts | null): ConsumerRef[] {
    const direct = this.byRef.get(`${kind}/${namespace}/${name}`)
    // Most Secrets of a snapshot: nothing reads them, nothing owns them (asked 50,000 times in a scan).
    if (!direct && (!object || (object.owners.length === 0 && isEmpty(object.labels) && isEmpty(object.annotations)))) return []
    const out = new Map<string, ConsumerRef>()
    const put = (c: ConsumerRef) => out.set(`${c.kind}/${c.namespace ?? ''}/${c.name}`, c)
    for (const c of direct ?? []) {
      if (key && c.refs.every((r) => r.name !== name || r.kind !== kind || (r.key !== undefined && r.key !== '' && r.key !== key))) continue
      put({kind: c.kind, namespace: c.namespace, name: c.name})
    }
    if (object) for (const c of ownersOf(object)) put(c)
    const sa = object?.type === 'kubernetes.io/service-account-token' ? object.annotations['kubernetes.io/service-account.name'] : undefined
    if (sa) {
      put({kind: 'ServiceAccount', namespace, name: sa})
      for (const c of this.bySa.get(`${namespace}/${sa}`) ?? []) if (!(c.kind === 'Pod' && c.owned)) put({kind: c.kind, namespace: c.namespace, name: c.name})
    }
    return [...out.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
  }
}

function isEmpty(o: Record<string, string>): boolean {
  for (const _ in o) return false
  return true
}

/** What of a Secret or ConfigMap names its owners and its service account. */
export type OwnerFacts = Pick<LiveObject, 'type' | 'namespace' | 'owners' | 'labels' | 'annotations'>

const NOTHING: Record<string, string> = Object.freeze({}) as Record<string, string>
const OWNER_LABELS = ['app.kubernetes.io/managed-by', 'app.kubernetes.io/instance', 'cnpg.io/cluster']
const OWNER_ANNOTATIONS = ['meta.helm.sh/release-name', 'meta.helm.sh/release-namespace', 'kubernetes.io/service-account.name']

/** Only the labels and annotations ownersOf and the token lookup read: a snapshot keeps one per Secret, not whole annotations. */
export function ownerFacts(o: OwnerFacts): OwnerFacts {
  // Once per Secret revision in a scan: no allocation when nothing is there.
  const pick = (from: Record<string, string>, keys: string[]) => {
    let out: Record<string, string> | undefined
    for (const k of keys) if (from[k] !== undefined) (out ??= {})[k] = from[k]
    return out ?? NOTHING
  }
  return {type: o.type, namespace: o.namespace, owners: o.owners, labels: pick(o.labels, OWNER_LABELS), annotations: pick(o.annotations, OWNER_ANNOTATIONS)}
}

/** Owners of an object: ownerReferences, a Helm release, a CloudNativePG cluster. */
export function ownersOf(o: Pick<LiveObject, 'namespace' | 'owners' | 'labels' | 'annotations'>): ConsumerRef[] {
  const out: ConsumerRef[] = o.owners.filter((r) => r.kind && r.name).map((r) => ({kind: r.kind, namespace: o.namespace, name: r.name}))
  const helm = o.annotations['meta.helm.sh/release-name']
  if (helm || o.labels['app.kubernetes.io/managed-by'] === 'Helm') out.push({kind: 'HelmRelease', namespace: o.annotations['meta.helm.sh/release-namespace'] ?? o.namespace, name: helm ?? o.labels['app.kubernetes.io/instance'] ?? '?'})
  const cnpg = o.labels['cnpg.io/cluster']
  if (cnpg && !o.owners.some((r) => r.name === cnpg)) out.push({kind: 'Cluster.postgresql.cnpg.io', namespace: o.namespace, name: cnpg})
  return out
}

const RESTARTABLE = lookupTable({Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset'})

/** The exact command that makes a consumer read the new value; null when it has none (a CronJob's next run reads it). */
export function restartCommand(c: ConsumerRef, context?: string): string | null {
  const kind = RESTARTABLE[c.kind]
  if (!kind || !c.namespace) return null
  return ['kubectl', ...(context ? ['--context', shQuote(context)] : []), 'rollout', 'restart', shQuote(`${kind}/${c.name}`), '-n', shQuote(c.namespace)].join(' ')
}
