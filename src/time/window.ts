import {parseDuration} from './duration.js'

/**
 * A phase's time window relative to the incident start. `endMs === null`
 * means open-ended (`after`, `4h+`): those items carry no due time.
 */
export interface Window {
  label: string
  /** null: after the timed phases (post-incident work). */
  startMs: number | null
  endMs: number | null
}

const RANGE = /^(\d+(?:\.\d+)?)([smhd])?\s*-\s*(\d+(?:\.\d+)?)([smhd])$/
const OPEN = /^(\d+(?:\.\d+)?[smhd])\+$/

/** Parses `0-5m`, `5-30m`, `30m-2h`, `2-8h`, `4h+`, `after`; returns an error text when it cannot. */
export function parseWindow(text: string): Window | string {
  const t = text.trim().toLowerCase()
  if (t === 'after') return {label: 'after', startMs: null, endMs: null}
  const open = OPEN.exec(t)
  if (open) return {label: t, startMs: parseDuration(open[1]!), endMs: null}
  const r = RANGE.exec(t)
  if (!r) return `"${text}" is not a window; use forms like 0-5m, 30m-2h, 2-8h, 4h+ or after`
  const startUnit = r[2] ?? r[4]!
  const startMs = parseDuration(`${r[1]}${startUnit}`)
  const endMs = parseDuration(`${r[3]}${r[4]}`)
  if (endMs <= startMs) return `"${text}": the window ends before it starts`
  return {label: t, startMs, endMs}
}
