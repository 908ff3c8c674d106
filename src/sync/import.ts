import {scrubText} from '../detect/scrub.js'
import {type IncidentEvent, parseEvent} from '../incident/events.js'
import {signatureValid} from '../incident/signing.js'

// What an event file from the remote must pass before it enters a log: full
// validation (parseEvent: schema, bounded numbers, canonical times, an id not
// from the future), its file named by its id, its signature (when it has one)
// matching its content, and the detection scrubber over its free text. The
// remote is hostile input: whatever fails is quarantined, never imported, and
// never stops the other events.

/** An event file larger than this is refused unread (the largest real one, a 50,000-item checklist, is a few MB). */
export const MAX_EVENT_BYTES = 32 * 1024 * 1024

export type Admission = {ok: true; event: IncidentEvent; redacted: number} | {ok: false; reason: string; actor?: string}

/** Checks one remote event file's text (named `id` on the remote) for the incident `incident`. */
export function admitRemoteEvent(text: string, id: string, incident: string, nowMs = Date.now()): Admission {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return {ok: false, reason: 'not valid JSON'}
  }
  const claimed = (raw as {actor?: unknown} | null)?.actor
  const actor = typeof claimed === 'string' ? claimed : undefined
  const parsed = parseEvent(raw, nowMs)
  if (!parsed.ok) return {ok: false, actor, reason: 'error' in parsed ? parsed.error : `unknown type ${parsed.unknownType} (written by a newer leakctl?)`}
  const e = parsed.event
  if (e.id !== id) return {ok: false, actor, reason: `its file holds event ${e.id}`}
  if (e.type === 'incident.opened' && e.data.incident !== incident) return {ok: false, actor, reason: `an opening of another incident (${e.data.incident})`}
  if (e.sig && !signatureValid(e)) return {ok: false, actor, reason: 'its signature does not match its content (forged or altered)'}
  const {event, redacted} = scrubEvent(e)
  return {ok: true, event, redacted}
}

/**
 * Runs the detection scrubber over every free-text field. An event that held
 * a credential is kept redacted and without its signature (the signed text is
 * gone), so it shows as unverified.
 */
export function scrubEvent(e: IncidentEvent): {event: IncidentEvent; redacted: number} {
  let redacted = 0
  const s = (t: string): string => {
    const r = scrubText(t)
    redacted += r.redacted
    return r.text
  }
  const so = (t: string | undefined) => (t === undefined ? undefined : s(t))
  const d = structuredClone(e.data) as Record<string, unknown>
  switch (e.type) {
    case 'incident.opened':
      d.title = s(e.data.title)
      break
    case 'incident.noted':
    case 'item.noted':
      d.text = s((d as {text: string}).text)
      break
    case 'item.ticked':
    case 'item.unticked':
      d.note = so(e.data.note)
      break
    case 'item.assigned':
      d.owner = s(e.data.owner)
      break
    case 'finding.recorded':
      d.finding = {...e.data.finding, preview: s(e.data.finding.preview), reason: s(e.data.finding.reason)}
      break
    case 'check.completed':
      d.summary = s(e.data.summary)
      break
    case 'evidence.found':
      d.summary = s(e.data.summary)
      if (e.data.reasons) d.reasons = e.data.reasons.map(s)
      break
    case 'verification.recorded':
      d.detail = s(e.data.detail)
      break
    case 'credential.revoked':
      d.result = s(e.data.result)
      break
    case 'responder.joined':
    case 'responder.admitted':
      d.name = s(e.data.name)
      break
    case 'checklist.items.added':
      break
  }
  if (redacted === 0) return {event: e, redacted}
  const {sig: _dropped, ...rest} = e
  return {event: {...rest, data: d} as IncidentEvent, redacted}
}
