// Times read from an event log are outside text: a lenient Date.parse accepts
// `2026-12-03 19:20 ("><meta ...>)` (the parenthesis is a date comment). Every
// time the timeline shows or draws goes through here, so only a canonical
// ISO-8601 string built by Date ever reaches an output.

/** The canonical UTC form of a time, or null when it is not one. */
export function instant(text: string | null | undefined): string | null {
  if (!text) return null
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? null : new Date(ms).toISOString()
}

/** An event's own time, canonical (the log validated it as a time; its text is still outside input). */
export const eventTime = (e: {time: string}): string => instant(e.time) ?? new Date(0).toISOString()

/** Milliseconds of a canonical time (NaN when it is not one). */
export const msOf = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : Number.NaN)

/** `2026-11-21 22:10Z`: minutes, for tables and labels. */
export const utcMinute = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')}Z`

/** b - a in ms, or null when either is unknown. */
export function between(a: string | null | undefined, b: string | null | undefined): number | null {
  const d = msOf(b) - msOf(a)
  return Number.isNaN(d) ? null : d
}
