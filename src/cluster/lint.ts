import type {EncryptionConfig, ProviderEntry, ResourceRule} from './encryption-config.js'
import {entryCovers, formatGroupResource, type GroupResource, isWildcard, parseGroupResource, providerName, type WriteMode, writeMode} from './resources.js'

// Lints an EncryptionConfiguration the way an attacker with the etcd backup
// would read it: what is really written encrypted, with what, and what the
// API server would refuse. kube-bench and kubescape check that an encrypting
// provider is *present*; the provider that writes is the FIRST one, so
// `identity: {}` listed first means plaintext, whatever follows.
// Issues carry key names and byte lengths, never key material.

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const
export type Severity = (typeof SEVERITIES)[number]
export const SEVERITY_ORDER: Record<Severity, number> = {critical: 0, high: 1, medium: 2, low: 3, info: 4}

export interface LintIssue {
  /** Stable id of the check, e.g. `plaintext-writes`. */
  id: string
  severity: Severity
  /** 1-based line in the file. */
  line: number
  /** The rule's resources this is about, as written. */
  resources?: string[]
  message: string
  fix: string
  /** kube-apiserver refuses this file: it does not start, or an automatic reload keeps the previous configuration. */
  rejected?: true
}

export interface LintResult {
  file: string
  form: EncryptionConfig['form']
  /** How new Secrets are written under this file. */
  secrets: WriteMode
  configmaps: WriteMode
  /** Worst first, then by line. */
  issues: LintIssue[]
  /** Whether kube-apiserver would refuse the file. */
  rejected: boolean
  counts: Record<Severity, number>
}

const AES_SIZES = [16, 24, 32]
/** Workload kinds whose env literals often hold credentials (leakctl scan etcd lists them). */
const WORKLOADS = ['pods', 'deployments.apps', 'statefulsets.apps', 'daemonsets.apps', 'replicasets.apps', 'jobs.batch', 'cronjobs.batch']
/** Resources the API server refuses to encrypt (no REST API). */
const NON_REST = ['apiserveripinfo', 'serviceipallocations', 'servicenodeportallocations']

const SECRETS: GroupResource = {group: '', resource: 'secrets'}
const coversSecrets = (rule: ResourceRule) => rule.resources.some((r) => entryCovers(parseGroupResource(r), SECRETS))

export function lintEncryptionConfig(config: EncryptionConfig): LintResult {
  const issues: LintIssue[] = []
  const add = (i: LintIssue) => issues.push(i)

  resourceChecks(config, add)
  for (const rule of config.rules) providerChecks(rule, add)
  kmsNameChecks(config, add)

  const secrets = writeMode(config, 'secrets')
  const configmaps = writeMode(config, 'configmaps')
  if (secrets.mode === 'not-covered') {
    add({
      id: 'secrets-not-covered',
      severity: 'critical',
      line: config.rules[0]?.line ?? 1,
      message: 'no rule covers secrets: every Secret is written to etcd in plaintext',
      fix: 'add a first rule `- resources: [secrets]` with an encrypting provider first (kms v2, or secretbox/aesgcm/aescbc with a 32-byte key) and `- identity: {}` last',
    })
  }
  if (configmaps.mode === 'not-covered') {
    add({
      id: 'configmaps-not-covered',
      severity: 'medium',
      line: config.rules[0]?.line ?? 1,
      message: 'configmaps are not covered: credentials kept in ConfigMaps (connection strings, kubeconfigs, tokens in app config) are plaintext in etcd and in every backup',
      fix: 'move credentials out of ConfigMaps into Secrets (`leakctl scan etcd` lists them); or add `configmaps` to a rule with an encrypting provider first',
    })
  }
  const uncoveredWorkloads = WORKLOADS.filter((w) => writeMode(config, w).mode === 'not-covered')
  if (uncoveredWorkloads.length) {
    add({
      id: 'workloads-not-covered',
      severity: 'low',
      line: config.rules[0]?.line ?? 1,
      resources: uncoveredWorkloads,
      message: `${uncoveredWorkloads.length === WORKLOADS.length ? 'workloads' : uncoveredWorkloads.join(', ')} are not covered: credentials written as literal env values in pod specs are plaintext in etcd`,
      fix: 'reference Secrets (env.valueFrom.secretKeyRef) instead of literal values; `leakctl scan etcd` lists the literals',
    })
  }

  issues.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.line - b.line || a.id.localeCompare(b.id))
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, issues.filter((i) => i.severity === s).length])) as Record<Severity, number>
  return {file: config.file, form: config.form, secrets, configmaps, issues, rejected: issues.some((i) => i.rejected), counts}
}

