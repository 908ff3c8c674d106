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

/**
 * Words that introduce a credential in a note, as people type them: `datadog api key 4f3c…`,
 * `secret key: …`, `login app / …`, `passphrase correct-horse-…`, `the new password is …`.
 */
const INTRO =
  /\b(?:(?:api|access|secret|private|master|license|licence|app|auth|signing|encryption|ssh|deploy|root|admin|service)[ _-]?key|password|passwd|passphrase|passcode|pwd|secret|token|credentials?|creds|login|key)\b/gi
/** `:`, `=`, `=>`, `->`, `/`, `is`, `was`, `is:` between the keyword (or the user name after it) and the value. */
const SEPARATOR = String.raw`[ \t]{0,4}(?:(?:is|was)\b[ \t]{0,4}:?|:|=>|->|=|\/)[ \t]{0,4}`
const VALUE = String.raw`(["'\x60]?)([^\s"'\x60]{4,256})\1`
/** keyword: value */
const AFTER_SEPARATOR = new RegExp(SEPARATOR + VALUE, 'y')
/** keyword user / value, keyword for prod: value */
const AFTER_NAME = new RegExp(String.raw`[ \t]{1,4}(?:for[ \t]{1,4})?[\w.@-]{1,32}` + SEPARATOR + VALUE, 'y')
/** keyword value (no separator: the value must look generated) */
const AFTER_SPACE = new RegExp(String.raw`[ \t]{1,4}` + VALUE, 'y')

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

  /** The text between the engine's matches: keyword-introduced values, then random-looking words. */
  function freeText(part: string): string {
    let kept = ''
    let at = 0
    for (const m of part.matchAll(INTRO)) {
      if (m.index < at) continue
      const v = introducedValue(part, m.index + m[0].length, m[0].toLowerCase() === 'key')
      if (!v) continue
      kept += `${part.slice(at, v.start)}[redacted ${redact(v.value)}]`
      at = v.start + v.value.length
      extra++
    }
    return (kept + part.slice(at)).replace(WORD, (word) => {
      if (!pastedSecret(word)) return word
      extra++
      return `[redacted ${redact(word)}]`
    })
  }
}

/** The value a keyword introduces at `from` (its offsets in the text), or undefined when what follows is prose. */
function introducedValue(text: string, from: number, bareKey: boolean): {start: number; value: string} | undefined {
  const tries: [RegExp, 'separated' | 'spaced'][] = [
    [AFTER_SEPARATOR, 'separated'],
    [AFTER_NAME, 'separated'],
    // `key 3f2a…` names commits and ids as often as secrets: a lone `key` needs a separator.
    ...(bareKey ? [] : [[AFTER_SPACE, 'spaced'] as [RegExp, 'spaced']]),
  ]
  for (const [re, how] of tries) {
    re.lastIndex = from
    const m = re.exec(text)
    if (!m) continue
    const value = m[2]!.replace(/[.,;)\]]+$/, '')
    if (looksLikeValue(value, how)) return {start: m.index + m[0].length - m[1]!.length - m[2]!.length, value}
  }
  return undefined
}

/**
 * After a keyword, a value that is not prose: `4f3c…` (hex key material), `Hq7vN2pL9x`,
 * `correct-horse-battery-staple-42`; not `expired`, `rotated`, `INC-4521`, a path or a time.
 * Without a separator the value must look generated.
 */
function looksLikeValue(v: string, how: 'separated' | 'spaced'): boolean {
  if (v.length < (how === 'spaced' ? 8 : 6) || isPlaceholder(v, true)) return false
  if (/^[0-9a-f]{16,}$/i.test(v)) return true
  if (KEEP.test(v)) return false
  if (/^[A-Za-z]+(?:-[A-Za-z0-9]+){3,}$/.test(v)) return true // a passphrase of joined words
  const digit = /\d/.test(v)
  const letter = /[A-Za-z]/.test(v)
  const mixedCase = /[a-z]/.test(v) && /[A-Z]/.test(v.slice(1))
  if (how === 'spaced') return digit && letter && v.length >= 10 && (mixedCase || entropy(v) >= 3.3)
  return (digit && letter) || mixedCase || /[^\w./:-]/.test(v)
}
