import {type CheckOptions, checkEncryption, type EncryptionCheck} from '../cluster/check.js'
import type {EncryptionConfig} from '../cluster/encryption-config.js'
import {checkEvent} from '../cluster/record.js'
import type {EtcdFinding, Risk} from '../detect/finding.js'
import {type EtcdScanResult, etcdFindings, scanSnapshot} from '../etcd/scan.js'
import {workspaceFingerprinter} from '../fingerprint/key.js'
import {openIncident, recordEvents} from '../incident/incident.js'
import type {NewEvent} from '../incident/log.js'
import type {IncidentRef, Workspace} from '../incident/workspace.js'
import type {Loaded} from '../playbook/load.js'
import type {Playbook, Procedure} from '../playbook/schema.js'
import '../logs/collectors.js'
import type {FingerprintFn} from '../verify/cluster/compare.js'
import {verificationEvent} from '../verify/cluster/record.js'
import {verifyCluster, type VerifyClusterResult} from '../verify/cluster/verify.js'
import {COLLECTORS, type EvidenceContext, evidenceWanted} from './evidence.js'
import type {PhaseReport} from './phases.js'
import {count} from '../text/count.js'

// `triage etcd-leak`: the seed's phases in order. The verdict first (were the
// Secrets readable? how many, how bad?), from the file alone; then the ranked
// list of what to revoke now, the incident with one item per credential and
// its rotation procedure, due times from the incident start; evidence of use
// where this build can collect it, a recorded gap where it cannot.

export interface EtcdLeakOptions {
  snapshot: string
  workspace: Workspace
  actor: string
  playbook: Loaded<Playbook>
  procedures: ReadonlyMap<string, Procedure>
  encryptionConfig?: EncryptionConfig
  title?: string
  commander?: string
  exposedAt?: Date
  vars?: Record<string, string>
  deep?: boolean
  /**
   * `check encryption` on the live cluster (and its etcd, and the file), run
   * beside the snapshot scan. Absent: a visible gap in the checklist.
   */
  cluster?: Omit<CheckOptions, 'onProgress'>
  /** With the live cluster: is each leaked value still served (verify cluster), with the incident's fingerprint function. */
  verify?: {kube: {kubeconfig?: string; context?: string}; fingerprint: FingerprintFn}
  /** The GitHub organisation whose audit log to search for the leaked GitHub tokens' actions. */
  githubOrg?: string
  onPhase?: (p: PhaseReport) => void
  onProgress?: (text: string) => void
}

/** The seed's priorities: critical now, then Priority 1 (high), 2 (medium), 3 (TLS and other low). */
export interface PriorityGroup {
  label: string
  risk: Risk
  count: number
  byClass: {class: string; rotation: string; count: number}[]
}

export interface EtcdLeakTriage {
  incident: IncidentRef
  verdict: string
  scan: EtcdScanResult
  findings: EtcdFinding[]
  priorities: PriorityGroup[]
  phases: PhaseReport[]
  /** The live cluster's encryption check, when it was asked for. */
  encryption: EncryptionCheck | null
  /** The live cluster's answer to "is the leaked value still served?", when asked. */
  verification: VerifyClusterResult | null
  /** Time from start to the verdict, ms. */
  verdictMs: number
}

const PRIORITY: Record<Risk, string> = {
  critical: 'Revoke now (critical: cloud admin keys, CA keys, bootstrap tokens, master keys)',
  high: 'Priority 1 (high: database credentials, production API keys)',
  medium: 'Priority 2 (medium: OAuth tokens, session keys)',
  low: 'Priority 3 (low: leaf TLS certificates)',
}

export function priorities(findings: readonly EtcdFinding[]): PriorityGroup[] {
  const out: PriorityGroup[] = []
  for (const risk of ['critical', 'high', 'medium', 'low'] as const) {
    const group = findings.filter((f) => f.risk === risk)
    if (!group.length) continue
    const classes = new Map<string, {class: string; rotation: string; count: number}>()
    for (const f of group) {
      const c = classes.get(f.class) ?? {class: f.class, rotation: f.rotation, count: 0}
      c.count++
      classes.set(f.class, c)
    }
    out.push({label: PRIORITY[risk], risk, count: group.length, byClass: [...classes.values()].sort((a, b) => b.count - a.count)})
  }
  return out
}

