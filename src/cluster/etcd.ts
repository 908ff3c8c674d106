import {readFileSync} from 'node:fs'
import {createSecureContext} from 'node:tls'

import type {Etcd3, IKeyValue} from 'etcd3'

import {inputError} from '../errors.js'
import {decrypt, type Keyring} from '../etcd/decrypt.js'
import {providerLabel, readEnvelope} from '../etcd/envelope.js'
import {errorCode, firstLine, type Missing} from './missing.js'

// Raw reads from the cluster's etcd (v3 API over gRPC, client certificates):
// the proof of what is really stored. Secrets are counted with paged range
// requests pinned to one revision (a consistent count while the cluster
// keeps writing): `limit` keys per request, the next page starting after the
// last key. etcd's range API cannot return only the first bytes of a value,
// so the page size adapts to the values' size to bound each response, and
// each page is classified and dropped before the next is asked for: memory
// stays at one page, round trips at total/page.

export interface EtcdTarget {
  endpoints: string[]
  cacert?: string
  cert?: string
  key?: string
  /** Per-request deadline (ms). */
  timeoutMs?: number
}

export interface EtcdSession {
  client: Etcd3
  endpoints: string[]
  close(): void
}

const MAX_RECEIVE = 256 * 1024 * 1024

export async function openEtcd(t: EtcdTarget): Promise<EtcdSession> {
  if (!t.endpoints.length) throw inputError('etcd.endpoints', '--etcd-endpoints: give at least one https://host:2379')
  for (const e of t.endpoints) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(e)) throw inputError('etcd.endpoints', `--etcd-endpoints ${e}: expected https://host:port`)
  }
  const secure = t.endpoints.every((e) => e.startsWith('https://'))
  if (!secure && t.endpoints.some((e) => e.startsWith('https://'))) throw inputError('etcd.endpoints', '--etcd-endpoints: mix of http:// and https:// endpoints')
  if (!!t.cert !== !!t.key) throw inputError('etcd.tls', '--etcd-cert and --etcd-key go together (the client certificate and its private key)')
  if (!secure && (t.cacert || t.cert)) throw inputError('etcd.tls', '--etcd-cacert/--etcd-cert given but the endpoint is http://: use https://')
  const read = (flag: string, file: string | undefined) => {
    if (!file) return undefined
    try {
      return readFileSync(file)
    } catch (e) {
      throw inputError('etcd.tls', `${flag} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : firstLine((e as Error).message)}`)
    }
  }
  const ca = read('--etcd-cacert', t.cacert)
  const cert = read('--etcd-cert', t.cert)
  const key = read('--etcd-key', t.key)
  for (const [flag, buf, what] of [['--etcd-cacert', ca, 'CERTIFICATE'], ['--etcd-cert', cert, 'CERTIFICATE'], ['--etcd-key', key, 'PRIVATE KEY']] as const) {
    if (buf && !buf.includes(`-----BEGIN`) ) throw inputError('etcd.tls', `${flag}: not a PEM file (no -----BEGIN ${what}-----)`)
  }
  try {
    // grpc would throw this from deep inside the channel; said here, it names the flags.
    if (cert && key) createSecureContext({cert, key})
  } catch (e) {
    throw inputError('etcd.tls', `--etcd-cert/--etcd-key: ${firstLine((e as Error).message).replace(/^error:[0-9A-F]+:[^:]*::/, '')} (the key is not the certificate's)`)
  }
  const {Etcd3} = await import('etcd3')
  // One attempt per host, no circuit breaker: a responder wants the failure now, with its reason.
  const once = {execute: <T>(fn: (ctx: {signal: AbortSignal}) => T | PromiseLike<T>) => Promise.resolve().then(() => fn({signal: new AbortController().signal}))}
  const timeoutMs = t.timeoutMs ?? 15_000
  const client = new Etcd3({
    hosts: t.endpoints.map((e) => e.replace(/\/$/, '')),
    ...(secure && (ca || cert) ? {credentials: {rootCertificate: ca ?? (null as unknown as Buffer), privateKey: key, certChain: cert}} : {}),
    grpcOptions: {'grpc.max_receive_message_length': MAX_RECEIVE, 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 1000},
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : {deadline: Date.now() + timeoutMs}),
    faultHandling: {global: once as never, host: () => once as never},
  })
  return {client, endpoints: t.endpoints, close: () => client.close()}
}

