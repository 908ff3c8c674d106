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

// Made on first use: building a formatter loads ICU's data (~10 ms), which
// the commands that print no local time (every --json) need not pay.
let localFmt: Intl.DateTimeFormat | undefined
let localDateFmt: Intl.DateTimeFormat | undefined

/** `2026-11-22 11:25Z (12:25 CET)`: UTC first, local time beside it. */
/** `00:32 CET`: the responder's own clock, 00-23. */
export function localClock(iso: string): string {
  // h23, not hour12: false: some ICU data then picks h24 and prints 24:32 for half past midnight.
  localFmt ??= new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short'})
  return localFmt.format(new Date(iso))
}

export function utcAndLocal(iso: string): string {
  const d = new Date(iso)
  const utc = `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`
  localDateFmt ??= new Intl.DateTimeFormat('en-CA', {year: 'numeric', month: '2-digit', day: '2-digit'})
  const localDay = localDateFmt.format(d)
  const local = localClock(iso)
  return `${utc} (${localDay === iso.slice(0, 10) ? '' : `${localDay} `}${local})`
}

export function shortUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`
}

export function bar(done: number, total: number, width = 20): string {
  if (total === 0) return ''
  const full = Math.round((done / total) * width)
  return `${chalk.green('█'.repeat(full))}${chalk.dim('░'.repeat(width - full))}`
}
