import type {IncomingMessage, ServerResponse} from 'node:http'

// The list side of the local API server: objects held in memory (JSON as the
// API serves it), listed the way kube-apiserver lists them — `limit` and an
// opaque `continue` token, `410 Expired` for a token the test expires (the
// Status carries a fresh token, as the real one does), `403` with the RBAC
// authorizer's message for what the test forbids, and a page the test makes
// slow. Tests rotate, delete and restore objects between calls.

export type ListResource = 'secrets' | 'configmaps' | 'pods' | 'replicationcontrollers' | 'deployments' | 'statefulsets' | 'daemonsets' | 'replicasets' | 'jobs' | 'cronjobs' | 'ingresses'

const GROUP: Record<ListResource, string> = {
  secrets: '', configmaps: '', pods: '', replicationcontrollers: '',
  deployments: 'apps', statefulsets: 'apps', daemonsets: 'apps', replicasets: 'apps',
  jobs: 'batch', cronjobs: 'batch', ingresses: 'networking.k8s.io',
}
const LIST_KIND: Record<ListResource, string> = {
  secrets: 'SecretList', configmaps: 'ConfigMapList', pods: 'PodList', replicationcontrollers: 'ReplicationControllerList',
  deployments: 'DeploymentList', statefulsets: 'StatefulSetList', daemonsets: 'DaemonSetList', replicasets: 'ReplicaSetList',
  jobs: 'JobList', cronjobs: 'CronJobList', ingresses: 'IngressList',
}

export type KubeObject = {metadata: {name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown}; [k: string]: unknown}

export interface ObjectStoreOptions {
  /** RBAC: `secrets` forbids listing Secrets cluster-wide; `secrets:prod` in namespace prod too. */
  forbid?: string[]
  /** The next continue token used for this resource is answered 410 Expired (once per entry). */
  expire?: ListResource[]
  /** This page (0-based) of this resource's lists takes this long. */
  slow?: {resource: ListResource; page: number; ms: number}
  /** The user RBAC names in 403 messages. */
  user?: string
}

export class ObjectStore {
  readonly objects = new Map<ListResource, Map<string, KubeObject>>()
  rv = 5000
  /** GET list requests answered, per resource. */
  readonly lists: {resource: ListResource; namespace: string | null; limit: number | null; continued: boolean; status: number}[] = []

  constructor(readonly o: ObjectStoreOptions = {}) {}

  put(resource: ListResource, obj: KubeObject): KubeObject {
    const map = this.objects.get(resource) ?? new Map<string, KubeObject>()
    this.objects.set(resource, map)
    obj.metadata.resourceVersion = String(++this.rv)
    map.set(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, obj)
    return obj
  }

  get(resource: ListResource, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(resource)?.get(`${namespace}/${name}`)
  }

  delete(resource: ListResource, namespace: string, name: string): boolean {
    return this.objects.get(resource)?.delete(`${namespace}/${name}`) ?? false
  }

