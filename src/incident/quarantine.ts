import {appendFileSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {IncidentRef} from './workspace.js'

// Event files from the sync remote that were refused (invalid, oversized,
// forged, a second opening) are listed beside the log, once each: which file,
// who pushed it, why. Never their content: it is hostile and may hold a value.

export interface Quarantined {
  /** The event id the file is named by. */
  id: string
  file: string
  author: string
  reason: string
}

export const QUARANTINE_FILE = 'quarantine.jsonl'

export function recordQuarantine(ref: IncidentRef, items: readonly Quarantined[], at: string): void {
  if (items.length === 0) return
  const seen = new Set(readQuarantine(ref).map((q) => `${q.file}|${q.reason}`))
  const fresh = items.filter((q) => !seen.has(`${q.file}|${q.reason}`))
  if (fresh.length) appendFileSync(join(ref.dir, QUARANTINE_FILE), fresh.map((q) => JSON.stringify({...q, at}) + '\n').join(''), {mode: 0o600})
}

export function readQuarantine(ref: IncidentRef): (Quarantined & {at: string})[] {
  let text: string
  try {
    text = readFileSync(join(ref.dir, QUARANTINE_FILE), 'utf8')
  } catch {
    return []
  }
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Quarantined & {at: string}]
      } catch {
        return []
      }
    })
}
