import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type RunningEtcd, startEtcd} from '../fixtures/etcd/server.js'
import {seedSecrets} from './helpers/cluster-etcd.js'
import {makePki, type Pki} from './helpers/cluster-pki.js'
import {json, leakctlAsync, tempDir} from './helpers/cli.js'

// etcd as kubeadm runs it: TLS with client-certificate authentication. The
// raw count needs the CA and a client certificate that CA signed; anything
// else is refused and said plainly (exit 3), never a stack trace.

let tmp: ReturnType<typeof tempDir>
let pki: Pki
let etcd: RunningEtcd
const key1 = randomBytes(32)

beforeAll(async () => {
  tmp = tempDir('leakctl-check-enc-tls-')
  pki = makePki(tmp.dir)
  etcd = await startEtcd({
    scheme: 'https',
    extraArgs: ['--cert-file', pki.server.cert, '--key-file', pki.server.key, '--trusted-ca-file', pki.ca.cert, '--client-cert-auth'],
    clientOptions: {credentials: {rootCertificate: readFileSync(pki.ca.cert), privateKey: readFileSync(pki.client.key), certChain: readFileSync(pki.client.cert)}},
  })
  await seedSecrets(etcd.client, [
    {namespace: 'prod', count: 9, storage: {provider: 'aescbc', name: 'key1', key: key1}},
    {namespace: 'kube-system', count: 3, storage: {provider: 'secretbox', name: 'box', key: randomBytes(32)}},
  ])
}, 120_000)

afterAll(async () => {
  await etcd?.stop()
  tmp?.cleanup()
})

const run = (args: string[]) => leakctlAsync(['check', 'encryption', '--etcd-endpoints', etcd.endpoint, ...args], {env: {LEAKCTL_QUIET: '1', HOME: tmp.dir, KUBECONFIG: undefined}})

describe('etcd with client certificates', () => {
  it('the right CA and client certificate: the raw count, ENCRYPTED for what is stored (new writes not proven)', async () => {
    const r = await run(['--etcd-cacert', pki.ca.cert, '--etcd-cert', pki.client.cert, '--etcd-key', pki.client.key, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = json(r)
    expect(out.verdict).toBe('ENCRYPTED')
    expect(out.etcd).toMatchObject({total: 12, plaintext: 0, byProvider: [{provider: 'aescbc', key: 'key1', count: 9}, {provider: 'secretbox', key: 'box', count: 3}]})
    expect(out.summary).toMatch(/not proven from etcd: new writes \(--canary\)$/)
  })

  it('refused: no client certificate, one from another CA, the wrong CA for the server — exit 3, one line, the fix', async () => {
    const [noCert, otherClient, wrongCa] = await Promise.all([
      run(['--etcd-cacert', pki.ca.cert, '--json']),
      run(['--etcd-cacert', pki.ca.cert, '--etcd-cert', pki.otherClient.cert, '--etcd-key', pki.otherClient.key, '--json']),
      run(['--etcd-cacert', pki.otherCa.cert, '--etcd-cert', pki.client.cert, '--etcd-key', pki.client.key, '--json']),
    ])
    for (const r of [noCert, otherClient, wrongCa]) {
      expect(r.code, r.stdout).toBe(3)
      const out = json(r)
      expect(out.verdict).toBe('UNKNOWN')
      expect(out.etcd).toBeNull()
      expect(out.missing).toHaveLength(1)
      expect(out.missing[0]).toMatchObject({evidence: 'etcd', kind: expect.stringMatching(/^(tls|unreachable)$/)})
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^error: cannot verify: /)
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/)
    }
    expect(json(wrongCa).missing[0]).toMatchObject({kind: 'tls', fix: expect.stringMatching(/--etcd-cacert/)})
  })

  it('http:// against a TLS etcd, and a key that does not match its certificate', async () => {
    const plainScheme = await leakctlAsync(['check', 'encryption', '--etcd-endpoints', etcd.endpoint.replace('https:', 'http:'), '--json'], {env: {LEAKCTL_QUIET: '1'}})
    expect(plainScheme.code).toBe(3)
    expect(json(plainScheme).missing[0].evidence).toBe('etcd')
    const mismatched = await run(['--etcd-cacert', pki.ca.cert, '--etcd-cert', pki.client.cert, '--etcd-key', pki.otherClient.key])
    expect([2, 3]).toContain(mismatched.code)
    expect(mismatched.stderr.trim().split('\n')).toHaveLength(1)
  })
})
