import {copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parseEncryptionConfig} from '../src/cluster/encryption-config.js'
import {findingSchema} from '../src/detect/finding.js'
import {isLeakctlError} from '../src/errors.js'
import {etcdFindings, type EtcdScanResult, scanSnapshot, type StorageCensus, storageCensus} from '../src/etcd/scan.js'
import {openSnapshot} from '../src/etcd/snapshot.js'
import {CLUSTER_KEY, clusterOps} from '../fixtures/etcd/cluster.js'
import {configMap, customResource, encrypt, encryptionConfigYaml, secret, workload} from '../fixtures/etcd/k8s-objects.js'
import {SAMPLE_CANARY, SAMPLE_KEYS, sampleOps} from '../fixtures/etcd/sample.js'
import {apply, makeSnapshot, saveSnapshot, startEtcd} from '../fixtures/etcd/server.js'
import {json, leakctl, leakctlAsync, ROOT, tempDir} from './helpers/cli.js'
import {buildBolt, inlineBucket} from './helpers/bolt.js'
import {fingerprint, TEST_FINGERPRINTER} from './helpers/fingerprint.js'

// scan etcd on snapshots saved by a real etcd (Debian's etcd-server and
// etcdctl): the bundled sample's content, written the way kube-apiserver
// writes it, and smaller snapshots for the prefix, --deep, worker threads
// and the canary.

let tmp: ReturnType<typeof tempDir>
let snap: string
let configFile: string
let result: EtcdScanResult

beforeAll(async () => {
  tmp = tempDir()
  const {ops, encryptionConfig} = sampleOps()
  snap = join(tmp.dir, 'sample.db')
  await makeSnapshot(snap, ops)
  configFile = join(tmp.dir, 'encryption-config.yaml')
  writeFileSync(configFile, encryptionConfig)
  result = await scanSnapshot(snap, {fingerprinter: TEST_FINGERPRINTER, encryptionConfig: parseEncryptionConfig(encryptionConfig, configFile)})
}, 120_000)
afterAll(() => tmp.cleanup())

const secretNamed = (ns: string, name: string, r = result) => {
  const s = r.secrets.find((x) => x.namespace === ns && x.name === name)
  if (!s) throw new Error(`no Secret ${ns}/${name}`)
  return s
}

const VERDICT = '20 of 31 Secrets are readable by anyone with this file (6 critical, 11 high, 2 medium, 1 low); 7 more credential(s) outside Secrets.'

