import {mkdirSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type EtcdFinding, findingKey} from '../src/detect/finding.js'
import {writeWorkspaceKey} from '../src/fingerprint/key.js'
import {fingerprint, TEST_FINGERPRINTER} from './helpers/fingerprint.js'
import {foldIncident} from '../src/incident/state.js'
import {readLog} from '../src/incident/log.js'
import {openClusterVerifier} from '../src/verify/cluster/verify.js'
import {watchCluster} from '../src/verify/cluster/watch.js'
import {type FakeApiServer, startFakeApiServer, writeKubeconfig} from './helpers/cluster-apiserver.js'
import {configMapJson, ingressJson, ObjectStore, rotateSecret, secretJson, workloadJson} from '../fixtures/kube/objects.js'
import {makePki, type Pki} from './helpers/cluster-pki.js'
import {json, leakctlAsync, tempDir} from './helpers/cli.js'
import {openTestIncident} from './helpers/incident.js'

// verify cluster against a local HTTPS API server, through the real
// @kubernetes/client-node: the leaked values of an incident compared with
// what the cluster serves (current / rotated / deleted / unknown), their
// consumers, the checklist following the verifications.

const V = {
  db: 'Tq7vN3xL9mR2kW5p-leaked-db',
  stripe: 'sk_live_51Hx7Kq2Lm9Nv3Rt8Wp4Zy6Bc',
  github: 'ghp_R8mKq2Lx7Vb4Tz9Wn3Yc6Hd1Fs5Gj0PaEu2N',
  smtp: 'Nw8vK3qZ7xM2pL5t',
  reporting: 'Rp5kQ8zM2vL7xN3w',
  envDb: 'Dp8mX2qL7vR4kN9z',
  sa: 'eyJhbGciOiJSUzI1NiIsImtpZCI6InNhbXBsZSJ9.eyJzdWIiOiJwcm9kOmFwaSJ9.c2lnbmF0dXJlLW5vdC1yZWFs',
  payments: 'Pm4xK8qL2vR7zN3w',
}
const ALL_VALUES = Object.values(V)

function finding(value: string, o: {kind?: string; namespace: string; name: string; field: string; class?: string; risk?: EtcdFinding['risk']; state?: 'live' | 'deleted'}): EtcdFinding {
  const kind = o.kind ?? 'Secret'
  return {
    source: 'etcd', class: o.class ?? 'password', risk: o.risk ?? 'high', reason: 'test', fingerprint: fingerprint(value), preview: '****', rotation: 'generic-secret',
    key: `/registry/${kind.toLowerCase()}s/${o.namespace}/${o.name}`, revision: 10, kind, namespace: o.namespace, name: o.name, field: o.field, state: o.state ?? 'live',
  }
}

const FINDINGS: EtcdFinding[] = [
  finding(V.db, {namespace: 'prod', name: 'db-credentials', field: 'data.password', risk: 'critical'}),
  finding(V.stripe, {namespace: 'payments', name: 'stripe', field: 'data.STRIPE_SECRET_KEY', class: 'stripe-key'}),
  finding(V.github, {namespace: 'staging', name: 'ci-github-token', field: 'data.GITHUB_TOKEN', class: 'github-token'}),
  finding(V.smtp, {namespace: 'prod', name: 'smtp', field: 'data.password'}),
  finding(V.reporting, {kind: 'ConfigMap', namespace: 'prod', name: 'app-config', field: 'data.DATABASE_URL', class: 'database-url'}),
  finding(V.envDb, {kind: 'Deployment', namespace: 'prod', name: 'api', field: 'env api/DB_PASSWORD'}),
  finding(V.sa, {namespace: 'prod', name: 'api-token-x9k2p', field: 'data.token', class: 'k8s-service-account-token'}),
]

