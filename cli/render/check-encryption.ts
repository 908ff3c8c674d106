import chalk from 'chalk'

import type {EncryptionCheck} from '../../src/cluster/check.js'
import type {Severity} from '../../src/cluster/lint.js'
import type {WriteMode} from '../../src/cluster/resources.js'
import {table} from './text.js'
import {count} from '../../src/text/count.js'

// The human form of `leakctl check encryption`: the verdict line first, then
// each piece of evidence, what is missing, cross-checks, and the plan.

const n = count

export function verdictLine(r: EncryptionCheck): string {
  const [head, ...rest] = r.summary.split(' — ')
  const colour = r.verdict === 'ENCRYPTED' ? chalk.bold.green : r.verdict === 'UNKNOWN' ? chalk.bold.yellow : chalk.bold.red
  return `${colour(head!)}${rest.length ? ` — ${rest.join(' — ')}` : ''}`
}

const sev = (s: Severity) => {
  const label = s.toUpperCase().padEnd(8)
  return s === 'critical' ? chalk.bold.red(label) : s === 'high' ? chalk.red(label) : s === 'medium' ? chalk.yellow(label) : chalk.dim(label)
}

function mode(m: WriteMode): string {
  if (m.mode === 'not-covered') return chalk.red('not covered: written in plaintext')
  if (m.mode === 'plaintext') return chalk.red(`identity first (line ${m.line}): written in PLAINTEXT`)
  return chalk.green(`written with ${m.provider} ${m.provider.startsWith('kms') ? 'provider' : 'key'} ${m.key} (line ${m.line})`)
}

