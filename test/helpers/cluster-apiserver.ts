import {randomUUID} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {createServer, type Server} from 'node:https'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {join} from 'node:path'

import type {Etcd3} from 'etcd3'

import {encrypt, type FixtureProvider, secret} from '../../fixtures/etcd/k8s-objects.js'
import {writeKubeconfig} from '../../fixtures/kube/server.js'
import type {Pki} from './cluster-pki.js'
import type {ObjectStore} from '../../fixtures/kube/objects.js'

// A stand-in for kube-apiserver on 127.0.0.1 (HTTPS, self-signed CA), for
// the real @kubernetes/client-node: the documented paths `leakctl check
// encryption` uses, with real response shapes (PodList, Secret, Status
// objects for 401/403/404/409), /metrics in Prometheus text, verbose health.
// Secret writes really go into the real etcd given, stored the way
// kube-apiserver stores them under the configured writer (plaintext
// protobuf, or an aescbc/aesgcm/secretbox envelope), and the storage
// transformation counters count them.

export type Writer = 'identity' | {provider: FixtureProvider; name: string; key: Buffer}

export interface FakeApiServerOptions {
  pki: Pki
  /** The etcd Secret writes go into (check encryption's canary); not needed to serve lists. */
  etcd?: Etcd3
  prefix?: string
  writer?: Writer
  /** Objects listed through GET lists (limit/continue, 410, 403, slow pages): verify cluster. */
  objects?: ObjectStore
  /** Bearer token accepted; anything else is 401. */
  token?: string
  /** kube-apiserver static pods and their command lines (none: a managed-looking cluster). */
  pods?: {name: string; node: string; command: string[]}[]
  /** RBAC: what the token may do (default everything). */
  allow?: {pods?: boolean; metrics?: boolean; secrets?: boolean}
  /** Extra /metrics lines (other API server series, envelope metrics, reload metrics). */
  metricsExtra?: string
  /** Counters already there when the test starts: prefix -> count, per direction. */
  counters?: {to?: Record<string, number>; from?: Record<string, number>}
  /** Verbose health lines (default: ping, etcd, log ok). */
  health?: string[]
}

export interface FakeApiServer {
  url: string
  kubeconfig: string
  requests: {method: string; path: string; status: number}[]
  /** Secrets created and deleted through the API. */
  created: string[]
  deleted: string[]
  setWriter(w: Writer): void
  stop(): Promise<void>
}

const status = (code: number, reason: string, message: string, details?: Record<string, unknown>) => ({kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? {details} : {}), code})
const USER = 'system:serviceaccount:ops:leakctl-check'

