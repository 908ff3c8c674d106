import {randomBytes} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {checkEncryption, type CheckOptions} from '../src/cluster/check.js'
import {countSecrets, openEtcd} from '../src/cluster/etcd.js'
import {loadIncident} from '../src/incident/incident.js'
import {findIncident, openWorkspace} from '../src/incident/workspace.js'
import {encrypt, secret} from '../fixtures/etcd/k8s-objects.js'
import {freePort, type RunningEtcd, startEtcd} from '../fixtures/etcd/server.js'
import {apiserverCommand, type FakeApiServer, startFakeApiServer, writeKubeconfig} from './helpers/cluster-apiserver.js'
import {seedSecrets} from './helpers/cluster-etcd.js'
import {makePki, type Pki} from './helpers/cluster-pki.js'
import {openTestIncident} from './helpers/incident.js'
import {json, leakctlAsync, tempDir} from './helpers/cli.js'
import {TEST_FINGERPRINTER} from './helpers/fingerprint.js'

// The seed's second incident, end to end: a real etcd holding Secrets the
// way kube-apiserver stores them (some aescbc/aesgcm/KMS, 25 in plaintext),
// an API server (a local HTTPS stand-in for the real client library) whose
// configuration has identity first, so its writes — the canary included —
// land in etcd in plaintext. Then the fix, and every way evidence fails.

const key1 = randomBytes(32)
const key2 = randomBytes(32)
const retired = randomBytes(32)
const CONFIG_PATH = '/etc/kubernetes/enc/encryption-config.yaml'

let tmp: ReturnType<typeof tempDir>
let pki: Pki
let etcd: RunningEtcd
let api: FakeApiServer
let seedFile: string
let fixedFile: string
let secretValues: string[]

const configYaml = (identityFirst: boolean) => {
  const enc = ['      - aescbc:', '          keys:', '            - name: key1', `              secret: ${key1.toString('base64')}`, '      - aesgcm:', '          keys:', '            - name: key2', `              secret: ${key2.toString('base64')}`, '      - kms:', '          apiVersion: v2', '          name: vault-kms', '          endpoint: unix:///var/run/kms.sock']
  const id = ['      - identity: {}']
  return ['apiVersion: apiserver.config.k8s.io/v1', 'kind: EncryptionConfiguration', 'resources:', '  - resources:', '      - secrets', '    providers:', ...(identityFirst ? [...id, ...enc] : [...enc, ...id]), ''].join('\n')
}

beforeAll(async () => {
  tmp = tempDir('leakctl-check-enc-')
  pki = makePki(tmp.dir)
  etcd = await startEtcd()
  const seeded = await seedSecrets(etcd.client, [
    {namespace: 'prod', count: 30, storage: {provider: 'aescbc', name: 'key1', key: key1}},
    {namespace: 'staging', count: 10, storage: {provider: 'aescbc', name: 'key1', key: key1}},
    {namespace: 'prod', count: 15, storage: 'plaintext', name: 'after-migration'},
    {namespace: 'payments', count: 10, storage: 'plaintext', name: 'after-migration'},
    {namespace: 'prod', count: 5, storage: {provider: 'aesgcm', name: 'key2', key: key2}},
    {namespace: 'vault', count: 3, storage: {provider: 'kms', name: 'vault-kms'}},
    {namespace: 'legacy', count: 2, storage: {provider: 'aescbc', name: 'retired', key: retired}},
  ])
  secretValues = seeded.values
  // Other resources around the Secrets, as in a real etcd.
  await etcd.client.put('/registry/configmaps/prod/app-config').value('k8s\0not-a-secret')
  await etcd.client.put('/registry/secretsx/odd').value('k8s\0not under /secrets/')
  seedFile = join(tmp.dir, 'seed-config.yaml')
  writeFileSync(seedFile, configYaml(true))
  fixedFile = join(tmp.dir, 'fixed-config.yaml')
  writeFileSync(fixedFile, configYaml(false))
  api = await startFakeApiServer({
    pki,
    etcd: etcd.client,
    writer: 'identity',
    pods: [
      {name: 'kube-apiserver-cp1', node: 'cp1', command: apiserverCommand({encryptionConfig: CONFIG_PATH, reload: true})},
      {name: 'kube-apiserver-cp2', node: 'cp2', command: apiserverCommand({encryptionConfig: CONFIG_PATH, reload: true})},
    ],
    counters: {to: {'': 1200}, from: {identity: 800, 'k8s:enc:aescbc:v1:key1:': 4000}},
    metricsExtra: [
      '# TYPE apiserver_encryption_config_controller_automatic_reloads_total counter',
      'apiserver_encryption_config_controller_automatic_reloads_total{apiserver_id_hash="sha256:14f9d63e669337ac6bfda2e2162915ee6a6067743eddd4e5c374b572f951ff37",status="success"} 3',
      'apiserver_encryption_config_controller_automatic_reloads_total{apiserver_id_hash="sha256:14f9d63e669337ac6bfda2e2162915ee6a6067743eddd4e5c374b572f951ff37",status="failure"} 1',
      'apiserver_encryption_config_controller_automatic_reload_last_timestamp_seconds{apiserver_id_hash="sha256:14f9d63e669337ac6bfda2e2162915ee6a6067743eddd4e5c374b572f951ff37",status="failure"} 1.7802e+09',
      '',
    ].join('\n'),
    health: ['[+]ping ok', '[+]log ok', '[+]etcd ok', '[+]kms-providers ok'],
  })
}, 120_000)

