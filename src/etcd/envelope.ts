// How kube-apiserver stores a value in etcd, told from its first bytes:
//   k8s:enc:aescbc:v1:<key>:<ciphertext>      aescbc
//   k8s:enc:aesgcm:v1:<key>:<ciphertext>      aesgcm
//   k8s:enc:secretbox:v1:<key>:<ciphertext>   secretbox
//   k8s:enc:kms:v1:<provider>:<payload>       KMS v1
//   k8s:enc:kms:v2:<provider>:<payload>       KMS v2
//   k8s\0 + runtime.Unknown protobuf          plaintext (protobuf storage)
//   { ... }                                   plaintext (JSON storage, e.g. custom resources)
// Shared by the offline snapshot reader (src/etcd) and the live check (src/cluster).

export const ENCRYPTED_PROVIDERS = ['aescbc', 'aesgcm', 'secretbox', 'kms'] as const
export type EncryptedProvider = (typeof ENCRYPTED_PROVIDERS)[number]

export type Envelope =
  | {storage: 'encrypted'; provider: EncryptedProvider; version: 'v1' | 'v2'; keyName: string; payloadOffset: number}
  | {storage: 'plaintext'; encoding: 'protobuf' | 'json' | 'other'}

const PREFIX = Buffer.from('k8s:enc:')
const PROTO_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]) // "k8s\0"

export function readEnvelope(value: Uint8Array): Envelope {
  const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  if (buf.subarray(0, PREFIX.length).equals(PREFIX)) {
    // provider:version:name: — the name ends at the next colon.
    const parts: string[] = []
    let start = PREFIX.length
    for (let i = 0; i < 3; i++) {
      const colon = buf.indexOf(0x3a, start)
      if (colon < 0 || colon - start > 256) break
      parts.push(buf.toString('latin1', start, colon))
      start = colon + 1
    }
    const [provider, version, keyName] = parts
    if (parts.length === 3 && (ENCRYPTED_PROVIDERS as readonly string[]).includes(provider!) && (version === 'v1' || version === 'v2')) {
      return {storage: 'encrypted', provider: provider as EncryptedProvider, version, keyName: keyName!, payloadOffset: start}
    }
  }
  if (buf.subarray(0, 4).equals(PROTO_MAGIC)) return {storage: 'plaintext', encoding: 'protobuf'}
  let i = 0
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++
  if (buf[i] === 0x7b) return {storage: 'plaintext', encoding: 'json'}
  return {storage: 'plaintext', encoding: 'other'}
}

/** `aescbc`, `kms v2` — as responders read it. */
export function providerLabel(e: Envelope): string {
  if (e.storage === 'plaintext') return 'identity'
  return e.provider === 'kms' ? `kms ${e.version}` : e.provider
}
