import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parseEncryptionConfig} from '../src/cluster/encryption-config.js'
import {fingerprint} from '../src/detect/finding.js'
import {etcdFindings, type EtcdScanResult, scanSnapshot} from '../src/etcd/scan.js'
import {secret} from '../fixtures/etcd/k8s-objects.js'
import {SAMPLE_CANARY, sampleOps} from '../fixtures/etcd/sample.js'
import {apply, makeSnapshot, saveSnapshot, startEtcd} from '../fixtures/etcd/server.js'
import {json, leakctl, ROOT, tempDir} from './helpers/cli.js'
import {buildBolt, inlineBucket} from './helpers/bolt.js'

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
  result = scanSnapshot(snap, {encryptionConfig: parseEncryptionConfig(encryptionConfig, configFile)})
}, 60_000)
afterAll(() => tmp.cleanup())

const secretNamed = (ns: string, name: string) => result.secrets.find((s) => s.namespace === ns && s.name === name)!

describe('scan etcd on a snapshot made by a real etcd', () => {
  it('gives the verdict: how many Secrets anyone with the file can read, by risk', () => {
    expect(result.summary.verdict).toBe('14 of 21 Secrets are readable by anyone with this file (4 critical, 7 high, 2 medium, 1 low); 3 more credential(s) outside Secrets.')
    expect(result.summary.prefix).toBe('/registry')
    expect(result.snapshot.trailer).toBe('match')
  })

  it('classifies by type and content, with the reason', () => {
    expect(secretNamed('kube-system', 'cluster-ca').credentials[0]).toMatchObject({class: 'tls-ca-key', risk: 'critical'})
    expect(secretNamed('prod', 'shop-tls').credentials[0]).toMatchObject({class: 'tls-key', risk: 'low'})
    expect(secretNamed('kube-system', 'bootstrap-token-q7x2m1').credentials[0]).toMatchObject({class: 'bootstrap-token', risk: 'critical', preview: 'q7x2m1.****'})
    expect(secretNamed('prod', 'aws-credentials').credentials).toEqual([expect.objectContaining({class: 'aws-access-key', risk: 'critical', keyId: 'AKIAQ3LMZ7TR4NBX2KDW', field: 'data.AWS_SECRET_ACCESS_KEY'})])
    expect(secretNamed('ironflow', 'ironflow-secret').credentials[0]).toMatchObject({class: 'app-master-key', risk: 'critical', rotation: 'app-master-key'})
    expect(secretNamed('ironflow', 'ironflow-postgresql-app').credentials[0]).toMatchObject({risk: 'high', rotation: 'cnpg-database-credentials'})
    expect(secretNamed('monitoring', 'grafana-admin').credentials[0]).toMatchObject({class: 'grafana-admin', rotation: 'grafana-admin'})
    expect(secretNamed('monitoring', 'alertmanager-slack').credentials[0]).toMatchObject({class: 'slack-webhook', rotation: 'slack-webhook'})
    expect(secretNamed('prod', 'api-token-x9k2p').credentials[0]).toMatchObject({class: 'k8s-service-account-token', reason: expect.stringMatching(/service account prod\/api/)})
    expect(secretNamed('prod', 'regcred').credentials[0]).toMatchObject({class: 'docker-config', preview: 'auths for 1 registry'})
    expect(secretNamed('payments', 'oauth-client').credentials[0]).toMatchObject({class: 'oauth-client-secret', risk: 'medium'})
  })

  it('every revision: a rotated Secret keeps its old value; a deleted one is still readable', () => {
    const db = secretNamed('prod', 'db-credentials')
    expect(db.revisions).toBe(2)
    expect(db.credentials.map((c) => c.current).sort()).toEqual([false, true])
    const gone = secretNamed('staging', 'ci-github-token')
    expect(gone).toMatchObject({state: 'deleted', plaintextRevisions: 1})
    expect(gone.credentials[0]).toMatchObject({class: 'github-token', current: false})
  })

  it('the storage verdict per value, and the keys proved against the EncryptionConfiguration', () => {
    expect(secretNamed('prod', 'session-keys')).toMatchObject({storage: 'encrypted', provider: 'aescbc', keyName: 'key1', decryption: 'decrypted'})
    expect(secretNamed('prod', 'redis')).toMatchObject({provider: 'aesgcm', keyName: 'key2', decryption: 'decrypted'})
    expect(secretNamed('monitoring', 'pagerduty')).toMatchObject({provider: 'secretbox', keyName: 'key3', decryption: 'decrypted'})
    expect(secretNamed('legacy', 'old-service')).toMatchObject({provider: 'aescbc', keyName: 'retired', decryption: 'unknown-key'})
    expect(secretNamed('legacy', 'mismatched')).toMatchObject({keyName: 'key1', decryption: 'wrong-key'})
    expect(secretNamed('prod', 'kms-protected')).toMatchObject({provider: 'kms v2', keyName: 'vault-kms', decryption: 'kms'})
    expect(result.summary.keys).toEqual({unknown: 1, wrong: 1, decrypted: 4, kms: 1})
    // Without the configuration nothing encrypted is read, and nothing encrypted counts as readable.
    const blind = scanSnapshot(snap)
    expect(blind.secrets.find((s) => s.name === 'session-keys')!.credentials).toEqual([])
    expect(blind.summary.secrets.readable).toBe(14)
  })

  it('credentials outside Secrets: ConfigMaps, env literals, custom resources', () => {
    expect(result.findings.map((f) => [f.kind, f.field, f.class])).toEqual([
      ['ConfigMap', 'data.DATABASE_URL', 'database-url'],
      ['Deployment', 'env api/DB_PASSWORD', 'password'],
      ['Widget', 'spec.apiToken', 'gitlab-token'],
    ])
    expect(result.findings[0]).toMatchObject({source: 'etcd', namespace: 'prod', name: 'app-config', preview: 'postgres://reporting:****@db.prod.internal', state: 'live'})
  })

  it('as incident findings: one per credential, old and deleted values marked', () => {
    const f = etcdFindings(result)
    expect(f.filter((x) => x.state === 'deleted').map((x) => x.name).sort()).toEqual(['ci-github-token', 'db-credentials'])
    expect(f.length).toBe(result.secrets.filter((s) => s.plaintextRevisions || s.decryption === 'decrypted').reduce((n, s) => n + s.credentials.length, 0) + 3)
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
    const shallow = scanSnapshot(join(tmp.dir, 'deep.db'))
    expect(shallow.secrets[0]!.credentials.map((c) => c.fingerprint)).not.toContain(fingerprint(old))
    const deep = scanSnapshot(join(tmp.dir, 'deep.db'), {deep: true})
    expect(deep.remnants.flatMap((r) => r.credentials.map((c) => c.fingerprint))).toContain(fingerprint(old))
  }, 60_000)

  it('detects the key prefix: OpenShift keeps objects under /kubernetes.io', async () => {
    const f = join(tmp.dir, 'openshift.db')
    await makeSnapshot(f, [{op: 'put', key: '/kubernetes.io/secrets/openshift-config/pull', value: secret({name: 'pull', namespace: 'openshift-config'}, 'Opaque', {password: 'Os7xK2mQ9vL4pR8w'})}])
    const r = scanSnapshot(f)
    expect(r.summary.prefix).toBe('/kubernetes.io')
    expect(r.secrets[0]).toMatchObject({namespace: 'openshift-config', name: 'pull', risk: 'high'})
    expect(scanSnapshot(f, {prefix: '/registry'}).secrets).toEqual([])
  }, 60_000)
})