function populate(store: ObjectStore): void {
  store.put('secrets', secretJson('prod', 'db-credentials', {username: 'app', password: V.db}))
  store.put('secrets', secretJson('payments', 'stripe', {STRIPE_SECRET_KEY: 'sk_live_51NEWxK2Lm9Nv3Rt8Wp4Zy6Bc'}, {written: new Date('2026-11-22T10:15:00Z'), manager: 'vault-secrets-operator'}))
  store.put('secrets', secretJson('prod', 'smtp', {username: 'mailer'}))
  store.put('secrets', secretJson('prod', 'api-token-x9k2p', {token: V.sa, namespace: 'prod'}, {type: 'kubernetes.io/service-account-token', annotations: {'kubernetes.io/service-account.name': 'api'}}))
  store.put('secrets', secretJson('payments', 'payments-db', {password: V.payments}, {labels: {'cnpg.io/cluster': 'payments-pg'}}))
  for (let i = 0; i < 7; i++) store.put('secrets', secretJson('prod', `filler-${i}`, {x: `not-leaked-${i}`}))
  store.put('configmaps', configMapJson('prod', 'app-config', {LOG_LEVEL: 'info', DATABASE_URL: `postgres://reporting:${V.reporting}@db.prod.internal:5432/reports`}))
  store.put('deployments', workloadJson('Deployment', 'prod', 'api', {
    serviceAccountName: 'api',
    containers: [{name: 'api', env: [{name: 'DB_PASSWORD', value: V.envDb}, {name: 'DB_PASS', valueFrom: {secretKeyRef: {name: 'db-credentials', key: 'password'}}}], envFrom: [{configMapRef: {name: 'app-config'}}]}],
    imagePullSecrets: [{name: 'regcred'}],
  }))
  store.put('statefulsets', workloadJson('StatefulSet', 'prod', 'reports', {containers: [{name: 'r'}], volumes: [{name: 'db', projected: {sources: [{secret: {name: 'db-credentials'}}]}}]}))
  store.put('cronjobs', workloadJson('CronJob', 'prod', 'mailer', {containers: [{name: 'm', envFrom: [{secretRef: {name: 'smtp'}}]}]}))
  store.put('daemonsets', workloadJson('DaemonSet', 'prod', 'log-shipper', {containers: [{name: 'l', env: [{name: 'U', valueFrom: {secretKeyRef: {name: 'db-credentials', key: 'username'}}}]}]}))
  store.put('pods', workloadJson('Pod', 'prod', 'api-7d9f8-x2k4p', {containers: [{name: 'api'}], volumes: [{name: 'c', secret: {secretName: 'db-credentials'}}]}, {kind: 'ReplicaSet', name: 'api-7d9f8'}))
  store.put('pods', workloadJson('Pod', 'prod', 'debug-shell', {containers: [{name: 'sh'}], volumes: [{name: 'c', secret: {secretName: 'db-credentials'}}]}))
  store.put('ingresses', ingressJson('prod', 'shop', 'shop-tls'))
}

let tmp: ReturnType<typeof tempDir>
let pki: Pki
const servers: FakeApiServer[] = []

async function server(o: ConstructorParameters<typeof ObjectStore>[0] = {}, token?: string) {
  const store = new ObjectStore(o)
  populate(store)
  const api = await startFakeApiServer({pki, objects: store, token})
  servers.push(api)
  return {api, store}
}

let n = 0
async function incident(findings: EtcdFinding[] = FINDINGS) {
  const ws = join(tmp.dir, `ws-${n++}`)
  // The findings were fingerprinted with the test key: the workspace holds the same key, as a team's does.
  mkdirSync(ws, {recursive: true, mode: 0o700})
  writeWorkspaceKey(ws, TEST_FINGERPRINTER)
  const opened = await openTestIncident(ws, {findings})
  return {ws, ref: opened.ref}
}

const env = {HOME: '/nonexistent', KUBECONFIG: undefined}
const verify = (ws: string, kubeconfig: string, extra: string[] = []) => leakctlAsync(['verify', 'cluster', '--workspace', ws, '--kubeconfig', kubeconfig, ...extra], {env})

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, encoding: 'utf8'}).map((f) => join(dir, f)).filter((f) => statSync(f).isFile()).map((f) => readFileSync(f, 'latin1'))
}

beforeAll(() => {
  tmp = tempDir('leakctl-verify-cluster-')
  pki = makePki(tmp.dir)
})

afterAll(async () => {
  for (const s of servers) await s.stop()
  tmp?.cleanup()
})