afterAll(async () => {
  await api?.stop()
  await etcd?.stop()
  tmp?.cleanup()
})

const run = (args: string[], env: Record<string, string | undefined> = {}) => leakctlAsync(['check', 'encryption', ...args], {env: {HOME: tmp.dir, KUBECONFIG: undefined, LEAKCTL_QUIET: '1', ...env}})
const base = (): CheckOptions => ({cluster: true, kube: {kubeconfig: api.kubeconfig}, etcd: {endpoints: [etcd.endpoint]}})

describe("the seed's incident: identity first after the migration", () => {
  it('PARTIAL, exit 1: the canary is written in plaintext, 25 of 65 stored Secrets are plaintext — counted by provider and key, proved with the keys', async () => {
    const r = await run(['--kubeconfig', api.kubeconfig, '--etcd-endpoints', etcd.endpoint, '--encryption-config', seedFile, '--canary', '--json'])
    expect(r.code, r.stderr).toBe(1)
    const out = json(r)
    expect(out.verdict).toBe('PARTIAL')
    expect(out.summary).toMatch(/^PARTIAL — a canary Secret written through the API server was stored in plaintext \(\/registry\/secrets\/default\/leakctl-canary-[0-9a-f]{10}\); 25 of 75 Secrets in etcd are PLAINTEXT; 40 aescbc key1, 5 aesgcm key2, 3 kms v2 vault-kms, 2 aescbc retired$/)
    expect(out.etcd).toMatchObject({prefix: '/registry', total: 75, plaintext: 25, encrypted: 50, encodings: {protobuf: 25, json: 0, other: 0}})
    expect(out.etcd.byProvider).toEqual([
      {provider: 'aescbc', key: 'key1', count: 40, proof: 'decrypts'},
      {provider: 'aesgcm', key: 'key2', count: 5, proof: 'decrypts'},
      {provider: 'kms v2', key: 'vault-kms', count: 3, proof: 'kms'},
      {provider: 'aescbc', key: 'retired', count: 2, proof: 'unknown-key'},
    ])
    expect(out.etcd.plaintextByNamespace).toEqual([{namespace: 'prod', count: 15}, {namespace: 'payments', count: 10}])
    expect(out.etcd.roundTrips).toBe(2)
    expect(out.canary).toMatchObject({status: 'plaintext', namespace: 'default', provider: 'identity', keyName: null, markerReadable: true, deleted: true, marker: expect.stringMatching(/^sha256:/)})
    expect(out.writes).toMatchObject({says: 'plaintext', basis: 'canary'})
    expect(out.stored).toMatchObject({says: 'mixed', basis: 'etcd'})
    expect(out.proven).toEqual({writes: true, stored: true})
    expect(out.apiserver.pods.map((p: {name: string; flags: {encryptionProviderConfig: string; automaticReload: boolean}}) => [p.name, p.flags.encryptionProviderConfig, p.flags.automaticReload])).toEqual([
      ['kube-apiserver-cp1', CONFIG_PATH, true],
      ['kube-apiserver-cp2', CONFIG_PATH, true],
    ])
    expect(out.apiserver).toMatchObject({encryptionFlag: 'all', automaticReload: 'all', etcdPrefix: '/registry'})
    expect(out.apiserver.health[0].kms).toEqual([{name: 'kms-providers', ok: true, detail: 'ok'}])
    expect(out.metrics).toMatchObject({writesSay: 'plaintext', totals: {plaintextWrites: 1200, encryptedWrites: 0, plaintextReads: 800}, reload: {successes: 3, failures: 1}})
    expect(out.lint.secrets).toMatchObject({mode: 'plaintext', line: 7})
    expect(out.missing).toEqual([])
    expect(out.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/2 Secret\(s\) are stored with aescbc key retired, which .*seed-config\.yaml does not have/),
        expect.stringMatching(/API server metrics: 800 plaintext value\(s\) read back from etcd/),
        expect.stringMatching(/automatic reload of the encryption configuration failed 1 time/),
      ]),
    )
    expect(out.plan[0]).toMatchObject({id: 'fix-provider-order', title: `Put an encrypting provider FIRST for secrets in ${seedFile}; identity only LAST, as a read fallback`})
    expect(out.plan[2].commands[0]).toBe(`leakctl check encryption --context test-cluster --etcd-endpoints ${etcd.endpoint} --canary --canary-namespace default`)
    // The canary Secret went through the API and is gone from etcd.
    expect(api.created).toHaveLength(1)
    expect(api.deleted).toEqual(api.created)
    expect(await etcd.client.get(`/registry/secrets/${api.created[0]}`).buffer()).toBeNull()
    for (const v of secretValues) expect(r.stdout).not.toContain(v)
  })

  it('the human form: verdict line first, then the evidence, the missing and the plan', async () => {
    const r = await run(['--kubeconfig', api.kubeconfig, '--etcd-endpoints', etcd.endpoint, '-c', seedFile])
    expect(r.code).toBe(1)
    const lines = r.stdout.split('\n')
    // Without --canary the running server's counters outrank a file it may not have loaded.
    expect(lines[0]).toMatch(/^PARTIAL — every write through the API server's encryption configuration went to identity: 1,\d{3} plaintext writes since it started, none encrypted; 25 of 75 Secrets in etcd are PLAINTEXT/)
    expect(r.stdout).toMatch(/API servers \(context test-cluster, https:\/\/127\.0\.0\.1:\d+\)\n  kube-apiserver-cp1 +cp1 +--encryption-provider-config=\/etc\/kubernetes\/enc\/encryption-config\.yaml +automatic-reload=on +etcd-prefix=\/registry/)
    expect(r.stdout).toMatch(/etcd \(prefix \/registry, revision \d+: 75 Secrets in 2 requests/)
    expect(r.stdout).toMatch(/aescbc retired +2 +key not in the configuration/)
    expect(r.stdout).toMatch(/plaintext by namespace: prod 15, payments 10/)
    expect(r.stdout).toMatch(/Re-encryption plan — in this order\n  1\. Put an encrypting provider FIRST/)
    expect(r.stdout).not.toMatch(/\x1b\[/)
  })

  it('after the fix: the canary is encrypted with key1 but stored Secrets stay PARTIAL until rewritten; then ENCRYPTED, exit 0', async () => {
    api.setWriter({provider: 'aescbc', name: 'key1', key: key1})
    try {
      const before = await checkEncryption({...base(), encryptionConfig: fixedFile, canary: {namespace: 'default', fingerprinter: TEST_FINGERPRINTER}})
      expect(before.verdict).toBe('PARTIAL')
      expect(before.canary).toMatchObject({status: 'encrypted', provider: 'aescbc', keyName: 'key1', markerReadable: false, proof: 'decrypts', deleted: true})
      expect(before.writes.basis).toBe('canary')
      expect(before.etcd!.byProvider.find((p) => p.key === 'key1')).toMatchObject({writes: true})
      expect(before.etcd!.byProvider.find((p) => p.key === 'key2')).toMatchObject({writes: false})
      expect(before.notes).toContainEqual(expect.stringMatching(/Secret\(s\) still under older keys \(aesgcm key2, kms v2 vault-kms, aescbc retired\)/))

      // kubectl get secrets -A -o json | kubectl replace -f -: every plaintext Secret written again, now with key1.
      const plain = await etcd.client.getAll().prefix('/registry/secrets/').buffers()
      const rewritten: string[] = []
      for (const [k, v] of Object.entries(plain)) {
        if (v.subarray(0, 4).toString('latin1') === 'k8s\0') {
          await etcd.client.put(k).value(encrypt('aescbc', 'key1', key1, v, k))
          rewritten.push(k)
        }
      }
      expect(rewritten).toHaveLength(25)
      const r = await run(['--kubeconfig', api.kubeconfig, '--etcd-endpoints', etcd.endpoint, '-c', fixedFile, '--canary', '--json'])
      expect(r.code, r.stderr).toBe(0)
      const after = json(r)
      expect(after.verdict).toBe('ENCRYPTED')
      expect(after.summary).toBe('ENCRYPTED — a canary Secret written through the API server was stored encrypted with aescbc key key1; all 75 Secrets in etcd are encrypted (65 aescbc key1, 5 aesgcm key2, 3 kms v2 vault-kms, 2 aescbc retired)')
      expect(after.etcd.plaintext).toBe(0)
      expect(after.plan).toEqual([])
      // Put them back for the other tests.
      for (const k of rewritten) await etcd.client.put(k).value(plain[k]!)
    } finally {
      api.setWriter('identity')
    }
  })
})

describe('the raw count streams', () => {
  it('pages pinned to one revision: writes during the count do not change it; round trips = total / page', async () => {
    const session = await openEtcd({endpoints: [etcd.endpoint]})
    try {
      let writes = 0
      const pending: Promise<unknown>[] = []
      const r = await countSecrets(session, {
        prefix: '/registry',
        pageSize: 7,
        pageBytes: 1, // keep the page at the floor (10) after the first
        onPage: () => {
          writes++
          pending.push(etcd.client.put(`/registry/secrets/prod/written-during-count-${writes}`).value(secret({name: `w${writes}`, namespace: 'prod'}, 'Opaque', {a: 'b'})))
        },
      })
      await Promise.all(pending)
      expect(r.total).toBe(75)
      expect(r.plaintext).toBe(25)
      // 1 count + 1 page of 7 + ceil(68 / 10) pages of 10.
      expect(r.roundTrips).toBe(1 + 1 + 7)
      expect(writes).toBe(8)
      const again = await countSecrets(session, {prefix: '/registry'})
      expect(again.total).toBe(75 + writes)
      expect(Number(again.revision)).toBeGreaterThan(Number(r.revision))
      for (let i = 1; i <= writes; i++) await etcd.client.delete().key(`/registry/secrets/prod/written-during-count-${i}`)
    } finally {
      session.close()
    }
  })

  it('another --etcd-prefix (OpenShift /kubernetes.io), read from the API server flags when not given', async () => {
    const alt = await startFakeApiServer({pki, etcd: etcd.client, prefix: '/kubernetes.io', writer: 'identity', counters: {to: {'': 5}}, pods: [{name: 'kube-apiserver-a', node: 'a', command: apiserverCommand({encryptionConfig: CONFIG_PATH, etcdPrefix: '/kubernetes.io'})}]})
    await seedSecrets(etcd.client, [{namespace: 'openshift-config', count: 4, storage: {provider: 'aesgcm', name: 'key2', key: key2}}], '/kubernetes.io')
    try {
      const r = await checkEncryption({cluster: true, kube: {kubeconfig: alt.kubeconfig}, etcd: {endpoints: [etcd.endpoint]}})
      expect(r.apiserver!.etcdPrefix).toBe('/kubernetes.io')
      expect(r.etcd).toMatchObject({prefix: '/kubernetes.io', total: 4, plaintext: 0})
      // No --encryption-config, no canary: the flags say a config is loaded, the counters say plaintext writes.
      expect(r.writes).toMatchObject({says: 'plaintext', basis: 'API server metrics'})
      expect(r.verdict).toBe('PARTIAL')
    } finally {
      await alt.stop()
      await etcd.client.delete().prefix('/kubernetes.io/')
    }
  })
})

describe('evidence that cannot be gathered is named, not guessed', () => {
  it('RBAC forbids pods and /metrics (403): the verdict comes from etcd; missing says what and how to get it', async () => {
    const locked = await startFakeApiServer({pki, etcd: etcd.client, writer: 'identity', allow: {pods: false, metrics: false}})
    try {
      const r = await run(['--kubeconfig', locked.kubeconfig, '--etcd-endpoints', etcd.endpoint, '--json'])
      expect(r.code).toBe(1)
      const out = json(r)
      expect(out.verdict).toBe('PARTIAL')
      expect(out.stored.basis).toBe('etcd')
      expect(out.missing).toEqual([
        {evidence: 'apiserver', kind: 'forbidden', reason: 'list pods -n kube-system -l component=kube-apiserver: 403 Forbidden: pods is forbidden: User "system:serviceaccount:ops:leakctl-check" cannot list resource "pods" in API group "" in the namespace "kube-system"', fix: expect.stringMatching(/kubectl auth can-i list pods -n kube-system/)},
        {evidence: 'metrics', kind: 'forbidden', reason: 'GET /metrics: 403 Forbidden: forbidden: User "system:serviceaccount:ops:leakctl-check" cannot get path "/metrics"', fix: expect.stringMatching(/nonResourceURLs/)},
      ])
    } finally {
      await locked.stop()
    }
  })

  it('an expired token (401 everywhere) with only the cluster to ask: UNKNOWN, exit 3, the reason on stderr', async () => {
    const expired = writeKubeconfig(join(tmp.dir, 'expired.kubeconfig'), {server: api.url, ca: pki.pem(pki.ca.cert), token: 'expired-token', context: 'prod'})
    const r = await run(['--kubeconfig', expired])
    expect(r.code).toBe(3)
    expect(r.stdout.split('\n')[0]).toMatch(/^UNKNOWN — cannot verify: the cluster \(prod\) did not answer: list pods .*401 Unauthorized — the credentials were refused \(expired token\?\)/)
    expect(r.stderr).toMatch(/^error: cannot verify: list pods -n kube-system -l component=kube-apiserver: 401 Unauthorized/)
    // With the raw count available, the verdict stands; the cluster is listed as missing.
    const j = json(await run(['--kubeconfig', expired, '--etcd-endpoints', etcd.endpoint, '--json']))
    expect(j.verdict).toBe('PARTIAL')
    expect(j.missing.map((m: {kind: string}) => m.kind)).toEqual(['unauthorized', 'unauthorized', 'unauthorized', 'unauthorized'])
  })

  it('an unreachable cluster, an unreachable etcd, a server certificate from another CA: exit 3 with what is missing', async () => {
    const closed = await freePort()
    const down = writeKubeconfig(join(tmp.dir, 'down.kubeconfig'), {server: `https://127.0.0.1:${closed}`, ca: pki.pem(pki.ca.cert), token: 't', context: 'down'})
    const wrongCa = writeKubeconfig(join(tmp.dir, 'wrong-ca.kubeconfig'), {server: api.url, ca: pki.pem(pki.otherCa.cert), token: 'test-token-not-a-secret', context: 'wrong-ca'})
    const [a, b, c] = await Promise.all([run(['--kubeconfig', down]), run(['--etcd-endpoints', `http://127.0.0.1:${closed}`]), run(['--kubeconfig', wrongCa, '--json'])])
    expect(a.code).toBe(3)
    expect(a.stderr).toMatch(new RegExp(`cannot reach the API server https://127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\)`))
    expect(b.code).toBe(3)
    expect(b.stderr).toMatch(new RegExp(`error: cannot verify: cannot reach etcd http://127\\.0\\.0\\.1:${closed}`))
    expect(b.stdout).toMatch(/Missing evidence\n  - etcd: cannot reach etcd/)
    expect(c.code).toBe(3)
    expect(json(c).missing[0]).toMatchObject({evidence: 'apiserver', kind: 'tls'})
    for (const r of [a, b, c]) expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('the canary cannot run (RBAC forbids creating Secrets): with everything else encrypted the answer is UNKNOWN, exit 3 — never ENCRYPTED', async () => {
    const only = await startFakeApiServer({pki, etcd: etcd.client, writer: {provider: 'aescbc', name: 'key1', key: key1}, allow: {secrets: false}, pods: [{name: 'kube-apiserver-x', node: 'x', command: apiserverCommand({encryptionConfig: CONFIG_PATH})}], counters: {to: {'k8s:enc:aescbc:v1:key1:': 10}}})
    const enc = await startEtcd()
    try {
      await seedSecrets(enc.client, [{namespace: 'prod', count: 3, storage: {provider: 'aescbc', name: 'key1', key: key1}}])
      const r = await checkEncryption({cluster: true, kube: {kubeconfig: only.kubeconfig}, etcd: {endpoints: [enc.endpoint]}, canary: {namespace: 'prod', fingerprinter: TEST_FINGERPRINTER}})
      expect(r.stored.says).toBe('encrypted')
      expect(r.verdict).toBe('UNKNOWN')
      expect(r.exitCode).toBe(3)
      expect(r.summary).toMatch(/^UNKNOWN — cannot verify: create Secret prod\/leakctl-canary-[0-9a-f]+: 403 Forbidden: secrets is forbidden/)
      expect(r.missing[0]!.fix).toMatch(/grant create and delete on secrets in namespace prod/)
      // Without --canary the same evidence is ENCRYPTED, and says what is not proven.
      const plain = await checkEncryption({cluster: true, kube: {kubeconfig: only.kubeconfig}, etcd: {endpoints: [enc.endpoint]}})
      expect(plain.verdict).toBe('ENCRYPTED')
      expect(plain.summary).toMatch(/all 3 Secrets in etcd are encrypted \(3 aescbc key1\); not proven from etcd: new writes \(--canary\)$/)
    } finally {
      await only.stop()
      await enc.stop()
    }
  })

  it('an etcd of another cluster (or a wrong prefix): the canary is not found there — cannot verify, exit 3', async () => {
    const other = await startEtcd()
    try {
      const r = await checkEncryption({...base(), etcd: {endpoints: [other.endpoint]}, canary: {namespace: 'default', fingerprinter: TEST_FINGERPRINTER}, etcdPrefix: '/registry'})
      expect(r.verdict).toBe('UNKNOWN')
      expect(r.missing.map((m) => [m.evidence, m.kind])).toEqual(
        expect.arrayContaining([
          ['etcd', 'not-found'],
          ['canary', 'not-found'],
        ]),
      )
      expect(r.missing.find((m) => m.evidence === 'canary')!.reason).toMatch(/the canary Secret was created, but \/registry\/secrets\/default\/leakctl-canary-\w+ is not in etcd .*wrong --etcd-prefix, or that etcd belongs to another cluster/)
      // Writes went through the fake API server into the first etcd, and were deleted there.
      expect(api.deleted.at(-1)).toBe(api.created.at(-1))
    } finally {
      await other.stop()
    }
  })

  it('a managed control plane (GKE): no static pods to read — says what to check by hand', async () => {
    const gke = await startFakeApiServer({pki, etcd: etcd.client, writer: 'identity', pods: []})
    const kc = writeKubeconfig(join(tmp.dir, 'gke.kubeconfig'), {server: gke.url, ca: pki.pem(pki.ca.cert), token: 'test-token-not-a-secret', context: 'gke_acme-prod_europe-west1_main'})
    try {
      const r = await run(['--kubeconfig', kc, '--json'])
      const out = json(r)
      expect(out.apiserver.managed).toBe('gke')
      expect(out.managed).toMatchObject({provider: 'gke', name: 'Google GKE', checkByHand: expect.stringMatching(/gcloud container clusters describe NAME --location LOCATION --format="value\(databaseEncryption\)"/)})
      expect(out.missing).toContainEqual(expect.objectContaining({evidence: 'apiserver', kind: 'not-visible'}))
    } finally {
      await gke.stop()
    }
  })
})

describe('--incident', () => {
  it('records a check.completed event with the verdict, counts and what was missing — and no secret value', async () => {
    const ws = join(tmp.dir, 'ws')
    const opened = await openTestIncident(ws, {kind: 'etcd-leak'})
    const r = await run(['--kubeconfig', api.kubeconfig, '--etcd-endpoints', etcd.endpoint, '-c', seedFile, '--workspace', ws, '--incident', opened.ref.id, '--json'])
    expect(r.code).toBe(1)
    const {state} = loadIncident(findIncident(openWorkspace(ws), opened.ref.id))
    const check = state.checks.find((c) => c.check === 'encryption-at-rest')!
    expect(check).toMatchObject({status: 'partial', summary: expect.stringMatching(/^PARTIAL — /)})
    expect(check.details).toMatchObject({verdict: 'PARTIAL', etcd: {total: 75, plaintext: 25}})
    const log = (await import('node:fs')).readFileSync(findIncident(openWorkspace(ws), opened.ref.id).logPath, 'utf8')
    for (const v of [...secretValues, key1.toString('base64'), key2.toString('base64')]) expect(log).not.toContain(v)
  })
})
