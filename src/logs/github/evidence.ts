import type {NewEvent} from '../../incident/log.js'
import type {GitHubEvent, GitHubResult} from './report.js'
import type {TokenUseResult} from './token-use.js'

// GitHub evidence on the incident timeline: one evidence.found per suspicious
// event (a day of clones, a fork, a valid secret, a bypass, an action of a
// leaked token) and a summary.
// Events an earlier run recorded (same id) are not recorded again.

export const SOURCE = 'github'

/** One evidence.found per suspicious event not recorded before, under `scope` (a repository or an organisation). */
function perEvent(scope: string, events: readonly GitHubEvent[], alreadyRecorded: ReadonlySet<string>, refExtra: Record<string, string>): {out: NewEvent[]; suspicious: number; skipped: number} {
  const suspicious = events.filter((e) => e.suspicious)
  const fresh = suspicious.filter((e) => !alreadyRecorded.has(`${scope}#${e.id}`))
  const out: NewEvent[] = fresh.map((e) => ({
    type: 'evidence.found',
    data: {source: SOURCE, summary: `${scope}: ${e.summary}`, at: e.at, suspicious: true, reasons: e.reasons, ref: {id: `${scope}#${e.id}`, ...refExtra, kind: e.kind, actor: e.actor}},
  }))
  return {out, suspicious: suspicious.length, skipped: suspicious.length - fresh.length}
}

export function evidenceEvents(r: GitHubResult, alreadyRecorded: ReadonlySet<string>): {events: NewEvent[]; skipped: number} {
  const {out, suspicious, skipped} = perEvent(r.repo, r.events, alreadyRecorded, {repo: r.repo})
  out.push({
    type: 'evidence.found',
    data: {
      source: SOURCE,
      summary: `${r.repo}: ${r.verdict.text}`,
      suspicious: r.verdict.status === 'copied-after-exposure' || r.verdict.status === 'exposed' || suspicious > 0,
      reasons: r.missing.map((m) => `not seen: ${m.what}: ${m.reason}`),
      ref: {kind: 'summary', repo: r.repo, status: r.verdict.status, partial: r.partial, exposedAt: r.exposedAt, clonesAfterExposure: r.verdict.clonesAfterExposure, forksAfterExposure: r.verdict.forksAfterExposure},
    },
  })
  return {events: out, skipped}
}

/** The leaked tokens' own actions: one evidence.found per action after the exposure, and a summary. */
export function tokenUseEvidence(r: TokenUseResult, alreadyRecorded: ReadonlySet<string>): {events: NewEvent[]; skipped: number} {
  const {out, skipped} = perEvent(r.org, r.events, alreadyRecorded, {org: r.org})
  out.push({
    type: 'evidence.found',
    data: {
      source: SOURCE,
      summary: `${r.org}: ${r.verdict.text}`,
      suspicious: r.verdict.status === 'used-after-exposure',
      reasons: r.missing.map((m) => `not seen: ${m.what}: ${m.reason}`),
      ref: {kind: 'token-use-summary', org: r.org, status: r.verdict.status, exposedAt: r.exposedAt, tokens: r.tokens.map((t) => ({fingerprint: t.fingerprint, label: t.label, actions: t.actions, afterExposure: t.afterExposure}))},
    },
  })
  return {events: out, skipped}
}