describe('verify cluster --json', () => {
  let out: any
  let code: number
  let ws: string
  let api: FakeApiServer
  let stdall: string
  beforeAll(async () => {
    ;({api} = await server())
    ;({ws} = await incident())
    const r = await verify(ws, api.kubeconfig, ['--json', '--page-size', '4'])
    code = r.code
    stdall = r.stdout + r.stderr
    out = json(r)
  }, 120_000)

  it('a state per finding: current, rotated (with the time of the change), deleted (object or key gone); exit 1 while any is current', () => {
    expect(code, stdall).toBe(1)
    const by = (name: string) => out.verifications.find((v: {name: string}) => v.name === name)
    expect(by('db-credentials')).toMatchObject({state: 'current', namespace: 'prod', field: 'data.password', class: 'password', fingerprint: fingerprint(V.db)})
    expect(by('stripe')).toMatchObject({state: 'rotated', since: '2026-11-22T10:15:00.000Z', detail: expect.stringContaining('vault-secrets-operator')})
    expect(by('ci-github-token')).toMatchObject({state: 'deleted', detail: expect.stringMatching(/not in the cluster any more/)})
    expect(by('smtp')).toMatchObject({state: 'deleted', detail: expect.stringMatching(/has no data\.password any more/)})
    // The password inside a URL, an env literal of a Deployment: compared the way the scan fingerprinted them.
    expect(by('app-config')).toMatchObject({state: 'current'})
    expect(by('api')).toMatchObject({state: 'current'})
    expect(out.summary).toEqual({current: 4, rotated: 1, deleted: 2, unknown: 0})
    for (const v of out.verifications) expect(Object.keys(v)).toEqual(expect.arrayContaining(['fingerprint', 'class', 'where', 'namespace', 'name', 'field', 'state', 'since', 'checkedAt', 'via', 'detail', 'consumers']))
  })

  it('consumers: secretKeyRef (of that key), projected volumes, bare pods, envFrom, service-account tokens, the workload itself', () => {
    const by = (name: string) => out.verifications.find((v: {name: string}) => v.name === name)
    expect(by('db-credentials').consumers).toEqual([
      {kind: 'Deployment', namespace: 'prod', name: 'api'},
      {kind: 'Pod', namespace: 'prod', name: 'debug-shell'},
      {kind: 'StatefulSet', namespace: 'prod', name: 'reports'},
    ])
    expect(by('smtp').consumers).toEqual([{kind: 'CronJob', namespace: 'prod', name: 'mailer'}])
    expect(by('app-config').consumers).toEqual([{kind: 'Deployment', namespace: 'prod', name: 'api'}])
    expect(by('api-token-x9k2p').consumers).toEqual([{kind: 'Deployment', namespace: 'prod', name: 'api'}, {kind: 'ServiceAccount', namespace: 'prod', name: 'api'}])
    expect(by('api').consumers).toEqual([{kind: 'Deployment', namespace: 'prod', name: 'api'}])
  })

  it('one paginated list per resource, never a GET per Secret', () => {
    const gets = api.requests.filter((r) => r.method === 'GET')
    expect(gets.every((r) => !/\/secrets\/[^?]/.test(r.path))).toBe(true)
    const secretLists = gets.filter((r) => r.path.startsWith('/api/v1/secrets?'))
    // 12 Secrets, 4 per page.
    expect(secretLists).toHaveLength(3)
    expect(secretLists.every((r) => r.path.includes('limit=4'))).toBe(true)
    expect(secretLists.slice(1).every((r) => r.path.includes('continue='))).toBe(true)
  })

  it('every verification is an event on the incident, on the timeline; no value anywhere', async () => {
    const {events} = readLog(join(ws, 'incidents', readdirSync(join(ws, 'incidents'))[0]!, 'events.jsonl'))
    expect(events.filter((e) => e.type === 'verification.recorded')).toHaveLength(FINDINGS.length)
    const tl = await leakctlAsync(['timeline', 'export', '--workspace', ws, '--format', 'json'])
    expect(tl.stdout).toMatch(/Verified \(cluster\): stripe-key at Secret payments\/stripe data\.STRIPE_SECRET_KEY is ROTATED/)
    for (const text of [stdall, tl.stdout, ...filesUnder(ws)]) for (const v of ALL_VALUES) expect(text).not.toContain(v)
  })

  it('the checklist follows: rotated and deleted credentials are ticked by leakctl verify with the event as evidence; current ones stay open with their restarts', async () => {
    const cl = json(await leakctlAsync(['checklist', '--workspace', ws, '--json', '--members', '100']))
    const members = cl.phases.flatMap((p: any) => p.items).flatMap((i: any) => (i.members.length ? i.members : [i]))
    const covering = (name: string) => members.find((m: any) => m.findings.some((k: string) => k === findingKey(FINDINGS.find((f) => f.name === name)!)))
    const stripe = covering('stripe')
    expect(stripe).toMatchObject({status: 'done', doneBy: 'leakctl verify', evidence: expect.stringMatching(/^[0-9A-Z]{26}$/)})
    expect(covering('ci-github-token')).toMatchObject({status: 'done', doneBy: 'leakctl verify'})
    const db = covering('db-credentials')
    expect(db.status).not.toBe('done')
    expect(db.commands).toEqual(expect.arrayContaining(['kubectl rollout restart deployment/api -n prod', 'kubectl rollout restart statefulset/reports -n prod']))
    const plain = await leakctlAsync(['checklist', '--workspace', ws, '--plain', '--members', '100'])
    expect(plain.stdout).toMatch(/done by leakctl verify .*evidence [0-9A-Z]{26}/)
  })
})

