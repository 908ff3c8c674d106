import type {IncidentEvent} from '../incident/events.js'
import type {IncidentState} from '../incident/state.js'

// Blameless by construction: a post-mortem talks about roles, not names. The
// commander is the incident's one defined role; with --redact-people every
// other person becomes "responder N" (in order of first appearance) and every
// commit author "commit author N", in the actor columns and wherever the name
// appears in a note's text.

export interface People {
  /** How an actor is shown: `ana (commander)`, or `commander` when redacting. */
  label(actor: string): string
  /** Every known name in a text replaced by its role (identity when not redacting). */
  text(s: string): string
  redacting: boolean
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export function people(state: IncidentState, events: readonly IncidentEvent[], o: {redact: boolean}): People {
  const commander = state.commander
  if (!o.redact) return {label: (a) => (a === commander ? `${a} (commander)` : a), text: (s) => s, redacting: false}

  const roles = new Map<string, string>([[commander, 'commander']])
  let responders = 0
  let authors = 0
  const person = (name: string) => {
    if (name && !roles.has(name)) roles.set(name, `responder ${++responders}`)
  }
  for (const e of events) {
    person(e.actor)
    if (e.type === 'item.assigned') person(e.data.owner)
  }
  for (const f of state.findings) {
    if (f.source !== 'git' || roles.has(f.author)) continue
    const role = `commit author ${++authors}`
    roles.set(f.author, role)
    // `Name <email>`: the name and the address alone are the same person.
    const m = /^(.*?)\s*<([^>]*)>$/.exec(f.author)
    for (const part of m ? [m[1]!, m[2]!] : []) if (part && !roles.has(part)) roles.set(part, role)
  }
  // Longest first, so `Sam Developer <sam@x>` is replaced whole before `Sam Developer`.
  const names = [...roles.keys()].filter((n) => n.trim().length >= 2).sort((a, b) => b.length - a.length)
  const pattern = names.length ? new RegExp(`(?<![\\p{L}\\p{N}_])(?:${names.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_])`, 'gu') : null
  const text = (s: string) => (pattern ? s.replace(pattern, (m) => roles.get(m) ?? m) : s)
  return {label: (a) => roles.get(a) ?? text(a), text, redacting: true}
}

/** A copy of a JSON-shaped value with every string passed through `f` (object keys untouched). */
export function mapStrings<T>(value: T, f: (s: string) => string): T {
  if (typeof value === 'string') return f(value) as T
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, f)
    return out as T
  }
  return value
}
