import * as crypto from 'node:crypto'

import type {z} from '#zod'

import type {Fingerprinter} from '../fingerprint/key.js'
import {safeUrl} from '../text/url.js'
import {onFirstUse, zod} from '../zod.js'

// A Finding is one exposed credential at one place. It never holds the value:
// only a fingerprint (HMAC-SHA-256 of the value with the workspace's key,
// src/fingerprint/key.ts) and a redacted preview.

export const RISKS = ['critical', 'high', 'medium', 'low'] as const
export type Risk = (typeof RISKS)[number]

export type Fingerprint = `sha256:${string}`

// Built on first use: a command that only reads a validated incident log never pays for zod's schemas
// (docs/performance.md, start-up).
function buildFindingSchema() {
  const z = zod()
  const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 time')

  const base = {
    /** Credential class, kebab-case: `aws-access-key`, `github-token`, `database-url`, ... */
    class: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'kebab-case class id'),
    risk: z.enum(RISKS),
    /** Why that risk, in words a responder reads aloud. */
    reason: z.string(),
    fingerprint: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex>') as z.ZodType<Fingerprint>,
    /** Redacted preview: a known public prefix at most, never the secret part. */
    preview: z.string().max(200),
    /** Rotation procedure id in playbooks/rotations/. */
    rotation: z.string(),
    /** The public half of a credential pair that investigations key on (an AWS access key id); never the secret half. */
    keyId: z.string().max(128).optional(),
    /** GitHub tokens only: the plain SHA-256 (base64) GitHub's audit log records as `hashed_token` (see githubHashedToken). */
    hashedToken: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'base64 SHA-256').optional(),
  }

  // Strict objects: a finding with an unexpected field (a `value`, a `secret`)
  // is refused, so nothing but this value-free shape enters an incident.
  return z.discriminatedUnion('source', [
    z.strictObject({
      source: z.literal('git'),
      ...base,
      /** Full sha of the commit that first introduced the secret at this place. */
      commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'full commit sha'),
      path: z.string(),
      line: z.number().int().nonnegative(),
      author: z.string(),
      date: iso,
      inHead: z.boolean(),
      refs: z.array(z.string()),
      committerDate: iso.optional(),
      /** Later commits that put the secret back at this path. */
      reAddedIn: z.array(z.string()).optional(),
      removedIn: z.string().nullable().optional(),
      removedAt: iso.nullable().optional(),
      /** A remote-tracking ref reaches it: it was pushed. */
      pushed: z.boolean().optional(),
      /** Remote URLs come masked (safeUrl); one read from a file is masked again, never stored with a token. */
      remotes: z.array(z.strictObject({name: z.string(), url: z.string().transform(safeUrl), github: z.string().nullable()})).optional(),
    }),
    z.strictObject({
      source: z.literal('etcd'),
      ...base,
      /** etcd key, e.g. /registry/secrets/prod/db-creds */
      key: z.string(),
      revision: z.number().int().nonnegative(),
      /** Kubernetes object kind: Secret, ConfigMap, a custom resource kind. */
      kind: z.string(),
      namespace: z.string().optional(),
      name: z.string(),
      /** Data key or field path inside the object, e.g. `data.password`. */
      field: z.string(),
      state: z.enum(['live', 'deleted']),
      /** The object's metadata.creationTimestamp, when the snapshot carries it: when the secret entered the cluster. */
      created: iso.optional(),
      /** The snapshot's live objects that read it (workloads, ServiceAccounts, Ingresses, owners): what restarts after a rotation. */
      consumers: z.array(z.strictObject({kind: z.string(), namespace: z.string().optional(), name: z.string()})).optional(),
    }),
    z.strictObject({
      source: z.literal('file'),
      ...base,
      path: z.string(),
      line: z.number().int().nonnegative(),
    }),
  ])
}

/** The schema every finding entering an incident must pass. */
export const findingSchema = onFirstUse(buildFindingSchema)

export type Finding = z.infer<ReturnType<typeof buildFindingSchema>>
export type GitFinding = Extract<Finding, {source: 'git'}>
export type EtcdFinding = Extract<Finding, {source: 'etcd'}>
export type FileFinding = Extract<Finding, {source: 'file'}>

