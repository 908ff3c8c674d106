import type {Candidate} from './engine.js'
import {lowVariety} from './placeholder.js'
import {RANK} from './rules.js'
import {lookupTable} from '../lookup.js'

// Password hashes in any text: SQL dumps, YAML and JSON fixtures, /etc/shadow,
// htpasswd and LDIF. A hash is not the password, but it is cracked offline at
// the attacker's pace, so the password behind it must change. Schemes are
// recognised by their documented modular-crypt prefixes ($2y$, $6$, …) or
// LDAP/RFC 2307 `{SCHEME}` tags, with the exact lengths each one produces.

/** Lower-case literals one of which occurs in every hash we find (the engine's keyword pass). */
export const HASH_KEYWORDS = ['$2a$', '$2b$', '$2x$', '$2y$', '$2$', '$5$', '$6$', '$1$', '$apr1$', '$y$', '$argon2', '{sha', '{ssha', '{md5}', '{smd5}']

const B64 = '[A-Za-z0-9+/]'
const CRYPT = '[./A-Za-z0-9]'

// One expression, linear: each alternative starts with its own literal and repeats one character class.
const HASH = new RegExp(
  '(?<![\\w$./+{}])(?:' +
    [
      `\\$2[abxy]?\\$(?:0[4-9]|[12]\\d|3[01])\\$${CRYPT}{53}`, // bcrypt: cost, 22 salt + 31 hash
      `\\$5\\$(?:rounds=\\d{1,9}\\$)?${CRYPT}{0,16}\\$${CRYPT}{43}`, // SHA-256 crypt
      `\\$6\\$(?:rounds=\\d{1,9}\\$)?${CRYPT}{0,16}\\$${CRYPT}{86}`, // SHA-512 crypt
      `\\$(?:1|apr1)\\$${CRYPT}{0,8}\\$${CRYPT}{22}`, // MD5 crypt, Apache's variant
      `\\$y\\$${CRYPT}{1,32}\\$${CRYPT}{1,86}\\$${CRYPT}{43}`, // yescrypt (Debian 11+, Fedora 35+ shadow)
      `\\$argon2(?:id|i|d)\\$(?:v=\\d{1,3}\\$)?m=\\d{1,10},t=\\d{1,10},p=\\d{1,3}\\$${B64}{11,128}\\$${B64}{16,256}`,
      `\\{(?:S?SHA(?:256|384|512)?|S?MD5)\\}${B64}{20,200}={0,2}`, // RFC 2307 / htpasswd -s
    ].join('|') +
    ')(?![./A-Za-z0-9+=$])',
  'gi',
)

/** Traditional DES crypt: 13 characters, only where the file format says the field is a hash. */
const DES = /^[./A-Za-z0-9]{13}$/

interface Scheme {
  name: string
  /** The leading part a preview may show: scheme id and cost parameters, no salt, no hash. */
  prefix: string
  /** Cracks at GPU speed (billions or millions of guesses a second). */
  fast: boolean
  detail?: string
}

const DIGEST_BYTES = lookupTable({sha: 20, sha256: 32, sha384: 48, sha512: 64, md5: 16})

/** The scheme of a hash the format says is one (a shadow or htpasswd field), or undefined. */
export function hashScheme(hash: string): Scheme | undefined {
  if (hash.startsWith('{')) return ldapScheme(hash)
  if (hash.startsWith('$')) {
    HASH.lastIndex = 0
    const m = HASH.exec(hash)
    return m && m.index === 0 && m[0].length === hash.length ? cryptScheme(hash) : undefined
  }
  return DES.test(hash) ? {name: 'traditional DES crypt', prefix: '', fast: true, detail: 'only the first 8 characters of the password count'} : undefined
}

function cryptScheme(hash: string): Scheme {
  const parts = hash.split('$')
  const id = parts[1]!.toLowerCase()
  if (id.startsWith('2')) return {name: 'bcrypt', prefix: `$${parts[1]}$${parts[2]}$`, fast: false, detail: `cost ${parts[2]}`}
  if (id === '5' || id === '6') {
    const rounds = parts[2]!.startsWith('rounds=') ? parts[2]! : undefined
    return {name: `SHA-${id === '5' ? 256 : 512} crypt`, prefix: `$${id}$${rounds ? `${rounds}$` : ''}`, fast: false, detail: rounds ? rounds.replace('=', ' ') : '5000 rounds'}
  }
  if (id === '1') return {name: 'MD5 crypt', prefix: '$1$', fast: true}
  if (id === 'apr1') return {name: 'Apache MD5 (apr1)', prefix: '$apr1$', fast: true}
  if (id === 'y') return {name: 'yescrypt', prefix: `$y$${parts[2]}$`, fast: false}
  // $argon2id$v=19$m=65536,t=3,p=4$salt$hash: the parameters are public, as in the PHC string format.
  const params = parts.slice(2, -2).join('$')
  return {name: parts[1]!, prefix: `$${parts[1]}$${params}$`, fast: false}
}