type Add = (i: LintIssue) => void

function resourceChecks(config: EncryptionConfig, add: Add): void {
  // Earlier entries, for the API server's masking rule: a resource after a
  // wildcard that covers it (in an earlier rule or earlier in the same list)
  // makes it refuse the whole file.
  const seen: {gr: GroupResource; entry: string; line: number}[] = []
  const specific = new Map<string, number>()
  for (const rule of config.rules) {
    const lines = rule.resourceLines ?? rule.resources.map(() => rule.line)
    const parsed = rule.resources.map(parseGroupResource)
    // Within one list: duplicates and overlaps are refused outright.
    const dup = parsed.findIndex((a, i) => parsed.some((b, j) => j < i && a.group === b.group && a.resource === b.resource))
    if (dup >= 0) {
      add({id: 'duplicate-resource', severity: 'high', line: lines[dup]!, resources: rule.resources, rejected: true, message: `${rule.resources[dup]} is listed twice in the same rule: kube-apiserver refuses the file ("the same resource cannot be specified multiple times")`, fix: `remove the second ${rule.resources[dup]}`})
    }
    const overlap = parsed.findIndex((a, i) => parsed.some((b, j) => j !== i && !(a.group === b.group && a.resource === b.resource) && (isWildcard(b) && entryCovers(b, a))))
    if (overlap >= 0) {
      add({id: 'overlapping-resources', severity: 'high', line: lines[overlap]!, resources: rule.resources, rejected: true, message: `${rule.resources[overlap]} overlaps a wildcard in the same rule: kube-apiserver refuses the file ("using overlapping resources ... is not allowed as they will be masked")`, fix: `keep either the wildcard or ${rule.resources[overlap]} in this rule; put specific resources in an earlier rule of their own`})
    }
    for (const [i, entry] of rule.resources.entries()) {
      const gr = parsed[i]!
      const line = lines[i]!
      const bad = invalidResource(entry, gr)
      if (bad) add({id: 'invalid-resource', severity: 'high', line, resources: rule.resources, rejected: true, message: `${entry}: ${bad.message}`, fix: bad.fix})
      const masker = seen.find((s) => isWildcard(s.gr) && entryCovers(s.gr, gr))
      if (masker && overlap < 0 && i !== dup) {
        add({id: 'masked-resource', severity: 'high', line, resources: rule.resources, rejected: true, message: `${entry} comes after ${masker.entry} (line ${masker.line}), which already covers it: the first matching rule wins, and kube-apiserver refuses the file ("resource is masked by earlier rule")`, fix: `move the rule for ${entry} above the ${masker.entry} rule`})
      }
      if (!isWildcard(gr)) {
        const key = formatGroupResource(gr)
        const first = specific.get(key)
        if (first !== undefined && first !== rule.line) {
          add({id: 'resource-in-two-rules', severity: 'medium', line, resources: rule.resources, message: `${entry} is already covered by the rule at line ${first}: only that rule's first provider writes ${entry}; this rule's providers only add read fallbacks`, fix: `merge the two rules for ${entry} into one, with the provider that should write first`})
        } else if (first === undefined) specific.set(key, rule.line)
      }
      seen.push({gr, entry, line})
    }
  }
}

