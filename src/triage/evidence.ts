import type {Finding} from '../detect/finding.js'
import type {NewEvent} from '../incident/log.js'
import type {IncidentRef} from '../incident/workspace.js'
import {shQuote} from '../text/shell.js'

// Evidence of use, as the triage asks for it: one collector per outside
// system. A collector that cannot run here (no credentials, no network) says
// why, and the triage records that as a skipped check with a manual item —
// never as "nothing found".

export type EvidenceStatus = 'pass' | 'fail' | 'partial' | 'skipped'

export interface EvidenceOutcome {
  status: EvidenceStatus
  summary: string
  /** evidence.found events to record (already judged). */
  events: NewEvent<'evidence.found'>[]
}

export interface EvidenceContext {
  incident: IncidentRef
  findings: readonly Finding[]
  exposedAt: Date | null
  /** owner/name of the GitHub repository, when known. */
  github: string | null
  /** The GitHub organisation whose audit log holds the leaked tokens' actions, when known. */
  githubOrg?: string | null
}

export interface EvidenceCollector {
  id: string
  title: string
  /** Whether any finding calls for this collector (an AWS key for CloudTrail). */
  appliesTo(findings: readonly Finding[]): boolean
  collect(ctx: EvidenceContext): Promise<EvidenceOutcome>
  /** The command a responder runs by hand when the triage could not. */
  manual(ctx: EvidenceContext): string
}

/** Collectors known to this build. */
export const COLLECTORS: EvidenceCollector[] = []

export function registerCollector(c: EvidenceCollector): void {
  if (!COLLECTORS.some((x) => x.id === c.id)) COLLECTORS.push(c)
}

/** The outside systems a triage should look at for these findings, whether or not a collector exists. */
export function evidenceWanted(findings: readonly Finding[], github: string | null, githubOrg: string | null = null): {id: string; title: string; manual: string}[] {
  const wanted: {id: string; title: string; manual: string}[] = []
  const awsKeys = [...new Set(findings.filter((f) => f.class === 'aws-access-key' && f.keyId).map((f) => f.keyId!))]
  if (awsKeys.length) wanted.push({id: 'cloudtrail', title: `CloudTrail: use of ${awsKeys.length} AWS key(s) since the exposure`, manual: `leakctl logs cloudtrail ${awsKeys.map((k) => `--access-key-id ${shQuote(k)}`).join(' ')}`})
  const tokens = new Set(findings.filter((f) => f.class === 'github-token').map((f) => f.fingerprint)).size
  if (github) wanted.push({id: 'github', title: `GitHub: clones, forks, audit log and secret-scanning alerts of ${github}`, manual: `leakctl logs github --repo ${shQuote(github)}`})
  else if (tokens) wanted.push({id: 'github', title: `GitHub: what the ${tokens} leaked token(s) did${githubOrg ? ` in ${githubOrg}` : ''} (audit log, by hashed token)`, manual: `leakctl logs github --org ${githubOrg ? shQuote(githubOrg) : '<org>'}`})
  return wanted
}
