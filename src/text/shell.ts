// One quoting function for every value put into a command a responder will
// paste into a shell. Values come from hostile places (branch names, Secret
// names, file paths): quoting is the only thing between them and execution.

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/

/**
 * A POSIX-shell (sh, bash, zsh) word that stands for exactly `value`.
 * Plain words are left as they are, so commands stay readable; anything else
 * is single-quoted, with each `'` written as `'\''`. A `<…>` blank is never
 * quoted here: callers keep blanks out of this function (see isBlank).
 */
export function shQuote(value: string): string {
  if (value === '') return "''"
  if (PLAIN.test(value) && !value.startsWith('-') && !value.startsWith('=')) return value
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/** A fill-in blank a human must replace, e.g. `<new-password>`. */
export function isBlank(word: string): boolean {
  return /^<[^<>\n]+>$/.test(word)
}

/** Joins argv into one shell line, each word quoted. */
export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ')
}
