import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'

import {fromSystemError} from '../errors.js'
import {keyringFrom} from '../etcd/decrypt.js'
import type {PlaybookStep} from '../playbook/schema.js'
import {type ApiServerEvidence, askApiServer, managedFix, managedName, type ManagedProvider} from './apiserver.js'
import type {Fingerprinter} from '../fingerprint/key.js'
import {type CanaryResult, runCanary} from './canary.js'
import {describeEks, type EksEvidence} from './eks.js'
import {parseEncryptionConfig, type EncryptionConfig} from './encryption-config.js'
import {countSecrets, type EtcdTarget, etcdMissing, openEtcd, type StoredCount} from './etcd.js'
import {type KubeSession, openKube} from './kube.js'
import {lintEncryptionConfig, type LintResult} from './lint.js'
import type {MetricsEvidence} from './metrics.js'
import {isDependencyFailure, type Missing} from './missing.js'
import {reencryptionPlan} from './plan.js'
import {decideVerdict, type Facet, type Verdict} from './verdict.js'
import {count} from '../text/count.js'

// `leakctl check encryption`: gathers every piece of evidence it was given
// access to — the configuration file, the live API servers, EKS, the raw
// etcd values, a canary write — each failing on its own, then one verdict.

export interface CheckOptions {
  encryptionConfig?: string
  /** Ask the live cluster (kubeconfig). */
  cluster: boolean
  kube?: {kubeconfig?: string; context?: string}
  etcd?: EtcdTarget
  /** --etcd-prefix; default: the API servers' flag, else /registry. */
  etcdPrefix?: string
  canary?: {namespace: string; fingerprinter: Fingerprinter}
  eks?: {cluster: string; region: string}
  pageSize?: number
  onProgress?: (text: string) => void
}

export interface EncryptionCheck {
  verdict: Verdict
  /** The one-line verdict, as printed first. */
  summary: string
  writes: Facet
  stored: Facet
  proven: {writes: boolean; stored: boolean}
  lint: (LintResult & {sha256: string; loadedByApiServer: boolean | null}) | null
  apiserver: ApiServerEvidence | null
  metrics: MetricsEvidence | null
  etcd: StoredCount | null
  canary: CanaryResult | null
  eks: EksEvidence | null
  /** A managed control plane we cannot look into, and what to check by hand. */
  managed: {provider: ManagedProvider; name: string; checkByHand: string} | null
  missing: Missing[]
  notes: string[]
  /** The safe order of the fix (playbook steps), when Secrets are stored or written in plaintext. */
  plan: PlaybookStep[]
  warnings: string[]
  exitCode: 0 | 1 | 3
}

