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
const PLAINTEXT: Record<'protobuf' | 'json' | 'other', Envelope> = {
  protobuf: Object.freeze({storage: 'plaintext', encoding: 'protobuf'}),
  json: Object.freeze({storage: 'plaintext', encoding: 'json'}),
  other: Object.freeze({storage: 'plaintext', encoding: 'other'}),
}

/**
 * The last encrypted header read (`k8s:enc:aescbc:v1:key1:`) and its answer:
 * a snapshot holds thousands of values under the same few headers, and
 * comparing two dozen bytes costs less than splitting them into strings.
 */
let lastHeader: Buffer | null = null
let lastEncrypted: Envelope | null = null

/** Whether buf starts with all of `head`, compared in place. */
function startsWith(buf: Buffer, head: Buffer): boolean {
  if (buf.length < head.length) return false
  for (let i = 0; i < head.length; i++) if (buf[i] !== head[i]) return false
  return true
}

/** Envelopes are shared between values: never change one. */
export function readEnvelope(value: Uint8Array): Envelope {
  const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  if (lastHeader && startsWith(buf, lastHeader)) return lastEncrypted!
  if (startsWith(buf, PREFIX)) {
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
      lastEncrypted = Object.freeze({storage: 'encrypted', provider: provider as EncryptedProvider, version, keyName: keyName!, payloadOffset: start})
      lastHeader = Buffer.from(buf.subarray(0, start))
      return lastEncrypted
    }
  }
  // "k8s\0": runtime.Unknown protobuf.
  if (buf.length >= 4 && buf[0] === 0x6b && buf[1] === 0x38 && buf[2] === 0x73 && buf[3] === 0x00) return PLAINTEXT.protobuf
  let i = 0
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++
  return buf[i] === 0x7b ? PLAINTEXT.json : PLAINTEXT.other
}

/** `aescbc`, `kms v2` — as responders read it. */
export function providerLabel(e: Envelope): string {
  if (e.storage === 'plaintext') return 'identity'
  return e.provider === 'kms' ? `kms ${e.version}` : e.provider
}
