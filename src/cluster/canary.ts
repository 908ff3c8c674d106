import {randomBytes} from 'node:crypto'

import type {Fingerprinter} from '../fingerprint/key.js'
import {decrypt, type Keyring} from '../etcd/decrypt.js'
import {providerLabel, readEnvelope} from '../etcd/envelope.js'
import {etcdMissing, type EtcdSession, readRaw} from './etcd.js'
import {kubeMissing, type KubeSession} from './kube.js'
import type {Missing} from './missing.js'

// The seed's hourly verification, done properly: write a Secret holding a
// random marker THROUGH THE API SERVER, read the bytes etcd stored for it,
// and check the marker cannot be read there (and which provider and key
// wrote it). The Secret is deleted whatever happens. This proves what new
// writes look like now, on the API server that took the write — the config
// file, the flags and the metrics only suggest it.

export interface CanaryResult {
  status: 'encrypted' | 'plaintext'
  namespace: string
  name: string
  /** The etcd key read back. */
  key: string
  /** `aescbc`, `kms v2`, or `identity` for plaintext. */
  provider: string
  keyName: string | null
  /** Whether the marker's bytes appear in the stored value. */
  markerReadable: boolean
  /** With an EncryptionConfiguration: whether its key opened the stored value and the marker was inside. */
  proof?: 'decrypts' | 'wrong-key' | 'unknown-key' | 'kms'
  /** The marker's fingerprint (keyed, like every other): the marker itself is never shown. */
  marker: string
  deleted: boolean
  ms: number
}

export interface CanaryOptions {
  namespace: string
  prefix: string
  keyring?: Keyring
  /** The workspace's fingerprinter. */
  fingerprinter: Fingerprinter
}

export async function runCanary(kube: KubeSession, etcd: EtcdSession, o: CanaryOptions): Promise<{result: CanaryResult | null; missing: Missing[]; warnings: string[]}> {
  const t0 = performance.now()
  const marker = `leakctl-canary-${randomBytes(24).toString('hex')}`
  const name = `leakctl-canary-${randomBytes(5).toString('hex')}`
  const key = `${o.prefix.replace(/\/$/, '')}/secrets/${o.namespace}/${name}`
  const missing: Missing[] = []
  const warnings: string[] = []
  try {
    await kube.core.createNamespacedSecret({
      namespace: o.namespace,
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {name, labels: {'app.kubernetes.io/managed-by': 'leakctl', 'leakctl.io/canary': 'true'}, annotations: {'leakctl.io/purpose': 'encryption-at-rest canary: a random marker, no credential; deleted by leakctl'}},
        type: 'Opaque',
        data: {canary: Buffer.from(marker).toString('base64')},
      },
    })
  } catch (e) {
    missing.push(kubeMissing('canary', `create Secret ${o.namespace}/${name}`, kube.server, e, `grant create and delete on secrets in namespace ${o.namespace} (see the CronJob's Role in docs/check-encryption.md), or pick one with --canary-namespace`))
    return {result: null, missing, warnings}
  }
  let result: CanaryResult | null = null
  try {
    let raw: Buffer | null = null
    // The API server answers after etcd committed; a short retry covers a lagging member.
    for (let i = 0; i < 5 && !raw; i++) {
      raw = await readRaw(etcd, key)
      if (!raw) await new Promise((r) => setTimeout(r, 200 * (i + 1)))
    }
    if (!raw) {
      missing.push({evidence: 'canary', kind: 'not-found', reason: `the canary Secret was created, but ${key} is not in etcd ${etcd.endpoints.join(',')}: wrong --etcd-prefix, or that etcd belongs to another cluster`, fix: 'give the API server\'s --etcd-prefix (kubectl -n kube-system get pods -l component=kube-apiserver -o yaml | grep etcd-prefix) and an etcd of this cluster'})
    } else {
      const env = readEnvelope(raw)
      const markerBytes = Buffer.from(marker)
      const markerReadable = raw.includes(markerBytes) || raw.includes(Buffer.from(markerBytes.toString('base64')))
      let proof: CanaryResult['proof']
      if (env.storage === 'encrypted' && o.keyring) {
        const d = decrypt(env, raw, Buffer.from(key), o.keyring)
        proof = d.status === 'decrypted' ? (d.plaintext.includes(markerBytes) ? 'decrypts' : 'wrong-key') : d.status === 'kms' ? 'kms' : d.status
      }
      result = {
        status: markerReadable || env.storage === 'plaintext' ? 'plaintext' : 'encrypted',
        namespace: o.namespace,
        name,
        key,
        provider: providerLabel(env),
        keyName: env.storage === 'encrypted' ? env.keyName : null,
        markerReadable,
        ...(proof ? {proof} : {}),
        marker: o.fingerprinter.of(marker),
        deleted: false,
        ms: 0,
      }
    }
  } catch (e) {
    missing.push(etcdMissing('canary', etcd.endpoints, e))
  } finally {
    try {
      await kube.core.deleteNamespacedSecret({name, namespace: o.namespace})
      if (result) result.deleted = true
    } catch (e) {
      const m = kubeMissing('canary', `delete Secret ${o.namespace}/${name}`, kube.server, e)
      warnings.push(`the canary Secret ${o.namespace}/${name} could not be deleted (${m.reason}); it holds only a random marker: kubectl -n ${o.namespace} delete secret ${name}`)
    }
  }
  if (result) result.ms = Math.round(performance.now() - t0)
  return {result, missing, warnings}
}
