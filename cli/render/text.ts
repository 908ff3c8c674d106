import chalk from 'chalk'

import type {Risk} from '../../src/detect/finding.js'

// Small text helpers for the human forms. Colour only through chalk, so
// NO_COLOR and pipes turn it off in one place (BaseCommand.init).

export function riskColor(risk: Risk): (s: string) => string {
  switch (risk) {
    case 'critical':
      return (s) => chalk.bold.red(s)
    case 'high':
      return (s) => chalk.red(s)
    case 'medium':
      return (s) => chalk.yellow(s)
    case 'low':
      return (s) => chalk.dim(s)
  }
}

const ANSI = /\x1b\[[0-9;]*m/g
export const visibleLength = (s: string): number => s.replace(ANSI, '').length

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)))
}

/** Left-aligned columns; the last column is not padded. */
export function table(rows: string[][], header?: string[]): string {
  const all = header ? [header.map((h) => chalk.bold(h)), ...rows] : rows
  const widths: number[] = []
  for (const r of all) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(c))))
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]!))).join('  ').trimEnd()).join('\n')
}

// The local time is read with Date's own getters, not Intl.DateTimeFormat:
// the first formatter loads ICU's locale and zone data, 22-25 ms of every
// command that prints a local time (docs/performance.md). The zone is shown
// as its offset from UTC (`GMT+1`, `GMT-5`, `GMT+5:30`), which no two zones
// share at one instant, where ICU would say `EST` for some and `GMT+1` for others.

const two = (n: number): string => String(n).padStart(2, '0')

/** `GMT+1`, `GMT-5`, `GMT+5:30`; `UTC` when the clock is on UTC. */
function offsetName(minutesEast: number): string {
  if (minutesEast === 0) return 'UTC'
  const a = Math.abs(minutesEast)
  return `GMT${minutesEast > 0 ? '+' : '-'}${Math.floor(a / 60)}${a % 60 ? `:${two(a % 60)}` : ''}`
}

/** `00:32 GMT+1`: the responder's own clock, 00-23, and its offset at that instant. */
export function localClock(iso: string): string {
  const d = new Date(iso)
  return `${two(d.getHours())}:${two(d.getMinutes())} ${offsetName(-d.getTimezoneOffset())}`
}

/** `2026-11-22 11:25Z (12:25 GMT+1)`: UTC first, local time beside it, with the local date when it differs. */
export function utcAndLocal(iso: string): string {
  const d = new Date(iso)
  const utc = `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`
  const localDay = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`
  return `${utc} (${localDay === iso.slice(0, 10) ? '' : `${localDay} `}${localClock(iso)})`
}

export function shortUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`
}

export function bar(done: number, total: number, width = 20): string {
  if (total === 0) return ''
  const full = Math.round((done / total) * width)
  return `${chalk.green('█'.repeat(full))}${chalk.dim('░'.repeat(width - full))}`
}