export async function triageEtcdLeak(o: EtcdLeakOptions): Promise<EtcdLeakTriage> {
  const phases: PhaseReport[] = []
  const phase = (p: PhaseReport) => {
    phases.push(p)
    o.onPhase?.(p)
  }
  const t0 = performance.now()
  // I/O-bound, beside the CPU-bound scan; its answer is printed after the verdict.
  const encryptionP = o.cluster ? settle(checkEncryption(o.cluster)) : null
  const scan = await scanSnapshot(o.snapshot, {
    // The workspace's key: the findings match every other scan and responder of this workspace.
    fingerprinter: workspaceFingerprinter(o.workspace.dir),
    encryptionConfig: o.encryptionConfig,
    deep: o.deep,
    onProgress: (n) => o.onProgress?.(`reading revisions: ${count(n)}`),
    onCensus: (c) => o.onProgress?.(`storage envelopes: ${count(c.readable)} of ${count(c.secrets)} Secrets readable by anyone with the file; classifying every revision`),
  })
  const verdictMs = performance.now() - t0
  const s = scan.summary
  phase({id: 'triage', title: 'Phase 1: were the Secrets readable?', status: s.secrets.readable || s.findings ? 'fail' : 'pass', summary: s.verdict, ms: verdictMs})

  let clusterEvent: NewEvent<'check.completed'>
  // The live cluster's encryption: not from this file.
  let encryption: EncryptionCheck | null = null
  if (encryptionP) {
    o.onProgress?.('asking the live cluster whether it encrypts Secrets today')
    const settled = await encryptionP
    if (!settled.ok) throw settled.error
    encryption = settled.value
    const status = ENCRYPTION_STATUS[encryption.verdict]
    phase({id: 'cluster-encryption', title: 'Live cluster: does it encrypt Secrets today?', status, summary: encryption.summary})
    clusterEvent = {type: 'check.completed', data: checkEvent(encryption)}
  } else {
    const clusterGap = 'not checked by the triage: give --context (and --etcd-endpoints with its client certificate) or run `leakctl check encryption` against the live cluster to see whether Secrets are encrypted today'
    phase({id: 'cluster-encryption', title: 'Live cluster: does it encrypt Secrets today?', status: 'skipped', summary: clusterGap})
    clusterEvent = {type: 'check.completed', data: {check: 'encryption-at-rest', status: 'skipped', summary: clusterGap}}
  }

  const findings = etcdFindings(scan)
  const prio = priorities(findings)
  phase({
    id: 'emergency',
    title: 'Phase 2: what to revoke and rotate, in order',
    status: findings.length ? 'fail' : 'pass',
    summary: findings.length ? prio.map((p) => `${p.count} ${p.risk}`).join(', ') + ` credential(s), ${findings.filter((f) => f.state === 'deleted').length} of them old or deleted values still in the file` : 'no readable credential to rotate',
  })

  const opened = await openIncident(o.workspace, {
    title: o.title ?? `etcd snapshot exposed: ${o.snapshot.split('/').at(-1)}`,
    kind: 'etcd-leak',
    commander: o.commander ?? o.actor,
    exposedAt: o.exposedAt ?? null,
    playbook: o.playbook,
    procedures: o.procedures,
    actor: o.actor,
    findings,
    vars: {snapshot: o.snapshot, context: '<kube-context>', bucket: '<bucket>', object: '<object-key>', ...o.vars},
  })
  const ref = opened.ref
  const checks: NewEvent[] = [
    {
      type: 'check.completed',
      data: {
        check: 'scan-etcd',
        status: s.secrets.readable || s.findings ? 'fail' : 'pass',
        summary: s.verdict,
        details: {secrets: s.secrets, providers: s.providers, keys: s.keys, byRisk: s.byRisk, trailer: scan.snapshot.trailer, revisions: s.revisions, prefix: s.prefix, damaged: scan.damaged},
      },
    },
    clusterEvent,
  ]
  const ctx: EvidenceContext = {incident: ref, findings, exposedAt: o.exposedAt ?? null, github: null, githubOrg: o.githubOrg ?? null}
  for (const want of evidenceWanted(findings, null, o.githubOrg ?? null)) {
    const collector = COLLECTORS.find((c) => c.id === want.id)
    if (!collector) {
      const summary = `not collected by the triage: run \`${want.manual} --incident ${ref.id}\` where credentials are available`
      phase({id: `evidence-${want.id}`, title: `Phase 3: ${want.title}`, status: 'skipped', summary})
      checks.push({type: 'check.completed', data: {check: `evidence-${want.id}`, status: 'skipped', summary}})
      continue
    }
    o.onProgress?.(`collecting evidence: ${want.title}`)
    const outcome = await collector.collect(ctx)
    phase({id: `evidence-${want.id}`, title: `Phase 3: ${want.title}`, status: outcome.status, summary: outcome.summary})
    checks.push(...outcome.events, {type: 'check.completed', data: {check: `evidence-${want.id}`, status: outcome.status, summary: outcome.summary}})
  }
  let verification: VerifyClusterResult | null = null
  if (o.verify && findings.length) {
    o.onProgress?.('comparing the leaked values with the live cluster')
    const title = 'Live cluster: which leaked values does it still serve?'
    try {
      verification = await verifyCluster(o.verify.kube, {findings, fingerprint: o.verify.fingerprint})
      const v = verification.summary
      const summary = `${v.current} current (rotate), ${v.rotated} rotated, ${v.deleted} deleted, ${v.unknown} unknown — ${verification.stats.requests} list request(s)`
      phase({id: 'cluster-verify', title, status: v.current ? 'fail' : v.unknown ? 'partial' : 'pass', summary})
      checks.push(...verification.verifications.map(verificationEvent))
    } catch (e) {
      // The triage goes on without it: a visible gap, not a failure.
      const reason = e instanceof Error ? e.message.split('\n')[0]! : String(e)
      const summary = `not verified: ${reason}; run \`leakctl verify cluster --incident ${ref.id}\` when the cluster answers`
      phase({id: 'cluster-verify', title, status: 'skipped', summary})
      checks.push({type: 'check.completed', data: {check: 'cluster-verify', status: 'skipped', summary}})
    }
  }
  await recordEvents(ref, o.actor, checks)
  return {incident: ref, verdict: s.verdict, scan, findings, priorities: prio, phases, encryption, verification, verdictMs}
}

const ENCRYPTION_STATUS: Record<EncryptionCheck['verdict'], PhaseReport['status']> = {ENCRYPTED: 'pass', PARTIAL: 'partial', PLAINTEXT: 'fail', UNKNOWN: 'skipped'}

/** A promise's outcome without an unhandled rejection while the scan runs. */
function settle<T>(p: Promise<T>): Promise<{ok: true; value: T} | {ok: false; error: unknown}> {
  return p.then(
    (value) => ({ok: true as const, value}),
    (error: unknown) => ({ok: false as const, error}),
  )
}
