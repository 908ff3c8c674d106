import {detect} from './engine.js'
import {redact} from './finding.js'
import {entropy, isPlaceholder} from './placeholder.js'

// Free text typed by responders (notes, titles) may carry a credential pasted
// by mistake ("new password is ..."). Scrub it with the detection engine
// before it reaches the log. Notes are not code: a lone random-looking word
// is more likely a pasted secret than anything a responder needs verbatim,
// so they get one more pass than files do.

export interface Scrubbed {
  text: string
  redacted: number
}

/** Phrases people type in notes that the engine's assignment syntax does not cover. */
const SPOKEN = /\b((?:new |old |the )?(?:password|passwd|passphrase|secret|token|api key|key)\s+(?:is|was|=|:)\s+)(["']?)([^\s"']{6,})\2/gi

/** A whitespace-delimited word of a note. */
const WORD = /[^\s"'`()<>[\]{},;]{12,256}/g

/** Words a note keeps as they are: ids and references responders look things up by. */
const KEEP =
  /^(?:[0-9a-f]{7,64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|sha256:[0-9a-f]{64}|[\w.+-]+@[\w.-]+|(?:https?|s3|gs|ssh|git):\/\/\S*|\/\S*|\.{0,2}\/\S*|arn:\S*|[A-Z][A-Z0-9]+-\d+|\d[\d:.TZ+-]*|AKIA[A-Z2-7]{16}|ASIA[A-Z2-7]{16})$/

/** A random-looking word: long, upper and lower case and digits, high entropy (host:port/paths have no capitals). */
function pastedSecret(word: string): boolean {
  if (KEEP.test(word) || isPlaceholder(word)) return false
  return /[a-z]/.test(word) && /[A-Z]/.test(word) && /\d/.test(word) && entropy(word) >= 3
}

export function scrubText(text: string): Scrubbed {
  let extra = 0
  // An AWS access key id alone is the public half: responders write it in notes to say which key they
  // deactivated, and the timeline needs it verbatim.
  const matches = detect(text).filter((m) => m.rule !== 'aws-access-key-id')
  let out = ''
  let at = 0
  let redacted = 0
  for (const m of matches) {
    if (m.start < at) continue
    out += freeText(text.slice(at, m.start))
    out += `[redacted ${m.rule === 'private-key' ? m.preview : redact(m.secret, m.reveal)}]`
    redacted++
    at = m.end
  }
  out += freeText(text.slice(at))
  return {text: out, redacted: redacted + extra}

  /** The text between the engine's matches: spoken forms, then random-looking words. */
  function freeText(part: string): string {
    return part
      .replace(SPOKEN, (_whole, lead: string, q: string, value: string) => {
        extra++
        return `${lead}${q}[redacted ${redact(value)}]${q}`
      })
      .replace(WORD, (word) => {
        if (!pastedSecret(word)) return word
        extra++
        return `[redacted ${redact(word)}]`
      })
  }
}