/** A failed etcd call as a Missing entry (unreachable, TLS, permission). */
export function etcdMissing(evidence: 'etcd' | 'canary', endpoints: string[], e: unknown): Missing {
  const msg = e instanceof Error ? e.message : String(e)
  const where = `etcd ${endpoints.join(',')}`
  if (/certificate|handshake|ssl|tls|alert|self[- ]signed|unknown ca|bad certificate/i.test(msg)) {
    return {evidence, kind: 'tls', reason: `${where}: TLS failed — ${firstLine(msg.replace(/^\d+ UNAVAILABLE: /, ''))}`, fix: 'check --etcd-cacert (the etcd CA) and --etcd-cert/--etcd-key (a client certificate that CA signed), e.g. /etc/kubernetes/pki/etcd/ca.crt and apiserver-etcd-client.crt/.key'}
  }
  if (/permission denied|user name is empty|invalid auth token|authentication/i.test(msg)) return {evidence, kind: 'forbidden', reason: `${where}: permission denied — ${firstLine(msg)}`, fix: 'use the client certificate the API server uses (--etcd-certfile/--etcd-keyfile on kube-apiserver)'}
  if (/DEADLINE_EXCEEDED|UNAVAILABLE|ECONNREFUSED|No connection established|connect|timed? ?out/i.test(msg) || errorCode(e)) {
    return {evidence, kind: 'unreachable', reason: `cannot reach ${where}: ${firstLine(msg.replace(/^\d+ /, ''))}`, fix: 'run where the etcd client port is reachable (a control-plane node), or port-forward 2379'}
  }
  return {evidence, kind: 'failed', reason: `${where}: ${firstLine(msg)}`}
}

export interface ProviderCount {
  /** `aescbc`, `aesgcm`, `secretbox`, `kms v1`, `kms v2`. */
  provider: string
  /** The key name (or KMS provider name) in the stored envelope. */
  key: string
  count: number
  /** With an EncryptionConfiguration: whether its key opens the first value stored under this name. */
  proof?: 'decrypts' | 'wrong-key' | 'unknown-key' | 'kms'
  /** Whether this is the provider and key that writes now (from the configuration). */
  writes?: boolean
}

export interface StoredCount {
  prefix: string
  /** The etcd revision every page was read at. */
  revision: string
  total: number
  plaintext: number
  encodings: {protobuf: number; json: number; other: number}
  encrypted: number
  byProvider: ProviderCount[]
  /** Plaintext Secrets per namespace, most first (at most 20; the rest summed). */
  plaintextByNamespace: {namespace: string; count: number}[]
  /** The first plaintext Secrets by key (namespace/name): names only, never values. */
  plaintextSamples: string[]
  roundTrips: number
  bytes: number
  ms: number
  notes: string[]
}

export interface CountOptions {
  /** The API server's --etcd-prefix, e.g. `/registry`. */
  prefix: string
  keyring?: Keyring
  /** Provider and key that write now, to mark the count (`aescbc`, `key1`). */
  writer?: {provider: string; key: string} | null
  /** Keys per request at the start (default 1000). */
  pageSize?: number
  /** Target bytes per response: the page size adapts to it (default 16 MB). */
  pageBytes?: number
  onPage?: (done: number, total: number) => void
}

