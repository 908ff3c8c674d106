import {createPrivateKey, createPublicKey, X509Certificate} from 'node:crypto'
import {gunzipSync} from 'node:zlib'

import {classInfo} from '../detect/classes.js'
import {detect, type Match, matchFindingBase} from '../detect/engine.js'
import {redact, type Risk, RISK_ORDER, valueDigests} from '../detect/finding.js'
import type {Fingerprinter} from '../fingerprint/key.js'
import type {SecretObject} from './k8s/objects.js'

// What each Secret holds and how bad its exposure is. The Secret's type says
// most (a service-account token, a TLS key — a CA's or a leaf's —, registry
// credentials, a bootstrap token); for Opaque ones the detection engine reads
// the data as `key=value` lines, so an AWS key id in one key pairs with its
// secret in another. Values never leave as values: fingerprints and previews.

export interface Credential {
  /** `data.password`; `data.release (helm values)` for what a Helm release holds. */
  field: string
  class: string
  risk: Risk
  reason: string
  fingerprint: `sha256:${string}`
  /** GitHub tokens only: the audit log's digest (see githubHashedToken). */
  hashedToken?: string
  preview: string
  rotation: string
  keyId?: string
}

/** Data keys that sit beside credentials but are not secret. */
const NOT_SECRET_KEY = /^(?:user(?:name)?|login|host(?:name)?|port|database|dbname|db|schema|namespace|region|endpoint|url|uri-template|ca\.crt|tls\.crt|.*\.crt|.*\.pem\.pub|.*\.pub|token-id|description|auth-extra-groups|usage-bootstrap-.*|expiration)$/i

const CERT = /-----BEGIN CERTIFICATE-----/

/** What a Secret holds that was not read, and why (a value too large to decompress): `field`, `why`. */
export type Skip = (field: string, why: string) => void

/**
 * A Helm release gunzips to its chart, manifest and values: a few MiB for the largest charts.
 * A crafted one can gunzip to GiBs from under 1 MiB in etcd; beyond this it is skipped, never inflated.
 */
export const HELM_RELEASE_MAX_BYTES = 32 * 1024 * 1024

/** What the Secret holds; `fp` is the workspace's fingerprinter. */
export function classifySecret(s: SecretObject, fp: Fingerprinter, skip: Skip = () => {}): Credential[] {
  const d = (k: string) => s.data.get(k)
  const out: Credential[] = []
  const add = (field: string, cls: string, value: string | Buffer, reason: string, extra: Partial<Credential> = {}) => {
    const info = classInfo(cls)
    out.push({field, class: cls, risk: extra.risk ?? info.risk, reason, ...valueDigests(fp, value), preview: extra.preview ?? redact(value.toString(), 0), rotation: extra.rotation ?? info.rotation, ...(extra.keyId ? {keyId: extra.keyId} : {})})
  }
  switch (s.type) {
    case 'kubernetes.io/service-account-token': {
      const token = d('token')
      const sa = s.meta.annotations['kubernetes.io/service-account.name'] ?? '?'
      const ns = s.meta.namespace ?? ''
      if (token?.length) {
        // kube-system's service accounts are the controllers' (namespace-controller, clusterrole-aggregation-controller, ...): cluster-wide rights.
        if (ns === 'kube-system') add('data.token', 'k8s-service-account-token', token, `a long-lived token of kube-system/${sa}: kube-system service accounts hold cluster-wide rights, often enough to take the cluster`, {preview: redact(token.toString(), 3), risk: 'critical'})
        else add('data.token', 'k8s-service-account-token', token, `a long-lived token of service account ${ns}/${sa}: acts as that workload against the API server`, {preview: redact(token.toString(), 3)})
      }
      return out
    }
    case 'kubernetes.io/tls': {
      const key = d('tls.key')
      const caKey = d('ca.key')
      if (caKey?.length) add('data.ca.key', 'tls-ca-key', caKey, `the private key of a certificate authority${caReason(caKey, d('ca.crt'))}: every certificate it signs can be forged`, {preview: pemPreview(caKey)})
      if (key?.length) {
        const cert = certificate(d('tls.crt'))
        if (cert?.ca) add('data.tls.key', 'tls-ca-key', key, `the private key of a CA certificate (${cert.subject}${keyMatches(key, d('tls.crt')!) ? ', the key matches it' : ''}): every certificate it signs can be forged`, {preview: pemPreview(key)})
        else add('data.tls.key', 'tls-key', key, `a leaf TLS private key${cert ? ` (${cert.subject}${cert.selfSigned ? ', self-signed' : ''}, expires ${cert.validTo})` : ''}: lets the holder impersonate the service`, {preview: pemPreview(key)})
      }
      return out
    }
    case 'kubernetes.io/dockerconfigjson':
    case 'kubernetes.io/dockercfg': {
      const field = s.type.endsWith('json') ? '.dockerconfigjson' : '.dockercfg'
      const v = d(field)
      if (v?.length) {
        const registries = registriesIn(v)
        add(`data.${field}`, 'docker-config', v, `container registry credentials${registries.length ? ` for ${registries.slice(0, 3).join(', ')}` : ''}: pull (and maybe push) images`, {preview: `auths for ${registries.length} registr${registries.length === 1 ? 'y' : 'ies'}`})
      }
      return out
    }
    case 'bootstrap.kubernetes.io/token': {
      const id = d('token-id')?.toString() ?? ''
      const secret = d('token-secret')
      if (secret?.length) add('data.token-secret', 'bootstrap-token', `${id}.${secret.toString()}`, `a bootstrap token (${id}): joins nodes to the cluster`, {preview: `${id}.****`, keyId: id || undefined})
      return out
    }
    case 'kubernetes.io/basic-auth': {
      const pw = d('password')
      if (pw?.length) add('data.password', 'basic-auth', pw, `basic-auth credentials${d('username') ? ` of user ${d('username')!.toString().slice(0, 32)}` : ''}`)
      return out.map((c) => refine(s, 'password', c))
    }
    case 'kubernetes.io/ssh-auth': {
      const k = d('ssh-privatekey')
      if (k?.length) add('data.ssh-privatekey', 'private-key', k, 'an SSH private key', {preview: pemPreview(k)})
      return out
    }
    case 'helm.sh/release.v1': {
      const rel = d('release')
      const text = rel ? helmRelease(rel, (why) => skip('data.release', why)) : null
      if (text) for (const m of unique(detect(text, {path: 'values.yaml'}))) out.push(fromMatch(fp, 'data.release (helm values)', m, `in the Helm release's values: ${m.reason}`))
      return out
    }
  }
  return opaque(s, fp)
}