function invalidResource(entry: string, gr: GroupResource): {message: string; fix: string} | null {
  if (entry !== entry.toLowerCase()) return {message: 'resource names are lower-case; kube-apiserver refuses the file', fix: `write ${entry.toLowerCase()}`}
  if (entry === '*') return {message: 'a bare * is refused; use *. for every core resource or *.* for everything', fix: 'write *. or *.*'}
  if (NON_REST.includes(entry)) return {message: 'this resource has no REST API and cannot be encrypted; kube-apiserver refuses the file', fix: `remove ${entry}`}
  if (gr.group === 'events.k8s.io') return {message: 'events.k8s.io objects are stored under the core events resource; kube-apiserver refuses the file', fix: 'write events'}
  if (gr.group === 'extensions') return {message: 'the extensions group was removed; kube-apiserver refuses the file', fix: 'use the resource in its current group (e.g. deployments.apps)'}
  if (gr.group === '*' && gr.resource !== '*') return {message: 'the same resource across groups (resource.*) is refused', fix: `name the group: ${gr.resource}.<group>`}
  return null
}

function providerChecks(rule: ResourceRule, add: Add): void {
  const res = rule.resources
  const secretsRule = coversSecrets(rule)
  const first = rule.providers[0]!
  const encrypting = rule.providers.filter((p) => p.type !== 'identity')
  const what = res.join(', ')

  if (first.type === 'identity') {
    const severity = secretsRule ? 'critical' : res.some((r) => entryCovers(parseGroupResource(r), {group: '', resource: 'configmaps'})) ? 'high' : 'medium'
    add(
      encrypting.length
        ? {
            id: 'plaintext-writes',
            severity,
            line: first.line,
            resources: res,
            message: `identity is the first provider for ${what}: new writes are stored in PLAINTEXT; ${encrypting.map((p) => `${providerName(p)} (line ${p.line})`).join(', ')} below it only decrypt${encrypting.length === 1 ? 's' : ''} older values`,
            fix: `move ${providerName(encrypting[0]!)} (line ${encrypting[0]!.line}) above identity (line ${first.line}), keep identity last as a read fallback, reload the API servers, then rewrite every object: kubectl get ${res.some((r) => entryCovers(parseGroupResource(r), SECRETS)) ? 'secrets' : res[0]} -A -o json | kubectl replace -f -`,
          }
        : {
            id: 'plaintext-writes',
            severity,
            line: first.line,
            resources: res,
            message: `only identity for ${what}: encryption is off for these resources (a config for decrypting everything back to plaintext)`,
            fix: `put an encrypting provider first (kms v2, or secretbox/aesgcm/aescbc with a 32-byte key) and keep identity last`,
          },
    )
  }

  const names = new Map<string, number>()
  for (const [pi, p] of rule.providers.entries()) {
    const writes = pi === 0
    if (p.type === 'aescbc') {
      add({
        id: 'aescbc',
        severity: writes ? 'medium' : 'info',
        line: p.line,
        resources: res,
        message: writes
          ? `aescbc writes ${what}: the Kubernetes documentation recommends against it (CBC's exposure to padding-oracle attacks, no integrity protection), and its key sits in this file on every control-plane node`
          : `aescbc (not first) only decrypts older values: remove it once every value has been rewritten with the first provider`,
        fix: writes ? 'move to kms v2 (key outside the node) or secretbox: add the new provider first, reload, rewrite every Secret, then remove aescbc' : 'after `kubectl get secrets -A -o json | kubectl replace -f -` and a raw count showing no aescbc values, remove this provider',
      })
    }
    if (p.type === 'aesgcm' && writes) {
      add({
        id: 'aesgcm-rotation',
        severity: 'medium',
        line: p.line,
        resources: res,
        message: `aesgcm writes ${what} with random 96-bit nonces: a key must be rotated long before 2^32 writes (the Kubernetes documentation says every 200,000 writes) and is not recommended without automated rotation`,
        fix: 'automate key rotation (new key first, reload, rewrite, drop the old key), or move to kms v2 which rotates data keys for you',
      })
    }
    if (p.type === 'kms' && p.apiVersion === 'v1') {
      add({
        id: 'kms-v1-deprecated',
        severity: writes ? 'high' : 'medium',
        line: p.line,
        resources: res,
        message: `KMS v1 provider ${p.name} is deprecated (since Kubernetes 1.28) and disabled by default since 1.29 (KMSv1 feature gate): an API server without the gate refuses this file`,
        fix: `migrate to apiVersion: v2: add a kms v2 provider first, reload, rewrite every ${what.includes('secrets') ? 'Secret' : 'object'}, then remove ${p.name}`,
      })
    }
    if (p.type === 'kms') kmsChecks(p, res, add)
    if (p.type === 'aescbc' || p.type === 'aesgcm' || p.type === 'secretbox') {
      const sizes = p.type === 'secretbox' ? [32] : AES_SIZES
      for (const [ki, k] of p.keys.entries()) {
        if (!sizes.includes(k.secret.length)) {
          add({id: 'key-size', severity: 'high', line: k.line, resources: res, rejected: true, message: `${p.type} key ${k.name} is ${k.secret.length} bytes; ${p.type} needs ${sizes.join(', ').replace(/, (\d+)$/, ' or $1')}: kube-apiserver refuses this file`, fix: `generate a 32-byte key: head -c 32 /dev/urandom | base64 (and mind stray newlines in the value)`})
        } else if (k.secret.length < 32 && (writes && ki === 0)) {
          add({id: 'key-size', severity: 'low', line: k.line, resources: res, message: `${p.type} key ${k.name} is ${k.secret.length} bytes (AES-${k.secret.length * 8}); 32-byte keys are the usual choice`, fix: 'rotate to a 32-byte key: head -c 32 /dev/urandom | base64'})
        }
        if (k.name.includes(':')) {
          add({id: 'key-name-colon', severity: 'medium', line: k.line, resources: res, message: `key name ${JSON.stringify(k.name)} contains ':': values are stored as k8s:enc:${p.type}:v1:${k.name}:…, so anything reading the envelope (audits, etcdctl scripts, leakctl) attributes them to the wrong key name`, fix: `rename to ${JSON.stringify(k.name.replaceAll(':', '-'))}: add it as a new first key, reload, rewrite, then drop the old name`})
        }
        const id = `${p.type}:${k.name}`
        const before = names.get(id)
        if (before !== undefined) {
          add({id: 'duplicate-key-name', severity: 'medium', line: k.line, resources: res, message: `${p.type} key name ${k.name} is used twice (also line ${before}): stored values name only the key, so you cannot tell which key wrote them, and removing "the old ${k.name}" during a rotation can make values unreadable`, fix: 'give every key a unique name (e.g. key-2026-06); keep the old one until a raw count shows no value uses it'})
        } else names.set(id, k.line)
      }
      if (writes && p.keys.length > 1) {
        add({id: 'multiple-keys', severity: 'info', line: p.keys[1]!.line, resources: res, message: `${p.type} has ${p.keys.length} keys: only the first (${p.keys[0]!.name}) encrypts; ${p.keys.slice(1).map((k) => k.name).join(', ')} only decrypt (a rotation in progress)`, fix: 'finish the rotation: rewrite every object, confirm with a raw count that no value uses the old key, then remove it'})
      }
    }
  }

  // Reusing key material across names or providers.
  const keys = rule.providers.flatMap((p) => (p.type === 'aescbc' || p.type === 'aesgcm' || p.type === 'secretbox' ? p.keys.map((k) => ({p: p.type, k})) : []))
  for (const [i, a] of keys.entries()) {
    const b = keys.slice(0, i).find((x) => x.k.secret.equals(a.k.secret))
    if (b) add({id: 'reused-key', severity: 'low', line: a.k.line, resources: res, message: `${a.p} key ${a.k.name} has the same key material as ${b.p} key ${b.k.name} (line ${b.k.line})`, fix: 'use an independent random key for every key entry'})
  }

  if (first.type !== 'identity' && !rule.providers.some((p) => p.type === 'identity')) {
    add({id: 'no-identity-fallback', severity: 'low', line: rule.line, resources: res, message: `no identity provider after ${providerName(first)}: ${what} still stored in plaintext (written before encryption was turned on) cannot be read until they are rewritten`, fix: 'keep `- identity: {}` LAST until a raw count shows no plaintext value, then remove it'})
  }
  if (first.type === 'aescbc' || first.type === 'aesgcm' || first.type === 'secretbox') {
    add({id: 'local-key', severity: secretsRule ? 'low' : 'info', line: first.line, resources: res, message: `${first.type} keeps its key in this file on every control-plane node: a backup of the node that also holds /etc/kubernetes gives an attacker the key with the data`, fix: 'keep this file out of etcd backups and their storage; or use kms v2 so the key encryption key never sits on the node'})
  }
}