export const RISK_ORDER: Record<Risk, number> = {critical: 0, high: 1, medium: 2, low: 3}

// GitHub's documented token formats: a prefix and at least 36 random
// characters (ghp_ and kin: 36 base62, about 214 bits; github_pat_: 82).
const GITHUB_TOKEN = /^(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})$/

/**
 * The plain SHA-256 (base64) of a GitHub token, which GitHub's audit log
 * records as `hashed_token` and can be searched by (leakctl logs github --org).
 * Carried on the finding because the value is gone by the time the audit log
 * is read (the snapshot deleted, the Secret rotated), and only for a value of
 * GitHub's own random format: ~200 bits no dictionary reaches, and a digest
 * GitHub itself publishes in the audit log. A low-entropy value never gets one.
 */
export function githubHashedToken(value: string | Uint8Array): string | undefined {
  if ((typeof value === 'string' ? value.length : value.byteLength) > 255) return undefined // no GitHub token is that long
  const text = typeof value === 'string' ? value : Buffer.from(value).toString('latin1')
  return GITHUB_TOKEN.test(text) ? crypto.createHash('sha256').update(value).digest('base64') : undefined
}

/** What a finding records of a credential value: its keyed fingerprint, and for a GitHub token the audit log's digest. */
export function valueDigests(fp: Fingerprinter, value: string | Uint8Array): Pick<Finding, 'fingerprint' | 'hashedToken'> {
  const hashedToken = githubHashedToken(value)
  return {fingerprint: fp.of(value), ...(hashedToken ? {hashedToken} : {})}
}

/**
 * Redacted preview. `reveal` is how many leading characters are a public,
 * documented prefix of the format (`AKIA`, `ghp_`, `xoxb-`); nothing more is
 * shown. Only such a provider token (random, of a documented length) shows
 * its exact length; any other value (a password, a generic assignment) shows
 * a range, since an exact length narrows a guess at a chosen password.
 */
export function redact(value: string, reveal = 0): string {
  const keep = Math.min(Math.max(reveal, 0), Math.floor(value.length / 3))
  if (keep > 0) return `${value.slice(0, keep)}${'*'.repeat(Math.min(8, Math.max(4, value.length - keep)))} (${value.length} chars)`
  return `******** (${lengthRange(value.length)} chars)`
}

/** `8-15`: the power-of-two band a length falls in. */
export function lengthRange(length: number): string {
  if (length < 8) return '1-7'
  if (length >= 128) return '128+'
  const low = 2 ** Math.floor(Math.log2(length))
  return `${low}-${low * 2 - 1}`
}

/** Where a finding is, in one short line (for checklist titles and tables). */
export function findingWhere(f: Finding): string {
  switch (f.source) {
    case 'git':
      return `${f.path}:${f.line} @ ${f.commit.slice(0, 12)}`
    case 'etcd':
      return `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name} ${f.field}${f.state === 'deleted' ? ' (deleted)' : ''}`
    case 'file':
      return `${f.path}:${f.line}`
  }
}

/** One finding per credential per place: the key the checklist de-duplicates on. */
export function findingKey(f: Finding): string {
  return `${f.fingerprint}|${f.source}|${findingWhere(f)}`
}

/** The non-secret fields a playbook template may use as {{finding.x}}. */
export function findingVars(f: Finding): Record<string, string> {
  const vars: Record<string, string> = {
    class: f.class,
    risk: f.risk,
    reason: f.reason,
    fingerprint: f.fingerprint,
    preview: f.preview,
    rotation: f.rotation,
    source: f.source,
    where: findingWhere(f),
  }
  if (f.keyId) vars.keyId = f.keyId
  switch (f.source) {
    case 'git':
      Object.assign(vars, {commit: f.commit, path: f.path, line: String(f.line), author: f.author, date: f.date})
      break
    case 'etcd':
      Object.assign(vars, {key: f.key, revision: String(f.revision), kind: f.kind, name: f.name, field: f.field, state: f.state})
      if (f.namespace) vars.namespace = f.namespace
      break
    case 'file':
      Object.assign(vars, {path: f.path, line: String(f.line)})
      break
  }
  return vars
}
