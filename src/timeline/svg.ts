import type {ChartLane, ChartMark, ExposureChart} from './chart.js'
import {escapeHtml} from './html-page.js'
import {msOf, utcMinute} from './when.js'

// The exposure window as inline SVG: no script, no external resource, the
// same in print. Every mark is a group with a <title> (the tooltip, what a
// screen reader reads) and an aria-label; every text from outside goes
// through escapeHtml, which is safe in SVG text and attribute values alike.

const W = 1000
const LABEL_W = 250
const X0 = LABEL_W + 10
const X1 = W - 20
const AXIS = 46
const LANE_H = 30

const TICKS = [5, 15, 30, 60, 180, 360, 720, 1440, 2880, 10_080, 43_200].map((m) => m * 60_000)

const COLORS = {critical: '#a40e26', high: '#cf222e', bar: '#f4b6b6', barOngoing: '#e5534b', use: '#9a1b1b', revoked: '#1a7f37', dead: '#116329', live: '#d1242f', milestone: '#0969da', done: '#57606a', deadline: '#8c959f', overdue: '#d1242f', now: '#6639ba'}

const num = (n: number) => (Math.round(n * 10) / 10).toString()

export function renderChartSvg(chart: ExposureChart): string {
  const lo = msOf(chart.from)
  const hi = msOf(chart.to)
  const x = (iso: string) => X0 + ((msOf(iso) - lo) / (hi - lo)) * (X1 - X0)
  const rows = chart.lanes.length + (chart.more ? 1 : 0)
  const H = AXIS + rows * LANE_H + 34
  const out: string[] = []
  const credentialLanes = chart.lanes.filter((l) => l.kind === 'credential').length
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="exposure-chart" role="img" aria-labelledby="exposure-chart-title exposure-chart-desc" viewBox="0 0 ${W} ${H}" width="100%" preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif" font-size="11">`,
    `<title id="exposure-chart-title">Exposure window, ${escapeHtml(utcMinute(chart.from))} to ${escapeHtml(utcMinute(chart.to))} (UTC)</title>`,
    `<desc id="exposure-chart-desc">${credentialLanes} credential lane(s)${chart.more ? ` and ${chart.more} more not drawn` : ''}, a lane of response milestones, ${chart.deadlines.length} phase deadline(s); marks grouped by ${escapeHtml(chart.bucket.name)}.</desc>`,
  )

  // Axis and grid.
  const step = TICKS.find((t) => (hi - lo) / t <= 8) ?? TICKS.at(-1)!
  const axis: string[] = []
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) {
    const iso = new Date(t).toISOString()
    const px = num(x(iso))
    const text = step >= 86_400_000 ? iso.slice(5, 10) : iso.slice(11, 16) === '00:00' || t === Math.ceil(lo / step) * step ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16)
    axis.push(`<line x1="${px}" y1="${AXIS - 4}" x2="${px}" y2="${H - 24}" stroke="#d8dee4" stroke-width="1"/><text x="${px}" y="${AXIS - 8}" text-anchor="middle" fill="#57606a">${escapeHtml(text)}</text>`)
  }
  out.push(`<g class="axis" aria-hidden="true">${axis.join('')}</g>`)

  chart.lanes.forEach((lane, i) => out.push(renderLane(lane, AXIS + i * LANE_H, x)))
  if (chart.more) {
    const y = AXIS + chart.lanes.length * LANE_H
    out.push(`<g class="lane more" role="img" aria-label="${chart.more} more critical or high credentials, listed in the table"><title>${chart.more} more critical or high credentials, listed in the table</title><text x="8" y="${y + 19}" fill="#57606a" font-style="italic">${chart.more} more critical/high credential(s): see the table</text></g>`)
  }

  // Deadlines and now, over the lanes.
  chart.deadlines.forEach((d, i) => {
    const cx = x(d.at)
    const px = num(cx)
    const color = d.overdue ? COLORS.overdue : COLORS.deadline
    // The phase's short name ("Hour 0-1"), staggered on two rows so neighbours do not overlap.
    const short = d.label.split(/[:—]| due /)[0]!.trim().slice(0, 24)
    const anchor = cx > X1 - 60 ? 'end' : cx < X0 + 60 ? 'start' : 'middle'
    out.push(
      `<g class="deadline${d.overdue ? ' overdue' : ''}" role="img" aria-label="${escapeHtml(d.label)}"><title>${escapeHtml(d.label)}</title><line x1="${px}" y1="${AXIS - 2}" x2="${px}" y2="${H - 28}" stroke="${color}" stroke-width="${d.overdue ? 2 : 1.5}" stroke-dasharray="5 3"/><text x="${px}" y="${H - (i % 2 ? 4 : 16)}" text-anchor="${anchor}" fill="${color}" font-size="10">${escapeHtml(short)}${d.overdue ? ' !' : ''}</text></g>`,
    )
  })
  if (msOf(chart.now) >= lo && msOf(chart.now) <= hi) {
    const px = num(x(chart.now))
    out.push(`<g class="now" role="img" aria-label="Now: ${escapeHtml(utcMinute(chart.now))}"><title>Now: ${escapeHtml(utcMinute(chart.now))}</title><line x1="${px}" y1="${AXIS - 14}" x2="${px}" y2="${H - 24}" stroke="${COLORS.now}" stroke-width="1.5"/><text x="${px}" y="${AXIS - 20}" text-anchor="middle" fill="${COLORS.now}" font-weight="600">now</text></g>`)
  }
  out.push('</svg>')
  return out.join('\n')
}

