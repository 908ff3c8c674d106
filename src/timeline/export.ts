import {blocksToHtml, blocksToMarkdown, mdText} from '../report/document.js'
import {exposureBlocks} from '../report/exposure.js'
import {type ExposureAnalysis, exposureJson} from './exposure.js'
import {csvCell} from '../text/csv.js'
import {safeLine} from '../text/terminal.js'
import {escapeHtml, htmlPage} from './html-page.js'
import type {CredentialLifecycle} from './lifecycle.js'
import type {Timeline} from './timeline.js'
import {utcMinute} from './when.js'

export const TIMELINE_FORMATS = ['md', 'json', 'csv', 'html'] as const
export type TimelineFormat = (typeof TIMELINE_FORMATS)[number]
/** What a CSV holds: the entries, or one row per credential's lifecycle. */
export const CSV_TABLES = ['entries', 'credentials'] as const
export type CsvTable = (typeof CSV_TABLES)[number]

export function exportTimeline(t: Timeline, format: TimelineFormat, exposure: ExposureAnalysis | null = null, table: CsvTable = 'entries'): string {
  switch (format) {
    case 'md':
      return toMarkdown(t, exposure)
    case 'json':
      return JSON.stringify(exposure ? {...t, exposure: exposureJson(exposure)} : t, null, 2) + '\n'
    case 'csv':
      return table === 'credentials' ? lifecycleCsv(exposure?.credentials ?? []) : toCsv(t)
    case 'html':
      return toHtml(t, exposure)
  }
}

function header(t: Timeline): string[] {
  return [
    `Incident ${t.incident.id}: ${t.incident.title}`,
    `Kind ${t.incident.kind}; commander ${t.incident.commander}; opened ${t.incident.openedAt}${t.incident.exposedAt ? `; exposed since ${t.incident.exposedAt}` : ''}`,
    `Relative times (T±HH:MM) count from the ${t.zero.label}, ${t.zero.time}. All times UTC.`,
  ]
}

const mdCell = (s: string) => mdText(s).replace(/\|/g, '\\|')

const second = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')
// In a signed incident, an action no admitted responder signed says so where it is read.
const what = (e: Timeline['entries'][number]) => (e.verified === false ? `${e.text} **(unverified)**` : e.text)

export function toMarkdown(t: Timeline, exposure: ExposureAnalysis | null = null): string {
  const [title, meta, zero] = header(t).map(safeLine)
  const lines = [`# Timeline: ${safeLine(t.incident.title)}`, '', `${title}  `, `${meta}  `, zero!, '']
  if (exposure) lines.push('## Exposure window', '', blocksToMarkdown(exposureBlocks(exposure)), '## Every entry', '')
  lines.push('| Time (UTC) | T± | Learned (UTC) | Who | What | Source |', '|---|---|---|---|---|---|')
  for (const e of t.entries) lines.push(`| ${second(e.happenedAt)} | ${e.relative} | ${e.learnedAt === e.happenedAt ? '' : second(e.learnedAt)} | ${mdCell(e.actor)} | ${mdCell(what(e))} | ${mdCell(e.source)} |`)
  if (t.entries.length === 0) lines.push('| | | | | (no events in this range) | |')
  return lines.join('\n') + '\n'
}

export {csvCell}

const csv = (rows: string[][]) => rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'

export function toCsv(t: Timeline): string {
  const rows = [['happenedAt', 'relative', 'learnedAt', 'source', 'actor', 'type', 'category', 'text', 'event_ids']]
  for (const e of t.entries) rows.push([e.happenedAt, e.relative, e.learnedAt, e.source, e.actor, e.type, e.category, what(e), e.eventIds.join(' ')])
  return csv(rows)
}

/** One row per credential: each step's time and source, and the durations in seconds. */
export function lifecycleCsv(creds: CredentialLifecycle[]): string {
  const steps = ['introduced', 'exposed', 'first_use', 'last_use', 'detected', 'revoked', 'verified_dead'] as const
  const rows = [['fingerprint', 'risk', 'class', 'where', 'places', ...steps.flatMap((s) => [`${s}_happenedAt`, `${s}_learnedAt`, `${s}_source`]), 'exposed_basis', 'use_status', 'uses', 'use_coverage_from', 'use_coverage_to', 'still_live', 'exposed_before_detection_s', 'detection_to_revoked_s', 'total_exposure_s', 'exposure_ongoing']]
  const secs = (ms: number | null) => (ms === null ? '' : String(Math.round(ms / 1000)))
  for (const c of creds) {
    const stamps = [c.introduced, c.exposed, c.use.first, c.use.last, c.detected, c.revoked, c.verifiedDead]
    rows.push([
      c.fingerprint,
      c.risk,
      c.class,
      c.where,
      String(c.places),
      ...stamps.flatMap((s) => (s ? [s.happenedAt, s.learnedAt, s.source] : ['', '', ''])),
      c.exposed?.basis ?? '',
      c.use.status,
      String(c.use.count),
      c.use.coverage?.from ?? '',
      c.use.coverage?.to ?? '',
      String(c.stillLive),
      secs(c.durations.exposedBeforeDetectionMs),
      secs(c.durations.detectionToRevocationMs),
      secs(c.durations.totalExposureMs),
      String(c.durations.exposureOngoing),
    ])
  }
  return csv(rows)
}

/** One self-contained page: inline CSS, no script, no external resource; prints cleanly. */
export function toHtml(t: Timeline, exposure: ExposureAnalysis | null = null): string {
  const [title, meta, zero] = header(t).map(escapeHtml)
  const rows = t.entries
    .map(
      (e) =>
        `<tr class="${escapeHtml(e.category)}${e.verified === false ? ' unverified' : ''}"><td class="t"><time datetime="${escapeHtml(e.happenedAt)}">${escapeHtml(second(e.happenedAt))}</time>${e.learnedAt === e.happenedAt ? '' : `<br><span class="learned" title="when leakctl learned it">learned ${escapeHtml(utcMinute(e.learnedAt))}</span>`}</td><td class="rel">${escapeHtml(e.relative)}</td><td>${escapeHtml(e.actor)}</td><td><span class="cat">${escapeHtml(e.category)}</span> ${escapeHtml(what(e))}<br><span class="src">${escapeHtml(e.source)}</span></td></tr>`,
    )
    .join('\n')
  return htmlPage(
    `Timeline: ${t.incident.title}`,
    `<h1>Timeline: ${escapeHtml(t.incident.title)}</h1>
<p class="meta">${title}<br>${meta}<br>${zero}</p>
${exposure ? `<h2>Exposure window</h2>\n${blocksToHtml(exposureBlocks(exposure))}\n<h2>Every entry</h2>` : ''}
<table class="entries">
<thead><tr><th>Time (UTC)</th><th>T&plusmn;</th><th>Who</th><th>What</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="4">No events in this range.</td></tr>'}
</tbody>
</table>`,
  )
}
