import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {findingKey, findingSchema} from '../src/detect/finding.js'
import {etcdFindings, type EtcdScanResult, scanSnapshot} from '../src/etcd/scan.js'
import {foldIncident} from '../src/incident/state.js'
import {readLog} from '../src/incident/log.js'
import {restartCommands} from '../src/verify/follow.js'
import {ingress, secret, serviceAccount, workload} from '../fixtures/etcd/k8s-objects.js'
import {makeSnapshot} from '../fixtures/etcd/server.js'
import {tempDir} from './helpers/cli.js'
import {TEST_FINGERPRINTER} from './helpers/fingerprint.js'
import {openTestIncident} from './helpers/incident.js'

// Who reads each Secret, from a snapshot alone: the pod specs of the live
// workloads (env secretKeyRef, envFrom, secret and projected volumes,
// imagePullSecrets), ServiceAccounts, Ingress TLS and service-account token
// Secrets — the same mapping verify cluster applies to the live lists.

const NS = 'shop'
const DB_URL = 'postgresql://app:Pq7vR2mXk9LsT4wZ@db.shop.svc:5432/app'
const STRIPE = 'sk_live_51Hx8KqLmN2pR7vT9wYzA3bC5dE'

let tmp: ReturnType<typeof tempDir>
let result: EtcdScanResult

const put = (key: string, value: Buffer) => ({op: 'put' as const, key: `/registry/${key}`, value})

beforeAll(async () => {
  tmp = tempDir('leakctl-consumers-')
  const file = join(tmp.dir, 'consumers.db')
  const m = (name: string, extra: object = {}) => ({name, namespace: NS, ...extra})
  await makeSnapshot(file, [
    put(`secrets/${NS}/db-creds`, secret(m('db-creds'), 'Opaque', {DATABASE_URL: DB_URL, username: 'app'})),
    put(`secrets/${NS}/api-keys`, secret(m('api-keys'), 'Opaque', {STRIPE_KEY: STRIPE})),
    put(`secrets/${NS}/tls-cert`, secret(m('tls-cert'), 'kubernetes.io/tls', {'tls.crt': 'cert', 'tls.key': 'key'})),
    put(`secrets/${NS}/registry-pull`, secret(m('registry-pull'), 'kubernetes.io/dockerconfigjson', {'.dockerconfigjson': '{"auths":{}}'})),
    put(`secrets/${NS}/bundle`, secret(m('bundle'), 'Opaque', {note: 'x'})),
    put(`secrets/${NS}/legacy`, secret(m('legacy'), 'Opaque', {note: 'y'})),
    put(`secrets/${NS}/builder-token`, secret(m('builder-token', {annotations: {'kubernetes.io/service-account.name': 'builder'}}), 'kubernetes.io/service-account-token', {token: 'eyJ'})),
    // The first revision of api read `legacy`; the latest does not: only the latest counts.
    put(`deployments/${NS}/api`, workload('Deployment', m('api'), [{name: 'app', envFrom: ['legacy']}])),
    put(`deployments/${NS}/api`, workload('Deployment', m('api'), [{name: 'app', secretEnv: {DATABASE_URL: {secret: 'db-creds', key: 'DATABASE_URL'}}, envFrom: ['api-keys']}], [], {volumes: [{name: 'certs', secret: 'tls-cert'}], imagePullSecrets: ['registry-pull']})),
    put(`statefulsets/${NS}/worker`, workload('StatefulSet', m('worker'), [{name: 'w'}], [], {volumes: [{name: 'creds', projected: ['bundle', 'db-creds']}], serviceAccountName: 'builder'})),
    // Reads another key of db-creds: a consumer of the Secret, not of DATABASE_URL.
    put(`cronjobs/${NS}/report`, workload('CronJob', m('report'), [{name: 'r', secretEnv: {DB_USER: {secret: 'db-creds', key: 'username'}}}])),
    // A pod its ReplicaSet made restarts with it; a bare pod is a consumer of its own.
    put(`pods/${NS}/api-7f9c`, workload('Pod', m('api-7f9c', {owners: [{kind: 'ReplicaSet', name: 'api-7f9c'}]}), [{name: 'app', envFrom: ['api-keys']}])),
    put(`pods/${NS}/debug`, workload('Pod', m('debug'), [{name: 'sh', envFrom: ['api-keys']}])),
    put(`serviceaccounts/${NS}/default`, serviceAccount(m('default'), ['registry-pull'])),
    put(`ingress/${NS}/web`, ingress(m('web'), ['tls-cert'])),
    // Deleted: no longer a consumer.
    put(`deployments/${NS}/old`, workload('Deployment', m('old'), [{name: 'o', envFrom: ['db-creds']}])),
    {op: 'delete', key: `/registry/deployments/${NS}/old`},
  ])
  result = await scanSnapshot(file, {fingerprinter: TEST_FINGERPRINTER})
}, 120_000)
afterAll(() => tmp.cleanup())

const consumers = (name: string) => result.secrets.find((s) => s.name === name)!.consumers.map((c) => `${c.kind} ${c.namespace}/${c.name}`)

describe('consumers from the snapshot', () => {
  it('env secretKeyRef, envFrom, secret and projected volumes, imagePullSecrets, ServiceAccounts, Ingress TLS, token Secrets', () => {
    expect(consumers('db-creds')).toEqual(['CronJob shop/report', 'Deployment shop/api', 'StatefulSet shop/worker'])
    expect(consumers('api-keys')).toEqual(['Deployment shop/api', 'Pod shop/debug'])
    expect(consumers('tls-cert')).toEqual(['Deployment shop/api', 'Ingress shop/web'])
    expect(consumers('registry-pull')).toEqual(['Deployment shop/api', 'ServiceAccount shop/default'])
    expect(consumers('bundle')).toEqual(['StatefulSet shop/worker'])
    expect(consumers('builder-token')).toEqual(['ServiceAccount shop/builder', 'StatefulSet shop/worker'])
    expect(consumers('legacy')).toEqual([])
  })

  it('findings carry the consumers of their data key; the checklist restarts them without a live cluster', async () => {
    const findings = etcdFindings(result)
    const db = findings.find((f) => f.source === 'etcd' && f.name === 'db-creds' && f.field === 'data.DATABASE_URL')
    expect(db, JSON.stringify(findings.map((f) => f.source === 'etcd' && `${f.name} ${f.field}`))).toBeDefined()
    // The CronJob reads only `username`: not a consumer of DATABASE_URL.
    expect(db!.source === 'etcd' && db!.consumers).toEqual([
      {kind: 'Deployment', namespace: NS, name: 'api'},
      {kind: 'StatefulSet', namespace: NS, name: 'worker'},
    ])
    for (const f of findings) expect(findingSchema().safeParse(f).success).toBe(true)

    const {ref} = await openTestIncident(tmp.dir, {kind: 'etcd-leak', findings})
    const st = foldIncident(readLog(ref.logPath).events)
    const item = [...st.items.values()].find((i) => i.findings?.includes(findingKey(db!)) && restartCommands(st, i).length > 0)
    expect(item, 'a rotate item for the database URL with restart commands').toBeDefined()
    expect(restartCommands(st, item!)).toEqual(['kubectl rollout restart deployment/api -n shop', 'kubectl rollout restart statefulset/worker -n shop'])
  })
})
