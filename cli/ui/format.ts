import cliTruncate from 'cli-truncate'
import stringWidth from 'string-width'

import {formatDuration} from '../../src/time/duration.js'
import {localClock} from '../render/text.js'

// Short text for a screen 80 columns wide. Everything the colours say is also
// said in text ([!], OVERDUE), so NO_COLOR loses nothing.

/** `13:40Z` today, `11-23 13:40Z` another day. */
export function clock(iso: string, nowIso: string): string {
  const hm = `${iso.slice(11, 16)}Z`
  return iso.slice(0, 10) === nowIso.slice(0, 10) ? hm : `${iso.slice(5, 10)} ${hm}`
}

/** `13:40Z (14:40 GMT+1)`. */
export function clockAndLocal(iso: string, nowIso: string): string {
  return `${clock(iso, nowIso)} (${localClock(iso)})`
}

/** `in 4m56s` or `12m overdue`, rounded to minutes past an hour. */
export function countdown(dueIso: string, nowMs: number): {text: string; overdue: boolean} {
  const left = Date.parse(dueIso) - nowMs
  const span = Math.abs(left) >= 3_600_000 ? Math.round(Math.abs(left) / 60_000) * 60_000 : Math.abs(left)
  return left >= 0 ? {text: `in ${formatDuration(span)}`, overdue: false} : {text: `${formatDuration(span)} overdue`, overdue: true}
}

/** `3m ago`, `2h ago`, `just now`. */
export function ago(iso: string, nowMs: number): string {
  const ms = nowMs - Date.parse(iso)
  if (ms < 5_000) return 'just now'
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s ago`
  return `${formatDuration(Math.floor(ms / 60_000) * 60_000)} ago`
}

/** A progress bar of `width` cells: filled and empty parts, to be coloured separately. */
export function barParts(done: number, total: number, width: number): [string, string] {
  if (width <= 0) return ['', '']
  const full = total === 0 ? 0 : Math.round((done / total) * width)
  return ['█'.repeat(full), '░'.repeat(width - full)]
}

/**
 * Text from the log shown as text: control characters (an escape sequence in
 * a note synced from elsewhere, a newline) become spaces, so nothing in an
 * event can move the cursor or recolour the screen.
 */
export function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
}

/** Cuts plain text to `width` columns with an ellipsis (wide characters count two, as the terminal draws them). */
export function fit(text: string, width: number): string {
  if (width <= 0) return ''
  return cliTruncate(clean(text), width, {position: 'end'})
}

export const textWidth = (text: string): number => stringWidth(text)

/** Pads plain text to exactly `width` columns (cutting it when longer). */
export function pad(text: string, width: number): string {
  const t = fit(text, width)
  return t + ' '.repeat(Math.max(0, width - stringWidth(t)))
}

/** Word-wraps each paragraph of plain text to `width` columns (a word longer than a line is cut by the line). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = []
  for (const para of text.split('\n')) {
    let line = ''
    for (const word of clean(para).split(' ')) {
      if (line && stringWidth(line) + 1 + stringWidth(word) > width) {
        out.push(line)
        line = word
      } else line = line ? `${line} ${word}` : word
    }
    out.push(line)
  }
  return out
}
