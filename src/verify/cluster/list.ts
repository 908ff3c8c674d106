import type {KubeSession} from '../../cluster/kube.js'
import {statusMessage} from '../../cluster/kube.js'
import {lookupTable} from '../../lookup.js'

// One paginated list per resource, through @kubernetes/client-node: pages of
// `limit` objects chained by the `continue` token, each page handed over and
// let go (50,000 Secrets never sit in memory at once). A continue token the
// server expired (410 Gone, reason Expired: etcd compacted past the list's
// revision) restarts the list from the top, as kubectl does; what the caller
// gathered from the first attempt is dropped by onRestart. The whole cluster
// first; when RBAC refuses that, namespace by namespace.

export type Resource = 'secrets' | 'configmaps' | 'pods' | 'deployments' | 'statefulsets' | 'daemonsets' | 'replicasets' | 'jobs' | 'cronjobs' | 'replicationcontrollers' | 'ingresses'

export const RESOURCE_PATH: Record<Resource, string> = {
  secrets: '/api/v1',
  configmaps: '/api/v1',
  pods: '/api/v1',
  replicationcontrollers: '/api/v1',
  deployments: '/apis/apps/v1',
  statefulsets: '/apis/apps/v1',
  daemonsets: '/apis/apps/v1',
  replicasets: '/apis/apps/v1',
  jobs: '/apis/batch/v1',
  cronjobs: '/apis/batch/v1',
  ingresses: '/apis/networking.k8s.io/v1',
}

/** The Kubernetes kind each resource lists. */
export const RESOURCE_KIND: Record<Resource, string> = {
  secrets: 'Secret',
  configmaps: 'ConfigMap',
  pods: 'Pod',
  replicationcontrollers: 'ReplicationController',
  deployments: 'Deployment',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
  replicasets: 'ReplicaSet',
  jobs: 'Job',
  cronjobs: 'CronJob',
  ingresses: 'Ingress',
}

export const KIND_RESOURCE = lookupTable<Resource>(Object.fromEntries(Object.entries(RESOURCE_KIND).map(([r, k]) => [k, r as Resource])))

export interface Page {
  items: unknown[]
  continue?: string
}

interface PageParams {
  limit: number
  _continue?: string
}

type Lister = (p: PageParams, ns: string | undefined) => Promise<{items: unknown[]; metadata?: {_continue?: string}}>

/** The typed client's list call for each resource, cluster-wide or in one namespace. */
export async function listers(session: KubeSession, timeoutMs: number): Promise<Record<Resource, Lister>> {
  const k8s = await import('@kubernetes/client-node')
  const core = session.core
  const apps = session.kc.makeApiClient(k8s.AppsV1Api)
  const batch = session.kc.makeApiClient(k8s.BatchV1Api)
  const net = session.kc.makeApiClient(k8s.NetworkingV1Api)
  // A page that does not come in time is abandoned: the request is aborted, not left hanging.
  // (The object API's middleware speaks the client's own minimal Observable: something with toPromise().)
  const settle = <T>(value: T) => ({toPromise: async () => value})
  const o = () => ({middleware: [{pre: (ctx: {setSignal(s: AbortSignal): void}) => (ctx.setSignal(AbortSignal.timeout(timeoutMs)), settle(ctx)), post: settle}], middlewareMergeStrategy: 'append' as const}) as never
  return {
    secrets: (p, ns) => (ns ? core.listNamespacedSecret({namespace: ns, ...p}, o()) : core.listSecretForAllNamespaces(p, o())),
    configmaps: (p, ns) => (ns ? core.listNamespacedConfigMap({namespace: ns, ...p}, o()) : core.listConfigMapForAllNamespaces(p, o())),
    pods: (p, ns) => (ns ? core.listNamespacedPod({namespace: ns, ...p}, o()) : core.listPodForAllNamespaces(p, o())),
    replicationcontrollers: (p, ns) => (ns ? core.listNamespacedReplicationController({namespace: ns, ...p}, o()) : core.listReplicationControllerForAllNamespaces(p, o())),
    deployments: (p, ns) => (ns ? apps.listNamespacedDeployment({namespace: ns, ...p}, o()) : apps.listDeploymentForAllNamespaces(p, o())),
    statefulsets: (p, ns) => (ns ? apps.listNamespacedStatefulSet({namespace: ns, ...p}, o()) : apps.listStatefulSetForAllNamespaces(p, o())),
    daemonsets: (p, ns) => (ns ? apps.listNamespacedDaemonSet({namespace: ns, ...p}, o()) : apps.listDaemonSetForAllNamespaces(p, o())),
    replicasets: (p, ns) => (ns ? apps.listNamespacedReplicaSet({namespace: ns, ...p}, o()) : apps.listReplicaSetForAllNamespaces(p, o())),
    jobs: (p, ns) => (ns ? batch.listNamespacedJob({namespace: ns, ...p}, o()) : batch.listJobForAllNamespaces(p, o())),
    cronjobs: (p, ns) => (ns ? batch.listNamespacedCronJob({namespace: ns, ...p}, o()) : batch.listCronJobForAllNamespaces(p, o())),
    ingresses: (p, ns) => (ns ? net.listNamespacedIngress({namespace: ns, ...p}, o()) : net.listIngressForAllNamespaces(p, o())),
  }
}