function kmsChecks(p: Extract<ProviderEntry, {type: 'kms'}>, res: string[], add: Add): void {
  if (!p.endpoint) add({id: 'kms-invalid', severity: 'high', line: p.line, resources: res, rejected: true, message: `kms ${p.name}: endpoint is required; kube-apiserver refuses the file`, fix: 'set endpoint: unix:///path/to/kms.sock'})
  else if (!p.endpoint.startsWith('unix://')) add({id: 'kms-invalid', severity: 'high', line: p.line, resources: res, rejected: true, message: `kms ${p.name}: endpoint ${p.endpoint} is not unix://; kube-apiserver only talks to KMS plugins over a unix socket and refuses the file`, fix: 'set endpoint: unix:///path/to/kms.sock'})
  if (p.apiVersion === 'v2' && p.cachesize !== null && p.cachesize !== undefined) add({id: 'kms-invalid', severity: 'high', line: p.line, resources: res, rejected: true, message: `kms ${p.name}: cachesize is not supported in v2; kube-apiserver refuses the file`, fix: 'remove cachesize'})
  if (p.apiVersion === 'v1' && p.cachesize === 0) add({id: 'kms-invalid', severity: 'high', line: p.line, resources: res, rejected: true, message: `kms ${p.name}: cachesize 0 is refused (positive, or negative to disable the cache)`, fix: 'remove cachesize (default 1000) or set a positive value'})
  if (p.timeout !== null && p.timeout !== undefined && !(goDurationMs(p.timeout) > 0)) add({id: 'kms-invalid', severity: 'high', line: p.line, resources: res, rejected: true, message: `kms ${p.name}: timeout ${p.timeout} must be a positive duration; kube-apiserver refuses the file`, fix: 'set timeout: 3s (the default)'})
  if (p.apiVersion === 'v2' && p.name.includes(':')) add({id: 'kms-invalid', severity: 'high', line: p.line, resources: res, rejected: true, message: `kms v2 provider name ${JSON.stringify(p.name)} must not contain ':'; kube-apiserver refuses the file`, fix: `rename it (e.g. ${p.name.replaceAll(':', '-')})`})
}

