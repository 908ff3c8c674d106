// Where kube-apiserver keeps objects in etcd:
//   <prefix>/<resource>/<namespace>/<name>          namespaced built-ins (no group in the key)
//   <prefix>/<resource>/<name>                      cluster-scoped built-ins
//   <prefix>/<group>/<resource>/[<namespace>/]<name> custom resources (and apiregistration, apiextensions)
// with a few resources under other names (k8s.io/kubernetes
// SpecialDefaultResourcePrefixes): replicationcontrollers -> controllers,
// services -> services/specs, endpoints -> services/endpoints, nodes -> minions.
// The prefix is `/registry` unless kube-apiserver's --etcd-prefix changed it
// (OpenShift: `/kubernetes.io`), so it is learned from the keys, not assumed.

/** What the scan does with an object. */
export type Category = 'secret' | 'configmap' | 'workload' | 'custom' | 'consumer' | 'other'

export interface ObjectKey {
  prefix: string
  /** `secrets`, `deployments`, `widgets` — the resource as the key names it. */
  resource: string
  /** API group: '' for core; `apps`, `batch` for the built-ins that live under them; the group of a custom resource. */
  group: string
  namespace: string | null
  name: string
  category: Category
}

/** Built-in resources: their key segment -> [resource, group, category]. Namespaced unless listed in CLUSTER_SCOPED. */
const BUILTIN: Record<string, [string, string, Category]> = {
  secrets: ['secrets', '', 'secret'],
  configmaps: ['configmaps', '', 'configmap'],
  pods: ['pods', '', 'workload'],
  podtemplates: ['podtemplates', '', 'workload'],
  controllers: ['replicationcontrollers', '', 'workload'],
  deployments: ['deployments', 'apps', 'workload'],
  statefulsets: ['statefulsets', 'apps', 'workload'],
  daemonsets: ['daemonsets', 'apps', 'workload'],
  replicasets: ['replicasets', 'apps', 'workload'],
  jobs: ['jobs', 'batch', 'workload'],
  cronjobs: ['cronjobs', 'batch', 'workload'],
  namespaces: ['namespaces', '', 'other'],
  // Read for who consumes a Secret (imagePullSecrets, Ingress TLS), not scanned for credentials.
  serviceaccounts: ['serviceaccounts', '', 'consumer'],
  events: ['events', '', 'other'],
  leases: ['leases', 'coordination.k8s.io', 'other'],
  minions: ['nodes', '', 'other'],
  controllerrevisions: ['controllerrevisions', 'apps', 'other'],
  roles: ['roles', 'rbac.authorization.k8s.io', 'other'],
  rolebindings: ['rolebindings', 'rbac.authorization.k8s.io', 'other'],
  clusterroles: ['clusterroles', 'rbac.authorization.k8s.io', 'other'],
  clusterrolebindings: ['clusterrolebindings', 'rbac.authorization.k8s.io', 'other'],
  priorityclasses: ['priorityclasses', 'scheduling.k8s.io', 'other'],
  persistentvolumeclaims: ['persistentvolumeclaims', '', 'other'],
  persistentvolumes: ['persistentvolumes', '', 'other'],
  ingress: ['ingresses', 'networking.k8s.io', 'consumer'],
  limitranges: ['limitranges', '', 'other'],
  resourcequotas: ['resourcequotas', '', 'other'],
}

/** A built-in by its key segment; own entries only (a key segment `constructor` names nothing). */
const builtinOf = (segment: string): [string, string, Category] | undefined => (Object.hasOwn(BUILTIN, segment) ? BUILTIN[segment] : undefined)

const CLUSTER_SCOPED = new Set(['namespaces', 'minions', 'clusterroles', 'clusterrolebindings', 'priorityclasses', 'persistentvolumes'])

/** `services/specs/<ns>/<name>` and `services/endpoints/<ns>/<name>`: two segments name the resource. */
const TWO_SEGMENT = new Set(['services'])

/**
 * Routes a key, given the prefix when it is known. Without one the prefix is
 * whatever stands before the first built-in resource segment — so a dotted
 * prefix such as OpenShift's `/kubernetes.io` is not taken for an API group.
 */