/** Opaque and unknown types: the engine over `key=value` lines, then names for what it did not recognise. */
function opaque(s: SecretObject, fp: Fingerprinter): Credential[] {
  const lines: string[] = []
  const ranges: {key: string; start: number; end: number}[] = []
  let at = 0
  for (const [key, value] of s.data) {
    if (value.length === 0 || isBinary(value)) continue
    const text = value.toString('utf8')
    const line = text.includes('\n') ? `${key}:\n${text}\n` : `${key}=${text}\n`
    ranges.push({key, start: at, end: at + line.length})
    lines.push(line)
    at += line.length
  }
  const text = lines.join('')
  const keyAt = (offset: number) => ranges.find((r) => offset >= r.start && offset < r.end)?.key ?? '?'
  const out: Credential[] = []
  const covered = new Set<string>()
  for (const m of unique(detect(text, {path: 'secret.env'}))) {
    const key = keyAt(m.start)
    if (NOT_SECRET_KEY.test(key) && m.rule === 'generic-assignment') continue
    covered.add(key)
    // The public half of a pair (an AWS key id in its own data key) is part of this credential, not another one.
    if (m.keyId && m.keyId !== m.secret) for (const [k, v] of s.data) if (v.toString('utf8').trim() === m.keyId) covered.add(k)
    out.push(refine(s, key, fromMatch(fp, `data.${key}`, m, m.reason)))
  }
  // Keys the engine could not place, by name.
  for (const [key, value] of s.data) {
    if (covered.has(key) || value.length === 0 || NOT_SECRET_KEY.test(key)) continue
    const str = value.toString('utf8')
    if (CERT.test(str) && !/PRIVATE KEY/.test(str)) continue // a certificate is public
    const cls = /pass(word|wd)?|pwd/i.test(key) ? 'password' : /token|api[_-]?key|secret|key|credential|auth/i.test(key) ? 'generic-secret' : null
    if (!cls) continue
    out.push(refine(s, key, {field: `data.${key}`, class: cls, risk: classInfo(cls).risk, reason: `data.${key} of a Secret`, ...valueDigests(fp, value), preview: redact(str), rotation: classInfo(cls).rotation}))
  }
  return dedupe(out).map((c) => caKeyIn(s, c))
}

/** A private key stored beside a CA certificate it belongs to (cert-manager CA issuers, home-made PKI in an Opaque Secret) is the CA's key. */
function caKeyIn(s: SecretObject, c: Credential): Credential {
  if (c.class !== 'private-key' && c.class !== 'tls-key') return c
  const key = s.data.get(c.field.replace(/^data\./, ''))
  if (!key) return c
  for (const [name, value] of s.data) {
    if (!CERT.test(value.toString('latin1', 0, 64))) continue
    const cert = certificate(value)
    if (cert?.ca && keyMatches(key, value)) return {...c, class: 'tls-ca-key', risk: 'critical', rotation: classInfo('tls-ca-key').rotation, reason: `the private key of the CA certificate in data.${name} (${cert.subject}): every certificate it signs can be forged`}
  }
  return c
}

function caReason(key: Buffer, crt: Buffer | undefined): string {
  const cert = certificate(crt)
  if (!cert) return ''
  return ` (${cert.subject}${keyMatches(key, crt!) ? ', the key matches its certificate' : ''})`
}

