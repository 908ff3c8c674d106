import {execFileSync} from 'node:child_process'
import {createDecipheriv, createHash, randomBytes} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parseEncryptionConfig} from '../src/cluster/encryption-config.js'
import {fingerprint, TEST_FINGERPRINTER} from './helpers/fingerprint.js'
import {classifySecret} from '../src/etcd/classify.js'
import {decrypt, keyringFrom, ruleFor} from '../src/etcd/decrypt.js'
import {readEnvelope} from '../src/etcd/envelope.js'
import {analyze, type RevisionJob} from '../src/etcd/inventory/analyze.js'
import {Folder} from '../src/etcd/inventory/fold.js'
import {keyringsFrom} from '../src/etcd/inventory/keyrings.js'
import {PrefixVote, routeCustom, routeKey} from '../src/etcd/k8s/keys.js'
import {decodeConfigMap, decodeSecret, decodeStored, ProtoError, type SecretObject, workloadEnv} from '../src/etcd/k8s/objects.js'
import {encodeField} from '../src/etcd/proto.js'
import {configMap, customResource, encodeMeta, encrypt, encryptionConfigYaml, kmsV1, kmsV2, secret, storage, workload, type WorkloadKind} from '../fixtures/etcd/k8s-objects.js'

// The Kubernetes layer on values built in the storage encoding (no etcd here;
// test/scan-etcd.test.ts runs the whole scan on snapshots of a real etcd).

const key = (label: string) => createHash('sha256').update(label).digest()
const secretObj = (value: Buffer): SecretObject => decodeSecret(decodeStored(value)!)
const job = (key: string, value: Buffer, category: RevisionJob['category'] = 'secret', resource = 'secrets', group = ''): RevisionJob => ({key, main: 1, category, resource, group, value})