describe('scan etcd on a snapshot made by a real etcd', () => {
  it('gives the verdict: how many Secrets anyone with the file can read, by risk', async () => {
    expect(result.summary.verdict).toBe(VERDICT)
    const early = openSnapshot(snap)
    expect(storageCensus(early)).toEqual({secrets: 31, readable: 20})
    expect(storageCensus(early, '/kubernetes.io')).toEqual({secrets: 0, readable: 0})
    early.close()
    expect(result.summary).toMatchObject({prefix: '/registry', trailer: 'match', revisions: 43})
    expect(result.summary.secrets).toEqual({total: 31, readable: 20, readableWithKeys: 7, live: 30, deleted: 1, encrypted: 12, plaintext: 19, withOldRevisions: 2})
    expect(result.damaged).toBe(false)
  })

  it('tells from the order of the writes when encryption at rest began, and what was never rewritten', () => {
    expect(result.summary.storage).toMatchObject({plaintextBeforeEncryption: 17, plaintextAfterEncryption: 1, oldPlaintextUnderEncrypted: 1})
    const first = result.summary.storage.firstEncryptedRevision!
    expect(secretNamed('prod', 'late-writer').modRevision).toBeGreaterThan(first)
  })

  it('classifies by type and content, with the reason and the rotation procedure', () => {
    expect(secretNamed('kube-system', 'cluster-ca').credentials[0]).toMatchObject({class: 'tls-ca-key', risk: 'critical', reason: expect.stringContaining('the key matches it')})
    expect(secretNamed('pki', 'root-ca').credentials[0]).toMatchObject({class: 'tls-ca-key', risk: 'critical', field: 'data.ca.key'})
    expect(secretNamed('prod', 'shop-tls').credentials[0]).toMatchObject({class: 'tls-key', risk: 'low', rotation: 'tls-leaf'})
    expect(secretNamed('kube-system', 'bootstrap-token-q7x2m1').credentials[0]).toMatchObject({class: 'bootstrap-token', risk: 'critical', preview: 'q7x2m1.****'})
    expect(secretNamed('kube-system', 'namespace-controller-token-7x2pq').credentials[0]).toMatchObject({class: 'k8s-service-account-token', risk: 'critical'})
    expect(secretNamed('prod', 'aws-credentials').credentials).toEqual([expect.objectContaining({class: 'aws-access-key', risk: 'critical', keyId: 'AKIAQ3LMZ7TR4NBX2KDW', field: 'data.AWS_SECRET_ACCESS_KEY'})])
    expect(secretNamed('ironflow', 'ironflow-secret').credentials[0]).toMatchObject({class: 'app-master-key', risk: 'critical', rotation: 'app-master-key'})
    expect(secretNamed('ironflow', 'ironflow-postgresql-app').credentials[0]).toMatchObject({risk: 'high', rotation: 'cnpg-database-credentials'})
    expect(secretNamed('monitoring', 'grafana-admin').credentials[0]).toMatchObject({class: 'grafana-admin', rotation: 'grafana-admin'})
    expect(secretNamed('monitoring', 'alertmanager-slack').credentials[0]).toMatchObject({class: 'slack-webhook', rotation: 'slack-webhook'})
    expect(secretNamed('prod', 'api-token-x9k2p').credentials[0]).toMatchObject({class: 'k8s-service-account-token', risk: 'high', reason: expect.stringMatching(/service account prod\/api/)})
    expect(secretNamed('prod', 'regcred').credentials[0]).toMatchObject({class: 'docker-config', preview: 'auths for 1 registry'})
    expect(secretNamed('ci', 'deploy-key').credentials[0]).toMatchObject({class: 'private-key'})
    expect(secretNamed('payments', 'oauth-client').credentials[0]).toMatchObject({class: 'oauth-client-secret', risk: 'medium'})
  })

  it('every revision: a rotated Secret keeps its old value; a deleted one is readable; a re-encrypted one too; the last-applied annotation', () => {
    const db = secretNamed('prod', 'db-credentials')
    expect(db).toMatchObject({revisions: 2, plaintextRevisions: 2})
    expect(db.credentials.map((c) => c.current).sort()).toEqual([false, true])
    const gone = secretNamed('staging', 'ci-github-token')
    expect(gone).toMatchObject({state: 'deleted', plaintextRevisions: 1, readable: 'anyone'})
    expect(gone.credentials[0]).toMatchObject({class: 'github-token', current: false})
    const adyen = secretNamed('payments', 'adyen')
    expect(adyen).toMatchObject({storage: 'encrypted', plaintextRevisions: 1, decryptedRevisions: 1, readable: 'anyone'})
    expect(adyen.credentials.map((c) => [c.current, c.readable])).toEqual(expect.arrayContaining([[false, 'anyone'], [true, 'with-keys']]))
    expect(secretNamed('prod', 'smtp').credentials.map((c) => c.field)).toEqual(['data.password', 'annotation last-applied-configuration: data.password'])
  })

  it('the storage verdict per value, and the keys proved against the EncryptionConfiguration', () => {
    expect(secretNamed('prod', 'session-keys')).toMatchObject({storage: 'encrypted', provider: 'aescbc', keyName: 'key1', decryption: 'decrypted', readable: 'with-keys'})
    expect(secretNamed('prod', 'redis')).toMatchObject({provider: 'aesgcm', keyName: 'key2', decryption: 'decrypted'})
    expect(secretNamed('monitoring', 'pagerduty')).toMatchObject({provider: 'secretbox', keyName: 'key3', decryption: 'decrypted'})
    expect(secretNamed('prod', 'internal-tls')).toMatchObject({provider: 'aesgcm', type: 'kubernetes.io/tls', decryption: 'decrypted', risk: 'low'})
    expect(secretNamed('ci', 'registry-push')).toMatchObject({provider: 'secretbox', type: 'kubernetes.io/dockerconfigjson', risk: 'high'})
    expect(secretNamed('prod', 'legacy-cache')).toMatchObject({provider: 'aescbc', keyName: 'key0', decryption: 'decrypted'})
    expect(secretNamed('legacy', 'old-service')).toMatchObject({provider: 'aescbc', keyName: 'retired', decryption: 'unknown-key', readable: 'no', risk: null})
    expect(secretNamed('legacy', 'mismatched')).toMatchObject({keyName: 'key1', decryption: 'wrong-key', readable: 'no'})
    expect(secretNamed('prod', 'kms-protected')).toMatchObject({provider: 'kms v2', keyName: 'vault-kms', decryption: 'kms', kmsKeyId: 'projects/acme/keys/etcd-2026', reason: expect.stringContaining('KMS')})
    expect(secretNamed('prod', 'kms-v1-protected')).toMatchObject({provider: 'kms v1', keyName: 'old-kms', decryption: 'kms', kmsKeyId: null})
    // stale: opened by a key the configuration still reads with, not the one it writes with (aescbc:key1)
    expect(result.summary.keys).toEqual({unknown: 1, wrong: 1, decrypted: 8, kms: 2, stale: 5})
    expect(result.summary.encryptionConfig).toMatchObject({writer: 'aescbc:key1', identityFirst: false})
  })

  it('without the configuration nothing encrypted is read, and the verdict does not change', async () => {
    const blind = await scanSnapshot(snap, {fingerprinter: TEST_FINGERPRINTER})
    expect(blind.summary.verdict).toBe(VERDICT)
    expect(secretNamed('prod', 'session-keys', blind)).toMatchObject({credentials: [], decryption: null, readable: 'no'})
    expect(secretNamed('prod', 'kms-protected', blind)).toMatchObject({decryption: 'kms', kmsKeyId: 'projects/acme/keys/etcd-2026'})
    expect(blind.summary.keys).toEqual({unknown: 0, wrong: 0, decrypted: 0, kms: 2, stale: 0})
  })

  it('a configuration with identity first is called out', async () => {
    const cfg = parseEncryptionConfig(encryptionConfigYaml([{provider: 'aescbc', name: 'key1', secret: SAMPLE_KEYS.key1}], [], {identityFirst: true}), 'identity-first.yaml')
    const r = await scanSnapshot(snap, {fingerprinter: TEST_FINGERPRINTER, encryptionConfig: cfg})
    expect(r.summary.encryptionConfig).toMatchObject({writer: 'identity', identityFirst: true})
    expect(r.warnings).toContain('identity-first.yaml: identity is the first provider for Secrets, so new Secrets are written in plaintext; put it last')
  })

  it('credentials outside Secrets: ConfigMaps, env literals (copies counted), command lines, custom resources', () => {
    expect(result.findings.map((f) => [f.kind, `${f.namespace}/${f.name}`, f.field, f.class])).toEqual([
      ['ConfigMap', 'billing/application-properties', 'data.application.properties', 'password'],
      ['ConfigMap', 'prod/app-config', 'data.DATABASE_URL', 'database-url'],
      ['CronJob', 'ops/db-backup', 'command backup', 'database-url'],
      ['Deployment', 'prod/api', 'env api/DB_PASSWORD', 'password'],
      ['Deployment', 'prod/api', 'env api/SMTP_PASSWORD', 'password'],
      ['Widget', 'prod/main', 'spec.apiToken', 'gitlab-token'],
      ['StatefulSet', 'data/kafka', 'env kafka/KAFKA_SASL_PASSWORD', 'password'],
    ])
    expect(result.findings.find((f) => f.field === 'env api/SMTP_PASSWORD')!.reason).toContain('copied into 1 ReplicaSet, 2 Pods')
    expect(result.findings[1]).toMatchObject({source: 'etcd', preview: 'postgres://reporting:****@db.prod.internal', state: 'live'})
    for (const f of result.findings) expect(() => findingSchema().parse(f)).not.toThrow()
  })

  it('as incident findings: one per credential, old and deleted values marked, each a valid Finding', () => {
    const f = etcdFindings(result)
    for (const x of f) expect(() => findingSchema().parse(x)).not.toThrow()
    expect(f.filter((x) => x.state === 'deleted' && x.kind === 'Secret').map((x) => x.name).sort()).toEqual(['adyen', 'ci-github-token', 'db-credentials'])
    expect(f.length).toBe(result.secrets.reduce((n, s) => n + s.credentials.length, 0) + result.findings.length)
  })

  it('--deep: an old value compacted away but still in a freed page', async () => {
    const e = await startEtcd()
    const k = '/registry/secrets/prod/rotated'
    const old = 'ghp_R8mKq2Lx7Vb4Tz9Wn3Yc6Hd1Fs5Gj0PaEu2N'
    try {
      await apply(e.client, [
        {op: 'put', key: k, value: secret({name: 'rotated', namespace: 'prod'}, 'Opaque', {token: old})},
        ...Array.from({length: 50}, (_, i) => ({op: 'put' as const, key: `/registry/configmaps/x/c${i}`, value: 'y'.repeat(3000)})),
        {op: 'put', key: k, value: secret({name: 'rotated', namespace: 'prod'}, 'Opaque', {token: 'ghp_Z1mKq2Lx7Vb4Tz9Wn3Yc6Hd1Fs5Gj0PaEu9Q'})},
        {op: 'compact'},
      ])
      saveSnapshot(e.endpoint, join(tmp.dir, 'deep.db'))
    } finally {
      await e.stop()
    }
    const shallow = await scanSnapshot(join(tmp.dir, 'deep.db'), {fingerprinter: TEST_FINGERPRINTER})
    expect(shallow.secrets[0]!.credentials.map((c) => c.fingerprint)).not.toContain(fingerprint(old))
    const deep = await scanSnapshot(join(tmp.dir, 'deep.db'), {fingerprinter: TEST_FINGERPRINTER, deep: true})
    expect(deep.remnants.flatMap((r) => r.credentials.map((c) => c.fingerprint))).toContain(fingerprint(old))
    expect(deep.remnants.find((r) => r.credentials.some((c) => c.fingerprint === fingerprint(old)))).toMatchObject({key: k, kind: 'Secret', storage: 'plaintext'})
    const cli = json(leakctl(['scan', 'etcd', join(tmp.dir, 'deep.db'), '--deep', '--json']))
    expect(cli.summary.remnants).toBe(deep.remnants.length)
  }, 60_000)

  it('detects the key prefix: OpenShift keeps objects under /kubernetes.io; any --etcd-prefix works; a wrong one is refused', async () => {
    const f = join(tmp.dir, 'prefixes.db')
    await makeSnapshot(f, [
      {op: 'put', key: '/kubernetes.io/secrets/openshift-config/pull', value: secret({name: 'pull', namespace: 'openshift-config'}, 'Opaque', {password: 'Os7xK2mQ9vL4pR8w'})},
      {op: 'put', key: '/kubernetes.io/configmaps/openshift-config/cfg', value: configMap({name: 'cfg', namespace: 'openshift-config'}, {DATABASE_URL: 'postgres://u:Os8xK2mQ9vL4pR8w@db:5432/x'})},
      {op: 'put', key: '/kubernetes.io/operator.openshift.io/widgets/w', value: customResource('operator.openshift.io/v1', 'Widget', {name: 'w'}, {token: 'glpat-Wq7xK2mR9vL4pN8sT3zY'})},
    ])
    const r = await scanSnapshot(f, {fingerprinter: TEST_FINGERPRINTER})
    expect(r.summary.prefix).toBe('/kubernetes.io')
    expect(r.secrets[0]).toMatchObject({namespace: 'openshift-config', name: 'pull', risk: 'high'})
    expect(r.findings.map((x) => x.kind).sort()).toEqual(['ConfigMap', 'Widget'])
    expect((await scanSnapshot(f, {fingerprinter: TEST_FINGERPRINTER, prefix: '/kubernetes.io'})).summary.verdict).toBe(r.summary.verdict)
    const wrong = await scanSnapshot(f, {fingerprinter: TEST_FINGERPRINTER, prefix: '/registry'}).catch((e: unknown) => e)
    expect(isLeakctlError(wrong) && wrong.message).toBe(`--etcd-prefix /registry: no Kubernetes object in ${f} is under it (its objects are under /kubernetes.io)`)
    const cli = leakctl(['scan', 'etcd', f, '--etcd-prefix', '/registry'])
    expect(cli.code).toBe(2)
    expect(cli.stderr.trim().split('\n')).toHaveLength(1)
    const custom = join(tmp.dir, 'custom-prefix.db')
    await makeSnapshot(custom, [{op: 'put', key: '/clusters/east/secrets/default/api', value: secret({name: 'api', namespace: 'default'}, 'Opaque', {GITHUB_TOKEN: 'ghp_R8mKq2Lx7Vb4Tz9Wn3Yc6Hd1Fs5Gj0PaEu2N'})}])
    expect((await scanSnapshot(custom, {fingerprinter: TEST_FINGERPRINTER})).summary).toMatchObject({prefix: '/clusters/east', secrets: {readable: 1}})
  }, 90_000)

  it('worker threads and the inline path give the same answer (a 2,000-Secret cluster, decrypted with its key)', async () => {
    const f = join(tmp.dir, 'cluster.db')
    await makeSnapshot(f, clusterOps({secrets: 2000}), {concurrency: 64})
    const encryptionConfig = parseEncryptionConfig(encryptionConfigYaml([{provider: 'aescbc', name: 'key1', secret: CLUSTER_KEY}]))
    let census: StorageCensus | undefined
    const inline = await scanSnapshot(f, {fingerprinter: TEST_FINGERPRINTER, threads: 1, encryptionConfig, onCensus: (c) => (census = c)})
    const pooled = await scanSnapshot(f, {fingerprinter: TEST_FINGERPRINTER, threads: 2, encryptionConfig})
    // The early count from keys and envelopes is the one the full scan arrives at (77% encrypted, rotated and deleted Secrets).
    expect(census).toMatchObject({secrets: inline.summary.secrets.total, readable: inline.summary.secrets.readable})
    expect(census!.readable).toBeGreaterThan(300)
    expect(census!.readable).toBeLessThan(census!.secrets)
    expect(inline.summary.secrets).toMatchObject({total: 2000, deleted: 20, withOldRevisions: 200})
    expect(inline.summary.keys.decrypted).toBeGreaterThan(1000)
    expect({...pooled, summary: {...pooled.summary, ms: 0}}).toEqual({...inline, summary: {...inline.summary, ms: 0}})
  }, 120_000)
})

