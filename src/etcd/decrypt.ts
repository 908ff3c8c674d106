import {createDecipheriv, type DecipherGCM} from 'node:crypto'
import {createRequire} from 'node:module'

import type Nacl from 'tweetnacl'

import type {EncryptionConfig, ResourceRule} from '../cluster/encryption-config.js'
import type {Envelope} from './envelope.js'
import {Fields, WIRE} from './proto.js'
import {lookupTable} from '../lookup.js'
import {onFirstUse} from '../zod.js'

// tweetnacl (CommonJS, ~60 KB: Node parses it for its exports and compiles it, ~6 ms) only when a
// secretbox value is opened, not on every scan's start (docs/performance.md).
const require = createRequire(import.meta.url)
const nacl = onFirstUse(() => require('tweetnacl') as typeof Nacl)

// Proving a key decrypts a stored value, in each provider's layout (the
// bytes after `k8s:enc:<provider>:v1:<key>:`):
//   aescbc     16-byte IV | AES-CBC ciphertext, PKCS#7 padded
//   aesgcm     12-byte nonce | AES-GCM ciphertext | 16-byte tag, additional data = the etcd key
//   secretbox  24-byte nonce | XSalsa20-Poly1305 box (tweetnacl)
//   kms v1     2-byte DEK length | DEK wrapped by the KMS | data: needs the KMS
//   kms v2     EncryptedObject {encryptedData=1, keyID=2, encryptedDEKSource=3}: needs the KMS
// A key "decrypts" a value only when the result is a stored object again
// (`k8s\0` protobuf or JSON): AES-CBC has no authentication, and a wrong key
// yields valid-looking padding about once in 256 values.
// Key material stays in this module's memory.

export type LocalProvider = 'aescbc' | 'aesgcm' | 'secretbox'

export interface Keyring {
  /** `aescbc:key1` -> key, for every key of the rule that covers the resource. */
  keys: Map<string, {provider: LocalProvider; secret: Buffer}>
  /** Names of the KMS providers of that rule. */
  kms: Set<string>
  /** What new writes use: the rule's first provider (`identity`, `aescbc:key1`, `kms:vault`), null when no rule covers the resource. */
  writer: string | null
  /** The line of the rule in the configuration, for messages. */
  line: number | null
}

/** API group of the built-in resources whose etcd keys carry no group. */
const BUILTIN_GROUP = lookupTable({
  deployments: 'apps',
  statefulsets: 'apps',
  daemonsets: 'apps',
  replicasets: 'apps',
  controllerrevisions: 'apps',
  jobs: 'batch',
  cronjobs: 'batch',
})

/**
 * The rule kube-apiserver applies to a resource: the first whose list names it
 * (`secrets`, `deployments.apps`, `widgets.example.com`) or a wildcard
 * (`*.` all core resources, `*.apps` a group, `*.*` everything).
 */
export function ruleFor(config: EncryptionConfig, resource: string, group = BUILTIN_GROUP[resource] ?? ''): ResourceRule | null {
  const exact = group ? `${resource}.${group}` : resource
  for (const rule of config.rules) {
    for (const r of rule.resources) {
      if (r === exact || (group === '' && r === `${resource}.`) || r === `*.${group}` || r === '*.*') return rule
    }
  }
  return null
}

/** The keys an EncryptionConfiguration has for one resource. */
export function keyringFrom(config: EncryptionConfig, resource = 'secrets', group?: string): Keyring {
  const keys = new Map<string, {provider: LocalProvider; secret: Buffer}>()
  const kms = new Set<string>()
  const rule = ruleFor(config, resource, group)
  if (!rule) return {keys, kms, writer: null, line: null}
  for (const p of rule.providers) {
    if (p.type === 'identity') continue
    if (p.type === 'kms') kms.add(p.name)
    else for (const k of p.keys) if (!keys.has(`${p.type}:${k.name}`)) keys.set(`${p.type}:${k.name}`, {provider: p.type, secret: k.secret})
  }
  const first = rule.providers[0]!
  const writer = first.type === 'identity' ? 'identity' : first.type === 'kms' ? `kms:${first.name}` : `${first.type}:${first.keys[0]?.name ?? ''}`
  return {keys, kms, writer, line: rule.line}
}

export type Decryption =
  | {status: 'decrypted'; plaintext: Buffer}
  | {status: 'kms'; keyId: string | null}
  | {status: 'unknown-key'}
  | {status: 'wrong-key'}

export function decrypt(envelope: Extract<Envelope, {storage: 'encrypted'}>, value: Buffer, etcdKey: Buffer, keyring: Keyring | null): Decryption {
  const payload = value.subarray(envelope.payloadOffset)
  if (envelope.provider === 'kms') {
    // A KMS provider the configuration no longer lists cannot even be asked.
    if (keyring && !keyring.kms.has(envelope.keyName)) return {status: 'unknown-key'}
    return {status: 'kms', keyId: envelope.version === 'v2' ? kmsKeyId(payload) : null}
  }
  const key = keyring?.keys.get(`${envelope.provider}:${envelope.keyName}`)
  if (!key) return {status: 'unknown-key'}
  let plaintext: Buffer | null
  try {
    plaintext = open(envelope.provider, key.secret, payload, etcdKey)
  } catch {
    plaintext = null
  }
  return plaintext && isStored(plaintext) ? {status: 'decrypted', plaintext} : {status: 'wrong-key'}
}

function open(provider: LocalProvider, key: Buffer, data: Buffer, aad: Buffer): Buffer | null {
  switch (provider) {
    case 'aescbc': {
      if (data.length < 32 || (data.length - 16) % 16 !== 0 || ![16, 24, 32].includes(key.length)) return null
      const d = createDecipheriv(`aes-${key.length * 8}-cbc`, key, data.subarray(0, 16))
      return Buffer.concat([d.update(data.subarray(16)), d.final()])
    }
    case 'aesgcm': {
      if (data.length < 12 + 16 || ![16, 24, 32].includes(key.length)) return null
      const d = createDecipheriv(`aes-${key.length * 8}-gcm`, key, data.subarray(0, 12)) as DecipherGCM
      d.setAAD(aad)
      d.setAuthTag(data.subarray(data.length - 16))
      return Buffer.concat([d.update(data.subarray(12, data.length - 16)), d.final()])
    }
    case 'secretbox': {
      if (data.length < 24 + 16 || key.length !== 32) return null
      const out = nacl().secretbox.open(data.subarray(24), data.subarray(0, 24), key)
      return out ? Buffer.from(out.buffer, out.byteOffset, out.byteLength) : null
    }
  }
}

/** A stored object: `k8s\0` + runtime.Unknown, or a JSON document. */
function isStored(b: Buffer): boolean {
  if (b.length >= 4 && b[0] === 0x6b && b[1] === 0x38 && b[2] === 0x73 && b[3] === 0x00) return true
  let i = 0
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++
  if (b[i] !== 0x7b) return false
  // One wrong-key value in 65,536 starts with "{" and valid padding: only a real document parses.
  try {
    JSON.parse(b.toString('utf8'))
    return true
  } catch {
    return false
  }
}

function kmsKeyId(payload: Buffer): string | null {
  try {
    const r = new Fields(payload)
    while (r.next()) if (r.no === 2 && r.wire === WIRE.bytes) return r.string.slice(0, 256)
  } catch {
    // not an EncryptedObject
  }
  return null
}