let certs: {caCrt: string; caKey: string; leafCrt: string; leafKey: string; selfCrt: string; selfKey: string}
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'leakctl-k8s-'))
  const run = (...args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: 'ignore'})
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=test-ca', '-addext', 'basicConstraints=critical,CA:TRUE')
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=leaf.example.com')
  run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '30')
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'self.key', '-out', 'self.crt', '-days', '30', '-subj', '/CN=self.example.com', '-addext', 'basicConstraints=critical,CA:FALSE')
  const r = (f: string) => readFileSync(join(dir, f), 'utf8')
  certs = {caCrt: r('ca.crt'), caKey: r('ca.key'), leafCrt: r('leaf.crt'), leafKey: r('leaf.key'), selfCrt: r('self.crt'), selfKey: r('self.key')}
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('objects in the storage encoding (field numbers of k8s.io/api generated.proto)', () => {
  it('a Secret: metadata, type, data, stringData, immutable', () => {
    const raw = Buffer.concat([
      encodeField(1, encodeMeta({name: 'db', namespace: 'prod', uid: 'u-1', labels: {app: 'shop'}, annotations: {note: 'x'}, created: new Date('2026-03-04T05:06:07Z')})),
      encodeField(2, Buffer.concat([encodeField(1, 'password'), encodeField(2, Buffer.from([0, 1, 2, 255]))])),
      encodeField(3, 'kubernetes.io/basic-auth'),
      encodeField(4, Buffer.concat([encodeField(1, 'username'), encodeField(2, 'app')])),
      encodeField(5, 1),
    ])
    const obj = decodeStored(storage('v1', 'Secret', raw))!
    expect(obj).toMatchObject({encoding: 'protobuf', apiVersion: 'v1', kind: 'Secret'})
    const s = decodeSecret(obj)
    expect(s.meta).toMatchObject({name: 'db', namespace: 'prod', uid: 'u-1', labels: {app: 'shop'}, annotations: {note: 'x'}, created: '2026-03-04T05:06:07.000Z'})
    expect(s.type).toBe('kubernetes.io/basic-auth')
    expect(s.immutable).toBe(true)
    expect(s.data.get('password')).toEqual(Buffer.from([0, 1, 2, 255]))
    expect(s.data.get('username')!.toString()).toBe('app')
  })

  it('a ConfigMap: data and binaryData', () => {
    const raw = Buffer.concat([encodeField(1, encodeMeta({name: 'cfg', namespace: 'ns'})), encodeField(2, Buffer.concat([encodeField(1, 'a'), encodeField(2, 'b')])), encodeField(3, Buffer.concat([encodeField(1, 'bin'), encodeField(2, Buffer.from([7, 8]))]))])
    const cm = decodeConfigMap(decodeStored(storage('v1', 'ConfigMap', raw))!)
    expect(cm.meta.name).toBe('cfg')
    expect([...cm.data.keys()]).toEqual(['a', 'bin'])
    expect(cm.data.get('bin')).toEqual(Buffer.from([7, 8]))
  })

  it.each(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'] as WorkloadKind[])('%s: env literals and command lines of containers and init containers', (kind) => {
    const v = workload(kind, {name: 'w', namespace: 'ns'}, [{name: 'app', env: {A: '1', EMPTY: ''}, command: ['run'], args: ['--token=abc']}], [{name: 'init', env: {B: '2'}}])
    const w = workloadEnv(decodeStored(v)!)
    expect(w.meta).toMatchObject({name: 'w', namespace: 'ns'})
    expect(w.env).toEqual([
      {container: 'app', name: 'A', value: '1'},
      {container: 'init', name: 'B', value: '2'},
    ])
    expect(w.commands).toEqual([{container: 'app', argv: ['run', '--token=abc']}])
  })

  it('ephemeral containers (PodSpec field 34, EphemeralContainerCommon field 1)', () => {
    const c = Buffer.concat([encodeField(1, 'debug'), encodeField(7, Buffer.concat([encodeField(1, 'X'), encodeField(2, 'y')]))])
    const pod = storage('v1', 'Pod', Buffer.concat([encodeField(1, encodeMeta({name: 'p', namespace: 'ns'})), encodeField(2, encodeField(34, encodeField(1, c)))]))
    expect(workloadEnv(decodeStored(pod)!).env).toEqual([{container: 'debug', name: 'X', value: 'y'}])
  })

  it('JSON storage (custom resources), and what is neither', () => {
    const cr = decodeStored(customResource('example.com/v1', 'Widget', {name: 'w', namespace: 'ns'}, {token: 't'}))!
    expect(cr).toMatchObject({encoding: 'json', apiVersion: 'example.com/v1', kind: 'Widget'})
    expect(decodeStored(Buffer.from('plain text'))).toBeNull()
    expect(decodeStored(Buffer.from('{not json'))).toBeNull()
    expect(decodeStored(Buffer.from('[1,2]'))).toBeNull()
  })

  it('a damaged message is a ProtoError, never a crash or a hang', () => {
    const good = secret({name: 's', namespace: 'n'}, 'Opaque', {a: 'b'})
    for (let cut = 5; cut < good.length; cut += 3) {
      try {
        const o = decodeStored(good.subarray(0, cut))
        if (o) decodeSecret(o)
      } catch (error) {
        expect(error).toBeInstanceOf(ProtoError)
      }
    }
    expect(() => decodeStored(Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f])]))).toThrow(ProtoError)
  })
})