export async function startFakeApiServer(o: FakeApiServerOptions): Promise<FakeApiServer> {
  const prefix = o.prefix ?? '/registry'
  const token = o.token ?? 'test-token-not-a-secret'
  let writer = o.writer ?? 'identity'
  const etcd = o.etcd as Etcd3
  const to = new Map(Object.entries(o.counters?.to ?? {}))
  const from = new Map(Object.entries(o.counters?.from ?? {}))
  const requests: FakeApiServer['requests'] = []
  const created: string[] = []
  const deleted: string[] = []
  let rv = 1000

  const send = (res: ServerResponse, code: number, body: unknown, type = 'application/json') => {
    res.writeHead(code, {'Content-Type': type, 'Audit-Id': randomUUID()})
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1')
    const path = url.pathname
    if (req.headers.authorization !== `Bearer ${token}`) {
      send(res, 401, status(401, 'Unauthorized', 'Unauthorized'))
      return 401
    }
    // The control plane's own pods stay check encryption's (selected by label).
    const listed = o.objects && !url.searchParams.has('labelSelector') ? await o.objects.handle(req, res, send) : false
    if (listed !== false) return listed
    if (req.method === 'GET' && path === '/api/v1/namespaces/kube-system/pods') {
      if (o.allow?.pods === false) {
        send(res, 403, status(403, 'Forbidden', `pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" in the namespace "kube-system"`, {kind: 'pods'}))
        return 403
      }
      const selector = url.searchParams.get('labelSelector')
      const items = selector === 'component=kube-apiserver' ? (o.pods ?? []).map((p) => podJson(p)) : []
      send(res, 200, {kind: 'PodList', apiVersion: 'v1', metadata: {resourceVersion: String(rv)}, items})
      return 200
    }
    if (req.method === 'GET' && path === '/metrics') {
      if (o.allow?.metrics === false) {
        send(res, 403, status(403, 'Forbidden', `forbidden: User "${USER}" cannot get path "/metrics"`, {}))
        return 403
      }
      send(res, 200, metricsText(to, from, o.metricsExtra), 'text/plain; version=0.0.4; charset=utf-8')
      return 200
    }
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz' || path === '/livez')) {
      const lines = o.health ?? ['[+]ping ok', '[+]log ok', '[+]etcd ok']
      const failing = lines.some((l) => l.startsWith('[-]'))
      const body = url.searchParams.has('verbose') ? `${lines.join('\n')}\n${path.slice(1)} check ${failing ? 'failed' : 'passed'}\n` : failing ? 'failed' : 'ok'
      send(res, failing ? 500 : 200, body, 'text/plain; charset=utf-8')
      return failing ? 500 : 200
    }
    const m = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/secrets(?:\/([a-z0-9.-]+))?$/.exec(path)
    if (m) {
      const [, ns, name] = m
      if (o.allow?.secrets === false) {
        const verb = req.method === 'POST' ? 'create' : req.method === 'DELETE' ? 'delete' : 'get'
        send(res, 403, status(403, 'Forbidden', `secrets is forbidden: User "${USER}" cannot ${verb} resource "secrets" in API group "" in the namespace "${ns}"`, {kind: 'secrets'}))
        return 403
      }
      if (req.method === 'POST' && !name) {
        const body = JSON.parse(await readBody(req)) as {metadata: {name: string; labels?: Record<string, string>; annotations?: Record<string, string>}; type?: string; data?: Record<string, string>}
        const key = `${prefix}/secrets/${ns}/${body.metadata.name}`
        if ((await etcd.get(key).buffer()) !== null) {
          send(res, 409, status(409, 'AlreadyExists', `secrets "${body.metadata.name}" already exists`, {name: body.metadata.name, kind: 'secrets'}))
          return 409
        }
        const uid = randomUUID()
        const data = Object.fromEntries(Object.entries(body.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]))
        const plain = secret({name: body.metadata.name, namespace: ns, uid, labels: body.metadata.labels, annotations: body.metadata.annotations, created: new Date()}, body.type ?? 'Opaque', data)
        const stored = writer === 'identity' ? plain : encrypt(writer.provider, writer.name, writer.key, plain, key)
        const tprefix = writer === 'identity' ? '' : `k8s:enc:${writer.provider}:v1:${writer.name}:`
        await etcd.put(key).value(stored)
        to.set(tprefix, (to.get(tprefix) ?? 0) + 1)
        created.push(`${ns}/${body.metadata.name}`)
        rv++
        send(res, 201, {kind: 'Secret', apiVersion: 'v1', metadata: {name: body.metadata.name, namespace: ns, uid, resourceVersion: String(rv), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), labels: body.metadata.labels, annotations: body.metadata.annotations}, data: body.data, type: body.type ?? 'Opaque'})
        return 201
      }
      if (req.method === 'DELETE' && name) {
        const key = `${prefix}/secrets/${ns}/${name}`
        const r = await etcd.delete().key(key)
        if (Number(r.deleted) === 0) {
          send(res, 404, status(404, 'NotFound', `secrets "${name}" not found`, {name, kind: 'secrets'}))
          return 404
        }
        deleted.push(`${ns}/${name}`)
        send(res, 200, {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: {name, kind: 'secrets', uid: randomUUID()}})
        return 200
      }
    }
    send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'))
    return 404
  }

  const server: Server = createServer({key: readFileSync(o.pki.server.key), cert: readFileSync(o.pki.server.cert)}, (req, res) => {
    handle(req, res)
      .then((code) => requests.push({method: req.method ?? '', path: req.url ?? '', status: code}))
      .catch((e: Error) => {
        requests.push({method: req.method ?? '', path: req.url ?? '', status: 500})
        send(res, 500, status(500, 'InternalError', `fake apiserver: ${e.message}`))
      })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `https://127.0.0.1:${(server.address() as {port: number}).port}`
  const kubeconfig = writeKubeconfig(join(o.pki.dir, `kubeconfig-${randomUUID().slice(0, 8)}`), {server: url, ca: o.pki.pem(o.pki.ca.cert), token, context: 'test-cluster'})
  return {
    url,
    kubeconfig,
    requests,
    created,
    deleted,
    setWriter: (w) => (writer = w),
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

export {writeKubeconfig} from '../../fixtures/kube/server.js'

function podJson(p: {name: string; node: string; command: string[]}) {
  return {
    metadata: {name: p.name, namespace: 'kube-system', uid: randomUUID(), labels: {component: 'kube-apiserver', tier: 'control-plane'}, annotations: {'kubernetes.io/config.source': 'file'}},
    spec: {
      nodeName: p.node,
      priorityClassName: 'system-node-critical',
      containers: [{name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:v1.31.2', command: p.command, volumeMounts: [{name: 'k8s-certs', mountPath: '/etc/kubernetes/pki', readOnly: true}]}],
    },
    status: {phase: 'Running', conditions: [{type: 'Ready', status: 'True'}]},
  }
}

/** A kubeadm-style kube-apiserver command line. */
export function apiserverCommand(o: {encryptionConfig?: string; reload?: boolean; etcdPrefix?: string; etcdServers?: string} = {}): string[] {
  return [
    'kube-apiserver',
    '--advertise-address=10.0.0.11',
    '--allow-privileged=true',
    '--authorization-mode=Node,RBAC',
    '--client-ca-file=/etc/kubernetes/pki/ca.crt',
    '--enable-admission-plugins=NodeRestriction',
    '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
    '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
    '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
    `--etcd-servers=${o.etcdServers ?? 'https://127.0.0.1:2379'}`,
    ...(o.etcdPrefix ? ['--etcd-prefix', o.etcdPrefix] : []),
    ...(o.encryptionConfig ? [`--encryption-provider-config=${o.encryptionConfig}`] : []),
    ...(o.reload !== undefined ? [`--encryption-provider-config-automatic-reload=${o.reload}`] : []),
    '--secure-port=6443',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
    '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
  ]
}

function metricsText(to: Map<string, number>, from: Map<string, number>, extra = ''): string {
  const lines = [
    '# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    '# TYPE apiserver_request_total counter',
    'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="secrets",scope="namespace",subresource="",verb="LIST",version="v1"} 42',
    'apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="secrets",scope="resource",subresource="",verb="POST",version="v1"} 7',
    '# HELP apiserver_storage_transformation_duration_seconds [ALPHA] Latencies in seconds of value transformation operations.',
    '# TYPE apiserver_storage_transformation_duration_seconds histogram',
    'apiserver_storage_transformation_duration_seconds_bucket{transformation_type="to_storage",transformer_prefix="",le="5e-06"} 0',
    '# HELP apiserver_storage_transformation_operations_total [ALPHA] Total number of transformations. Successful transformation will have a status \'OK\' and a varied status string when the transformation fails.',
    '# TYPE apiserver_storage_transformation_operations_total counter',
  ]
  for (const [p, c] of to) lines.push(`apiserver_storage_transformation_operations_total{status="OK",transformation_type="to_storage",transformer_prefix="${p}"} ${c}`)
  for (const [p, c] of from) lines.push(`apiserver_storage_transformation_operations_total{status="OK",transformation_type="from_storage",transformer_prefix="${p}"} ${c}`)
  lines.push('# HELP process_resident_memory_bytes Resident memory size in bytes.', '# TYPE process_resident_memory_bytes gauge', 'process_resident_memory_bytes 5.12e+08')
  return `${lines.join('\n')}\n${extra}`
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = ''
    req.on('data', (d) => (s += d))
    req.on('end', () => resolve(s))
    req.on('error', reject)
  })
}