export function renderEncryptionCheck(r: EncryptionCheck): string {
  const out: string[] = [verdictLine(r), '']
  const facet = (label: string, f: EncryptionCheck['writes']) => [label, f.says === 'encrypted' ? chalk.green(f.says) : f.says === 'unknown' ? chalk.yellow(f.says) : chalk.red(f.says), f.basis ? `${f.basis}: ${f.detail}` : f.detail]
  out.push(chalk.bold('Evidence'))
  out.push(indent(table([facet('new writes', r.writes), facet('stored', r.stored)])))

  if (r.lint) {
    const l = r.lint
    out.push('', chalk.bold(`Configuration ${l.file}`) + chalk.dim(` (${l.form === 'v1' ? 'apiserver.config.k8s.io/v1' : 'legacy EncryptionConfig'}, ${l.sha256.slice(0, 19)}…${l.loadedByApiServer === true ? ', the one the API server loaded' : l.loadedByApiServer === false ? ', NOT the one the API server loaded' : ''})`))
    out.push(`  secrets     ${mode(l.secrets)}`)
    out.push(`  configmaps  ${mode(l.configmaps)}`)
    if (l.rejected) out.push(chalk.red('  kube-apiserver would refuse this file (see the issues marked "refused")'))
    for (const i of l.issues) {
      out.push(`  ${sev(i.severity)} line ${String(i.line).padEnd(4)} ${i.message}${i.rejected ? chalk.red(' [refused]') : ''}`)
      out.push(chalk.dim(`  ${' '.repeat(8)}           fix: ${i.fix}`))
    }
    if (!l.issues.length) out.push(chalk.green('  no issues'))
  }

  const a = r.apiserver
  if (a) {
    out.push('', chalk.bold(`API servers`) + chalk.dim(` (context ${a.context}, ${a.server})`))
    if (a.pods?.length) {
      out.push(
        indent(
          table(
            a.pods.map((p) => [
              p.name,
              p.node ?? '',
              p.flags.encryptionProviderConfig ? chalk.green(`--encryption-provider-config=${p.flags.encryptionProviderConfig}`) : chalk.red('no --encryption-provider-config'),
              p.flags.encryptionProviderConfig ? `automatic-reload=${p.flags.automaticReload ? 'on' : 'off'}` : '',
              `etcd-prefix=${p.flags.etcdPrefix}`,
            ]),
          ),
        ),
      )
    }
    for (const h of a.health) {
      const kms = h.kms.map((k) => (k.ok ? chalk.green(`${k.name} ok`) : chalk.red(`${k.name} ${k.detail}`)))
      out.push(`  ${h.endpoint.replace('?verbose', '')}: ${h.checks.every((c) => c.ok) ? chalk.green('ok') : chalk.red(`failing: ${h.checks.filter((c) => !c.ok).map((c) => c.name).join(', ')}`)}${kms.length ? `; KMS: ${kms.join(', ')}` : ''}`)
    }
  }

  const m = r.metrics
  if (m) {
    out.push('', chalk.bold('API server metrics') + chalk.dim(' (the instance that answered, since it started; every configured resource)'))
    const rows = [
      ...m.writes.map((w) => ['writes', label(w.provider, w.key), `${n(w.ok)} ok${w.failed ? `, ${n(w.failed)} failed` : ''}`]),
      ...m.reads.map((w) => ['reads', label(w.provider, w.key), `${n(w.ok)} ok${w.failed ? `, ${n(w.failed)} failed` : ''}`]),
    ]
    if (rows.length) out.push(indent(table(rows)))
    else out.push('  no storage transformation counters')
    for (const k of m.kms.providers) out.push(`  KMS ${k.name}: ${k.keyIdHashes} key id(s), ${n(k.calls)} call(s)${k.failedCalls ? chalk.red(`, ${n(k.failedCalls)} failed`) : ''}`)
    if (m.reload.successes !== null || m.reload.failures !== null) out.push(`  automatic reload: ${n(m.reload.successes ?? 0)} success(es), ${m.reload.failures ? chalk.red(`${n(m.reload.failures)} failure(s)`) : '0 failures'}${m.reload.lastSuccess ? `, last success ${m.reload.lastSuccess}` : ''}`)
  }

  const e = r.etcd
  if (e) {
    out.push('', chalk.bold(`etcd`) + chalk.dim(` (prefix ${e.prefix}, revision ${e.revision}: ${n(e.total)} Secrets in ${n(e.roundTrips)} requests, ${(e.ms / 1000).toFixed(1)} s)`))
    const rows = [
      ...(e.plaintext ? [[chalk.red('plaintext'), chalk.red(n(e.plaintext)), Object.entries(e.encodings).filter(([, c]) => c).map(([k, c]) => `${k} ${n(c)}`).join(', ')]] : []),
      ...e.byProvider.map((p) => [
        label(p.provider, p.key),
        n(p.count),
        [p.proof === 'decrypts' ? chalk.green('the configured key opens it') : p.proof === 'wrong-key' ? chalk.red('the configured key with this name does NOT open it') : p.proof === 'unknown-key' ? chalk.red('key not in the configuration') : p.proof === 'kms' ? 'KMS (not decryptable here)' : '', p.writes ? 'writes now' : p.writes === false ? chalk.yellow('older key') : ''].filter(Boolean).join('; '),
      ]),
    ]
    out.push(indent(table(rows)))
    if (e.plaintextByNamespace.length) out.push(`  plaintext by namespace: ${e.plaintextByNamespace.map((x) => `${x.namespace || '(none)'} ${n(x.count)}`).join(', ')}`)
    if (e.plaintextSamples.length) out.push(chalk.dim(`  e.g. ${e.plaintextSamples.join(', ')}`))
    for (const note of e.notes) out.push(chalk.dim(`  ${note}`))
  }

  const c = r.canary
  if (c) {
    out.push('', chalk.bold('Canary') + chalk.dim(` (${c.namespace}/${c.name}, ${c.ms} ms)`))
    out.push(`  stored ${c.status === 'encrypted' ? chalk.green(`encrypted with ${c.provider} ${c.keyName}`) : chalk.red('in PLAINTEXT')} at ${c.key}; marker ${c.markerReadable ? chalk.red('READABLE in the stored bytes') : 'not readable'}${c.proof === 'decrypts' ? '; the configured key opens it' : c.proof ? `; ${c.proof}` : ''}; ${c.deleted ? 'deleted' : chalk.red('NOT deleted')}`)
  }

  if (r.eks) {
    out.push('', chalk.bold(`EKS ${r.eks.cluster}`) + chalk.dim(` (${r.eks.region}, Kubernetes ${r.eks.version ?? '?'})`))
    out.push(`  ${r.eks.summary}`)
    for (const note of r.eks.notes) out.push(chalk.dim(`  ${note}`))
  }

  if (r.missing.length) {
    out.push('', chalk.bold('Missing evidence'))
    for (const m2 of r.missing) {
      out.push(`  - ${m2.evidence}: ${m2.reason}`)
      if (m2.fix) out.push(chalk.dim(`    ${m2.fix}`))
    }
  }
  if (r.notes.length) {
    out.push('', chalk.bold('Cross-checks'))
    for (const note of r.notes) out.push(`  - ${note}`)
  }
  if (r.plan.length) {
    out.push('', chalk.bold('Re-encryption plan — in this order'))
    r.plan.forEach((s, i) => {
      out.push(`  ${i + 1}. ${s.title}`)
      for (const cmd of s.commands) out.push(chalk.dim(`       $ ${cmd}`))
    })
    out.push(chalk.dim('  (the same steps are the fix and verify phases of playbooks/encryption-gap.yaml)'))
  }
  return out.join('\n')
}

const label = (provider: string, key: string | null) => (provider === 'identity' ? 'identity (plaintext)' : key ? `${provider} ${key}` : provider)
const indent = (s: string) => s.split('\n').map((l) => `  ${l}`).join('\n')
