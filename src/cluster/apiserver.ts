import {parseVerboseHealth, type HealthReport} from './healthz.js'
import {httpMissing, kubeMissing, type KubeSession} from './kube.js'
import {type MetricsEvidence, readEncryptionMetrics} from './metrics.js'
import type {Missing} from './missing.js'

// What the live API servers say: their static pods' flags (self-hosted
// control planes: kubeadm, kops, k3s-like), their /metrics and their verbose
// health checks. Each probe fails on its own and says why; none guesses.

export interface ApiServerFlags {
  encryptionProviderConfig: string | null
  automaticReload: boolean
  etcdPrefix: string
  etcdServers: string[]
  etcdCafile: string | null
  etcdCertfile: string | null
  etcdKeyfile: string | null
}

export interface ApiServerPod {
  name: string
  node: string | null
  phase: string | null
  flags: ApiServerFlags
}

export type ManagedProvider = 'eks' | 'gke' | 'aks'

export interface ApiServerEvidence {
  context: string
  server: string
  /** A managed control plane recognised from the kubeconfig (no static pods to read). */
  managed: ManagedProvider | null
  /** null: the pods could not be listed (see missing). */
  pods: ApiServerPod[] | null
  /** How many of the API servers run with --encryption-provider-config. */
  encryptionFlag: 'all' | 'some' | 'none' | null
  automaticReload: 'all' | 'some' | 'none' | null
  /** --etcd-prefix when every API server agrees. */
  etcdPrefix: string | null
  health: HealthReport[]
}

export interface LiveEvidence {
  apiserver: ApiServerEvidence
  metrics: MetricsEvidence | null
  missing: Missing[]
}

const SELECTOR = 'component=kube-apiserver'

export async function askApiServer(kube: KubeSession): Promise<LiveEvidence> {
  const managed = managedProvider(kube)
  // In parallel; each probe's gap is listed in a fixed order (pods, metrics, health).
  const podsMissing: Missing[] = []
  const metricsMissing: Missing[] = []
  const healthMissing: Missing[][] = [[], []]
  const [pods, metrics, health] = await Promise.all([
    listApiServerPods(kube).catch((e) => {
      podsMissing.push(kubeMissing('apiserver', `list pods -n kube-system -l ${SELECTOR}`, kube.server, e, 'grant `list` on pods in kube-system (kubectl auth can-i list pods -n kube-system), or read the flags on a control-plane node: grep encryption-provider /etc/kubernetes/manifests/kube-apiserver.yaml'))
      return null
    }),
    getMetrics(kube).catch((e) => {
      metricsMissing.push(kubeMissing('metrics', 'GET /metrics', kube.server, e, metricsFix))
      return null
    }),
    Promise.all(['/healthz?verbose', '/readyz?verbose'].map((p, i) => getHealth(kube, p, healthMissing[i]!))),
  ])
  const missing: Missing[] = [...podsMissing, ...metricsMissing, ...healthMissing.flat()]
  if (pods && pods.length === 0) {
    missing.push(
      managed
        ? {evidence: 'apiserver', kind: 'not-visible', reason: `no kube-apiserver pods in kube-system: ${managedName[managed]} runs the control plane out of sight`, fix: managedFix[managed]}
        : {evidence: 'apiserver', kind: 'not-found', reason: `no pods labelled ${SELECTOR} in kube-system: the control plane is not self-hosted as static pods (managed, or run as system services)`, fix: 'read the flags where kube-apiserver runs: ps -ef | grep kube-apiserver, or its systemd unit'},
    )
  }
  const count = (pred: (p: ApiServerPod) => boolean) => {
    if (!pods?.length) return null
    const n = pods.filter(pred).length
    return n === pods.length ? 'all' : n ? 'some' : 'none'
  }
  const prefixes = new Set(pods?.map((p) => p.flags.etcdPrefix))
  return {
    apiserver: {
      context: kube.context,
      server: kube.server,
      managed,
      pods,
      encryptionFlag: count((p) => !!p.flags.encryptionProviderConfig),
      automaticReload: count((p) => !!p.flags.encryptionProviderConfig && p.flags.automaticReload),
      etcdPrefix: pods?.length && prefixes.size === 1 ? [...prefixes][0]! : null,
      health: health.filter((h): h is HealthReport => h !== null),
    },
    metrics,
    missing,
  }
}

const metricsFix = 'grant `get` on the non-resource URL /metrics (e.g. a ClusterRole with nonResourceURLs: ["/metrics"], verbs: ["get"]), or: kubectl get --raw /metrics | grep -E "apiserver_storage_transformation_operations_total|apiserver_envelope_encryption"'

