// Where kube-apiserver keeps objects in etcd:
//   <prefix>/<resource>/<namespace>/<name>       namespaced, core and most groups
//   <prefix>/<resource>/<name>                   cluster-scoped
//   <prefix>/<group>/<resource>/<namespace>/<name>  custom resources
// The prefix is `/registry` unless --etcd-prefix changed it (OpenShift:
// `/kubernetes.io`), so it is read from the keys, not assumed.

const MARKERS = ['secrets', 'configmaps', 'namespaces', 'serviceaccounts', 'pods', 'deployments', 'events', 'services']

/** The most common prefix in front of well-known resource names; null when none is found. */
export function detectPrefix(keys: Iterable<string>, sample = 20_000): string | null {
  const counts = new Map<string, number>()
  let n = 0
  for (const key of keys) {
    if (n++ >= sample) break
    const parts = key.split('/')
    const at = parts.findIndex((p, i) => i > 0 && MARKERS.includes(p))
    if (at < 1) continue
    const prefix = parts.slice(0, at).join('/')
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1)
  }
  let best: string | null = null
  let bestN = 0
  for (const [p, c] of counts) if (c > bestN) [best, bestN] = [p, c]
  return best
}

export interface ObjectKey {
  /** `secrets`, `configmaps`, `deployments`, `widgets.example.com`. */
  resource: string
  namespace: string | null
  name: string
}

/** Namespaced built-ins whose keys carry a namespace segment. */
const NAMESPACED = new Set(['secrets', 'configmaps', 'pods', 'serviceaccounts', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs', 'services', 'events', 'controllerrevisions', 'endpoints', 'leases'])

export function parseObjectKey(key: string, prefix: string): ObjectKey | null {
  if (!key.startsWith(`${prefix}/`)) return null
  const parts = key.slice(prefix.length + 1).split('/')
  if (parts.length === 3 && NAMESPACED.has(parts[0]!)) return {resource: parts[0]!, namespace: parts[1]!, name: parts[2]!}
  if (parts.length === 2) return {resource: parts[0]!, namespace: null, name: parts[1]!}
  // <group>/<resource>/<ns>/<name> or <group>/<resource>/<name> (a dotted group marks a custom resource)
  if (parts.length === 4 && parts[0]!.includes('.')) return {resource: `${parts[1]}.${parts[0]}`, namespace: parts[2]!, name: parts[3]!}
  if (parts.length === 3 && parts[0]!.includes('.')) return {resource: `${parts[1]}.${parts[0]}`, namespace: null, name: parts[2]!}
  if (parts.length === 3) return {resource: parts[0]!, namespace: parts[1]!, name: parts[2]!}
  return null
}