describe('leakctl scan etcd (the binary)', () => {
  it('verdict first, exit 1; --json per DESIGN.md; --format csv', () => {
    const r = leakctl(['scan', 'etcd', snap, '--encryption-config', configFile])
    expect(r.code).toBe(1)
    expect(r.stdout.split('\n')[0]).toBe('EXPOSED: 14 of 21 Secrets are readable by anyone with this file (4 critical, 7 high, 2 medium, 1 low); 3 more credential(s) outside Secrets.')
    const j = json(leakctl(['scan', 'etcd', snap, '--json']))
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['secrets', 'findings', 'summary']))
    for (const s of j.secrets) expect(Object.keys(s)).toEqual(expect.arrayContaining(['namespace', 'name', 'type', 'storage', 'provider', 'risk', 'state', 'revisions']))
    expect(j.secrets.find((s: {name: string}) => s.name === 'kms-protected').storage).toBe('encrypted')
    const csv = leakctl(['scan', 'etcd', snap, '--format', 'csv']).stdout.trim().split('\r\n')
    expect(csv[0]).toBe('namespace,name,type,storage,provider,key_name,state,revisions,plaintext_revisions,risk,class,field,current,fingerprint,preview,reason')
    expect(csv.length).toBeGreaterThan(20)
  })

  it('a snapshot with no Secrets: exit 0', async () => {
    const f = join(tmp.dir, 'empty-cluster.db')
    await makeSnapshot(f, [{op: 'put', key: '/registry/namespaces/default', value: 'x'}])
    const r = leakctl(['scan', 'etcd', f])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^No Secrets found in this snapshot/)
  }, 60_000)

  it('bad input: one line, exit 2', () => {
    const png = join(tmp.dir, 'a.png')
    writeFileSync(png, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(5000)]))
    const empty = join(tmp.dir, 'empty.db')
    writeFileSync(empty, '')
    const bolt = join(tmp.dir, 'other.db')
    writeFileSync(bolt, buildBolt({root: 2, pages: [{type: 'leaf', items: [{key: Buffer.from('widgets'), value: inlineBucket([]), bucket: true}]}]}))
    for (const [f, re] of [[png, /a PNG image/], [empty, /is empty/], [bolt, /not an etcd one/], [join(tmp.dir, 'nope.db'), /no such file/], [tmp.dir, /is a directory/]] as const) {
      const r = leakctl(['scan', 'etcd', f])
      expect(r.code, f).toBe(2)
      expect(r.stderr.trim().split('\n'), f).toHaveLength(1)
      expect(r.stderr).toMatch(re)
    }
    const notConfig = join(tmp.dir, 'deploy.yaml')
    writeFileSync(notConfig, 'apiVersion: apps/v1\nkind: Deployment\n')
    expect(leakctl(['scan', 'etcd', snap, '--encryption-config', notConfig]).stderr).toMatch(/not an EncryptionConfiguration/)
  })

  it('the bundled sample snapshot reads as documented', () => {
    const r = json(leakctl(['scan', 'etcd', join(ROOT, 'fixtures', 'etcd', 'sample.db'), '--json', '--encryption-config', join(ROOT, 'fixtures', 'etcd', 'sample-encryption-config.yaml')]))
    expect(r.summary.secrets).toMatchObject({total: 21, readable: 14})
  })

  it('canary: a value planted in Secrets (plaintext and decryptable), a ConfigMap and env never appears in any output', async () => {
    const canary = `${SAMPLE_CANARY}-${Date.now().toString(36)}`
    const f = join(tmp.dir, 'canary.db')
    await makeSnapshot(f, [
      {op: 'put', key: '/registry/secrets/a/s1', value: secret({name: 's1', namespace: 'a'}, 'Opaque', {password: canary})},
      {op: 'put', key: '/registry/configmaps/a/c1', value: Buffer.from(JSON.stringify({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'c1', namespace: 'a'}, data: {DB_PASSWORD: canary}}))},
    ])
    const outs = [leakctl(['scan', 'etcd', f]), leakctl(['scan', 'etcd', f, '--json']), leakctl(['scan', 'etcd', f, '--format', 'csv']), leakctl(['scan', 'etcd', f, '--deep', '--json'])]
    expect(json(outs[1]!).summary.secrets.readable).toBe(1)
    expect(json(outs[1]!).findings).toHaveLength(1)
    for (const o of outs) {
      expect(o.stdout.includes(canary)).toBe(false)
      expect(o.stderr.includes(canary)).toBe(false)
    }
    // The sample's own canary (in prod/db-credentials) likewise.
    const sample = leakctl(['scan', 'etcd', snap, '--json', '--encryption-config', configFile])
    expect(sample.stdout.includes(SAMPLE_CANARY)).toBe(false)
  }, 60_000)
})