  /** Answers GET lists; false when the path is not one. */
  async handle(req: IncomingMessage, res: ServerResponse, send: (res: ServerResponse, code: number, body: unknown) => void): Promise<number | false> {
    if (req.method !== 'GET') return false
    const url = new URL(req.url ?? '/', 'https://127.0.0.1')
    const m = /^\/(?:api\/v1|apis\/(apps|batch|networking\.k8s\.io)\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)$/.exec(url.pathname)
    if (!m) return false
    const [, group = '', namespace = null, resourceName] = m
    const resource = resourceName as ListResource
    if (!(resource in GROUP) || GROUP[resource] !== group) return false
    const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : null
    const token = url.searchParams.get('continue')
    const log = (status: number) => (this.lists.push({resource, namespace, limit, continued: !!token, status}), status)
    const user = this.o.user ?? 'system:serviceaccount:ops:leakctl-verify'
    const forbidden = (this.o.forbid ?? []).includes(resource) && (!namespace || (this.o.forbid ?? []).includes(`${resource}:${namespace}`))
    if (forbidden) {
      const gr = group ? `${resource}.${group}` : resource
      send(res, 403, status(403, 'Forbidden', `${gr} is forbidden: User "${user}" cannot list resource "${resource}" in API group "${group}" ${namespace ? `in the namespace "${namespace}"` : 'at the cluster scope'}`, {kind: resource, ...(group ? {group} : {})}))
      return log(403)
    }
    let offset = 0
    let rv = String(this.rv)
    if (token) {
      const expire = this.o.expire?.indexOf(resource) ?? -1
      let parsed: {rv: string; offset: number} | null = null
      try {
        parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {rv: string; offset: number}
      } catch {
        parsed = null
      }
      if (!parsed) {
        send(res, 400, status(400, 'BadRequest', 'continue key is not valid: illegal base64 data'))
        return log(400)
      }
      if (expire >= 0) {
        this.o.expire!.splice(expire, 1)
        const fresh = Buffer.from(JSON.stringify({rv: String(this.rv), offset: parsed.offset})).toString('base64url')
        send(res, 410, {...status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.'), metadata: {continue: fresh}})
        return log(410)
      }
      offset = parsed.offset
      rv = parsed.rv
    }
    const all = [...(this.objects.get(resource)?.values() ?? [])]
      .filter((x) => !namespace || x.metadata.namespace === namespace)
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`))
    const end = limit ? Math.min(all.length, offset + limit) : all.length
    const page = limit ? Math.floor(offset / limit) : 0
    if (this.o.slow && this.o.slow.resource === resource && this.o.slow.page === page) await new Promise((r) => setTimeout(r, this.o.slow!.ms))
    const more = end < all.length
    const metadata: Record<string, unknown> = {resourceVersion: rv}
    if (more) {
      metadata.continue = Buffer.from(JSON.stringify({rv, offset: end})).toString('base64url')
      metadata.remainingItemCount = all.length - end
    }
    send(res, 200, {kind: LIST_KIND[resource], apiVersion: group ? `${group}/v1` : 'v1', metadata, items: all.slice(offset, end)})
    return log(200)
  }
}

export function status(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? {details} : {}), code}
}

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64')
const stamp = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z')

/** A Secret as the API serves it, with the managedFields entry of its last write. */
export function secretJson(namespace: string, name: string, data: Record<string, string | Buffer>, o: {type?: string; written?: Date; manager?: string; annotations?: Record<string, string>; labels?: Record<string, string>; owners?: {kind: string; name: string}[]} = {}): KubeObject {
  const written = o.written ?? new Date('2026-11-20T09:00:00Z')
  return {
    metadata: {
      name,
      namespace,
      uid: `uid-${namespace}-${name}`,
      creationTimestamp: '2026-01-10T08:00:00Z',
      ...(o.labels ? {labels: o.labels} : {}),
      ...(o.annotations ? {annotations: o.annotations} : {}),
      ...(o.owners ? {ownerReferences: o.owners.map((x) => ({apiVersion: 'v1', kind: x.kind, name: x.name, uid: `uid-${x.name}`, controller: true}))} : {}),
      managedFields: [{manager: o.manager ?? 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: stamp(written), fieldsType: 'FieldsV1', fieldsV1: {'f:data': Object.fromEntries(Object.keys(data).map((k) => [`f:${k}`, {}])), 'f:type': {}}}],
    },
    type: o.type ?? 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  }
}

/** Rotates values of a Secret in the store: new data, a new managedFields time. */
export function rotateSecret(store: ObjectStore, namespace: string, name: string, data: Record<string, string | Buffer>, at: Date, manager = 'vault-secrets-operator'): void {
  const s = store.get('secrets', namespace, name)
  if (!s) throw new Error(`no Secret ${namespace}/${name}`)
  const next = secretJson(namespace, name, {...Object.fromEntries(Object.entries(s.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64')])), ...data}, {type: s.type as string, written: at, manager, annotations: s.metadata.annotations as Record<string, string> | undefined, labels: s.metadata.labels as Record<string, string> | undefined})
  const fields = (s.metadata.managedFields as unknown[]) ?? []
  next.metadata.managedFields = [...fields, ...(next.metadata.managedFields as unknown[])]
  store.put('secrets', next)
}

export function configMapJson(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return {metadata: {name, namespace, uid: `uid-${namespace}-${name}`, creationTimestamp: '2026-01-10T08:00:00Z'}, data}
}

export interface PodTemplate {
  containers: {name: string; image?: string; env?: unknown[]; envFrom?: unknown[]; command?: string[]; args?: string[]}[]
  volumes?: unknown[]
  imagePullSecrets?: {name: string}[]
  serviceAccountName?: string
}

/** A Deployment, StatefulSet or DaemonSet (spec.template), a CronJob (spec.jobTemplate) or a Pod. */
export function workloadJson(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob' | 'Pod', namespace: string, name: string, spec: PodTemplate, owner?: {kind: string; name: string}): KubeObject {
  const pod = {...spec, containers: spec.containers.map((c) => ({image: 'registry.example.com/app:1', ...c}))}
  const metadata = {name, namespace, uid: `uid-${namespace}-${name}`, creationTimestamp: '2026-01-10T08:00:00Z', ...(owner ? {ownerReferences: [{apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: `uid-${owner.name}`, controller: true}]} : {})}
  if (kind === 'Pod') return {metadata, spec: pod}
  if (kind === 'CronJob') return {metadata, spec: {schedule: '0 3 * * *', jobTemplate: {spec: {template: {spec: {restartPolicy: 'OnFailure', ...pod}}}}}}
  return {metadata, spec: {selector: {matchLabels: {app: name}}, template: {metadata: {labels: {app: name}}, spec: pod}}}
}

export function ingressJson(namespace: string, name: string, tlsSecret: string): KubeObject {
  return {metadata: {name, namespace, uid: `uid-${namespace}-${name}`, creationTimestamp: '2026-01-10T08:00:00Z'}, spec: {tls: [{hosts: ['shop.example.com'], secretName: tlsSecret}], rules: [{host: 'shop.example.com'}]}}
}
