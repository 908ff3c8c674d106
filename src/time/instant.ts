import {inputError} from '../errors.js'

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i
const RELATIVE = /^(\d+)\s*(s|m|h|d|w)\s+ago$/i

const UNIT_MS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}

/**
 * Parses a time a responder types: an ISO-8601 instant with a zone
 * (`2026-11-22T09:14:00Z`, `2026-11-22 10:14+01:00`), a bare date (midnight UTC),
 * `now`, or `90m ago`. A date-time without a zone is refused: in an incident,
 * a guessed zone is a wrong timeline.
 */
export function parseInstant(text: string, what: string, now: Date = new Date()): Date {
  const t = text.trim()
  if (t.toLowerCase() === 'now') return new Date(now.getTime())
  const rel = RELATIVE.exec(t)
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase()]!)
  if (ISO_DATE.test(t)) return checked(new Date(`${t}T00:00:00Z`), text, what)
  if (ISO_WITH_ZONE.test(t)) return checked(new Date(t.replace(' ', 'T')), text, what)
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(t)) {
    throw inputError('time.no-zone', `${what}: "${text}" has no time zone; add Z for UTC (e.g. ${t.replace(' ', 'T')}Z)`)
  }
  throw inputError('time.invalid', `${what}: "${text}" is not a time; use ISO-8601 like 2026-11-22T09:14:00Z, a date, "now" or "90m ago"`)
}

function checked(d: Date, text: string, what: string): Date {
  if (Number.isNaN(d.getTime())) throw inputError('time.invalid', `${what}: "${text}" is not a valid date`)
  return d
}

/** ISO-8601 UTC with milliseconds: the one format of every stored time. */
export function isoUtc(d: Date): string {
  return d.toISOString()
}