function kmsNameChecks(config: EncryptionConfig, add: Add): void {
  const seen = new Map<string, number>()
  for (const rule of config.rules) {
    for (const p of rule.providers) {
      if (p.type !== 'kms') continue
      const before = seen.get(p.name)
      // v2 names are unique across all KMS providers (v1 too when automatic reload is on).
      if (before !== undefined) {
        add(
          p.apiVersion === 'v2'
            ? {id: 'duplicate-kms-name', severity: 'high', line: p.line, resources: rule.resources, rejected: true, message: `kms provider name ${p.name} is already used at line ${before}; v2 names must be unique: kube-apiserver refuses the file`, fix: 'give every KMS provider a unique name'}
            : {id: 'duplicate-kms-name', severity: 'medium', line: p.line, resources: rule.resources, message: `kms provider name ${p.name} is already used at line ${before}: refused with --encryption-provider-config-automatic-reload, ambiguous in stored values otherwise`, fix: 'give every KMS provider a unique name'},
        )
      } else seen.set(p.name, p.line)
    }
  }
}

/** Milliseconds of a Go duration (`3s`, `1m30s`, `500ms`), NaN when not one. */
export function goDurationMs(text: string): number {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text.trim())
  if (!m) return text.trim() === '0' ? 0 : Number.NaN
  const unit: Record<string, number> = {ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000}
  let total = 0
  for (const part of text.trim().replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * unit[part[2]!]!
  return m[1] === '-' ? -total : total
}