/** A list the API server would not give. */
export interface Refusal {
  resource: Resource
  namespace?: string
  /** HTTP status, or 0 for a network or TLS failure. */
  status: number
  /** The verb and resource RBAC says are missing (`list secrets in namespace prod`), from the 403's message. */
  missing?: string
  message: string
  error: unknown
}

/** `User "x" cannot list resource "secrets" in API group "" in the namespace "prod"` -> `list secrets in namespace prod`. */
export function missingPermission(message: string): string | undefined {
  const m = /cannot (\w+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)"| at the cluster scope)?/.exec(message)
  if (!m) return undefined
  const [, verb, resource, group, ns] = m
  return `${verb} ${resource}${group ? `.${group}` : ''} ${ns ? `in namespace ${ns}` : 'at the cluster scope'}`
}

export interface ListStats {
  requests: number
  pages: number
  relists: number
}

const MAX_RELISTS = 3

export class ListError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message)
  }
}

function refusal(resource: Resource, namespace: string | undefined, e: unknown): Refusal {
  const err = e as {code?: unknown; body?: unknown; message?: string}
  const status = typeof err?.code === 'number' ? err.code : 0
  const said = status ? statusMessage(err.body) ?? `HTTP ${status}` : (e instanceof Error ? e.message : String(e)).split('\n')[0]!
  return {resource, namespace, status, missing: status === 403 ? missingPermission(said) ?? `list ${resource}${namespace ? ` in namespace ${namespace}` : ' at the cluster scope'}` : undefined, message: said, error: e}
}

const isExpired = (e: unknown) => (e as {code?: unknown})?.code === 410

/**
 * Lists one resource in full, page by page. Throws ListError when the server
 * refuses or fails; restarts on an expired continue token (onRestart first).
 */
export async function listAll(list: Lister, resource: Resource, namespace: string | undefined, o: {limit: number; stats: ListStats; onPage: (items: unknown[]) => void; onRestart: () => void}): Promise<void> {
  let token: string | undefined
  let relists = 0
  let retried = false
  for (;;) {
    let page
    try {
      o.stats.requests++
      page = await list({limit: o.limit, ...(token ? {_continue: token} : {})}, namespace)
    } catch (e) {
      if (token && isExpired(e) && relists < MAX_RELISTS) {
        relists++
        o.stats.relists++
        token = undefined
        o.onRestart()
        continue
      }
      // A page that timed out or a dropped connection: that page once more.
      if (!retried && typeof (e as {code?: unknown})?.code !== 'number') {
        retried = true
        continue
      }
      throw new ListError(refusal(resource, namespace, e))
    }
    o.stats.pages++
    o.onPage(page.items ?? [])
    token = page.metadata?._continue || undefined
    if (!token) return
  }
}