describe('lists as the API server serves them', () => {
  it('an expired continue token (410) restarts the list; the result is the same', async () => {
    const {api, store} = await server({expire: ['secrets']})
    const {ws} = await incident()
    const r = await verify(ws, api.kubeconfig, ['--json', '--page-size', '5'])
    expect(r.code, r.stderr).toBe(1)
    expect(json(r).summary).toEqual({current: 4, rotated: 1, deleted: 2, unknown: 0})
    const secrets = store.lists.filter((l) => l.resource === 'secrets').map((l) => `${l.continued ? 'continue' : 'first'}:${l.status}`)
    expect(secrets).toEqual(['first:200', 'continue:410', 'first:200', 'continue:200', 'continue:200'])
  })

  it('RBAC refuses the cluster scope: namespace by namespace; where that is refused too, unknown names the missing verb and resource', async () => {
    const {api} = await server({forbid: ['secrets', 'secrets:payments']})
    const {ws} = await incident()
    const r = await verify(ws, api.kubeconfig, ['--json'])
    expect(r.code, r.stderr).toBe(1)
    const out = json(r)
    const stripe = out.verifications.find((v: {name: string}) => v.name === 'stripe')
    expect(stripe).toMatchObject({state: 'unknown', detail: 'no permission: missing list secrets in namespace payments'})
    expect(out.verifications.find((v: {name: string}) => v.name === 'db-credentials')).toMatchObject({state: 'current', via: expect.stringContaining('per namespace')})
  })

  it('RBAC refuses everything: every finding unknown, exit 3', async () => {
    const {api} = await server({forbid: ['secrets', 'secrets:prod', 'secrets:payments', 'secrets:staging', 'configmaps', 'configmaps:prod', 'deployments', 'deployments:prod']})
    const {ws} = await incident()
    const r = await verify(ws, api.kubeconfig, ['--json'])
    expect(r.code, r.stderr).toBe(3)
    const out = json(r)
    expect(out.summary).toEqual({current: 0, rotated: 0, deleted: 0, unknown: 7})
    expect(out.verifications[0].detail).toMatch(/^no permission: missing list secrets in namespace prod$/)
  })

  it('401: the credentials were refused — exit 3, one line', async () => {
    const {api} = await server()
    const {ws} = await incident()
    const bad = writeKubeconfig(join(tmp.dir, 'kubeconfig-bad-token'), {server: api.url, ca: pki.pem(pki.ca.cert), token: 'expired-token', context: 'prod'})
    const r = await verify(ws, bad)
    expect(r.code).toBe(3)
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('error:'))).toEqual([expect.stringMatching(/^error: listing secrets on https:\/\/127\.0\.0\.1:\d+: 401 Unauthorized/)])
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/)
  }, 120_000)

  it('a slow page: waited for within --timeout; past it, retried once, then exit 3 saying it did not answer', async () => {
    const {api} = await server({slow: {resource: 'secrets', page: 1, ms: 1500}})
    const {ws} = await incident()
    const ok = await verify(ws, api.kubeconfig, ['--json', '--page-size', '5', '--timeout', '10s'])
    expect(ok.code, ok.stderr).toBe(1)
    const slow = await verify(ws, api.kubeconfig, ['--json', '--page-size', '5', '--timeout', '1s'])
    expect(slow.code, slow.stderr).toBe(3)
    expect(slow.stderr).toMatch(/^error: .*(did not answer in time|timed out|aborted)/m)
  }, 120_000)

  it('nothing listening: exit 3; bad input: exit 2', async () => {
    const {ws} = await incident()
    const dead = writeKubeconfig(join(tmp.dir, 'kubeconfig-dead'), {server: 'https://127.0.0.1:1', ca: pki.pem(pki.ca.cert), token: 't', context: 'dead'})
    const r = await verify(ws, dead)
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/^error: cannot reach the API server https:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/m)
    expect((await verify(ws, join(tmp.dir, 'no-such-kubeconfig'))).code).toBe(2)
    expect((await verify(ws, dead, ['--watch', '1s'])).code).toBe(2)
  }, 120_000)
})