describe('keys: the prefix is read from the keys, not assumed', () => {
  it('routes built-ins under any prefix, the special names kube-apiserver uses, and custom resources', () => {
    expect(routeKey('/registry/secrets/prod/db')).toMatchObject({prefix: '/registry', resource: 'secrets', category: 'secret', namespace: 'prod', name: 'db'})
    expect(routeKey('/kubernetes.io/secrets/openshift-config/pull')).toMatchObject({prefix: '/kubernetes.io', category: 'secret', namespace: 'openshift-config'})
    expect(routeKey('/clusters/east/registry/configmaps/ns/cfg')).toMatchObject({prefix: '/clusters/east/registry', category: 'configmap'})
    expect(routeKey('/registry/controllers/ns/rc')).toMatchObject({resource: 'replicationcontrollers', category: 'workload'})
    expect(routeKey('/registry/deployments/ns/api')).toMatchObject({resource: 'deployments', group: 'apps', category: 'workload'})
    expect(routeKey('/registry/services/specs/ns/svc')).toMatchObject({resource: 'services', category: 'other'})
    expect(routeKey('/registry/namespaces/prod')).toMatchObject({category: 'other', namespace: null, name: 'prod'})
    expect(routeKey('/registry/example.com/widgets/ns/w', '/registry')).toMatchObject({resource: 'widgets', group: 'example.com', namespace: 'ns', category: 'custom'})
    expect(routeKey('/registry/example.com/clusterwidgets/w', '/registry')).toMatchObject({namespace: null, name: 'w', category: 'custom'})
    expect(routeCustom('/kubernetes.io/cnpg.io/clusters/db/pg', ['/kubernetes.io'])).toMatchObject({group: 'cnpg.io', resource: 'clusters', namespace: 'db'})
    expect(routeKey('/registry/secrets/prod/db', '/kubernetes.io')).toBeNull()
    expect(routeKey('/calico/ipam/v2/host/node1')).toBeNull()
  })

  it('a key naming what every object inherits (constructor, __proto__) is no resource, with or without the prefix', () => {
    for (const segment of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(routeKey(`/registry/${segment}/ns/x`)).toBeNull()
      expect(routeKey(`/registry/${segment}/ns/x`, '/registry')).toBeNull()
      expect(routeKey(`/registry/${segment}/x`, '/registry')).toBeNull()
    }
  })

  it('with the prefix known, a key routes as it does when the prefix is read from it', () => {
    const keys = ['/registry/secrets/prod/db', '/registry/pods/a/b', '/registry/namespaces/prod', '/registry/services/specs/ns/svc', '/registry/example.com/widgets/ns/w', '/registry/secrets/prod/', '/registry/secrets//db', '/registry/secrets/prod/db/extra', '/registry/minions/node1', '/registry/deployments/ns/api']
    for (const key of keys) {
      const known = routeKey(key, '/registry')
      const learned = routeKey(key)
      if (learned) expect(known).toEqual(learned)
      else if (known) expect(known.category).toBe('custom')
    }
  })

  it('the most common prefix wins the vote', () => {
    const v = new PrefixVote()
    for (const k of ['/registry/secrets/a/b', '/registry/pods/a/b', '/other/secrets/a/b']) v.add(routeKey(k)!.prefix)
    expect(v.winner).toBe('/registry')
  })
})