export async function countSecrets(etcd: EtcdSession, o: CountOptions): Promise<StoredCount> {
  const t0 = performance.now()
  const base = `${o.prefix.replace(/\/$/, '')}/secrets/`
  const start = Buffer.from(base)
  const end = prefixEnd(start)
  const pageBytes = o.pageBytes ?? 16 * 1024 * 1024
  // One round trip for the total (progress) and the revision every page is pinned to.
  const head = await etcd.client.kv.range({key: start, range_end: end, count_only: true})
  let revision = head.header.revision
  const total = Number(head.count)
  let roundTrips = 1
  let limit = Math.max(1, o.pageSize ?? 1000)
  let from = start
  let bytes = 0
  let seen = 0
  const notes: string[] = []
  const enc = {protobuf: 0, json: 0, other: 0}
  const groups = new Map<string, ProviderCount>()
  const byNs = new Map<string, number>()
  const samples: string[] = []
  let plaintext = 0
  for (;;) {
    let page
    try {
      page = await etcd.client.kv.range({key: from, range_end: end, limit, revision})
    } catch (e) {
      const msg = (e as Error).message ?? ''
      if (/RESOURCE_EXHAUSTED|larger than max/i.test(msg) && limit > 1) {
        limit = Math.max(1, Math.floor(limit / 4))
        roundTrips++
        continue
      }
      if (/compacted/i.test(msg)) {
        // The pinned revision was compacted away mid-count: continue at the newest one.
        notes.push(`revision ${revision} was compacted during the count; the rest was read at a newer revision`)
        revision = '0'
        roundTrips++
        continue
      }
      throw e
    }
    roundTrips++
    if (revision === '0') revision = page.header.revision
    let pageSize = 0
    for (const kv of page.kvs) {
      pageSize += kv.value.length + kv.key.length
      classify(kv)
    }
    bytes += pageSize
    seen += page.kvs.length
    o.onPage?.(seen, Math.max(total, seen))
    if (!page.more || page.kvs.length === 0) break
    from = Buffer.concat([page.kvs[page.kvs.length - 1]!.key, Buffer.from([0])])
    // Aim the next response at pageBytes, from what these values weighed.
    const avg = pageSize / page.kvs.length
    limit = Math.max(10, Math.min(10_000, Math.floor(pageBytes / Math.max(avg, 1))))
  }

  function classify(kv: IKeyValue): void {
    const env = readEnvelope(kv.value)
    if (env.storage === 'plaintext') {
      plaintext++
      enc[env.encoding]++
      const rest = kv.key.toString('utf8').slice(base.length)
      const slash = rest.indexOf('/')
      const ns = slash > 0 ? rest.slice(0, slash) : ''
      byNs.set(ns, (byNs.get(ns) ?? 0) + 1)
      if (samples.length < 10) samples.push(rest)
      return
    }
    const provider = providerLabel(env)
    const id = `${provider}\0${env.keyName}`
    let g = groups.get(id)
    if (!g) {
      g = {provider, key: env.keyName, count: 0}
      if (o.keyring) {
        const d = decrypt(env, kv.value, kv.key, o.keyring)
        g.proof = d.status === 'decrypted' ? 'decrypts' : d.status === 'kms' ? 'kms' : d.status
      }
      if (o.writer) g.writes = o.writer.provider === provider && o.writer.key === env.keyName
      groups.set(id, g)
    }
    g.count++
  }

  const nsSorted = [...byNs.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  const plaintextByNamespace = nsSorted.slice(0, 20).map(([namespace, count]) => ({namespace, count}))
  if (nsSorted.length > 20) plaintextByNamespace.push({namespace: `(${nsSorted.length - 20} more namespaces)`, count: nsSorted.slice(20).reduce((n, [, c]) => n + c, 0)})
  const seenTotal = plaintext + [...groups.values()].reduce((n, g) => n + g.count, 0)
  return {
    prefix: o.prefix,
    revision,
    total: seenTotal,
    plaintext,
    encodings: enc,
    encrypted: seenTotal - plaintext,
    byProvider: [...groups.values()].sort((a, b) => b.count - a.count || a.provider.localeCompare(b.provider) || a.key.localeCompare(b.key)),
    plaintextByNamespace,
    plaintextSamples: samples,
    roundTrips,
    bytes,
    ms: Math.round(performance.now() - t0),
    notes,
  }
}

/** The raw stored value of one key, or null when absent. */
export async function readRaw(etcd: EtcdSession, key: string): Promise<Buffer | null> {
  const r = await etcd.client.kv.range({key: Buffer.from(key)})
  return r.kvs[0]?.value ?? null
}

/** The first key after every key that starts with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  return Buffer.from([0])
}
