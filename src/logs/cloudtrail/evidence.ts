import type {NewEvent} from '../../incident/log.js'
import {type MadePublic, publicTarget} from './record.js'
import type {CloudTrailResult} from './report.js'

// The result as evidence on the incident timeline: one evidence.found per
// suspicious event (at = its CloudTrail eventTime) and one summary, not one
// per noise event. Events recorded by an earlier run are not recorded again.
// A bucket or object made public is recorded whoever did it (the owner's
// mistake is how a backup leaks), marked `exposure: 'made-public'` for the
// timeline (src/timeline/lifecycle.ts).

export const SOURCE = 'cloudtrail'
/** A timeline of thousands of lines helps nobody: beyond this, the summary says how many more. */
export const MAX_EVIDENCE_EVENTS = 500

export function evidenceEvents(r: CloudTrailResult, alreadyRecorded: ReadonlySet<string>): {events: NewEvent[]; skipped: number; capped: number} {
  const out: NewEvent[] = []
  const suspicious = r.events.filter((e) => e.suspicious || e.madePublic)
  const fresh = suspicious.filter((e) => !alreadyRecorded.has(e.eventId))
  // Made-public events are few and carry the exposure's start: never capped away.
  const opened = fresh.filter((e) => e.madePublic)
  const kept = [...opened, ...fresh.filter((e) => !e.madePublic).slice(0, Math.max(0, MAX_EVIDENCE_EVENTS - opened.length))].sort((a, b) => a.eventTime.localeCompare(b.eventTime))
  for (const e of kept) {
    out.push({
      type: 'evidence.found',
      data: {
        source: SOURCE,
        summary: `${e.eventName} (${e.eventSource.replace('.amazonaws.com', '')}) by ${e.accessKeyId ?? e.principal ?? 'unknown'} from ${e.sourceIp || 'unknown source'} in ${e.region || 'unknown region'}${e.madePublic ? `: made ${publicTarget(e.madePublic)} public` : ''}${e.errorCode ? ` — ${e.errorCode}` : ''}`,
        at: e.eventTime,
        suspicious: e.suspicious,
        reasons: e.suspicious ? e.reasons : e.notes,
        ref: {eventId: e.eventId, eventName: e.eventName, eventSource: e.eventSource, region: e.region, sourceIp: e.sourceIp, userAgent: e.userAgent, accessKeyId: e.accessKeyId, leakedKey: e.leakedKey, via: e.via, ...exposureRef(e.madePublic)},
      },
    })
  }
  const v = r.verdict
  const reasons = [
    ...(r.partial ? [`partial: ${r.missing.length} source(s) could not be read`] : []),
    ...(fresh.length > kept.length ? [`${fresh.length - kept.length} more suspicious events not put on the timeline (leakctl logs cloudtrail --json lists them)`] : []),
    ...v.attackers.slice(0, 5).map((a) => `${a.sourceIp}: ${a.suspicious} suspicious call(s) from ${a.first} to ${a.last}`),
    ...v.containment.map((c) => `containment at ${c.at}: ${c.what}`),
  ]
  out.push({
    type: 'evidence.found',
    data: {
      source: SOURCE,
      summary: v.text,
      ...(v.firstUseAfterExposure ? {at: v.firstUseAfterExposure} : {}),
      suspicious: v.status === 'used-after-exposure' || v.suspicious > 0,
      reasons,
      ref: {
        kind: 'summary',
        status: v.status,
        keys: r.keys.map((k) => ({accessKeyId: k.accessKeyId, kind: k.kind, parent: k.parent, calls: k.calls, suspicious: k.suspicious})),
        exposedAt: r.exposedAt,
        searched: r.searched,
        partial: r.partial,
        missing: r.missing.slice(0, 50),
        source: r.source,
      },
    },
  })
  return {events: out, skipped: suspicious.length - fresh.length, capped: fresh.length - kept.length}
}

/** The marker the timeline reads: a bucket or object made public at the event's time. */
export function exposureRef(m: MadePublic | undefined): Record<string, string> {
  return m ? {exposure: 'made-public', bucket: m.bucket, ...(m.object ? {object: m.object} : {}), how: m.how} : {}
}