function ldapScheme(hash: string): Scheme | undefined {
  const close = hash.indexOf('}')
  const tag = hash.slice(1, close)
  const id = tag.toLowerCase()
  const salted = id.startsWith('s') && id !== 'sha' && id !== 'sha256' && id !== 'sha384' && id !== 'sha512'
  const digest = DIGEST_BYTES[salted ? id.slice(1) : id]
  if (!digest) return undefined
  const bytes = Buffer.from(hash.slice(close + 1), 'base64').length
  // Unsalted: exactly the digest; salted: the digest then a salt of at least 4 bytes.
  if (salted ? bytes < digest + 4 || bytes > digest + 64 : bytes !== digest) return undefined
  const alg = id.replace(/^s(?=sha|md5)/, '').toUpperCase().replace(/^SHA(?=\d)/, 'SHA-').replace(/^SHA$/, 'SHA-1')
  return {name: `${salted ? 'salted' : 'unsalted'} ${alg} ({${tag}})`, prefix: `{${tag}}`, fast: true, detail: salted ? undefined : 'lookup tables reverse common passwords'}
}

/** The account a line names beside its hash: `root:$6$…` (shadow, htpasswd), `"user": "bob"` on the line, or the SQL row's text before it. */
const NAME = /^[A-Za-z0-9._@+-][A-Za-z0-9._@+$-]{0,63}$/
const LINE_START_ACCOUNT = /^[ \t]*([A-Za-z0-9._@+-][A-Za-z0-9._@+$-]{0,63}):!{0,2}$/
const USER_FIELD = /["'`]?\b(?:user(?:_?name)?|login|account|email|uid)["'`]?[ \t]{0,4}(?:=>|[:=])[ \t]{0,4}["'`]([A-Za-z0-9._@+-]{1,64})["'`]/i
const SQL_QUOTED = /'([^'\n]{0,64})'/g

export function accountBeside(text: string, start: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1
  const before = text.slice(Math.max(lineStart, start - 512), start)
  const own = LINE_START_ACCOUNT.exec(before)
  if (own) return own[1]
  const lineEnd = text.indexOf('\n', start)
  const line = text.slice(Math.max(lineStart, start - 512), lineEnd < 0 ? Math.min(text.length, start + 512) : Math.min(lineEnd, start + 512))
  const field = USER_FIELD.exec(line)
  if (field) return field[1]
  // An SQL row: (1, 'alice', '$2y$…'): the last quoted value before the hash in the same parentheses.
  if (!before.endsWith("'")) return undefined
  const row = before.slice(before.lastIndexOf('(') + 1, -1)
  if (!/^\s*(?:\d+|'[^'\n]*'|NULL)\s*,/i.test(row)) return undefined
  let last: string | undefined
  for (const m of row.matchAll(SQL_QUOTED)) last = m[1]
  return last !== undefined && NAME.test(last) && !/^\d+$/.test(last) ? last : undefined
}

/** One finding for a hash at text[start…], with the account when known. */
export function hashCandidate(hash: string, start: number, scheme: Scheme, account: string | undefined, locked = false): Candidate {
  const who = account ? ` of account ${account}` : ''
  const how = [scheme.detail, locked ? 'the account is locked, the hash still cracks' : undefined].filter(Boolean).join('; ')
  const speed = scheme.fast ? ' — a fast hash: GPUs try billions (MD5/SHA-1) or millions of guesses a second, so weak passwords fall in minutes' : ''
  return {
    rule: 'password-hash',
    family: 'password-hash',
    class: 'password-hash',
    risk: 'medium',
    reason: `${/^[aeiouAEIOU]/.test(scheme.name) ? 'an' : 'a'} ${scheme.name} password hash${who}${how ? ` (${how})` : ''}: crackable offline, rotate the password${speed}`,
    secret: hash,
    reveal: 0,
    start,
    end: start + hash.length,
    preview: `${account ? `${account}:` : ''}${scheme.prefix}****`,
    rank: RANK.format,
  }
}

/** A hash whose body is one character or a few (`$2y$10$aaaa…`, `{SHA}AAAA…`): a template, not a hash. */
function filler(hash: string, scheme: Scheme): boolean {
  return lowVariety(hash.slice(scheme.prefix.length).replace(/^[^$]*\$/, ''), true)
}

export function passwordHashes(text: string, out: Candidate[]): void {
  HASH.lastIndex = 0
  for (const m of text.matchAll(HASH)) {
    const hash = m[0]
    const scheme = hash.startsWith('{') ? ldapScheme(hash) : cryptScheme(hash)
    if (!scheme || filler(hash, scheme)) continue
    const locked = text.charCodeAt(m.index! - 1) === 33 /* ! */
    out.push(hashCandidate(hash, m.index!, scheme, accountBeside(text, m.index!), locked))
  }
}
