import {escapeHtml, htmlPage} from './html-page.js'
import type {Timeline} from './timeline.js'

export const TIMELINE_FORMATS = ['md', 'json', 'csv', 'html'] as const
export type TimelineFormat = (typeof TIMELINE_FORMATS)[number]

export function exportTimeline(t: Timeline, format: TimelineFormat): string {
  switch (format) {
    case 'md':
      return toMarkdown(t)
    case 'json':
      return JSON.stringify(t, null, 2) + '\n'
    case 'csv':
      return toCsv(t)
    case 'html':
      return toHtml(t)
  }
}

function header(t: Timeline): string[] {
  return [
    `Incident ${t.incident.id}: ${t.incident.title}`,
    `Kind ${t.incident.kind}; commander ${t.incident.commander}; opened ${t.incident.openedAt}${t.incident.exposedAt ? `; exposed since ${t.incident.exposedAt}` : ''}`,
    `Relative times (T±HH:MM) count from the ${t.zero.label}, ${t.zero.time}. All times UTC.`,
  ]
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

export function toMarkdown(t: Timeline): string {
  const [title, meta, zero] = header(t)
  const lines = [`# Timeline: ${t.incident.title}`, '', `${title}  `, `${meta}  `, zero!, '', '| Time (UTC) | T± | Who | What |', '|---|---|---|---|']
  // In a signed incident, an action no admitted responder signed says so where it is read.
  const mark = (e: Timeline['entries'][number]) => (t.custody === 'signed' && !e.verified ? ' **(unverified)**' : '')
  for (const e of t.entries) lines.push(`| ${e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} | ${e.relative} | ${mdCell(e.actor)} | ${mdCell(e.text)}${mark(e)} |`)
  if (t.entries.length === 0) lines.push('| | | | (no events in this range) |')
  return lines.join('\n') + '\n'
}

/** RFC 4180, with formula-looking cells neutralised for spreadsheets. */
export function csvCell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function toCsv(t: Timeline): string {
  const rows = [['time', 'relative', 'recorded', 'actor', 'type', 'category', 'text', 'event_ids']]
  for (const e of t.entries) rows.push([e.time, e.relative, e.recorded, e.actor, e.type, e.category, e.text, e.eventIds.join(' ')])
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

/** One self-contained page: inline CSS, no script, no external resource; prints cleanly. */
export function toHtml(t: Timeline): string {
  const [title, meta, zero] = header(t).map(escapeHtml)
  const rows = t.entries
    .map(
      (e) => `<tr class="${e.category}"><td class="t"><time datetime="${e.time}">${escapeHtml(e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time></td><td class="rel">${escapeHtml(e.relative)}</td><td>${escapeHtml(e.actor)}</td><td><span class="cat">${e.category}</span> ${escapeHtml(e.text)}</td></tr>`,
    )
    .join('\n')
  return htmlPage(
    `Timeline: ${t.incident.title}`,
    `<h1>Timeline: ${escapeHtml(t.incident.title)}</h1>
<p class="meta">${title}<br>${meta}<br>${zero}</p>
<table>
<thead><tr><th>Time (UTC)</th><th>T&plusmn;</th><th>Who</th><th>What</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="4">No events in this range.</td></tr>'}
</tbody>
</table>`,
  )
}