async function listApiServerPods(kube: KubeSession): Promise<ApiServerPod[]> {
  const list = await kube.core.listNamespacedPod({namespace: 'kube-system', labelSelector: SELECTOR})
  return (list.items ?? []).map((pod) => {
    const containers = pod.spec?.containers ?? []
    const c = containers.find((x) => x.name === 'kube-apiserver') ?? containers[0]
    return {
      name: pod.metadata?.name ?? '?',
      node: pod.spec?.nodeName ?? null,
      phase: pod.status?.phase ?? null,
      flags: readFlags([...(c?.command ?? []), ...(c?.args ?? [])]),
    }
  })
}

/** kube-apiserver's flags from its command line (`--a=b`, `--a b`, bare booleans). */
export function readFlags(argv: readonly string[]): ApiServerFlags {
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (!a.startsWith('--')) continue
    const eq = a.indexOf('=')
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1))
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') && !BOOLEAN_FLAGS.has(a.slice(2))) flags.set(a.slice(2), argv[++i]!)
    else flags.set(a.slice(2), 'true')
  }
  const get = (k: string) => flags.get(k) || null
  return {
    encryptionProviderConfig: get('encryption-provider-config'),
    automaticReload: /^(true|1|t)$/i.test(flags.get('encryption-provider-config-automatic-reload') ?? 'false'),
    etcdPrefix: (get('etcd-prefix') ?? '/registry').replace(/\/$/, '') || '/registry',
    etcdServers: (get('etcd-servers') ?? '').split(',').filter(Boolean),
    etcdCafile: get('etcd-cafile'),
    etcdCertfile: get('etcd-certfile'),
    etcdKeyfile: get('etcd-keyfile'),
  }
}

const BOOLEAN_FLAGS = new Set(['encryption-provider-config-automatic-reload', 'allow-privileged', 'enable-bootstrap-token-auth', 'anonymous-auth', 'profiling'])

async function getMetrics(kube: KubeSession): Promise<MetricsEvidence> {
  const r = await kube.rawGet('/metrics')
  if (r.status !== 200) throw Object.assign(new Error(`HTTP ${r.status}`), {code: r.status, body: r.body})
  return readEncryptionMetrics(r.body)
}

async function getHealth(kube: KubeSession, path: string, missing: Missing[]): Promise<HealthReport | null> {
  try {
    const r = await kube.rawGet(path)
    // A failing check answers 500 with the same verbose body.
    if (r.status === 200 || (r.status === 500 && /^\[[+-]\]/m.test(r.body))) return parseVerboseHealth(path, r.body)
    missing.push(httpMissing('health', `GET ${path}`, r.status, undefined))
  } catch (e) {
    missing.push(kubeMissing('health', `GET ${path}`, kube.server, e))
  }
  return null
}

/** Recognises EKS, GKE and AKS from the API server address and the credential plugin. */
export function managedProvider(kube: Pick<KubeSession, 'server' | 'context' | 'kc'>): ManagedProvider | null {
  const host = (() => {
    try {
      return new URL(kube.server).hostname
    } catch {
      return ''
    }
  })()
  if (/\.eks\.amazonaws\.com(\.cn)?$/.test(host)) return 'eks'
  if (/\.azmk8s\.io$/.test(host)) return 'aks'
  const user = kube.kc.getCurrentUser()
  const exec = (user as {exec?: {command?: string}} | null)?.exec?.command ?? ''
  if (kube.context.startsWith('gke_') || /gke-gcloud-auth-plugin/.test(exec)) return 'gke'
  if (/aws-iam-authenticator/.test(exec) || (/(^|\/)aws$/.test(exec) && kube.context.startsWith('arn:aws:eks:'))) return 'eks'
  if (/kubelogin/.test(exec)) return 'aks'
  return null
}

export const managedName: Record<ManagedProvider, string> = {eks: 'Amazon EKS', gke: 'Google GKE', aks: 'Azure AKS'}

/** What to check by hand where leakctl cannot see the control plane. */
export const managedFix: Record<ManagedProvider, string> = {
  eks: 'run again with --eks-cluster NAME --region REGION (DescribeCluster encryptionConfig), or: aws eks describe-cluster --name NAME --query cluster.encryptionConfig',
  gke: 'gcloud container clusters describe NAME --location LOCATION --format="value(databaseEncryption)" — state ENCRYPTED with a Cloud KMS keyName means application-layer Secrets encryption is on; DECRYPTED means only Google\'s default storage encryption',
  aks: 'az aks show -g GROUP -n NAME --query securityProfile.azureKeyVaultKms — enabled: true with a keyId means KMS etcd encryption with your Key Vault key; otherwise only Azure\'s default platform encryption',
}
