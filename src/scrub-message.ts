import {detect} from './detect/engine.js'
import {redact} from './detect/finding.js'
import {entropy, isPlaceholder} from './detect/placeholder.js'
import {unechoable} from './errors.js'
import {safeText} from './text/terminal.js'

// The scrubber of every message that reaches the user. It is the detection
// engine (and, through its finding schemas, zod): its own module, imported
// where a message is written, so that commands which write none never load it
// (docs/performance.md, start-up).

/** A word of a message that looks like a pasted secret: long, mixed case and digits, high entropy. */
const RANDOM_WORD = /[A-Za-z0-9+/=_-]{20,}/g

/** A ULID (event ids): 26 characters of Crockford base32. */
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/
/** An incident id, `inc-20261203-231623-a71d`. */
const INCIDENT_ID = /^inc-\d{8}-\d{6}-[0-9a-z]{4}$/

/**
 * A relative path such as `incidents/inc-…/events/<ULID>` is named on purpose:
 * each segment is an incident id, a ULID or an ordinary lower-case name. A
 * token with `/` in it (base64) has mixed-case segments and stays a secret.
 */
function ordinaryPath(word: string): boolean {
  const segments = word.split('/')
  return segments.length > 1 && segments.every((s) => ULID.test(s) || INCIDENT_ID.test(s) || /^[a-z0-9_-]*$/.test(s))
}

function randomLooking(word: string): boolean {
  // A path (`/tmp/leakctl-AbC12…/ws`) is named on purpose; a URL's path likewise.
  if (word.startsWith('/') || ordinaryPath(word)) return false
  return /[a-z]/.test(word) && /[A-Z]/.test(word) && /\d/.test(word) && entropy(word) >= 3.5 && !isPlaceholder(word)
}

/**
 * Every message that reaches the user (errors, oclif's included, and debug
 * stacks) passes through here: arguments that must not be repeated are
 * replaced by their length, every credential the detection engine
 * recognises and every random-looking long word is redacted, and control
 * characters are removed (newlines kept; callers collapse them when they
 * want one line). Not the note scrubber: its spoken-phrase rule would take
 * "the token was refused" for a token.
 */
export function scrubMessage(text: string, argv: readonly string[] = []): string {
  let out = text
  for (const piece of unechoable(argv)) if (piece && out.includes(piece)) out = out.replaceAll(piece, `<an argument of ${piece.length} characters, not shown>`)
  let scrubbed = ''
  let at = 0
  for (const m of detect(out)) {
    if (m.start < at || m.rule === 'aws-access-key-id') continue
    scrubbed += out.slice(at, m.start) + `[redacted ${m.rule === 'private-key' && m.preview ? m.preview : redact(m.secret, m.reveal)}]`
    at = m.end
  }
  scrubbed += out.slice(at)
  return safeText(scrubbed.replace(RANDOM_WORD, (w) => (randomLooking(w) ? `[redacted ${redact(w)}]` : w)))
}
