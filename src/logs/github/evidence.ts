import type {NewEvent} from '../../incident/log.js'
import type {GitHubResult} from './report.js'

// GitHub evidence on the incident timeline: one evidence.found per suspicious
// event (a day of clones, a fork, a valid secret, a bypass) and a summary.
// Events an earlier run recorded (same id) are not recorded again.

export const SOURCE = 'github'

export function evidenceEvents(r: GitHubResult, alreadyRecorded: ReadonlySet<string>): {events: NewEvent[]; skipped: number} {
  const suspicious = r.events.filter((e) => e.suspicious)
  const fresh = suspicious.filter((e) => !alreadyRecorded.has(`${r.repo}#${e.id}`))
  const out: NewEvent[] = fresh.map((e) => ({
    type: 'evidence.found',
    data: {source: SOURCE, summary: `${r.repo}: ${e.summary}`, at: e.at, suspicious: true, reasons: e.reasons, ref: {id: `${r.repo}#${e.id}`, repo: r.repo, kind: e.kind, actor: e.actor}},
  }))
  out.push({
    type: 'evidence.found',
    data: {
      source: SOURCE,
      summary: `${r.repo}: ${r.verdict.text}`,
      suspicious: r.verdict.status === 'copied-after-exposure' || r.verdict.status === 'exposed' || suspicious.length > 0,
      reasons: r.missing.map((m) => `not seen: ${m.what}: ${m.reason}`),
      ref: {kind: 'summary', repo: r.repo, status: r.verdict.status, partial: r.partial, exposedAt: r.exposedAt, clonesAfterExposure: r.verdict.clonesAfterExposure, forksAfterExposure: r.verdict.forksAfterExposure},
    },
  })
  return {events: out, skipped: suspicious.length - fresh.length}
}
