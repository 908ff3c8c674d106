import {randomBytes} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {parseEncryptionConfig} from '../src/cluster/encryption-config.js'
import {goDurationMs, lintEncryptionConfig, type LintIssue} from '../src/cluster/lint.js'
import {ruleFor, writeMode} from '../src/cluster/resources.js'
import {json, leakctl, leakctlAsync, tempDir} from './helpers/cli.js'

// The lint, on configurations written the way people write them. Every
// issue must point at the right line, and no output may carry key material.

const k32 = () => randomBytes(32).toString('base64')
const lint = (text: string) => lintEncryptionConfig(parseEncryptionConfig(text, 'enc.yaml'))
const ids = (issues: LintIssue[]) => issues.map((i) => `${i.id}@${i.line}`)
const find = (issues: LintIssue[], id: string) => issues.filter((i) => i.id === id)

const tmp = tempDir('leakctl-cluster-lint-')
afterAll(() => tmp.cleanup())

describe('the provider that writes is the first one', () => {
  it("the seed's bug: identity first, aescbc second — new Secrets are PLAINTEXT (what kube-bench and kubescape pass)", () => {
    const key = k32()
    const text = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
      - secrets
    providers:
      - identity: {} # BUG: This is first, so secrets are NOT encrypted
      - aescbc:
          keys:
            - name: key1
              secret: ${key}
`
    const r = lint(text)
    expect(r.secrets).toMatchObject({mode: 'plaintext', line: 7, fallbacks: ['aescbc']})
    const [pw] = find(r.issues, 'plaintext-writes')
    expect(pw).toMatchObject({severity: 'critical', line: 7, resources: ['secrets']})
    expect(pw!.message).toMatch(/identity is the first provider for secrets: new writes are stored in PLAINTEXT; aescbc \(line 8\) below it only decrypts/)
    expect(pw!.fix).toMatch(/move aescbc \(line 8\) above identity \(line 7\).*kubectl get secrets -A -o json \| kubectl replace -f -/)
    expect(r.issues[0]!.id).toBe('plaintext-writes') // worst first
    expect(r.rejected).toBe(false)
    expect(JSON.stringify(r)).not.toContain(key)
  })

  it('the fixed order writes with aescbc key1, and warns about aescbc itself', () => {
    const r = lint(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc:
          keys:
            - name: key1
              secret: ${k32()}
      - identity: {}
`)
    expect(r.secrets).toEqual({mode: 'encrypted', provider: 'aescbc', key: 'key1', line: 6, rule: 0, entry: 'secrets'})
    expect(find(r.issues, 'plaintext-writes')).toEqual([])
    expect(find(r.issues, 'aescbc')[0]).toMatchObject({severity: 'medium', line: 6})
    expect(find(r.issues, 'aescbc')[0]!.message).toMatch(/padding-oracle/)
    expect(find(r.issues, 'local-key')[0]).toMatchObject({severity: 'low'})
    expect(find(r.issues, 'configmaps-not-covered')[0]).toMatchObject({severity: 'medium'})
  })

  it('the legacy form (kind: EncryptionConfig, apiVersion: v1) is read the same way', () => {
    const r = lint(`kind: EncryptionConfig
apiVersion: v1
resources:
  - resources:
    - secrets
    providers:
    - identity: {}
    - secretbox:
        keys:
        - name: key1
          secret: ${k32()}
`)
    expect(r.form).toBe('legacy')
    expect(r.secrets).toMatchObject({mode: 'plaintext', line: 7})
  })

  it('only identity: encryption is off for those resources', () => {
    const r = lint(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets, configmaps]
    providers:
      - identity: {}
`)
    expect(find(r.issues, 'plaintext-writes')[0]!.message).toMatch(/only identity for secrets, configmaps: encryption is off/)
    expect(r.configmaps.mode).toBe('plaintext')
  })

  it('Secrets not covered at all', () => {
    const r = lint(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [configmaps]
    providers:
      - secretbox:
          keys: [{name: k, secret: ${k32()}}]
      - identity: {}
`)
    expect(r.secrets).toEqual({mode: 'not-covered'})
    expect(find(r.issues, 'secrets-not-covered')[0]).toMatchObject({severity: 'critical', line: 4})
    expect(r.configmaps).toMatchObject({mode: 'encrypted', provider: 'secretbox', key: 'k'})
    expect(find(r.issues, 'configmaps-not-covered')).toEqual([])
  })

  it('a rule for a specific resource comes before a wildcard: the first matching rule wins', () => {
    const cfg = parseEncryptionConfig(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - kms: {apiVersion: v2, name: vault, endpoint: unix:///var/run/kms.sock}
      - identity: {}
  - resources: ['*.apps']
    providers:
      - identity: {}
  - resources: ['*.*']
    providers:
      - secretbox:
          keys: [{name: all, secret: ${k32()}}]
      - identity: {}
`)
    expect(writeMode(cfg, 'secrets')).toMatchObject({mode: 'encrypted', provider: 'kms v2', key: 'vault'})
    expect(writeMode(cfg, 'configmaps')).toMatchObject({mode: 'encrypted', provider: 'secretbox', key: 'all', entry: '*.*'})
    expect(writeMode(cfg, 'deployments.apps')).toMatchObject({mode: 'plaintext', entry: '*.apps'})
    expect(ruleFor(cfg, 'widgets.example.com')).toMatchObject({index: 2})
    const r = lintEncryptionConfig(cfg)
    expect(r.rejected).toBe(false)
    expect(find(r.issues, 'workloads-not-covered')).toEqual([])
    expect(find(r.issues, 'plaintext-writes')[0]).toMatchObject({severity: 'medium', resources: ['*.apps']})
  })
})

describe('what kube-apiserver refuses (startup fails, or an automatic reload silently keeps the old file)', () => {
  it('wildcards masking later rules, overlaps and duplicates in one list', () => {
    const r = lint(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
      - '*.*'
    providers:
      - aescbc:
          keys: [{name: k1, secret: ${k32()}}]
  - resources:
      - secrets
    providers:
      - identity: {}
  - resources:
      - '*.apps'
      - deployments.apps
    providers:
      - identity: {}
  - resources: [configmaps, configmaps]
    providers:
      - identity: {}
`)
    expect(find(r.issues, 'masked-resource').map((i) => i.line)).toEqual([10, 18])
    expect(find(r.issues, 'masked-resource')[0]!.message).toMatch(/secrets comes after \*\.\* \(line 5\), which already covers it/)
    expect(find(r.issues, 'overlapping-resources')[0]).toMatchObject({line: 15, rejected: true})
    expect(find(r.issues, 'duplicate-resource')[0]).toMatchObject({line: 18, rejected: true})
    expect(r.rejected).toBe(true)
    // What would write if the server took it: *.* first — the later secrets rule never applies.
    expect(r.secrets).toMatchObject({mode: 'encrypted', entry: '*.*'})
  })

  it('key sizes: aescbc/aesgcm 16, 24 or 32 bytes, secretbox 32; AES-128 is allowed but noted', () => {
    const r = lint(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
            - name: short
              secret: ${randomBytes(16).toString('base64')}
            - name: odd
              secret: ${randomBytes(20).toString('base64')}
      - secretbox:
          keys:
            - name: box
              secret: ${randomBytes(24).toString('base64')}
      - identity: {}
`)
    const sizes = find(r.issues, 'key-size')
    expect(sizes.map((i) => [i.line, i.severity, !!i.rejected]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual([
      [8, 'low', false],
      [10, 'high', true],
      [14, 'high', true],
    ])
    expect(sizes.find((i) => i.line === 10)!.message).toBe('aesgcm key odd is 20 bytes; aesgcm needs 16, 24 or 32: kube-apiserver refuses this file')
    expect(sizes.find((i) => i.line === 14)!.message).toMatch(/secretbox key box is 24 bytes; secretbox needs 32/)
    expect(find(r.issues, 'aesgcm-rotation')[0]!.message).toMatch(/2\^32 writes.*200,000 writes/)
    expect(find(r.issues, 'multiple-keys')[0]).toMatchObject({severity: 'info', line: 10})
  })

  it('KMS: v1 deprecated, v2 with cachesize, a tcp endpoint, a zero timeout, duplicate v2 names, colons', () => {
    const r = lint(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - kms:
          name: legacy-kms
          endpoint: unix:///var/run/kmsplugin/socket.sock
          cachesize: 1000
          timeout: 3s
      - kms:
          apiVersion: v2
          name: vault
          endpoint: tcp://10.0.0.5:8080
          cachesize: 100
      - kms:
          apiVersion: v2
          name: vault
          endpoint: unix:///run/kms2.sock
          timeout: 0s
      - kms:
          apiVersion: v2
          name: "a:b"
          endpoint: unix:///run/kms3.sock
      - identity: {}
`)
    expect(find(r.issues, 'kms-v1-deprecated')[0]).toMatchObject({severity: 'high', line: 6})
    expect(find(r.issues, 'kms-invalid').map((i) => [i.line, i.message.replace(/:.*/, '')])).toEqual([
      [11, 'kms vault'],
      [11, 'kms vault'],
      [16, 'kms vault'],
      [21, 'kms v2 provider name "a'],
    ])
    expect(find(r.issues, 'duplicate-kms-name')[0]).toMatchObject({line: 16, rejected: true})
    expect(r.secrets).toMatchObject({mode: 'encrypted', provider: 'kms v1', key: 'legacy-kms'})
    expect(goDurationMs('1m30s')).toBe(90_000)
    expect(goDurationMs('0s')).toBe(0)
    expect(goDurationMs('-3s')).toBe(-3000)
    expect(goDurationMs('soon')).toBeNaN()
  })

  it('resource names the API server refuses', () => {
    const r = lint(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [Secrets, '*', events.events.k8s.io, deployments.extensions, 'secrets.*', serviceipallocations]
    providers:
      - identity: {}
`)
    expect(find(r.issues, 'invalid-resource').map((i) => i.message.split(':')[0])).toEqual(['Secrets', '*', 'events.events.k8s.io', 'deployments.extensions', 'secrets.*', 'serviceipallocations'])
  })
})

describe('key names', () => {
  it('duplicate names in one rule, a colon in a name, the same key material under two names', () => {
    const shared = k32()
    const r = lint(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc:
          keys:
            - name: key1
              secret: ${shared}
      - aescbc:
          keys:
            - name: key1
              secret: ${k32()}
            - name: "2026:06"
              secret: ${shared}
      - identity: {}
`)
    expect(find(r.issues, 'duplicate-key-name')[0]).toMatchObject({line: 12, severity: 'medium'})
    expect(find(r.issues, 'key-name-colon')[0]!.message).toMatch(/k8s:enc:aescbc:v1:2026:06:/)
    expect(find(r.issues, 'reused-key')[0]).toMatchObject({line: 14})
    expect(find(r.issues, 'reused-key')[0]!.message).toMatch(/same key material as aescbc key key1 \(line 8\)/)
    expect(JSON.stringify(r)).not.toContain(shared)
  })

  it('no identity fallback: plaintext Secrets left from before become unreadable', () => {
    const r = lint(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - secretbox:
          keys: [{name: box1, secret: ${k32()}}]
`)
    expect(ids(find(r.issues, 'no-identity-fallback'))).toEqual(['no-identity-fallback@4'])
    expect(find(r.issues, 'aescbc')).toEqual([])
  })
})

describe('leakctl check encryption --encryption-config (no cluster)', () => {
  it('exit 1 and PLAINTEXT for the seed configuration, with lines and fixes; --json has the lint', () => {
    const key = k32()
    const file = join(tmp.dir, 'seed.yaml')
    writeFileSync(file, `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources:\n      - secrets\n    providers:\n      - identity: {}\n      - aescbc:\n          keys:\n            - name: key1\n              secret: ${key}\n`)
    const text = leakctl(['check', 'encryption', '--encryption-config', file])
    expect(text.code).toBe(1)
    expect(text.stdout.split('\n')[0]).toBe(`PLAINTEXT — ${file} (not confirmed to be the file the API server uses) lists identity first for secrets (line 7): new Secrets are written in plaintext (aescbc below it only decrypts)`)
    expect(text.stdout).toMatch(/CRITICAL line 7 +identity is the first provider/)
    expect(text.stdout).toMatch(/Re-encryption plan — in this order\n  1\. Put an encrypting provider FIRST for secrets in .*seed\.yaml/)
    const r = json(leakctl(['check', 'encryption', '--encryption-config', file, '--json']))
    expect(r.verdict).toBe('PLAINTEXT')
    expect(r.lint.issues[0]).toMatchObject({id: 'plaintext-writes', severity: 'critical', line: 7})
    expect(r.lint.sha256).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(r.missing).toEqual([])
    expect(r.plan.map((s: {id: string}) => s.id)).toEqual(['fix-provider-order', 'reload-apiservers', 'verify-new-writes', 'rewrite-secrets', 'verify-raw-count', 'retire-fallbacks'])
    for (const out of [text.stdout, text.stderr, JSON.stringify(r)]) expect(out).not.toContain(key)
  })

  it('exit 0 for a good file, saying what is not proven', () => {
    const file = join(tmp.dir, 'good.yaml')
    writeFileSync(file, `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets, configmaps]\n    providers:\n      - kms:\n          apiVersion: v2\n          name: vault\n          endpoint: unix:///var/run/kms.sock\n      - identity: {}\n`)
    const r = leakctl(['check', 'encryption', '-c', file])
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toMatch(/^ENCRYPTED — .* writes Secrets with kms v2 provider vault \(line 6\); not proven from etcd: new writes \(--canary\), stored Secrets \(--etcd-endpoints\)$/)
  })

  it('bad input exits 2 with one line: not an EncryptionConfiguration, malformed YAML, bad base64, missing file, bad flags', async () => {
    const notConfig = join(tmp.dir, 'deploy.yaml')
    writeFileSync(notConfig, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n')
    const broken = join(tmp.dir, 'broken.yaml')
    writeFileSync(broken, 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: [\n')
    const badKey = join(tmp.dir, 'badkey.yaml')
    writeFileSync(badKey, 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - aescbc:\n          keys: [{name: k, secret: "not base64!"}]\n')
    const cases: [string[], RegExp][] = [
      [['-c', notConfig], /deploy\.yaml:1: not an EncryptionConfiguration \(kind Deployment, apiVersion apps\/v1\)/],
      [['-c', broken], /broken\.yaml:\d+: malformed YAML/],
      [['-c', badKey], /badkey\.yaml:7: .*secret: expected base64/],
      [['-c', join(tmp.dir, 'nope.yaml')], /no such file or directory: .*nope\.yaml/],
      [['--etcd-cacert', 'ca.crt', '-c', notConfig], /--etcd-cacert\/--etcd-cert\/--etcd-key need --etcd-endpoints/],
      [['--eks-cluster', 'prod', '-c', notConfig], /--eks-cluster needs --region/],
      [['--no-cluster'], /nothing to check/],
      [['--etcd-endpoints', 'ftp://x', '--no-cluster'], /--etcd-endpoints ftp:\/\/x: expected https:\/\/host:port/],
      [['--etcd-endpoints', 'https://127.0.0.1:1', '--etcd-cert', 'c.pem'], /--etcd-cert and --etcd-key go together/],
      [['--etcd-endpoints', 'https://127.0.0.1:1', '--etcd-cacert', join(tmp.dir, 'missing-ca.pem')], /--etcd-cacert .*missing-ca\.pem: no such file/],
      [['--etcd-endpoints', 'https://127.0.0.1:1', '--etcd-cacert', notConfig], /--etcd-cacert: not a PEM file/],
      [['--kubeconfig', join(tmp.dir, 'no-kubeconfig')], /--kubeconfig .*no-kubeconfig: no such file/],
    ]
    const runs = await Promise.all(cases.map(([args]) => leakctlAsync(['check', 'encryption', ...args], {env: {KUBECONFIG: undefined, HOME: tmp.dir}})))
    for (const [i, [args, msg]] of cases.entries()) {
      const r = runs[i]!
      expect(r.code, args.join(' ') + r.stderr).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(msg)
      expect(r.stdout).toBe('')
    }
    const j = leakctl(['check', 'encryption', '-c', notConfig, '--json'])
    expect(j.code).toBe(2)
    expect(json(j).error).toMatchObject({code: 'encryption-config.invalid', exitCode: 2})
  })

  it('no kubeconfig anywhere and no other source: a clear exit 2', () => {
    const r = leakctl(['check', 'encryption'], {env: {KUBECONFIG: undefined, HOME: tmp.dir}})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no kubeconfig .*give --kubeconfig FILE, or only --encryption-config \/ --etcd-endpoints/)
  })
})
