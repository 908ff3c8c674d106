import {readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {z} from '#zod'

import {inputError} from '../errors.js'
import {safeUrl} from '../text/url.js'
import {zodMessage} from '../incident/events.js'
import type {IncidentRef} from '../incident/workspace.js'
import {onFirstUse, zod} from '../zod.js'

// Where an incident is shared and when this machine last synced it. Kept in
// the incident folder beside the log, not as an event: it is a fact about
// this copy, not about the incident, and an event per sync would itself have
// to be pushed, so no two machines would ever agree that they are in sync.

export const DEFAULT_BRANCH = 'leakctl/incidents'
export const SYNC_FILE = 'sync.json'

function buildMarkerSchema() {
  const z = zod()
  const lastSync = z.object({
    at: z.string(),
    by: z.string(),
    imported: z.number().int().nonnegative(),
    pushed: z.number().int().nonnegative(),
    /** Events of this incident on the remote after the sync. */
    remoteEvents: z.number().int().nonnegative(),
    /** The remote branch's commit after the sync. */
    commit: z.string().nullable(),
  })
  return z.object({
    remote: z.string().min(1),
    branch: z.string().min(1),
    last: lastSync.optional(),
  })
}
const markerSchema = onFirstUse(buildMarkerSchema)

export type SyncMarker = z.infer<ReturnType<typeof buildMarkerSchema>>
export type LastSync = NonNullable<SyncMarker['last']>

export const markerPath = (ref: IncidentRef): string => join(ref.dir, SYNC_FILE)

/** The incident's sync settings, or null when it was never shared. */
export function readMarker(ref: IncidentRef): SyncMarker | null {
  let text: string
  try {
    text = readFileSync(markerPath(ref), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw inputError('sync.marker', `${markerPath(ref)} is not valid JSON; share the incident again (leakctl incident share --remote URL)`)
  }
  const parsed = markerSchema().safeParse(raw)
  if (!parsed.success) throw inputError('sync.marker', `${markerPath(ref)}: ${zodMessage(parsed.error)}; share the incident again`)
  return parsed.data
}

/** Replaces the marker atomically (0600): a reader never sees half of it. */
export function writeMarker(ref: IncidentRef, marker: SyncMarker): void {
  const path = markerPath(ref)
  const tmp = `${path}.${process.pid}.tmp`
  const kept = {...marker, remote: withoutCredentials(marker.remote)}
  writeFileSync(tmp, JSON.stringify(markerSchema().parse(kept), null, 2) + '\n', {mode: 0o600})
  renameSync(tmp, path)
}

/**
 * The remote without what authenticates to it, for keeping on disk: a
 * password goes, and a user name goes too unless it is a plain account name
 * (safeUrl's judgment: `git@`, `ana@` stay; a token in the user position does
 * not). Git asks its credential helper for what is missing.
 */
export function withoutCredentials(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url)
  if (!m) return url
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string]
  const at = authority.lastIndexOf('@')
  if (at < 0) return url
  const user = authority.slice(0, at).split(':')[0]!
  const host = authority.slice(at + 1)
  const plain = user !== '' && safeUrl(`${scheme}${user}@${host}`) === `${scheme}${user}@${host}`
  return `${scheme}${plain ? `${user}@` : ''}${host}${rest}`
}
