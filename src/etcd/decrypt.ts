import {createDecipheriv, type DecipherGCM} from 'node:crypto'

import nacl from 'tweetnacl'

import type {EncryptionConfig} from '../cluster/encryption-config.js'
import type {Envelope} from './envelope.js'
import {fields} from './proto.js'

// Proving a key decrypts a stored value, in each provider's layout (the
// bytes after `k8s:enc:<provider>:v1:<key>:`):
//   aescbc     16-byte IV | AES-CBC ciphertext, PKCS#7 padded
//   aesgcm     12-byte nonce | AES-GCM ciphertext | 16-byte tag, additional data = the etcd key
//   secretbox  24-byte nonce | XSalsa20-Poly1305 box
//   kms v2     EncryptedObject {encryptedData=1, keyID=2, encryptedDEK=3}: needs the KMS, not decryptable here
// Key material stays in this module's memory.

export type LocalProvider = 'aescbc' | 'aesgcm' | 'secretbox'

export interface Keyring {
  keys: Map<string, {provider: LocalProvider; secret: Buffer}>
  kms: Set<string>
}

/** Every key an EncryptionConfiguration names for a resource (by provider name `provider:key`). */
export function keyringFrom(config: EncryptionConfig, resource = 'secrets'): Keyring {
  const keys = new Map<string, {provider: LocalProvider; secret: Buffer}>()
  const kms = new Set<string>()
  for (const rule of config.rules) {
    if (!rule.resources.some((r) => r === resource || r === `${resource}.` || r === '*.' || r === '*.*')) continue
    for (const p of rule.providers) {
      if (p.type === 'identity') continue
      if (p.type === 'kms') kms.add(p.name)
      else for (const k of p.keys) if (!keys.has(`${p.type}:${k.name}`)) keys.set(`${p.type}:${k.name}`, {provider: p.type, secret: k.secret})
    }
  }
  return {keys, kms}
}

export type Decryption =
  | {status: 'decrypted'; plaintext: Buffer}
  | {status: 'kms'; keyId: string | null}
  | {status: 'unknown-key'}
  | {status: 'wrong-key'}

export function decrypt(envelope: Extract<Envelope, {storage: 'encrypted'}>, value: Buffer, etcdKey: Buffer, keyring: Keyring | null): Decryption {
  const payload = value.subarray(envelope.payloadOffset)
  if (envelope.provider === 'kms') return {status: 'kms', keyId: envelope.version === 'v2' ? kmsKeyId(payload) : null}
  const key = keyring?.keys.get(`${envelope.provider}:${envelope.keyName}`)
  if (!key) return {status: 'unknown-key'}
  try {
    const plaintext = open(envelope.provider, key.secret, payload, etcdKey)
    return plaintext ? {status: 'decrypted', plaintext} : {status: 'wrong-key'}
  } catch {
    return {status: 'wrong-key'}
  }
}

function open(provider: LocalProvider, key: Buffer, data: Buffer, aad: Buffer): Buffer | null {
  switch (provider) {
    case 'aescbc': {
      if (data.length < 32 || (data.length - 16) % 16 !== 0) return null
      const d = createDecipheriv(`aes-${key.length * 8}-cbc`, key, data.subarray(0, 16))
      return Buffer.concat([d.update(data.subarray(16)), d.final()])
    }
    case 'aesgcm': {
      if (data.length < 12 + 16) return null
      const d = createDecipheriv(`aes-${key.length * 8}-gcm`, key, data.subarray(0, 12)) as DecipherGCM
      d.setAAD(aad)
      d.setAuthTag(data.subarray(data.length - 16))
      return Buffer.concat([d.update(data.subarray(12, data.length - 16)), d.final()])
    }
    case 'secretbox': {
      if (data.length < 24 + 16 || key.length !== 32) return null
      const out = nacl.secretbox.open(data.subarray(24), data.subarray(0, 24), key)
      return out ? Buffer.from(out) : null
    }
  }
}

function kmsKeyId(payload: Buffer): string | null {
  try {
    for (const f of fields(payload)) if (f.no === 2) return f.bytes.toString('utf8')
  } catch {
    // not an EncryptedObject
  }
  return null
}
