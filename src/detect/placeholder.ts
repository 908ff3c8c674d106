// Values that look like credentials but are not: documentation examples,
// templates, environment lookups, masked values. A finding on one of these
// costs a responder minutes they do not have.

/** Defaults frameworks ship in their skeletons, to be replaced (Symfony's .env, Laravel's .env.example, wp-config-sample.php). */
export const SHIPPED_DEFAULTS = ['ThisTokenIsNotSoSecretChangeIt', 'SomeRandomString', 'put your unique phrase here'] as const

const DOC_EXAMPLES = new Set<string>([
  ...SHIPPED_DEFAULTS,
  // AWS documentation's example key pair and session key.
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  // Google API keys published in the Firebase Android SDK's own test fixtures and samples,
  // copied into countless apps' tests: public, and not anyone's credential.
  'AIzaSyabcdefghijklmnopqrstuvwxyz1234567',
  'AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs',
  'AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM',
  'AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU',
  'AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0',
  'AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A',
  'AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c',
  'AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4',
  'AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY',
  'AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM',
  'AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ',
  'AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g',
  'AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU',
  'AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw',
  'AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE',
  'AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY',
])

/** A value that is only the name of what belongs there: `postgres://user:password@…`, `token: secret`. */
const NAMES_OF_THEMSELVES = new Set(['password', 'passwd', 'pass', 'pwd', 'pw', 'secret', 'token', 'apikey', 'api_key', 'api-key', 'key', 'user', 'username', 'value', 'string', 'foo', 'bar', 'test'])

const WORDS =
  /example|changeme|change_me|placeholder|redacted|your[_-]?(?:api|access|secret|token|key|password|pass)|insert[_-]?|replace[_-]?me|sample|foobar|\*{3,}|#{4,}|x{6,}|\.{3}|<[^>]*>/i

/** In a long random token a four-letter word turns up by chance (…ToDo…): only masks and EXAMPLE count there. */
const LONG_WORDS = /example|\*{3,}|#{4,}|x{6,}|\.{3}|<[^>]*>/i

/**
 * Short words a random token spells by chance (one 40-character token in 25,000 holds `todo` in some case, as
 * in …LtoDOc…): they count only as a person writes them, in one case (todo, TODO, Todo) and as a whole word.
 */
const WRITTEN_WORDS =
  /(?<![A-Za-z0-9])(?:todo|dummy|fixme)(?![a-z])|(?<![A-Z0-9])(?:Todo|Dummy|Fixme|FixMe)(?![a-z])|(?<![A-Za-z0-9])(?:TODO|DUMMY|FIXME)(?![A-Z])|\b(?:null|NULL|Null|none|NONE|None|nil|NIL|Nil|undefined)\b/

/** For values people type (passwords): only unmistakable placeholders; "Sample2026!" is a real, weak password. */
const TYPED_WORDS = /changeme|change_me|placeholder|redacted|your[_-]?(?:password|passwd|pass|secret)|insert[_-]?(?:password|here)|replace[_-]?me|\*{3,}|#{4,}|x{6,}|<[^>]*>|^(?:example|sample|dummy|test|secret|password)$/i

