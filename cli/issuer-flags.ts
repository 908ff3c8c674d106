import {dirname} from 'node:path'

import * as Flags from '#oclif/flags'

import {workspaceFingerprinter} from '../src/fingerprint/key.js'
import {loadIncident, recordEvents} from '../src/incident/incident.js'
import type {IncidentState} from '../src/incident/state.js'
import type {IncidentRef} from '../src/incident/workspace.js'
import {IssuerHttp} from '../src/verify/issuer/http.js'
import {prepare} from '../src/verify/issuer/prepare.js'
import {verificationEvents} from '../src/verify/issuer/record.js'
import type {IssuerOptions, Leaked} from '../src/verify/issuer/types.js'
import type {VerifySummary} from '../src/verify/issuer/verify.js'
import {incidentFlags} from './base.js'
import {renderVerifications} from './render/issuer.js'

// Flags verify issuer and revoke share: where values are re-read from, which
// findings, how the issuers are reached. The workspace's fingerprint function
// is chosen here, at the command level, and handed to the engine.
export const issuerFlags = {
  ...incidentFlags,
  repo: Flags.string({description: 'Repository the git findings were found in (default: the one the triage recorded)'}),
  snapshot: Flags.string({description: 'etcd snapshot the etcd findings were found in (default: the one the triage recorded)'}),
  class: Flags.string({multiple: true, description: 'Only findings of this class (aws-access-key, github-token, ...)'}),
  fingerprint: Flags.string({multiple: true, description: 'Only the finding(s) with this fingerprint (sha256:...)'}),
  'use-leaked-key': Flags.boolean({description: 'AWS: also sign sts:GetCallerIdentity with the leaked key pair (the secret is never sent; the call shows in the key owner\'s CloudTrail)'}),
  connect: Flags.boolean({description: 'Database URLs: connect and authenticate to the database in the URL, then close (no query)'}),
  kubeconfig: Flags.string({description: 'Kubeconfig of the cluster that issued the Kubernetes tokens (default: KUBECONFIG, ~/.kube/config)'}),
  context: Flags.string({description: 'Kubeconfig context of that cluster'}),
  concurrency: Flags.integer({default: 4, min: 1, max: 64, description: 'Requests in flight per issuer host'}),
  timeout: Flags.integer({default: 10, min: 1, max: 300, description: 'Seconds to wait for one answer'}),
  'max-wait': Flags.integer({default: 30, min: 0, max: 3600, description: 'Longest wait in seconds for a Retry-After or rate-limit reset before the answer is unknown'}),
  'no-record': Flags.boolean({description: 'Do not record the results on the incident'}),
}

export interface IssuerFlagValues {
  repo?: string
  snapshot?: string
  class?: string[]
  fingerprint?: string[]
  'use-leaked-key': boolean
  connect: boolean
  kubeconfig?: string
  context?: string
  concurrency: number
  timeout: number
  'max-wait': number
}

/** The incident's findings with their values re-read, and how to reach the issuers. */
export function issuerSetup(ref: IncidentRef, state: IncidentState, flags: IssuerFlagValues): {leaked: Leaked[]; options: IssuerOptions} {
  // An incident lives at <workspace>/incidents/<id>: its findings carry that workspace's keyed fingerprints.
  const fp = workspaceFingerprinter(dirname(dirname(ref.dir)))
  const fingerprint = (v: string | Uint8Array) => fp.of(v)
  const {leaked} = prepare({state, repo: flags.repo, snapshot: flags.snapshot, cwd: process.cwd(), classes: flags.class, fingerprints: flags.fingerprint, fingerprint})
  const options: IssuerOptions = {
    env: process.env,
    http: new IssuerHttp({timeoutMs: flags.timeout * 1000, perHost: flags.concurrency, maxWaitMs: flags['max-wait'] * 1000}),
    useLeakedKey: flags['use-leaked-key'],
    connect: flags.connect,
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    timeoutMs: flags.timeout * 1000,
  }
  return {leaked, options}
}

/** `triage … --verify`: ask the issuers about the new incident's findings with the defaults, record the answers; the summary for the triage's output. */
export async function verifyAfterTriage(ref: IncidentRef, actor: string, kube: {kubeconfig?: string; context?: string} = {}): Promise<{text: string; summary: VerifySummary; warnings: string[]}> {
  const {state} = loadIncident(ref)
  const {leaked, options} = issuerSetup(ref, state, {...kube, 'use-leaked-key': false, connect: false, concurrency: 4, timeout: 10, 'max-wait': 30})
  const {verifyLeaked} = await import('../src/verify/issuer/verify.js')
  const {verifications, summary} = await verifyLeaked(leaked, options)
  const res = await recordEvents(ref, actor, verificationEvents(verifications))
  return {text: renderVerifications(verifications, summary), summary, warnings: res.warnings}
}