/** Proof that a private key is the certificate's: same public key. Parsed only for CA certificates, where it matters. */
function keyMatches(key: Buffer, crt: Buffer): boolean {
  try {
    const pub = createPublicKey(createPrivateKey(key)).export({type: 'spki', format: 'der'})
    return pub.equals(new X509Certificate(crt).publicKey.export({type: 'spki', format: 'der'}))
  } catch {
    return false
  }
}

/** Names and labels that make the procedure or the risk more precise. */
function refine(s: SecretObject, key: string, c: Credential): Credential {
  const name = s.meta.name
  if (/master[_-]?key|encryption[_-]?key|data[_-]?key|kek/i.test(key)) return {...c, class: 'app-master-key', risk: 'critical', rotation: 'app-master-key', reason: `an application master key (data.${key}): everything it encrypted must be re-set after rotation`}
  if (/grafana/i.test(name) && /admin.?password/i.test(key)) return {...c, class: 'grafana-admin', risk: 'high', rotation: 'grafana-admin', reason: 'the Grafana admin password'}
  if ((s.meta.labels['cnpg.io/cluster'] || /-app$/.test(name)) && s.data.has('jdbc-uri') && ['password', 'database-url', 'basic-auth'].includes(c.class)) return {...c, rotation: 'cnpg-database-credentials', reason: `${c.reason} (CloudNativePG cluster ${s.meta.labels['cnpg.io/cluster'] ?? name.replace(/-app$/, '')})`}
  return c
}

function fromMatch(fp: Fingerprinter, field: string, m: Match, reason: string): Credential {
  const base = matchFindingBase(m, fp)
  return {field, class: base.class, risk: base.risk, reason, fingerprint: base.fingerprint, ...(base.hashedToken ? {hashedToken: base.hashedToken} : {}), preview: base.preview, rotation: base.rotation, ...(base.keyId ? {keyId: base.keyId} : {})}
}

function unique(ms: Match[]): Match[] {
  const seen = new Set<string>()
  return ms.filter((m) => (seen.has(m.secret) ? false : (seen.add(m.secret), true)))
}

function dedupe(cs: Credential[]): Credential[] {
  const byFp = new Map<string, Credential>()
  for (const c of cs) {
    const prev = byFp.get(c.fingerprint)
    if (!prev || RISK_ORDER[c.risk] < RISK_ORDER[prev.risk]) byFp.set(c.fingerprint, c)
  }
  return [...byFp.values()]
}

function isBinary(b: Buffer): boolean {
  return b.subarray(0, 4096).includes(0)
}

interface CertFacts {
  ca: boolean
  selfSigned: boolean
  subject: string
  validTo: string
}

// Certificates repeat (a ca.crt in every service-account token, the same
// cert across a Secret's revisions): parse each distinct one once.
const certCache = new Map<string, CertFacts | null>()

function certificate(crt: Buffer | undefined): CertFacts | null {
  if (!crt?.length) return null
  const id = crt.toString('latin1')
  const known = certCache.get(id)
  if (known !== undefined) return known
  let facts: CertFacts | null = null
  try {
    const c = new X509Certificate(crt)
    facts = {ca: c.ca, selfSigned: c.checkIssued(c), subject: c.subject.replace(/\n/g, ', ').slice(0, 80), validTo: new Date(c.validTo).toISOString().slice(0, 10)}
  } catch {
    facts = null
  }
  if (certCache.size > 10_000) certCache.clear()
  certCache.set(id, facts)
  return facts
}

function pemPreview(key: Buffer): string {
  const m = /-----BEGIN ([A-Z ]+)-----/.exec(key.toString('latin1'))
  return m ? `-----BEGIN ${m[1]}----- … (${key.length} bytes)` : redact(key.toString('latin1'))
}

function registriesIn(v: Buffer): string[] {
  try {
    const doc = JSON.parse(v.toString('utf8')) as {auths?: Record<string, unknown>} & Record<string, unknown>
    return Object.keys(doc.auths ?? doc)
  } catch {
    return []
  }
}

/** A Helm 3 release Secret: base64 of gzipped JSON, whose `config` holds the user-supplied values. */
function helmRelease(v: Buffer, skip: (why: string) => void): string | null {
  try {
    let raw: Buffer
    try {
      // Inflation stops at the bound: the output never grows past it, whatever the input claims.
      raw = gunzipSync(Buffer.from(v.toString('latin1'), 'base64'), {maxOutputLength: HELM_RELEASE_MAX_BYTES})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error
      skip(`the Helm release decompresses to more than ${HELM_RELEASE_MAX_BYTES / 1024 / 1024} MiB (a decompression bomb, or not a release): not read`)
      return null
    }
    const json = raw.toString('utf8')
    const rel = JSON.parse(json) as {config?: unknown; chart?: {values?: unknown}}
    return JSON.stringify({config: rel.config ?? {}, values: rel.chart?.values ?? {}}, null, 1)
  } catch {
    return null
  }
}
