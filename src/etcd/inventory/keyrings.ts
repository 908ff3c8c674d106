import type {EncryptionConfig} from '../../cluster/encryption-config.js'
import {type Keyring, keyringFrom} from '../decrypt.js'
import type {KeyringFor} from './analyze.js'

/** Keyrings per resource, built once per resource the scan meets; null without a configuration. */
export function keyringsFrom(config: EncryptionConfig | null): KeyringFor | null {
  if (!config) return null
  const cache = new Map<string, Keyring>()
  // On a worker the configuration arrives by structured clone, which turns Buffers into Uint8Arrays: give the ciphers Buffers back.
  const cfg: EncryptionConfig = {
    ...config,
    rules: config.rules.map((r) => ({...r, providers: r.providers.map((p) => ('keys' in p ? {...p, keys: p.keys.map((k) => ({...k, secret: Buffer.from(k.secret.buffer, k.secret.byteOffset, k.secret.byteLength)}))} : p))})),
  }
  return (resource, group) => {
    const id = `${resource}.${group}`
    let k = cache.get(id)
    if (!k) cache.set(id, (k = keyringFrom(cfg, resource, group)))
    return k
  }
}
