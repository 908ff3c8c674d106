import type {IncidentEvent} from './events.js'
import type {Quarantined} from './quarantine.js'
import {signatureValid} from './signing.js'
import {foldIncident} from './state.js'

// `incident verify`: the whole log checked against its chain of custody.
// Every event signed, every signature valid, every signer admitted by the
// commander under the name the event carries, exactly one opening, and each
// signer's sequence numbers 1..n without a gap (a gap is a deleted event).

export type ProblemKind = 'unsigned-incident' | 'openings' | 'unsigned' | 'bad-signature' | 'unadmitted' | 'sequence-gap' | 'sequence-repeat' | 'quarantined' | 'invalid'

export interface Problem {
  kind: ProblemKind
  /** The event concerned, when there is one. */
  id?: string
  detail: string
}

export interface AuthorReport {
  name: string
  key: string
  admitted: boolean
  events: number
  lastSeq: number
}

export interface VerifyReport {
  incident: string
  mode: 'signed' | 'legacy'
  commander: {name: string; key: string} | null
  events: number
  verified: number
  authors: AuthorReport[]
  /** Keys that asked to join and are not admitted yet. */
  requests: {name: string; key: string; time: string}[]
  problems: Problem[]
}

/** Checks `events` (the log's, in file order), the quarantine record and the lines the read skipped. Pure. */
export function verifyLog(events: IncidentEvent[], quarantined: readonly Quarantined[] = [], invalid: readonly string[] = []): VerifyReport {
  const state = foldIncident(events)
  const t = state.trust
  const problems: Problem[] = []
  const openings = events.filter((e) => e.type === 'incident.opened')
  if (openings.length !== 1) problems.push({kind: 'openings', detail: `${openings.length} incident.opened events (${openings.map((e) => `${e.id} by ${e.actor}`).join(', ')}); an incident has exactly one`})
  if (t.mode === 'legacy') problems.push({kind: 'unsigned-incident', detail: 'the opening is not signed (opened by a leakctl before signing): nothing in this log can be verified'})
  const byKey = new Map<string, {name: string; seqs: number[]}>()
  const seen = new Set<string>()
  for (const e of events) {
    if (seen.has(e.id)) continue
    seen.add(e.id)
    if (t.mode === 'legacy') continue
    if (!e.sig || !e.key) {
      problems.push({kind: 'unsigned', id: e.id, detail: `${e.type} by ${e.actor} is not signed`})
      continue
    }
    if (!signatureValid(e)) {
      problems.push({kind: 'bad-signature', id: e.id, detail: `${e.type} by ${e.actor}: the signature does not match the event (altered after signing)`})
      continue
    }
    const author = byKey.get(e.key) ?? {name: t.admitted.get(e.key) ?? e.actor, seqs: []}
    if (e.seq !== undefined) author.seqs.push(e.seq)
    byKey.set(e.key, author)
  }
  for (const u of state.unverified) {
    if (u.reason === 'not signed' || u.type === 'responder.joined') continue
    problems.push({kind: 'unadmitted', id: u.id, detail: `${u.type} by ${u.actor}: ${u.reason}`})
  }
  const authors: AuthorReport[] = []
  for (const [key, a] of byKey) {
    const seqs = [...a.seqs].sort((x, y) => x - y)
    let expected = 1
    for (const n of seqs) {
      if (n < expected) problems.push({kind: 'sequence-repeat', detail: `${a.name} (key ${key.slice(0, 12)}…) used sequence number ${n} twice`})
      else if (n > expected) problems.push({kind: 'sequence-gap', detail: `${a.name} (key ${key.slice(0, 12)}…): event${n - expected > 1 ? `s ${expected}..${n - 1}` : ` ${expected}`} of theirs missing (deleted?)`})
      expected = Math.max(expected, n + 1)
    }
    authors.push({name: a.name, key, admitted: t.admitted.has(key), events: seqs.length, lastSeq: seqs.at(-1) ?? 0})
  }
  for (const w of invalid) problems.push({kind: 'invalid', detail: w})
  for (const q of quarantined) problems.push({kind: 'quarantined', id: q.id, detail: `${q.file} (${q.author}) was refused at sync: ${q.reason}`})
  const commanderName = t.commanderKey ? t.admitted.get(t.commanderKey) : undefined
  return {
    incident: state.id,
    mode: t.mode,
    commander: t.commanderKey && commanderName !== undefined ? {name: commanderName, key: t.commanderKey} : null,
    events: seen.size,
    verified: state.verified.size,
    authors,
    requests: t.requests,
    problems,
  }
}
