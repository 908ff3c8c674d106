import {safeLine} from '../../text/terminal.js'
import {isPlainAccountName} from '../../text/url.js'
import {type ClassId, classInfo} from '../classes.js'
import type {Candidate} from '../engine.js'
import {redact, type Risk} from '../finding.js'
import {isPlaceholder} from '../placeholder.js'
import {RANK} from '../rules.js'
import {GITHUB_FORMAT, GITLAB_FORMAT, userTokenClass} from '../userinfo.js'

// What every credential-file reader shares: the candidate it reports, the
// words of its preview (who and where, never the value), and what counts as
// a placeholder in a file whose values are real.

export interface Credential {
  /** The value a client sends (decoded when the file encodes it). */
  secret: string
  /** Offsets of the value as written in the text (the encoded form when encoded). */
  start: number
  end: number
  class: ClassId
  reason: string
  risk?: Risk
  /** Who and where, from the file (`root@db.prod:5432`); the masked value follows it. */
  label?: string
  reveal?: number
  keyId?: string
}

export const FAMILY = 'credential-file'

/** No real credential file holds more; a crafted one stops here rather than cost seconds per scan. */
export const MAX_PER_FILE = 5000

export function report(out: Candidate[], rule: string, c: Credential): void {
  if (out.length >= MAX_PER_FILE) return
  const reveal = Math.min(c.reveal ?? 0, c.secret.length)
  const masked = redact(c.secret, reveal)
  out.push({
    rule,
    family: FAMILY,
    class: c.class,
    risk: c.risk ?? classInfo(c.class).risk,
    reason: c.reason,
    secret: c.secret,
    reveal,
    start: c.start,
    end: c.end,
    ...(c.label ? {preview: `${c.label.slice(0, 150)} ${masked}`} : {}),
    ...(c.keyId ? {keyId: c.keyId} : {}),
    rank: RANK.format,
  })
}

/** A host, registry or section name from the file, fit to print: no controls, no spaces, bounded. */
export function place(s: string | undefined): string {
  const v = safeLine(s ?? '').trim().replace(/\s+/g, '_')
  return v.length > 80 ? `${v.slice(0, 77)}...` : v || '?'
}

/** `user@host`: the user only when it is plainly an account name (as safeUrl shows it), else `****`; `?` for no host. */
export function who(user: string | undefined, host: string | undefined): string {
  const u = user === undefined || user === '' ? '' : user === '*' || isPlainAccountName(user) ? `${user}@` : '****@'
  return `${u}${place(host)}`
}

/** Anonymous FTP: the "password" is a courtesy (an e-mail address), not a credential. */
export function anonymous(user: string | undefined): boolean {
  return user !== undefined && /^(?:anonymous|ftp)$/i.test(user.trim())
}

/** Words that name the field rather than fill it are real passwords in these files (`.pgpass` with `password`). */
const SELF_NAMED = /^(?:password|passwd|pass|pwd|pw|secret|test|admin|root|user|foo|bar)$/i

/**
 * A password field's value that is not a password: empty, a template or reference
 * (`${VAR}`, `<password>`, `{{ x }}`), a mask or a placeholder word (`changeme`, `xxxxxx`).
 * Short or weak values are real here: the file is what a client reads.
 */
export function notPassword(v: string): boolean {
  const t = v.trim()
  if (t === '' || EMPTY_TEMPLATE.test(t)) return true
  if (SELF_NAMED.test(t)) return false
  return isPlaceholder(t, true)
}

/** A token field's value that is not a token (placeholders as every rule sees them). */
export function notToken(v: string): boolean {
  return EMPTY_TEMPLATE.test(v.trim()) || isPlaceholder(v.trim())
}

/** `{}`, `""`, `''`: a template's empty slot. */
const EMPTY_TEMPLATE = /^(?:\{\s*\}|""|'')$/

/** A password kept for a host: a token of GitHub's or GitLab's format (or for their host) is that token. */
export function passwordClass(secret: string, host: string | undefined, fallback: ClassId): {class: ClassId; reveal: number} {
  if (GITHUB_FORMAT.test(secret)) return {class: 'github-token', reveal: secret.startsWith('github_pat_') ? 11 : 4}
  if (GITLAB_FORMAT.test(secret)) return {class: 'gitlab-token', reveal: secret.indexOf('-') + 1}
  const byHost = host ? userTokenClass(host) : 'generic-api-key'
  return {class: byHost === 'generic-api-key' ? fallback : byHost, reveal: 0}
}

/**
 * Base64 text that decodes to printable UTF-8, or undefined (invalid base64, binary,
 * or too long to be a credential). Standard alphabet, padding optional.
 */
export function base64Text(s: string): string | undefined {
  const t = s.trim()
  if (t.length < 2 || t.length > 8192 || t.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return undefined
  const text = Buffer.from(t, 'base64').toString('utf8')
  if (text.length === 0 || text.includes('\uFFFD') || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return undefined
  return text
}