describe('leakctl scan etcd (the binary)', () => {
  it('verdict first, exit 1; --json per DESIGN.md; --format csv', () => {
    const r = leakctl(['scan', 'etcd', snap, '--encryption-config', configFile])
    expect(r.code).toBe(1)
    // What the storage envelopes say comes before any value is decoded; then the whole verdict.
    const [census, verdict] = r.stdout.split('\n')
    expect(census).toMatch(/^EXPOSED: 20 of 31 Secrets are readable by anyone with this file \(from the storage envelopes in [\d,]+ ms; classifying every revision…\)$/)
    expect(verdict).toBe(`EXPOSED: ${VERDICT}`)
    expect(r.stdout).toMatch(/^CRITICAL \(6\)$/m)
    const j = json(leakctl(['scan', 'etcd', snap, '--json']))
    expect(Object.keys(j).sort()).toEqual(['damaged', 'findings', 'remnants', 'secrets', 'snapshot', 'summary', 'warnings'])
    expect(j.summary).toMatchObject({verdict: VERDICT, prefix: '/registry', trailer: 'match', bytes: statSync(snap).size})
    for (const s of j.secrets) {
      expect(Object.keys(s)).toEqual(expect.arrayContaining(['namespace', 'name', 'type', 'storage', 'provider', 'risk', 'state', 'revisions', 'credentials']))
      expect(['plaintext', 'encrypted']).toContain(s.storage)
      expect(['live', 'deleted']).toContain(s.state)
      if (s.storage === 'encrypted') expect(s.provider).toMatch(/^(aescbc|aesgcm|secretbox|kms v1|kms v2)$/)
      for (const c of s.credentials) expect(c).toMatchObject({fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), preview: expect.any(String)})
    }
    for (const f of j.findings) expect(() => findingSchema().parse(f)).not.toThrow()
    const csv = leakctl(['scan', 'etcd', snap, '--format', 'csv']).stdout.trim().split('\r\n')
    expect(csv[0]).toBe('record,namespace,name,kind,type,storage,provider,key_name,decryption,state,revisions,plaintext_revisions,readable,risk,class,field,current,fingerprint,preview,reason,etcd_key,revision')
    expect(csv.filter((l) => l.startsWith('finding,'))).toHaveLength(7)
    for (const s of j.secrets) for (const c of s.credentials) expect(csv.some((l) => l.includes(c.fingerprint))).toBe(true)
  })

  it('a snapshot with no Secrets and no credentials: exit 0', async () => {
    const f = join(tmp.dir, 'empty-cluster.db')
    await makeSnapshot(f, [{op: 'put', key: '/registry/namespaces/default', value: 'x'}, {op: 'put', key: '/registry/configmaps/default/c', value: configMap({name: 'c', namespace: 'default'}, {LOG_LEVEL: 'info'})}])
    const r = leakctl(['scan', 'etcd', f])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^No Secrets found in this snapshot\./)
  }, 60_000)

  it('bad input: one line on stderr, exit 2', async () => {
    const png = join(tmp.dir, 'a.png')
    writeFileSync(png, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(5000)]))
    const empty = join(tmp.dir, 'empty.db')
    writeFileSync(empty, '')
    const bolt = join(tmp.dir, 'other.db')
    writeFileSync(bolt, buildBolt({root: 2, pages: [{type: 'leaf', items: [{key: Buffer.from('widgets'), value: inlineBucket([]), bucket: true}]}]}))
    const notConfig = join(tmp.dir, 'deploy.yaml')
    writeFileSync(notConfig, 'apiVersion: apps/v1\nkind: Deployment\n')
    const cases: [string[], RegExp][] = [
      [[png], /a PNG image/],
      [[empty], /is empty/],
      [[bolt], /not an etcd one/],
      [[join(tmp.dir, 'nope.db')], /no such file/],
      [[tmp.dir], /is a directory/],
      [[snap, '--encryption-config', notConfig], /not an EncryptionConfiguration/],
      [[snap, '--etcd-prefix', 'registry'], /expected a path such as \/registry/],
      [[snap, '--format', 'xml'], /xml/],
    ]
    const runs = cases.flatMap(([args, re]) => [[], ['--json']].map((extra) => ({args: [...args, ...extra], re})))
    const results = await Promise.all(runs.map(({args}) => leakctlAsync(['scan', 'etcd', ...args])))
    runs.forEach(({args, re}, i) => {
      const r = results[i]!
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      expect(r.stderr).toMatch(re)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      if (args.includes('--json')) expect(JSON.parse(r.stdout).error).toMatchObject({exitCode: 2})
    })
  })

  it('a truncated snapshot: what could be read is reported, the damage named, exit 2', () => {
    const cut = join(tmp.dir, 'truncated.db')
    copyFileSync(snap, cut)
    truncateSync(cut, Math.floor(statSync(snap).size / 2))
    const r = leakctl(['scan', 'etcd', cut, '--json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/truncated|cannot read/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('NO_COLOR turns colour off even when FORCE_COLOR asks for it (and colour is there without it)', () => {
    const coloured = leakctl(['scan', 'etcd', snap], {env: {NO_COLOR: undefined, FORCE_COLOR: '1'}})
    expect(coloured.stdout).toContain('\x1b[')
    const plain = leakctl(['scan', 'etcd', snap], {env: {NO_COLOR: '1', FORCE_COLOR: '1'}})
    expect(plain.stdout).not.toContain('\x1b[')
    expect(plain.stdout.split('\n')[1]).toBe(`EXPOSED: ${VERDICT}`)
  })

  it('the bundled sample snapshot reads as documented', () => {
    const r = json(leakctl(['scan', 'etcd', join(ROOT, 'fixtures', 'etcd', 'sample.db'), '--json', '--encryption-config', join(ROOT, 'fixtures', 'etcd', 'sample-encryption-config.yaml')]))
    expect(r.summary.verdict).toBe(VERDICT)
    expect(r.summary.keys).toEqual({unknown: 1, wrong: 1, decrypted: 8, kms: 2, stale: 5})
  })

  it('canary: a value planted in Secrets (plaintext, encrypted with a known key, an annotation), a ConfigMap, env, a command line and a custom resource never appears in any output or file', async () => {
    const canary = `${SAMPLE_CANARY}-${Date.now().toString(36)}`
    const f = join(tmp.dir, 'canary.db')
    const k = Buffer.alloc(32, 7)
    const encKey = '/registry/secrets/a/s2'
    await makeSnapshot(f, [
      {op: 'put', key: '/registry/secrets/a/s1', value: secret({name: 's1', namespace: 'a', annotations: {'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({kind: 'Secret', data: {password: Buffer.from(`${canary}-old`).toString('base64')}})}}, 'Opaque', {password: canary})},
      {op: 'put', key: '/registry/secrets/a/s1', value: secret({name: 's1', namespace: 'a'}, 'Opaque', {password: `${canary}-rotated`})},
      {op: 'put', key: encKey, value: encrypt('aescbc', 'k', k, secret({name: 's2', namespace: 'a'}, 'Opaque', {API_KEY: `${canary}-enc`}), encKey)},
      {op: 'put', key: '/registry/configmaps/a/c1', value: configMap({name: 'c1', namespace: 'a'}, {DB_PASSWORD: `${canary}-cm`})},
      {op: 'put', key: '/registry/configmaps/a/c2', value: Buffer.from(JSON.stringify({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'c2', namespace: 'a'}, data: {DB_PASSWORD: `${canary}-json`}}))},
      {op: 'put', key: '/registry/deployments/a/d1', value: workload('Deployment', {name: 'd1', namespace: 'a'}, [{name: 'app', env: {DB_PASSWORD: `${canary}-env`}, args: [`--password=${canary}-arg`]}])},
      {op: 'put', key: '/registry/example.com/widgets/a/w', value: customResource('example.com/v1', 'Widget', {name: 'w', namespace: 'a'}, {password: `${canary}-cr`})},
      {op: 'delete', key: '/registry/secrets/a/s1'},
    ])
    const cfg = join(tmp.dir, 'canary-config.yaml')
    writeFileSync(cfg, encryptionConfigYaml([{provider: 'aescbc', name: 'k', secret: k}]))
    const cwd = join(tmp.dir, 'canary-cwd')
    mkdirSync(cwd)
    const env = {HOME: cwd}
    const forms = [[], ['--json'], ['--format', 'csv'], ['--deep', '--json'], ['--deep'], ['--encryption-config', cfg], ['--encryption-config', cfg, '--json'], ['--encryption-config', cfg, '--format', 'csv', '--deep'], ['--etcd-prefix', '/nope', '--json']]
    const outs = await Promise.all(forms.map((extra) => leakctlAsync(['scan', 'etcd', f, ...extra], {cwd, env})))
    const j = JSON.parse(outs[6]!.stdout) as EtcdScanResult
    // The canary was found (so the test can fail), under every name it was planted with.
    expect(j.secrets.find((s) => s.name === 's1')!.credentials).toHaveLength(3)
    expect(j.secrets.find((s) => s.name === 's2')).toMatchObject({decryption: 'decrypted', readable: 'with-keys'})
    expect(j.secrets.find((s) => s.name === 's2')!.credentials).toHaveLength(1)
    expect(j.findings.map((x) => x.field).sort()).toEqual(['command app', 'data.DB_PASSWORD', 'data.DB_PASSWORD', 'env app/DB_PASSWORD', 'spec.password'])
    for (const o of outs) {
      expect(o.stdout.includes(SAMPLE_CANARY)).toBe(false)
      expect(o.stderr.includes(SAMPLE_CANARY)).toBe(false)
    }
    const files = (d: string): string[] => readdirSync(d, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]))
    for (const file of files(cwd)) expect(readFileSync(file, 'latin1').includes(SAMPLE_CANARY), file).toBe(false)
    // The sample's own canary (in prod/db-credentials) likewise.
    const sample = leakctl(['scan', 'etcd', snap, '--json', '--encryption-config', configFile, '--deep'])
    expect(sample.stdout.includes(SAMPLE_CANARY)).toBe(false)
  }, 90_000)
})