describe('the checklist follows the evidence across runs', () => {
  it('rotated between two runs: its item ticks itself; restored: re-opened with a warning; a person\'s tick while served is flagged', async () => {
    const {api, store} = await server()
    const {ws, ref} = await incident()
    expect((await verify(ws, api.kubeconfig)).code).toBe(1)
    const keyOf = (name: string) => findingKey(FINDINGS.find((f) => f.name === name)!)
    const itemOf = (state: ReturnType<typeof foldIncident>, name: string) => [...state.items.values()].find((i) => i.findings?.includes(keyOf(name)))!
    const fold = () => foldIncident(readLog(ref.logPath).events)
    // A person ticks the ConfigMap's item although the cluster still serves the value.
    const cm = itemOf(fold(), 'app-config')
    expect((await leakctlAsync(['checklist', 'tick', cm.id, '--workspace', ws], {env: {LEAKCTL_ACTOR: 'bob'}})).code).toBe(0)
    const flagged = await leakctlAsync(['checklist', '--workspace', ws, '--plain', '--members', '100'])
    expect(flagged.stdout).toMatch(/WARNING ticked, but the leaked value is still served/)

    rotateSecret(store, 'prod', 'db-credentials', {password: 'a-new-password-after-rotation'}, new Date('2026-11-22T11:00:00Z'))
    const second = await verify(ws, api.kubeconfig, ['--json'])
    expect(json(second).verifications.find((v: {name: string}) => v.name === 'db-credentials')).toMatchObject({state: 'rotated', since: '2026-11-22T11:00:00.000Z'})
    let db = itemOf(fold(), 'db-credentials')
    expect(db).toMatchObject({done: true, doneBy: 'leakctl verify'})

    // Someone restores the old Secret from a backup: the leaked value is back.
    store.put('secrets', secretJson('prod', 'db-credentials', {username: 'app', password: V.db}, {written: new Date('2026-11-22T12:00:00Z')}))
    expect((await verify(ws, api.kubeconfig)).code).toBe(1)
    const state = fold()
    db = itemOf(state, 'db-credentials')
    expect(db.done).toBe(false)
    const cl = json(await leakctlAsync(['checklist', '--workspace', ws, '--json', '--members', '100']))
    const entry = cl.phases.flatMap((p: any) => p.items).flatMap((i: any) => [i, ...i.members]).find((e: any) => e.id === db.id)
    expect(entry.warning).toMatch(/^re-opened: Secret prod\/db-credentials data\.password serves the leaked value again/)
  }, 120_000)

  it('--watch: rounds until no critical or high credential is current, each change reported', async () => {
    const {api, store} = await server()
    const verifier = await openClusterVerifier({kubeconfig: api.kubeconfig})
    const rounds: {round: number; changes: string[]; pending: number}[] = []
    const last = await watchCluster(verifier, {
      findings: FINDINGS,
      fingerprint,
      intervalMs: 120_000,
      // The wait between rounds is where the team rotates.
      sleep: async () => {
        if (rounds.length === 1) rotateSecret(store, 'prod', 'db-credentials', {password: 'rotated-1'}, new Date())
        if (rounds.length === 2) {
          store.put('configmaps', configMapJson('prod', 'app-config', {LOG_LEVEL: 'info'}))
          store.delete('secrets', 'prod', 'api-token-x9k2p')
          store.put('deployments', workloadJson('Deployment', 'prod', 'api', {containers: [{name: 'api', env: [{name: 'DB_PASSWORD', valueFrom: {secretKeyRef: {name: 'db-credentials', key: 'password'}}}]}]}))
        }
      },
      onRound: (r) => void rounds.push({round: r.round, changes: r.changes.map((c) => `${c.name}:${c.state}`), pending: r.pending}),
    })
    expect(rounds.map((r) => r.pending)).toEqual([4, 3, 0])
    expect(rounds[1]!.changes).toEqual(['db-credentials:rotated'])
    expect(rounds[2]!.changes.sort()).toEqual(['api-token-x9k2p:deleted', 'api:deleted', 'app-config:deleted'])
    expect(last.round).toBe(3)
  })
})
