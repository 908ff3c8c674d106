import type {ExposureChart} from './chart.js'

// The same picture for Markdown: a Mermaid `gantt` block (GitHub renders it).
// Task names come from outside (paths, Secret names): Mermaid reads `:` as
// the start of a task's data, `#` and `%%` as comments, `;` as a statement
// end, a newline as the next statement, and a fence could close the block.
// Names keep letters, digits and a few safe punctuation marks; the rest
// becomes a space.

const KEYWORDS = /^(gantt|title|dateFormat|axisFormat|tickInterval|excludes|includes|todayMarker|weekday|section|click|accTitle|accDescr)\b/i

export function mermaidText(s: string, max = 60): string {
  const clean = s
    .replace(/[^\p{L}\p{N} .,_/()+@=*'-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max)
    .trim()
  const safe = clean || 'item'
  return KEYWORDS.test(safe) ? `- ${safe}` : safe
}

/** `2026-11-21 22:10`: the gantt's dateFormat (YYYY-MM-DD HH:mm), in UTC. */
const at = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`

export function renderGantt(chart: ExposureChart): string {
  const lines = ['gantt', '    title Exposure window (UTC)', '    dateFormat YYYY-MM-DD HH:mm', '    axisFormat %m-%d %H:%M']
  let n = 0
  const id = () => `m${++n}`
  for (const lane of chart.lanes) {
    const marks = lane.marks.filter((m) => m.kind !== 'done')
    if (!lane.bar && marks.length === 0) continue
    lines.push(`    section ${mermaidText(lane.label, 50)}`)
    if (lane.bar) {
      const tags = [lane.risk === 'critical' ? 'crit' : '', lane.bar.ongoing ? 'active' : ''].filter(Boolean)
      // A bar shorter than a minute is still drawn a minute wide.
      const end = lane.bar.to.slice(0, 16) > lane.bar.from.slice(0, 16) ? at(lane.bar.to) : '1m'
      lines.push(`    ${lane.bar.ongoing ? 'still exposed' : 'exposed'} :${[...tags, id()].join(', ')}, ${at(lane.bar.from)}, ${end}`)
    }
    // First and last use, revocation, verification; the milestone lane whole.
    const uses = marks.filter((m) => m.kind === 'use')
    const keep = lane.kind === 'milestones' ? marks : [...new Set([uses[0], uses.at(-1), ...marks.filter((m) => m.kind !== 'use')])].filter((m) => m !== undefined)
    for (const m of keep) {
      const name = m.kind === 'use' ? (m === uses[0] ? `first outside use${m.count > 1 ? ` (${m.count})` : ''}` : `last outside use`) : m.label.replace(/ at \d{4}-.*$/, '').replace(/ \(.*$/, '')
      lines.push(`    ${mermaidText(name)} :milestone, ${id()}, ${at(m.at)}, 0m`)
    }
  }
  if (chart.more) lines.push(`    %% ${chart.more} more critical or high credentials: see the table`)
  return lines.join('\n')
}
