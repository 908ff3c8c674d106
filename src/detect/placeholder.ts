// Values that look like credentials but are not: documentation examples,
// templates, environment lookups, masked values. A finding on one of these
// costs a responder minutes they do not have.

const DOC_EXAMPLES = new Set(['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY'])

const WORDS =
  /example|changeme|change_me|placeholder|redacted|your[_-]?(?:api|access|secret|token|key|password|pass)|insert[_-]?|replace[_-]?me|dummy|sample|fixme|todo|foobar|\*{3,}|x{6,}|\.{3}|<[^>]*>|\bnull\b|\bnone\b|\bundefined\b|\bnil\b/i

/** For values people type (passwords): only unmistakable placeholders; "Sample2026!" is a real, weak password. */
const TYPED_WORDS = /changeme|change_me|placeholder|redacted|your[_-]?(?:password|passwd|pass|secret)|insert[_-]?(?:password|here)|replace[_-]?me|\*{3,}|x{6,}|<[^>]*>|^(?:example|sample|dummy|test|secret|password)$/i

const REFERENCE = /^(?:\$\{|\$\(|\$[A-Za-z_]|#\{|\{\{|\{%|%\(|%[sd]$|%\w+%$|`|@\{|\[\[|\[[A-Z_]{3,}\]|\{[\w.]+\}$|ref\+|vault:|secret:|!Ref|!Sub|arn:aws:secretsmanager)/

const LOOKUP =
  /(?:process\.env|os\.environ|os\.getenv|getenv\(|System\.getenv|ENV\[|env\(|Environment\.GetEnvironmentVariable|secrets\.|config\.|settings\.|params\.|var\.|vars\.|local\.|data\.|self\.|this\.|\.Values\.|\bargs\.)/

/**
 * True when the value is a template, a reference, an example or a mask rather
 * than a secret. `typed`: the value may be chosen by a person (a password),
 * so keyboard and alphabet runs are real — weak, and still leaked.
 */
export function isPlaceholder(value: string, typed = false): boolean {
  const v = value.trim()
  if (v.length === 0) return true
  if (DOC_EXAMPLES.has(v)) return true
  if (REFERENCE.test(v) || LOOKUP.test(v)) return true
  if ((typed ? TYPED_WORDS : WORDS).test(v)) return true
  if (lowVariety(v, typed)) return true
  return false
}

/**
 * `AKIAXXXXXXXXXXXXXXXX`, `ghp_000000000000…`, `aaaa1111bbbb2222`: too few
 * distinct characters, or one character repeated at length, for a real
 * random credential of that size.
 */
export function lowVariety(v: string, typed = false): boolean {
  const core = v.replace(/^[A-Za-z]{1,8}[_-]/, '')
  if (core.length >= 8 && new Set(core).size <= Math.min(6, Math.max(3, Math.floor(core.length / 12)))) return true
  // A short unit over and over (123123123…, 1234-1234-1234-), or a keyboard/alphabet run: typed, not generated.
  if (!typed) {
    const unit = /(.{2,5})\1{2,}/.exec(core)
    if (unit && unit[0].length >= Math.min(12, core.length)) return true
    const low = core.toLowerCase()
    if (SEQUENCES.some((seq) => windows(seq, 8).some((w) => low.includes(w)))) return true
  }
  // One character repeated over half of it: AKIAXXXXXXXXXXXXXXXX, ghp_000000…
  let run = 1
  let longest = 1
  for (let i = 1; i < core.length; i++) {
    run = core[i] === core[i - 1] ? run + 1 : 1
    if (run > longest) longest = run
  }
  return core.length >= 8 && longest >= Math.max(6, core.length / 2)
}

const SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', '9876543210']
const windowCache = new Map<string, string[]>()
function windows(seq: string, n: number): string[] {
  let w = windowCache.get(seq)
  if (!w) {
    w = []
    for (let i = 0; i + n <= seq.length; i++) w.push(seq.slice(i, i + n))
    windowCache.set(seq, w)
  }
  return w
}

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