export function routeKey(key: string, prefix?: string | null): ObjectKey | null {
  if (prefix) {
    if (key.charCodeAt(prefix.length) !== 0x2f || !key.startsWith(prefix)) return null
    // Nearly every key: <resource>/<namespace>/<name> of a namespaced built-in, read without splitting it.
    const a = prefix.length + 1
    const b = key.indexOf('/', a)
    const c = b < 0 ? -1 : key.indexOf('/', b + 1)
    if (b > a && c > b + 1 && c < key.length - 1 && key.indexOf('/', c + 1) < 0) {
      const segment = key.slice(a, b)
      const builtin = builtinOf(segment)
      if (builtin && !CLUSTER_SCOPED.has(segment)) return {prefix, resource: builtin[0], group: builtin[1], namespace: key.slice(b + 1, c), name: key.slice(c + 1), category: builtin[2]}
    }
    return route(prefix, key.slice(prefix.length + 1).split('/'))
  }
  const parts = key.split('/')
  // The first segment that names a built-in resource with the right number of segments after it.
  for (let i = 1; i < parts.length - 1; i++) {
    const seg = parts[i]!
    const builtin = builtinOf(seg)
    if (!builtin && !TWO_SEGMENT.has(seg)) continue
    const rest = parts.length - i - 1
    const expected = TWO_SEGMENT.has(seg) ? 3 : CLUSTER_SCOPED.has(seg) ? 1 : 2
    if (rest !== expected) continue
    return route(parts.slice(0, i).join('/'), parts.slice(i))
  }
  return null
}

function route(prefix: string, parts: string[]): ObjectKey | null {
  if (parts.some((p) => p === '')) return null
  const [first] = parts
  const builtin = builtinOf(first!)
  if (builtin) {
    const [resource, group, category] = builtin
    if (CLUSTER_SCOPED.has(first!) && parts.length === 2) return {prefix, resource, group, namespace: null, name: parts[1]!, category}
    if (!CLUSTER_SCOPED.has(first!) && parts.length === 3) return {prefix, resource, group, namespace: parts[1]!, name: parts[2]!, category}
    return null
  }
  if (TWO_SEGMENT.has(first!) && parts.length === 4) return {prefix, resource: parts[1] === 'endpoints' ? 'endpoints' : 'services', group: '', namespace: parts[2]!, name: parts[3]!, category: 'other'}
  // A group (always dotted: example.com, cnpg.io, apiregistration.k8s.io) then the resource.
  if (first!.includes('.') && (parts.length === 3 || parts.length === 4)) {
    return {prefix, resource: parts[1]!, group: first!, namespace: parts.length === 4 ? parts[2]! : null, name: parts.at(-1)!, category: 'custom'}
  }
  return null
}

/** Counts the prefixes of routed keys; the most common one is the cluster's (on a tie, the one seen first). */
export class PrefixVote {
  /** Per prefix, its count; Map order is the order prefixes were first seen. */
  private readonly counts = new Map<string, {n: number; order: number}>()
  private best: string | null = null
  private bestN = 0
  private bestOrder = 0

  add(prefix: string): void {
    let c = this.counts.get(prefix)
    if (!c) this.counts.set(prefix, (c = {n: 0, order: this.counts.size}))
    c.n++
    // Asked once per revision: kept up to date here rather than searched for there.
    if (c.n > this.bestN || (c.n === this.bestN && c.order < this.bestOrder)) {
      this.best = prefix
      this.bestN = c.n
      this.bestOrder = c.order
    }
  }

  get winner(): string | null {
    return this.best
  }

  get all(): string[] {
    return [...this.counts.keys()]
  }
}

/** Custom resources need the prefix to find their group: strip the longest known prefix, else the first segment. */
export function routeCustom(key: string, knownPrefixes: readonly string[]): ObjectKey | null {
  let prefix: string | undefined
  for (const p of knownPrefixes) if (key.startsWith(`${p}/`) && (!prefix || p.length > prefix.length)) prefix = p
  if (!prefix) {
    const slash = key.indexOf('/', 1)
    if (!key.startsWith('/') || slash < 0) return null
    prefix = key.slice(0, slash)
  }
  const r = route(prefix, key.slice(prefix.length + 1).split('/'))
  return r?.category === 'custom' ? r : null
}
