import {type KubeSession, type KubeTarget, openKube} from '../../cluster/kube.js'
import {networkMissing} from '../../cluster/missing.js'
import {type EtcdFinding, type Finding, findingKey, findingWhere, type Risk} from '../../detect/finding.js'
import {dependencyError, inputError} from '../../errors.js'
import type {VerificationState} from '../../incident/events.js'
import {safeLine} from '../../text/terminal.js'
import {judge, type FingerprintFn} from './compare.js'
import {ConsumerIndex, type ConsumerRef} from './consumers.js'
import {consumerOf, type LiveObject, liveObject, metaOf} from './live.js'
import {KIND_RESOURCE, listAll, ListError, listers, type ListStats, type Refusal, type Resource, RESOURCE_KIND, RESOURCE_PATH} from './list.js'

// `verify cluster`: is each leaked value still what the live cluster serves?
// One paginated list per resource the findings live in (Secrets, ConfigMaps,
// the workload kinds), plus the kinds that consume Secrets (for the blast
// radius); each value at a finding's place hashed in process with the
// incident's fingerprint function and compared. Never one GET per Secret.

export interface ClusterVerification {
  /** findingKey() of the finding. */
  finding: string
  fingerprint: string
  class: string
  risk: Risk
  where: string
  namespace: string | null
  name: string
  field: string
  state: VerificationState
  since: string | null
  checkedAt: string
  via: string
  detail: string
  consumers: ConsumerRef[]
}

export interface VerifyClusterResult {
  context: string
  server: string
  verifications: ClusterVerification[]
  summary: {current: number; rotated: number; deleted: number; unknown: number}
  /** The API server refused or failed every list the findings needed. */
  refusedAll: boolean
  /** Lists that failed without deciding a state (consumers): said, not hidden. */
  gaps: string[]
  stats: ListStats
  ms: number
}

export interface VerifyClusterOptions {
  findings: readonly Finding[]
  /** The incident's fingerprint function: live values are hashed with it. */
  fingerprint: FingerprintFn
  /** Objects per page (default 500, kubectl's chunk size). */
  pageSize?: number
  now?: () => Date
  onProgress?: (text: string) => void
}

/** Kinds whose consumers are looked up (workloads that read Secrets or ConfigMaps, Ingress TLS). */
const CONSUMER_RESOURCES: Resource[] = ['deployments', 'statefulsets', 'daemonsets', 'cronjobs', 'pods', 'ingresses']

const objKey = (kind: string, ns: string, name: string) => `${kind}/${ns}/${name}`

/** A session on the cluster for one or more verifications (`--watch` reuses it). */
export interface ClusterVerifier {
  context: string
  server: string
  run(o: VerifyClusterOptions): Promise<VerifyClusterResult>
}

export async function openClusterVerifier(target: KubeTarget): Promise<ClusterVerifier> {
  const session = await openKube(target)
  const list = await listers(session, target.timeoutMs ?? 15_000)
  return {context: session.context, server: session.server, run: (o) => verifyWith(session, list, o)}
}

export async function verifyCluster(target: KubeTarget, o: VerifyClusterOptions): Promise<VerifyClusterResult> {
  return (await openClusterVerifier(target)).run(o)
}