describe('decryption proves the key (each provider in its layout)', () => {
  const etcdKey = '/registry/secrets/prod/db'
  const plain = secret({name: 'db', namespace: 'prod'}, 'Opaque', {password: 'Xk2mQ9vL4pR8wT7z'})
  const config = parseEncryptionConfig(
    encryptionConfigYaml(
      [
        {provider: 'aescbc', name: 'k1', secret: key('k1')},
        {provider: 'aesgcm', name: 'k2', secret: key('k2')},
        {provider: 'secretbox', name: 'k3', secret: key('k3')},
      ],
      ['vault', {name: 'legacy-kms', apiVersion: 'v1'}],
    ),
  )
  const keyring = keyringFrom(config)

  it.each([
    ['aescbc', 'k1'],
    ['aesgcm', 'k2'],
    ['secretbox', 'k3'],
  ] as const)('%s: the right key decrypts and the object decodes', (provider, name) => {
    const value = encrypt(provider, name, key(name), plain, etcdKey)
    const env = readEnvelope(value)
    expect(env).toMatchObject({storage: 'encrypted', provider, keyName: name})
    const d = decrypt(env as Extract<typeof env, {storage: 'encrypted'}>, value, Buffer.from(etcdKey), keyring)
    expect(d.status).toBe('decrypted')
    expect(secretObj((d as {plaintext: Buffer}).plaintext).data.get('password')!.toString()).toBe('Xk2mQ9vL4pR8wT7z')
  })

  it.each([
    ['aescbc', 'k1'],
    ['aesgcm', 'k2'],
    ['secretbox', 'k3'],
  ] as const)('%s: a key of the same name that is not the one → wrong-key; a name the config lacks → unknown-key', (provider, name) => {
    const impostor = encrypt(provider, name, key('impostor'), plain, etcdKey)
    const env = readEnvelope(impostor) as Extract<ReturnType<typeof readEnvelope>, {storage: 'encrypted'}>
    expect(decrypt(env, impostor, Buffer.from(etcdKey), keyring).status).toBe('wrong-key')
    const retired = encrypt(provider, 'retired', key('retired'), plain, etcdKey)
    expect(decrypt(readEnvelope(retired) as typeof env, retired, Buffer.from(etcdKey), keyring).status).toBe('unknown-key')
  })

  it('aesgcm authenticates the etcd key: the value moved to another key does not open', () => {
    const value = encrypt('aesgcm', 'k2', key('k2'), plain, etcdKey)
    const env = readEnvelope(value) as Extract<ReturnType<typeof readEnvelope>, {storage: 'encrypted'}>
    expect(decrypt(env, value, Buffer.from('/registry/secrets/prod/other'), keyring).status).toBe('wrong-key')
  })

  it('aescbc has no authentication: a wrong key passes the padding check about 1 time in 256, and is still refused', () => {
    const wrong = keyringFrom(parseEncryptionConfig(encryptionConfigYaml([{provider: 'aescbc', name: 'k1', secret: key('not-k1')}])))
    let validPadding = 0
    let decrypted = 0
    for (let i = 0; i < 3000; i++) {
      const value = encrypt('aescbc', 'k1', key('k1'), plain, etcdKey)
      const payload = value.subarray(readEnvelope(value).storage === 'encrypted' ? (readEnvelope(value) as {payloadOffset: number}).payloadOffset : 0)
      try {
        const d = createDecipheriv('aes-256-cbc', key('not-k1'), payload.subarray(0, 16))
        Buffer.concat([d.update(payload.subarray(16)), d.final()])
        validPadding++
      } catch {
        // bad padding: what usually happens
      }
      const env = readEnvelope(value) as Extract<ReturnType<typeof readEnvelope>, {storage: 'encrypted'}>
      if (decrypt(env, value, Buffer.from(etcdKey), wrong).status === 'decrypted') decrypted++
    }
    expect(validPadding).toBeGreaterThan(0) // the trap is real...
    expect(decrypted).toBe(0) // ...and the storage check closes it
  })

  it('KMS: v2 gives its key id, v1 none; a provider the config no longer lists is unknown', () => {
    const v2 = kmsV2('vault', 'projects/acme/keys/etcd', 300)
    const e2 = readEnvelope(v2) as Extract<ReturnType<typeof readEnvelope>, {storage: 'encrypted'}>
    expect(e2).toMatchObject({provider: 'kms', version: 'v2', keyName: 'vault'})
    expect(decrypt(e2, v2, Buffer.from(etcdKey), keyring)).toEqual({status: 'kms', keyId: 'projects/acme/keys/etcd'})
    expect(decrypt(e2, v2, Buffer.from(etcdKey), null)).toEqual({status: 'kms', keyId: 'projects/acme/keys/etcd'})
    const v1 = kmsV1('legacy-kms', 200)
    const e1 = readEnvelope(v1) as typeof e2
    expect(e1).toMatchObject({provider: 'kms', version: 'v1', keyName: 'legacy-kms'})
    expect(decrypt(e1, v1, Buffer.from(etcdKey), keyring)).toEqual({status: 'kms', keyId: null})
    const gone = kmsV2('old-vault', 'k', 10)
    expect(decrypt(readEnvelope(gone) as typeof e2, gone, Buffer.from(etcdKey), keyring).status).toBe('unknown-key')
  })

  it('the rule kube-apiserver applies: first match, exact names, *.group, *., *.*; the writer is the first provider', () => {
    const cfg = parseEncryptionConfig(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets, deployments.apps]
    providers:
      - aescbc: {keys: [{name: a, secret: ${key('a').toString('base64')}}]}
      - identity: {}
  - resources: ['*.batch']
    providers:
      - identity: {}
      - secretbox: {keys: [{name: b, secret: ${key('b').toString('base64')}}]}
  - resources: ['*.']
    providers:
      - kms: {apiVersion: v2, name: core-kms, endpoint: unix:///k.sock}
  - resources: ['*.*']
    providers:
      - aesgcm: {keys: [{name: c, secret: ${key('c').toString('base64')}}]}
`)
    expect(ruleFor(cfg, 'secrets')!.resources).toContain('secrets')
    expect(keyringFrom(cfg, 'deployments').writer).toBe('aescbc:a')
    expect(keyringFrom(cfg, 'cronjobs').writer).toBe('identity')
    expect([...keyringFrom(cfg, 'cronjobs').keys.keys()]).toEqual(['secretbox:b'])
    expect(keyringFrom(cfg, 'configmaps').writer).toBe('kms:core-kms')
    expect(keyringFrom(cfg, 'widgets', 'example.com').writer).toBe('aesgcm:c')
    const none = parseEncryptionConfig(encryptionConfigYaml([{provider: 'aescbc', name: 'k', secret: key('k')}]))
    expect(keyringFrom(none, 'configmaps')).toMatchObject({writer: null})
    // Structured clone (the worker threads) turns key Buffers into Uint8Arrays: still decrypts.
    const cloned = structuredClone(config)
    const value = encrypt('aescbc', 'k1', key('k1'), plain, etcdKey)
    expect(analyze(job(etcdKey, value), keyringsFrom(cloned), TEST_FINGERPRINTER).decryption).toBe('decrypted')
  })
})

describe('classification: type, content, risk with the reason, rotation procedure', () => {
  const cls = (type: string, data: Record<string, string | Buffer>, meta: {name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>} = {}) =>
    classifySecret(secretObj(secret({name: meta.name ?? 's', namespace: meta.namespace ?? 'prod', labels: meta.labels, annotations: meta.annotations}, type, data)), TEST_FINGERPRINTER)

  it("TLS: a CA's key (basicConstraints CA:TRUE, and the key proven to match) is critical; a leaf's, even self-signed, low", () => {
    expect(cls('kubernetes.io/tls', {'tls.crt': certs.caCrt, 'tls.key': certs.caKey})[0]).toMatchObject({class: 'tls-ca-key', risk: 'critical', rotation: 'tls-ca', reason: expect.stringContaining('the key matches it')})
    expect(cls('kubernetes.io/tls', {'tls.crt': certs.leafCrt, 'tls.key': certs.leafKey, 'ca.crt': certs.caCrt})[0]).toMatchObject({class: 'tls-key', risk: 'low', rotation: 'tls-leaf', reason: expect.stringContaining('CN=leaf.example.com')})
    expect(cls('kubernetes.io/tls', {'tls.crt': certs.selfCrt, 'tls.key': certs.selfKey})[0]).toMatchObject({class: 'tls-key', reason: expect.stringContaining('self-signed')})
    // A CA certificate with someone else's key: still the CA's slot, but no claim that it matches.
    expect(cls('kubernetes.io/tls', {'tls.crt': certs.caCrt, 'tls.key': certs.leafKey})[0]!.reason).not.toContain('matches')
  })

  it('a private key beside the CA certificate it belongs to, in an Opaque Secret, is the CA key', () => {
    expect(cls('Opaque', {'ca.crt': certs.caCrt, 'ca.key': certs.caKey})).toEqual([expect.objectContaining({class: 'tls-ca-key', risk: 'critical', field: 'data.ca.key'})])
    expect(cls('Opaque', {'ca.crt': certs.caCrt, 'other.key': certs.leafKey}).map((c) => c.class)).not.toContain('tls-ca-key')
  })

  it('service-account tokens: kube-system ones are critical', () => {
    const token = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('{"sub":"x"}').toString('base64url')}.${randomBytes(40).toString('base64url')}`
    expect(cls('kubernetes.io/service-account-token', {token}, {namespace: 'kube-system', annotations: {'kubernetes.io/service-account.name': 'namespace-controller'}})[0]).toMatchObject({risk: 'critical', reason: expect.stringContaining('kube-system/namespace-controller')})
    expect(cls('kubernetes.io/service-account-token', {token}, {annotations: {'kubernetes.io/service-account.name': 'web'}})[0]).toMatchObject({risk: 'high', rotation: 'service-account-token'})
  })

  it('bootstrap tokens, registry credentials, SSH keys', () => {
    expect(cls('bootstrap.kubernetes.io/token', {'token-id': 'abcdef', 'token-secret': '0123456789abcdef'})[0]).toMatchObject({class: 'bootstrap-token', risk: 'critical', keyId: 'abcdef', preview: 'abcdef.****', fingerprint: fingerprint('abcdef.0123456789abcdef')})
    expect(cls('kubernetes.io/dockerconfigjson', {'.dockerconfigjson': JSON.stringify({auths: {'a.io': {}, 'b.io': {}}})})[0]).toMatchObject({class: 'docker-config', preview: 'auths for 2 registries'})
    expect(cls('kubernetes.io/ssh-auth', {'ssh-privatekey': certs.leafKey})[0]).toMatchObject({class: 'private-key', rotation: 'private-key'})
  })

  it('the rotation procedure per secret: CloudNativePG, Grafana, Slack, an app master key', () => {
    expect(cls('kubernetes.io/basic-auth', {username: 'app', password: 'Cn9xPg2Lv7Qk4Rm8', 'jdbc-uri': 'jdbc:postgresql://pg-rw:5432/app'}, {name: 'pg-app', labels: {'cnpg.io/cluster': 'pg'}})[0]).toMatchObject({rotation: 'cnpg-database-credentials', risk: 'high'})
    expect(cls('Opaque', {'admin-user': 'admin', 'admin-password': 'Gr4f-Adm1n-7xQ2'}, {name: 'grafana'})[0]).toMatchObject({class: 'grafana-admin', rotation: 'grafana-admin'})
    expect(cls('Opaque', {url: 'https://hooks.slack.com/services/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'})[0]).toMatchObject({class: 'slack-webhook', rotation: 'slack-webhook'})
    expect(cls('Opaque', {APP_MASTER_KEY: '9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0'})[0]).toMatchObject({class: 'app-master-key', risk: 'critical', rotation: 'app-master-key'})
    expect(cls('Opaque', {AWS_ACCESS_KEY_ID: 'AKIAQ3LMZ7TR4NBX2KDW', AWS_SECRET_ACCESS_KEY: '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'})).toEqual([expect.objectContaining({class: 'aws-access-key', risk: 'critical', keyId: 'AKIAQ3LMZ7TR4NBX2KDW'})])
  })

  it("a Helm release's values", () => {
    const release = gzipSync(JSON.stringify({name: 'r', config: {postgresql: {auth: {password: 'Hm7xQ2kL9vR4pT8w'}}}, chart: {values: {}}}))
    expect(cls('helm.sh/release.v1', {release: Buffer.from(release.toString('base64'))})[0]).toMatchObject({field: 'data.release (helm values)', fingerprint: fingerprint('Hm7xQ2kL9vR4pT8w')})
  })
})

describe('analysis of one value, and the fold of every revision in order', () => {
  it('an earlier value kept in the last-applied-configuration annotation counts too', () => {
    const annotation = JSON.stringify({apiVersion: 'v1', kind: 'Secret', metadata: {name: 'smtp'}, data: {password: Buffer.from('Ap9xQ2mL7vR4kT8w').toString('base64')}})
    const a = analyze(job('/registry/secrets/prod/smtp', secret({name: 'smtp', namespace: 'prod', annotations: {'kubectl.kubernetes.io/last-applied-configuration': annotation}}, 'Opaque', {password: 'Nw8vK3qZ7xM2pL5t'})), null, TEST_FINGERPRINTER)
    expect(a.credentials.map((c) => [c.field, c.fingerprint])).toEqual([
      ['data.password', fingerprint('Nw8vK3qZ7xM2pL5t')],
      ['annotation last-applied-configuration: data.password', fingerprint('Ap9xQ2mL7vR4kT8w')],
    ])
  })

  it('ConfigMaps (files and one-liners), command lines, custom resources, annotations', () => {
    const cm = analyze(job('/registry/configmaps/ns/c', configMap({name: 'c', namespace: 'ns', annotations: {'ops/db': 'postgres://u:Zq8mX2vL7pR4kN9w@db:5432/x'}}, {'app.properties': 'a=1\nspring.datasource.password=Bl7xK2mQ9vR4pL8w\n', LOG: 'info'}), 'configmap', 'configmaps'), null, TEST_FINGERPRINTER)
    expect(cm.found.map((f) => [f.field, f.class])).toEqual([
      ['data.app.properties', 'password'],
      ['annotation ops/db', 'database-url'],
    ])
    const cj = analyze(job('/registry/cronjobs/ns/b', workload('CronJob', {name: 'b', namespace: 'ns'}, [{name: 'c', args: ['--url=postgresql://backup:Bk3mX8qL2vR7pN4z@db/app']}]), 'workload', 'cronjobs', 'batch'), null, TEST_FINGERPRINTER)
    expect(cj.found).toEqual([expect.objectContaining({field: 'command c', class: 'database-url'})])
    const cr = analyze(job('/registry/example.com/widgets/ns/w', customResource('example.com/v1', 'Widget', {name: 'w', namespace: 'ns'}, {nested: {list: [{apiToken: 'glpat-Wq7xK2mR9vL4pN8sT3zY'}]}}), 'custom', 'widgets', 'example.com'), null, TEST_FINGERPRINTER)
    expect(cr.found).toEqual([expect.objectContaining({field: 'spec.nested.list[0].apiToken', class: 'gitlab-token'})])
    expect(cr.object).toMatchObject({kind: 'Widget', name: 'w', namespace: 'ns'})
  })

  it("a workload's annotations, read from their stored bytes: ASCII or not, with a keyword or without", () => {
    const LAST = 'kubectl.kubernetes.io/last-applied-configuration'
    const pod = (annotations: Record<string, string>) => analyze(job('/registry/pods/ns/p', workload('Pod', {name: 'p', namespace: 'ns', annotations}, [{name: 'c'}]), 'workload', 'pods'), null, TEST_FINGERPRINTER)
    const applied = (env: Record<string, string>) => JSON.stringify({kind: 'Pod', metadata: {name: 'p', annotations: {owner: 'équipe données'}}, spec: {containers: [{name: 'c', env: Object.entries(env).map(([name, value]) => ({name, value}))}]}})
    const token = 'glpat-Wq7xK2mR9vL4pN8sT3zY'
    const found = [expect.objectContaining({field: 'annotation last-applied-configuration', class: 'gitlab-token', fingerprint: fingerprint(token)})]
    expect(pod({[LAST]: applied({GITLAB_TOKEN: token})}).found).toEqual(found)
    expect(pod({[LAST]: applied({GITLAB_TOKEN: token}).replace('équipe données', 'team')}).found).toEqual(found)
    expect(pod({[LAST]: applied({LOG_LEVEL: 'info'}), note: 'rien à signaler'}).found).toEqual([])
    expect(pod({'ops/db': 'postgres://u:Zq8mX2vL7pR4kN9w@db:5432/x', [LAST]: applied({}) + ' '.repeat(300)}).found).toEqual([expect.objectContaining({field: 'annotation ops/db', class: 'database-url'})])
  })

  it("a workload's labels are not decoded, but a damaged one still makes the object damaged", () => {
    const podWith = (label: Buffer) => storage('v1', 'Pod', Buffer.concat([encodeField(1, Buffer.concat([encodeField(1, 'p'), encodeField(3, 'ns'), encodeField(11, label)])), encodeField(2, encodeField(8, 'sa'))]))
    const ok = analyze(job('/registry/pods/ns/p', podWith(Buffer.concat([encodeField(1, 'app'), encodeField(2, 'web')])), 'workload', 'pods'), null, TEST_FINGERPRINTER)
    expect(ok).toMatchObject({damaged: false, object: {kind: 'Pod', name: 'p', namespace: 'ns'}, consumer: {serviceAccount: 'sa'}})
    const damaged = analyze(job('/registry/pods/ns/p', podWith(Buffer.from([0x0a, 0x05, 0x61])), 'workload', 'pods'), null, TEST_FINGERPRINTER)
    expect(damaged).toMatchObject({damaged: true, object: null})
  })

  it('every revision: rotated, deleted, recreated, re-encrypted; copies of a template counted, not listed', () => {
    const f = new Folder()
    const route = (key: string) => routeKey(key)!
    let rev = 0
    const put = (key: string, value: Buffer, category?: RevisionJob['category']) => {
      const r = route(key)
      f.add({route: r, key, main: ++rev, tombstone: false, analysis: analyze(job(key, value, category ?? r.category, r.resource, r.group), null, TEST_FINGERPRINTER)})
    }
    const del = (key: string) => f.add({route: route(key), key, main: ++rev, tombstone: true, analysis: null})
    const k = '/registry/secrets/prod/db'
    put(k, secret({name: 'db', namespace: 'prod'}, 'Opaque', {password: 'Old-Passw0rd-2026x'}))
    put(k, secret({name: 'db', namespace: 'prod'}, 'Opaque', {password: 'New-Passw0rd-2026x'}))
    put('/registry/secrets/prod/gone', secret({name: 'gone', namespace: 'prod'}, 'Opaque', {password: 'Gone-Passw0rd-2026'}))
    del('/registry/secrets/prod/gone')
    put('/registry/secrets/prod/back', secret({name: 'back', namespace: 'prod'}, 'Opaque', {password: 'Back-Passw0rd-2026'}))
    del('/registry/secrets/prod/back')
    put('/registry/secrets/prod/back', secret({name: 'back', namespace: 'prod'}, 'Opaque', {password: 'Back-Passw0rd-2026'}))
    put('/registry/secrets/prod/enc', secret({name: 'enc', namespace: 'prod'}, 'Opaque', {password: 'Plain-Passw0rd-2026'}))
    put('/registry/secrets/prod/enc', encrypt('aescbc', 'k1', key('k1'), secret({name: 'enc', namespace: 'prod'}, 'Opaque', {password: 'x'}), '/registry/secrets/prod/enc'))
    const env = {DB_PASSWORD: 'Dp8mX2qL7vR4kN9z'}
    put('/registry/deployments/prod/api', workload('Deployment', {name: 'api', namespace: 'prod'}, [{name: 'api', env}]))
    put('/registry/replicasets/prod/api-1', workload('ReplicaSet', {name: 'api-1', namespace: 'prod'}, [{name: 'api', env}]))
    put('/registry/pods/prod/api-1-a', workload('Pod', {name: 'api-1-a', namespace: 'prod'}, [{name: 'api', env}]))
    put('/registry/pods/other/lonely', workload('Pod', {name: 'lonely', namespace: 'other'}, [{name: 'x', env}]))
    const out = f.finish()
    const s = (name: string) => out.secrets.find((x) => x.name === name)!
    expect(s('db')).toMatchObject({revisions: 2, state: 'live', readable: 'anyone'})
    expect(s('db').credentials.map((c) => [c.current, c.revision])).toEqual([
      [true, 2],
      [false, 1],
    ])
    expect(s('gone')).toMatchObject({state: 'deleted', revisions: 1, readable: 'anyone'})
    expect(s('gone').credentials[0]!.current).toBe(false)
    expect(s('back')).toMatchObject({state: 'live', revisions: 2})
    expect(s('back').credentials).toHaveLength(1)
    expect(s('enc')).toMatchObject({storage: 'encrypted', provider: 'aescbc', plaintextRevisions: 1, readable: 'anyone'})
    expect(out.storage).toMatchObject({firstEncryptedRevision: 9, oldPlaintextUnderEncrypted: 1, plaintextBeforeEncryption: 2})
    expect(out.findings.map((x) => [x.kind, x.name, x.reason.replace(/^.*\((copied.*)\)$/, '$1')])).toEqual([
      ['Deployment', 'api', 'copied into 1 ReplicaSet, 1 Pod'],
      ['Pod', 'lonely', expect.not.stringContaining('copied')],
    ])
  })
})
