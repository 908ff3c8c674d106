import {formatDuration} from '../time/duration.js'
import type {ExposureAnalysis} from '../timeline/exposure.js'
import type {CredentialLifecycle, Stamp} from '../timeline/lifecycle.js'
import {utcMinute} from '../timeline/when.js'
import type {Block, Inline} from './document.js'

// The exposure in the post-mortem: the picture, the key durations, what is
// still unknown, and each credential's life. Shared by the report and the
// timeline's Markdown and HTML exports.

const MAX_LISTED = 50

const when = (s: Stamp | null) => (s ? utcMinute(s.happenedAt) : '—')
const dur = (ms: number | null, otherwise: string) => (ms === null ? otherwise : formatDuration(ms))

export function exposureBlocks(a: ExposureAnalysis): Block[] {
  const d = a.durations
  const blocks: Block[] = [{type: 'chart', chart: a.chart}]
  const p = (...text: Inline[]) => blocks.push({type: 'paragraph', text})
  p(
    'Lanes: one per critical or high credential (the bar is its exposed window, ',
    {risk: 'critical', text: 'dots'},
    ' outside uses grouped by ',
    a.chart.bucket.name,
    ', diamonds revocations, rings verified dead), then the response milestones; dashed lines are phase deadlines, ',
    {risk: 'high', text: 'red when overdue'},
    '.',
  )
  const openCrit = a.credentials.filter((c) => c.risk === d.containRisk && !c.revoked).length
  blocks.push({
    type: 'table',
    head: ['Key duration', 'From', 'To', 'Took'],
    rows: [
      ['Time to detect (exposed before the response began)', d.exposureStart ? utcMinute(d.exposureStart) : 'exposure start unknown', utcMinute(d.detectedAt), dur(d.timeToDetectMs, 'unknown')],
      ['Detection to first revocation', utcMinute(d.detectedAt), d.firstRevokedAt ? utcMinute(d.firstRevokedAt) : '—', dur(d.detectionToFirstRevocationMs, 'not yet')],
      [`Time to contain (the last ${d.containRisk ?? 'critical'} credential revoked)`, utcMinute(d.detectedAt), d.containedAt ? utcMinute(d.containedAt) : '—', d.containRisk ? dur(d.timeToContainMs, `not yet: ${openCrit} not revoked`) : 'no critical or high credential'],
      ['Time to remediate (the last checklist item done)', utcMinute(d.detectedAt), d.remediatedAt ? utcMinute(d.remediatedAt) : '—', dur(d.timeToRemediateMs, `not yet: ${d.open.items} item(s) open`)],
    ],
  })
  if (d.unknowns.length) {
    p('Still unknown:')
    blocks.push({type: 'list', items: d.unknowns.map((u) => [u])})
  } else p('Nothing the timeline needs is unknown.')

  blocks.push({type: 'heading', level: 3, text: 'Each credential, from introduced to dead'})
  if (a.credentials.length === 0) p('No credential recorded.')
  else {
    blocks.push({
      type: 'table',
      head: ['Risk', 'Credential', 'Introduced', 'Exposed', 'First outside use', 'Detected', 'Revoked', 'Verified dead', 'Exposed before detection', 'Detection to revoked', 'Total exposure'],
      rows: a.credentials.slice(0, MAX_LISTED).map((c) => [
        {risk: c.risk, text: c.risk},
        `${c.class} ${c.where}${c.places > 1 ? ` (+${c.places - 1} places)` : ''}`,
        c.introduced ? `${when(c.introduced)} (${c.introduced.source})` : 'unknown',
        c.exposed ? `${when(c.exposed)} (${c.exposed.basis})` : 'unknown',
        useCell(c),
        when(c.detected),
        c.revoked ? `${when(c.revoked)} (${c.revoked.source})` : c.stillLive ? {risk: 'critical', text: 'NO: still works'} : {risk: 'high', text: 'not yet'},
        c.verifiedDead ? when(c.verifiedDead) : '—',
        dur(c.durations.exposedBeforeDetectionMs, 'unknown'),
        dur(c.durations.detectionToRevocationMs, '—'),
        c.durations.totalExposureMs === null ? 'unknown' : `${formatDuration(c.durations.totalExposureMs)}${c.durations.exposureOngoing ? ' so far' : ''}`,
      ]),
    })
    if (a.credentials.length > MAX_LISTED) p(`… and ${a.credentials.length - MAX_LISTED} more (leakctl timeline export --format csv --table credentials lists every one).`)
  }
  return blocks
}

export function useCell(c: CredentialLifecycle): Inline {
  const u = c.use
  if (u.status === 'seen') return {risk: 'critical', text: `${utcMinute(u.first!.happenedAt)} (${u.first!.source})${u.count > 1 ? `; ${u.count} uses, the last ${utcMinute(u.last!.happenedAt)}` : ''}`}
  if (u.status === 'none-seen') return `none seen in the logs collected, covering ${u.coverage!.from ? utcMinute(u.coverage!.from) : 'their start'}–${utcMinute(u.coverage!.to)}`
  return 'unknown: no logs collected'
}