async function verifyWith(session: KubeSession, list: Awaited<ReturnType<typeof listers>>, o: VerifyClusterOptions): Promise<VerifyClusterResult> {
  const t0 = performance.now()
  const etcd = o.findings.filter((f): f is EtcdFinding => f.source === 'etcd')
  if (etcd.length === 0) throw inputError('verify.no-findings', 'the incident has no findings from a Kubernetes snapshot to compare with the cluster (verify cluster checks findings of triage etcd-leak / scan etcd)')
  const stats: ListStats = {requests: 0, pages: 0, relists: 0}
  const wanted = new Set(etcd.map((f) => objKey(f.kind, f.namespace ?? '', f.name)))
  const targetResources = [...new Set(etcd.map((f) => KIND_RESOURCE[f.kind]).filter((r): r is Resource => r !== undefined))]
  const needConsumers = etcd.some((f) => f.kind === 'Secret' || f.kind === 'ConfigMap')
  const resources = [...new Set([...targetResources, ...(needConsumers ? CONSUMER_RESOURCES : [])])]
  const live = new Map<string, LiveObject>()
  const index = new ConsumerIndex()
  const listed = new Map<Resource, {via: string; refused: Map<string, Refusal>; all: boolean}>()

  const listResource = async (resource: Resource): Promise<void> => {
    const kind = RESOURCE_KIND[resource]
    const found: LiveObject[] = []
    const consumers: ReturnType<typeof consumerOf>[] = []
    const take = (items: unknown[]) => {
      for (const item of items) {
        const {namespace, name} = metaOf(item)
        if (wanted.has(objKey(kind, namespace, name))) found.push(liveObject(kind, item))
        const c = consumerOf(kind, item)
        if (c) consumers.push(c)
      }
    }
    const restart = () => {
      found.length = 0
      consumers.length = 0
    }
    const done = (via: string, refused: Map<string, Refusal>, all: boolean) => {
      for (const obj of found) live.set(objKey(kind, obj.namespace, obj.name), obj)
      for (const c of consumers) if (c) index.add(c)
      listed.set(resource, {via, refused, all})
    }
    o.onProgress?.(`listing ${resource}`)
    try {
      await listAll(list[resource], resource, undefined, {limit: o.pageSize ?? 500, stats, onPage: take, onRestart: restart})
      return done(`GET ${RESOURCE_PATH[resource]}/${resource} (list, all namespaces)`, new Map(), true)
    } catch (e) {
      if (!(e instanceof ListError) || e.refusal.status !== 403) throw e
    }
    // RBAC refused the cluster scope: the namespaces the findings are in, one by one.
    restart()
    const refused = new Map<string, Refusal>()
    const reads = (f: EtcdFinding) => KIND_RESOURCE[f.kind] === resource || (CONSUMER_RESOURCES.includes(resource) && (f.kind === 'Secret' || f.kind === 'ConfigMap'))
    const namespaces = [...new Set(etcd.filter(reads).map((f) => f.namespace ?? ''))].filter(Boolean).sort()
    for (const ns of namespaces) {
      const before = {found: found.length, consumers: consumers.length}
      try {
        await listAll(list[resource], resource, ns, {limit: o.pageSize ?? 500, stats, onPage: take, onRestart: () => ((found.length = before.found), (consumers.length = before.consumers))})
      } catch (e) {
        if (!(e instanceof ListError) || e.refusal.status !== 403) throw e
        refused.set(ns, e.refusal)
      }
    }
    done(`GET ${RESOURCE_PATH[resource]}/namespaces/NS/${resource} (list per namespace: the cluster scope is forbidden)`, refused, false)
  }

  const gaps: string[] = []
  for (const r of resources) {
    try {
      await listResource(r)
    } catch (e) {
      // A kind listed only for consumers that this server does not serve (or refuses with another status): a gap.
      const consumerOnly = !targetResources.includes(r) && e instanceof ListError && e.refusal.status !== 0 && e.refusal.status !== 401
      if (!consumerOnly) throw unreachable(session, e)
      gaps.push(`consumers from ${r} not known: HTTP ${e.refusal.status} ${safeLine(e.refusal.message)}`)
      listed.set(r, {via: 'none', refused: new Map(), all: false})
    }
  }
  const checkedAt = (o.now ?? (() => new Date()))().toISOString()
  for (const r of resources) {
    const l = listed.get(r)!
    if (targetResources.includes(r)) continue
    for (const [ns, ref] of l.refused) gaps.push(`consumers in ${ns} not known: ${ref.missing ? `missing permission to ${ref.missing}` : ref.message}`)
  }
  const verifications = etcd.map((f): ClusterVerification => {
    const base = {finding: findingKey(f), fingerprint: f.fingerprint, class: f.class, risk: f.risk, where: safeLine(findingWhere(f)), namespace: f.namespace ?? null, name: f.name, field: f.field, checkedAt}
    const resource = KIND_RESOURCE[f.kind]
    if (!resource) return {...base, state: 'unknown', since: null, via: 'none', detail: `not compared: ${safeLine(f.kind)} objects are not listed by verify cluster (check it by hand)`, consumers: []}
    const l = listed.get(resource)!
    const refusal = l.refused.get(f.namespace ?? '') ?? (!l.all && !f.namespace ? {missing: `list ${resource} at the cluster scope`, message: ''} : undefined)
    const obj = live.get(objKey(f.kind, f.namespace ?? '', f.name)) ?? null
    const consumers = index.of(f.kind, f.namespace ?? '', f.name, f.field.startsWith('data.') ? f.field.slice(5).replace(/ \([^)]*\)$/, '') : null, obj)
    if (refusal) return {...base, state: 'unknown', since: null, via: l.via, detail: `no permission: ${refusal.missing ? `missing ${refusal.missing}` : safeLine(refusal.message)}`, consumers}
    const j = judge(f, obj, o.fingerprint)
    const self = f.kind !== 'Secret' && f.kind !== 'ConfigMap' && obj ? [{kind: f.kind, namespace: obj.namespace, name: obj.name}] : []
    return {...base, state: j.state, since: j.since, via: l.via, detail: j.detail, consumers: [...self, ...consumers]}
  })
  const summary = {current: 0, rotated: 0, deleted: 0, unknown: 0}
  for (const v of verifications) if (v.state in summary) summary[v.state as keyof typeof summary]++
  const refusedAll = verifications.every((v) => v.state === 'unknown' && v.detail.startsWith('no permission'))
  return {context: session.context, server: session.server, verifications, summary, refusedAll, gaps, stats, ms: Math.round(performance.now() - t0)}
}

/** A list that failed outright (not RBAC on one namespace): the cluster cannot be asked. */
function unreachable(session: KubeSession, e: unknown) {
  if (!(e instanceof ListError)) return e
  const r = e.refusal
  const what = `listing ${r.resource}${r.namespace ? ` in ${r.namespace}` : ''} on ${session.server}`
  if (r.status === 401) return dependencyError('kube.unauthorized', `${what}: 401 Unauthorized — the kubeconfig's credentials were refused (expired token?); refresh them and run again`)
  if (r.status === 0) {
    const net = networkMissing('apiserver', `the API server ${session.server}`, r.error)
    return dependencyError('kube.unreachable', net ? net.reason : `${what}: ${safeLine(r.message)}`)
  }
  return dependencyError('kube.failed', `${what}: HTTP ${r.status}: ${safeLine(r.message)}`)
}
