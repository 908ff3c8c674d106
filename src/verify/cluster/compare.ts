import type {EtcdFinding, Fingerprint} from '../../detect/finding.js'
import {safeLine} from '../../text/terminal.js'
import type {LiveObject} from './live.js'
import {fieldPath, fieldValues, type Value} from './values.js'

// One finding against the live object at its place (pure): the leaked value
// is what the cluster serves (current), the place holds another value
// (rotated, since the last write of that field managedFields records), or
// the object or the field is gone (deleted). Only fingerprints are compared.

export type FingerprintFn = (value: string | Uint8Array) => Fingerprint

export interface Judged {
  state: 'current' | 'rotated' | 'deleted'
  since: string | null
  detail: string
}

const place = (f: EtcdFinding) => `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}`

export function judge(f: EtcdFinding, live: LiveObject | null, hash: FingerprintFn): Judged {
  const where = safeLine(place(f))
  if (!live) return {state: 'deleted', since: null, detail: `${where} is not in the cluster any more`}
  const field = fieldValues(live, f.field)
  if (!field.present) return {state: 'deleted', since: lastWrite(live, f.field), detail: `${where} has no ${safeLine(f.field)} any more`}
  if (served(field.values, f.fingerprint, hash)) return {state: 'current', since: null, detail: `${where} serves the leaked value in ${safeLine(f.field)} (resourceVersion ${safeLine(live.resourceVersion)})`}
  const since = lastWrite(live, f.field)
  const by = since ? live.changes.filter((c) => c.time === since).map((c) => safeLine(c.manager)).filter(Boolean)[0] : undefined
  return {state: 'rotated', since, detail: `${where} holds a different value in ${safeLine(f.field)}${since ? ` since ${since}${by ? ` (written by ${by})` : ''}` : ''}`}
}

function served(values: Value[], leaked: string, hash: FingerprintFn): boolean {
  const seen = new Set<string>()
  for (const v of values) {
    const fp = hash(v)
    if (seen.has(fp)) continue
    seen.add(fp)
    if (fp === leaked) return true
  }
  return false
}

/**
 * When the field was last written: the newest managedFields entry that owns
 * it; else the newest entry of all; else the object's creation (a Secret
 * deleted and made again).
 */
export function lastWrite(o: LiveObject, field: string): string | null {
  const path = fieldPath(field)
  const newest = (list: LiveObject['changes']) => list.reduce<string | null>((t, c) => (!t || c.time > t ? c.time : t), null)
  const owning = path ? o.changes.filter((c) => owns(c.fields, path)) : []
  return newest(owning) ?? newest(o.changes) ?? o.created
}

function owns(fields: unknown, path: string[]): boolean {
  let at: unknown = fields
  for (const p of path) {
    if (!at || typeof at !== 'object') return false
    at = (at as Record<string, unknown>)[p]
    if (at === undefined) return false
  }
  return true
}