export async function checkEncryption(o: CheckOptions): Promise<EncryptionCheck> {
  const missing: Missing[] = []
  const blocking: Missing[] = []
  const warnings: string[] = []
  const progress = o.onProgress ?? (() => {})

  // 1. The configuration file (bad input exits 2 before anything is asked).
  let config: EncryptionConfig | null = null
  let lint: EncryptionCheck['lint'] = null
  let configSha: string | null = null
  if (o.encryptionConfig) {
    let bytes: Buffer
    try {
      bytes = readFileSync(o.encryptionConfig)
    } catch (e) {
      throw fromSystemError(e) ?? e
    }
    config = parseEncryptionConfig(bytes.toString('utf8'), o.encryptionConfig)
    configSha = createHash('sha256').update(bytes).digest('hex')
    lint = {...lintEncryptionConfig(config), sha256: `sha256:${configSha}`, loadedByApiServer: null}
  }

  // 2. Clients (bad kubeconfig, context or certificate files exit 2 here, too).
  const kube: KubeSession | null = o.cluster ? await openKube({...o.kube}) : null
  const etcd = o.etcd ? await openEtcd(o.etcd) : null

  try {
    let apiserver: ApiServerEvidence | null = null
    let metrics: MetricsEvidence | null = null
    let clusterDown = false
    const eksP = o.eks ? describeEks(o.eks.cluster, o.eks.region) : null
    if (kube) {
      progress(`asking the API server ${kube.server} (context ${kube.context})`)
      const live = await askApiServer(kube)
      apiserver = live.apiserver
      metrics = live.metrics
      missing.push(...live.missing)
      // The whole cluster refused or unreachable: nothing from it is evidence.
      const clusterProbes = live.missing.filter((m) => ['apiserver', 'metrics', 'health'].includes(m.evidence))
      clusterDown = clusterProbes.length >= 4 && clusterProbes.every((m) => m.kind === 'unreachable' || m.kind === 'unauthorized' || m.kind === 'tls')
      if (clusterDown) blocking.push({...clusterProbes[0]!, evidence: 'apiserver', reason: `the cluster (${kube.context}) did not answer: ${clusterProbes[0]!.reason}`})
    }

    let eks: EksEvidence | null = null
    if (eksP) {
      progress(`asking EKS about ${o.eks!.cluster}`)
      const r = await eksP
      eks = r.eks
      missing.push(...r.missing)
      blocking.push(...r.missing.filter(isDependencyFailure))
    }

    const managed = apiserver?.managed && !(apiserver.managed === 'eks' && eks) ? {provider: apiserver.managed, name: managedName[apiserver.managed], checkByHand: managedFix[apiserver.managed]} : null
    if (managed && !missing.some((m) => m.kind === 'not-visible')) {
      missing.push({evidence: 'managed', kind: 'not-visible', reason: `${managed.name} runs the API servers and etcd out of sight: their flags, configuration and raw values cannot be read from here`, fix: managed.checkByHand})
    }

    // 3. The raw values in etcd.
    const prefix = (o.etcdPrefix ?? apiserver?.etcdPrefix ?? '/registry').replace(/\/$/, '')
    const keyring = config ? keyringFrom(config) : undefined
    const writer = lint?.secrets.mode === 'encrypted' ? {provider: lint.secrets.provider, key: lint.secrets.key} : null
    let stored: StoredCount | null = null
    if (etcd) {
      progress(`counting Secrets in etcd under ${prefix}/secrets/`)
      try {
        stored = await countSecrets(etcd, {prefix, keyring, writer, pageSize: o.pageSize, onPage: (done, total) => progress(`counting Secrets in etcd: ${count(done)} / ${count(total)}`)})
        if (stored.total === 0) {
          const m: Missing = {evidence: 'etcd', kind: 'not-found', reason: `no Secrets under ${prefix}/secrets/ in etcd ${etcd.endpoints.join(',')}`, fix: 'give the API server\'s --etcd-prefix (OpenShift: /kubernetes.io), and an etcd of this cluster'}
          missing.push(m)
          blocking.push(m)
        }
      } catch (e) {
        const m = etcdMissing('etcd', etcd.endpoints, e)
        missing.push(m)
        blocking.push(m)
      }
    }

    // 4. The canary: a write through the API server, read back raw.
    let canary: CanaryResult | null = null
    if (o.canary) {
      let why: Missing | null = null
      if (!kube) why = {evidence: 'canary', kind: 'not-asked', reason: '--canary writes a Secret through the API server: it needs the cluster (kubeconfig, --context)'}
      else if (!etcd) why = {evidence: 'canary', kind: 'not-asked', reason: '--canary reads the stored value back from etcd: give --etcd-endpoints (and the client certificate)'}
      else if (clusterDown) why = {evidence: 'canary', kind: 'unreachable', reason: 'the canary was not written: the cluster did not answer'}
      else if (missing.some((m) => m.evidence === 'etcd' && m.kind !== 'not-found')) why = {evidence: 'canary', kind: 'unreachable', reason: 'the canary was not written: etcd did not answer'}
      if (why) {
        missing.push(why)
        blocking.push(why)
      } else {
        progress(`canary: writing a Secret in ${o.canary.namespace} and reading it back from etcd`)
        const r = await runCanary(kube!, etcd!, {namespace: o.canary.namespace, prefix, keyring, fingerprinter: o.canary.fingerprinter})
        canary = r.result
        missing.push(...r.missing)
        blocking.push(...r.missing)
        warnings.push(...r.warnings)
      }
    }

    // Is the linted file the one the API server loaded? (newer API servers report its sha256)
    if (lint && metrics?.reload.configHashes.length) {
      lint.loadedByApiServer = metrics.reload.configHashes.some((h) => h === lint!.sha256 || h === configSha)
    }

    const v = decideVerdict({lint, lintLoaded: lint?.loadedByApiServer ?? null, apiserver, metrics, etcd: stored, canary, eks, missing, blocking})
    const plan = v.verdict === 'PLAINTEXT' || v.verdict === 'PARTIAL' ? reencryptionPlan(planVars(o, kube, apiserver)) : []
    return {
      verdict: v.verdict,
      summary: v.line,
      writes: v.writes,
      stored: v.stored,
      proven: v.proven,
      lint,
      apiserver,
      metrics,
      etcd: stored,
      canary,
      eks,
      managed,
      missing,
      notes: v.notes,
      plan,
      warnings,
      exitCode: v.exitCode,
    }
  } finally {
    etcd?.close()
  }
}

function planVars(o: CheckOptions, kube: KubeSession | null, a: ApiServerEvidence | null) {
  const pod = a?.pods?.find((p) => p.flags.etcdServers.length)
  let etcdFlags: string
  if (o.etcd) {
    etcdFlags = [`--etcd-endpoints ${o.etcd.endpoints.join(',')}`, o.etcd.cacert && `--etcd-cacert ${o.etcd.cacert}`, o.etcd.cert && `--etcd-cert ${o.etcd.cert}`, o.etcd.key && `--etcd-key ${o.etcd.key}`].filter(Boolean).join(' ')
  } else if (pod) {
    const f = pod.flags
    etcdFlags = [`--etcd-endpoints ${f.etcdServers.join(',')}`, f.etcdCafile && `--etcd-cacert ${f.etcdCafile}`, f.etcdCertfile && `--etcd-cert ${f.etcdCertfile}`, f.etcdKeyfile && `--etcd-key ${f.etcdKeyfile}`].filter(Boolean).join(' ')
  } else {
    etcdFlags = '--etcd-endpoints https://127.0.0.1:2379 --etcd-cacert /etc/kubernetes/pki/etcd/ca.crt --etcd-cert /etc/kubernetes/pki/apiserver-etcd-client.crt --etcd-key /etc/kubernetes/pki/apiserver-etcd-client.key'
  }
  if (o.etcdPrefix && o.etcdPrefix !== '/registry') etcdFlags += ` --etcd-prefix ${o.etcdPrefix}`
  return {
    encryptionConfig: o.encryptionConfig ?? a?.pods?.find((p) => p.flags.encryptionProviderConfig)?.flags.encryptionProviderConfig ?? '/etc/kubernetes/encryption-config.yaml',
    context: kube?.context ?? o.kube?.context ?? '"$(kubectl config current-context)"',
    etcdFlags,
    canaryNamespace: o.canary?.namespace ?? 'default',
  }
}