// ENC[AES256_GCM,…]: a SOPS-encrypted value, ciphertext rather than the secret.
const REFERENCE = /^(?:\$\{|\$\(|\$[A-Za-z_]|#\{|\{\{|\{%|%\(|%[sd]$|%\w+%$|`|@\{|\[\[|\[[A-Z_]{3,}\]|\{[ \t]{0,4}[\w.-]+[ \t]{0,4}\}?$|ref\+|vault:|secret:|!Ref|!Sub|arn:aws:secretsmanager|ENC\[)/

// A lookup starts an expression: `var.` ending a random segment (SG.…Ivar._…) is no lookup.
const LOOKUP =
  /(?<![A-Za-z0-9])(?:process\.env|os\.environ|os\.getenv|getenv\(|System\.getenv|ENV\[|env\(|Environment\.GetEnvironmentVariable|secrets\.|config\.|settings\.|params\.|var\.|vars\.|local\.|data\.|self\.|this\.|\.Values\.|\bargs\.)/

/**
 * True when the value is a template, a reference, an example or a mask rather
 * than a secret. `typed`: the value may be chosen by a person (a password),
 * so keyboard and alphabet runs are real — weak, and still leaked.
 */
export function isPlaceholder(value: string, typed = false): boolean {
  const v = value.trim()
  if (v.length === 0) return true
  if (DOC_EXAMPLES.has(v) || NAMES_OF_THEMSELVES.has(v.toLowerCase())) return true
  if (REFERENCE.test(v) || LOOKUP.test(v)) return true
  if ((typed ? TYPED_WORDS : v.length > 64 ? LONG_WORDS : WORDS).test(v)) return true
  if (!typed && v.length <= 64 && WRITTEN_WORDS.test(v)) return true
  if (lowVariety(v, typed)) return true
  return false
}

// A value assigned to a name is a placeholder only when the WHOLE value is one: `OhYeahThisIS1SecrEtPas`,
// `UserPassword123` and `sampleHerokuKey` are values someone uses, `your-api-key` and `<token>` are not.

/** Unmistakable placeholder marks, wherever they sit in the value: masks, angle-bracket slots, `changeme`. */
const MARKS = /example|changeme|change_me|placeholder|redacted|your[_-]?(?:api|access|secret|token|key|password|passwd|pass)|insert[_-]?(?:your|key|token|password|secret|here)|replace[_-]?me|\*{3,}|#{4,}|x{6,}|\.{3}|<[^>]*>/i
/** Whole values that are a word of a template or of a test. */
const WHOLE_WORD = /^(?:example|sample|dummy|fake|test|secret|password|none|null|nil|undefined|todo|tbd|fixme|foobar|string|value|empty|default)$/i

/** Words that name a credential's kind, and the words a placeholder wraps them in. */
const KIND_WORDS = new Set(['password', 'passwd', 'pass', 'pwd', 'passphrase', 'secret', 'token', 'api', 'key', 'apikey', 'access', 'auth', 'private', 'client', 'credential', 'credentials'])
const FILLER_WORDS = new Set(['your', 'my', 'some', 'the', 'a', 'an', 'our', 'example', 'sample', 'dummy', 'fake', 'test', 'mock', 'demo', 'placeholder', 'insert', 'replace', 'put', 'enter', 'change', 'me', 'here', 'goes', 'this', 'value', 'foo', 'bar', 'baz', 'todo', 'tbd', 'redacted', 'xxx', 'super', 'very', 'long', 'new', 'default', 'real', 'not', 'is', 'to', 'be', 'with', 'of', 'for', 'app', 'user', 'db', 'database', 'admin', 'root'])
/** Words that make a value an instruction rather than a chosen password: `some-password`, `enter_password_here`. */
const MARKER_WORDS = new Set(['your', 'my', 'some', 'the', 'example', 'sample', 'fake', 'mock', 'placeholder', 'insert', 'replace', 'put', 'enter', 'change', 'here', 'goes', 'todo', 'tbd', 'redacted', 'xxx', 'not'])

const WORD_PARTS = /[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])/

/**
 * The value only names what belongs there, in words: `some-password`, `your_api_key_here`, `secret-token`.
 * Any digit, or any word beside these, makes it a value (`UserPassword123`, `sampleHerokuKey`).
 * `typed` (a password someone chose): `dummy-pass` or `SuperSecretPassword` are weak, and real; only a
 * marker word (`some`, `your`, `here`, …) or kind words alone (`secret_password`) make a placeholder.
 */
export function namesItsKind(value: string, typed = false): boolean {
  if (value.length > 64) return false
  const parts = value.split(WORD_PARTS).filter(Boolean).map((p) => p.toLowerCase())
  let kind = false
  let marker = false
  let filler = false
  for (const p of parts) {
    if (KIND_WORDS.has(p)) kind = true
    else if (FILLER_WORDS.has(p)) {
      filler = true
      if (MARKER_WORDS.has(p)) marker = true
    } else return false
  }
  return kind && (!typed || marker || !filler)
}

/** For a value assigned to a name (generic assignments): a placeholder only when the whole value is one. */
export function isPlaceholderValue(value: string, typed = false): boolean {
  const v = value.trim()
  if (v.length === 0) return true
  if (DOC_EXAMPLES.has(v) || NAMES_OF_THEMSELVES.has(v.toLowerCase()) || WHOLE_WORD.test(v)) return true
  if (REFERENCE.test(v) || LOOKUP.test(v) || MARKS.test(v)) return true
  // A generated key never spells SECRET or TOKEN in capitals (AWS's `VERYLONGSECRETeyJ…`); a password may.
  if (!typed && /SECRET|TOKEN|PASSWORD|APIKEY/.test(v)) return true
  return namesItsKind(v, typed) || lowVariety(v, typed)
}

/**
 * `AKIAXXXXXXXXXXXXXXXX`, `ghp_000000000000…`, `aaaa1111bbbb2222`: too few
 * distinct characters, or one character repeated at length, for a real
 * random credential of that size.
 */
export function lowVariety(v: string, typed = false): boolean {
  const core = v.replace(/^[A-Za-z]{1,8}[_-]/, '')
  if (core.length >= 8 && distinct(core) <= Math.min(6, Math.max(3, Math.floor(core.length / 12)))) return true
  // A short unit over and over (123123123…, 1234-1234-1234-), or a keyboard/alphabet run: typed, not generated.
  if (!typed && (periodicRun(core) || sequenceRun(core.toLowerCase()))) return true
  // One character repeated over half of it: AKIAXXXXXXXXXXXXXXXX, ghp_000000…
  let run = 1
  let longest = 1
  for (let i = 1; i < core.length; i++) {
    run = core.charCodeAt(i) === core.charCodeAt(i - 1) ? run + 1 : 1
    if (run > longest) longest = run
  }
  return core.length >= 8 && longest >= Math.max(6, core.length / 2)
}

function distinct(s: string): number {
  const seen = new Set<number>()
  for (let i = 0; i < s.length && seen.size < 7; i++) seen.add(s.charCodeAt(i))
  return seen.size
}

/**
 * A unit of 2–5 characters repeated at least three times, over 12 characters or all of a
 * shorter value (abcabcabcabc, 1234-1234-1234). One character repeated is not a unit: ids
 * inside real tokens have runs of digits (Slack's xoxa-2-5111111…), and the run check below
 * catches a value made mostly of one.
 */
function periodicRun(s: string): boolean {
  const need = Math.min(12, s.length)
  for (let unit = 2; unit <= 5; unit++) {
    let same = 0
    let lastChange = -1 // where the run last held two different neighbours
    for (let i = 0; i + unit < s.length; i++) {
      if (s.charCodeAt(i) !== s.charCodeAt(i + unit)) {
        same = 0
        continue
      }
      same++
      if (s.charCodeAt(i) !== s.charCodeAt(i + 1)) lastChange = i
      if (same >= 2 * unit && same + unit >= need && lastChange > i - same) return true
    }
  }
  return false
}

/** Eight or more characters counting up or down (12345678, abcdefgh, 98765432) or along a keyboard row. */
function sequenceRun(low: string): boolean {
  let up = 1
  let down = 1
  for (let i = 1; i < low.length; i++) {
    const d = low.charCodeAt(i) - low.charCodeAt(i - 1)
    const alnum = isAlnum(low.charCodeAt(i)) && isAlnum(low.charCodeAt(i - 1))
    up = alnum && d === 1 ? up + 1 : 1
    down = alnum && d === -1 ? down + 1 : 1
    if (up >= 8 || down >= 8) return true
  }
  return KEYBOARD.some((w) => low.includes(w))
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122)
}

const KEYBOARD = ['qwertyui', 'wertyuio', 'ertyuiop', 'asdfghjk', 'sdfghjkl']

const counts = new Int32Array(128)

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  if (s.length === 0) return 0
  let ascii = true
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) ascii = false
  if (!ascii) {
    const map = new Map<string, number>()
    for (const c of s) map.set(c, (map.get(c) ?? 0) + 1)
    return shannon(map.values(), [...s].length)
  }
  counts.fill(0)
  for (let i = 0; i < s.length; i++) counts[s.charCodeAt(i)]!++
  let h = 0
  for (let c = 0; c < 128; c++) {
    const n = counts[c]!
    if (n) {
      const p = n / s.length
      h -= p * Math.log2(p)
    }
  }
  return h
}

function shannon(values: Iterable<number>, total: number): number {
  let h = 0
  for (const n of values) {
    const p = n / total
    h -= p * Math.log2(p)
  }
  return h
}

/** How many of lower, upper, digit, other a value mixes. */
export function charClasses(s: string): number {
  return (/[a-z]/.test(s) ? 1 : 0) + (/[A-Z]/.test(s) ? 1 : 0) + (/\d/.test(s) ? 1 : 0) + (/[^A-Za-z\d]/.test(s) ? 1 : 0)
}