function renderLane(lane: ChartLane, top: number, x: (iso: string) => number): string {
  const mid = top + LANE_H / 2
  const parts: string[] = []
  const color = lane.risk === 'critical' ? COLORS.critical : lane.risk === 'high' ? COLORS.high : '#1b1f24'
  const label = lane.label.length > 40 ? `${lane.label.slice(0, 39)}…` : lane.label
  parts.push(`<text class="lane-label" x="8" y="${mid + 4}" fill="${color}"${lane.risk === 'critical' ? ' font-weight="600"' : ''}><title>${escapeHtml(lane.label)}</title>${escapeHtml(label)}</text>`)
  parts.push(`<line x1="${X0}" y1="${num(top + LANE_H)}" x2="${X1}" y2="${num(top + LANE_H)}" stroke="#eaeef2"/>`)
  if (lane.bar) {
    const x1 = Math.max(X0, x(lane.bar.from))
    const x2 = Math.max(x1 + 2, Math.min(X1, x(lane.bar.to)))
    parts.push(
      `<g class="bar exposed${lane.bar.ongoing ? ' ongoing' : ''}" role="img" aria-label="${escapeHtml(lane.bar.label)}"><title>${escapeHtml(lane.bar.label)}</title><rect x="${num(x1)}" y="${top + 8}" width="${num(x2 - x1)}" height="${LANE_H - 16}" rx="3" fill="${lane.bar.ongoing ? COLORS.barOngoing : COLORS.bar}"/></g>`,
    )
  }
  for (const m of lane.marks) parts.push(renderMark(m, mid, x))
  return `<g class="lane ${lane.kind}" data-lane="${escapeHtml(lane.id)}" role="group" aria-label="${escapeHtml(lane.label)}">${parts.join('')}</g>`
}

function renderMark(m: ChartMark, mid: number, x: (iso: string) => number): string {
  const cx = Math.min(X1, Math.max(X0, x(m.at)))
  const px = num(cx)
  const unverified = m.verified === false ? ' unverified' : ''
  const a11y = `role="img" aria-label="${escapeHtml(m.label)}"><title>${escapeHtml(m.label)}</title>`
  let shape: string
  switch (m.kind) {
    case 'use': {
      // Area grows with the count, so a bucket of 500 is visibly more than one.
      const r = Math.min(9, 3.5 + Math.log2(m.count))
      const w = m.until ? Math.max(2 * r, x(m.until) - cx) : 0
      shape = m.until
        ? `<rect x="${px}" y="${num(mid - r)}" width="${num(Math.min(w, X1 - cx + r))}" height="${num(2 * r)}" rx="${num(r)}" fill="${COLORS.use}" fill-opacity="0.85"/>${m.count > 1 ? `<text x="${num(cx + 2)}" y="${num(mid - r - 2)}" fill="${COLORS.use}" font-size="9">${m.count}</text>` : ''}`
        : `<circle cx="${px}" cy="${mid}" r="${num(r)}" fill="${COLORS.use}"/>`
      break
    }
    case 'revoked':
      shape = `<path d="M${px} ${mid - 8} L${num(cx + 7)} ${mid} L${px} ${mid + 8} L${num(cx - 7)} ${mid} Z" fill="${COLORS.revoked}"/>`
      break
    case 'dead':
      shape = `<circle cx="${px}" cy="${mid}" r="6" fill="#fff" stroke="${COLORS.dead}" stroke-width="2.5"/><path d="M${num(cx - 3)} ${mid} l2 3 l4 -6" stroke="${COLORS.dead}" stroke-width="2" fill="none"/>`
      break
    case 'live':
      shape = `<path d="M${num(cx - 9)} ${mid - 7} L${px} ${mid} L${num(cx - 9)} ${mid + 7} Z" fill="${COLORS.live}"/>`
      break
    case 'milestone':
      shape = `<path d="M${px} ${mid - 7} L${num(cx + 6)} ${mid} L${px} ${mid + 7} L${num(cx - 6)} ${mid} Z" fill="${COLORS.milestone}"/>`
      break
    case 'done':
      shape = `<rect x="${num(cx - 2)}" y="${mid - 6}" width="4" height="12" fill="${COLORS.done}"/>${m.count > 1 ? `<text x="${num(cx + 3)}" y="${mid + 12}" fill="${COLORS.done}" font-size="9">${m.count}</text>` : ''}`
      break
  }
  return `<g class="mark ${m.kind}${unverified}" data-count="${m.count}" ${a11y}${shape}</g>`
}
