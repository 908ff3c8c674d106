import {randomBytes} from 'node:crypto'

import type {Etcd3} from 'etcd3'

import {encrypt, type FixtureProvider, kmsV2, secret} from '../../fixtures/etcd/k8s-objects.js'

// Fills a real etcd with Secrets stored exactly as kube-apiserver stores
// them: protobuf `k8s\0` plaintext, or an envelope encrypted for real with
// a test key. Each Secret holds a unique value so tests can grep every
// output for it. Puts go in transactions of 128 (etcd's default max-txn-ops).

export type Storage = 'plaintext' | {provider: FixtureProvider; name: string; key: Buffer} | {provider: 'kms'; name: string}

export interface SeedSpec {
  namespace: string
  count: number
  storage: Storage
  /** Name prefix (default: the storage label). */
  name?: string
}

export interface Seeded {
  keys: string[]
  /** The Secret values written (for canary greps). */
  values: string[]
}

export async function seedSecrets(etcd: Etcd3, specs: SeedSpec[], prefix = '/registry', valueBytes = 600): Promise<Seeded> {
  const puts: {key: string; value: Buffer}[] = []
  const values: string[] = []
  for (const spec of specs) {
    const label = spec.storage === 'plaintext' ? 'plain' : `${spec.storage.provider}-${spec.storage.name}`
    for (let i = 0; i < spec.count; i++) {
      const name = `${spec.name ?? label}-${String(i).padStart(5, '0')}`
      const key = `${prefix}/secrets/${spec.namespace}/${name}`
      const password = `pw-${randomBytes(12).toString('hex')}`
      values.push(password)
      const plain = secret({name, namespace: spec.namespace}, 'Opaque', {password, blob: randomBytes(Math.max(0, valueBytes - 200)).toString('base64')})
      const s = spec.storage
      const value = s === 'plaintext' ? plain : s.provider === 'kms' ? kmsV2(s.name, 'key-2026', plain.length) : encrypt(s.provider, s.name, s.key, plain, key)
      puts.push({key, value})
    }
  }
  for (let i = 0; i < puts.length; i += 128) {
    await etcd.kv.txn({success: puts.slice(i, i + 128).map((p) => ({request_put: {key: Buffer.from(p.key), value: p.value}}))})
  }
  return {keys: puts.map((p) => p.key), values}
}
