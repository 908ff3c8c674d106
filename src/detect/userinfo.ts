import {isPlainAccountName, splitUserinfo} from '../text/url.js'
import type {ClassId} from './classes.js'
import {entropy} from './placeholder.js'

// Which part of a URL's user info is the credential. Usually the password
// (`postgres://app:PASSWORD@db`), but git hosts document the token as the
// user name: `https://TOKEN:x-oauth-basic@github.com/…`, `https://TOKEN@host/…`.
// Reporting `x-oauth-basic` as the secret would rewrite the wrong string.

export interface UrlCredential {
  secret: string
  /** Offset of the secret in the user info. */
  offset: number
  part: 'password' | 'user'
}

/** Passwords that only say "the token is the user name" (GitHub's documented `x-oauth-basic`), or none. */
const NO_PASSWORD = /^(?:x-oauth-basic|x)?$/i

/** GitHub's and GitLab's documented token formats: a prefix names them, whatever characters follow. */
export const GITHUB_FORMAT = /^(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{60,})$/
export const GITLAB_FORMAT = /^gl(?:pat|dt|rt|ptt|oas)-[\w-]{20,}$/

/**
 * A user name that is a generated token: a git host's token format, or long, letters and digits,
 * random, not a plain account name. The format comes first: one GitLab token in 30 has no digit.
 */
function tokenLike(user: string): boolean {
  if (GITHUB_FORMAT.test(user) || GITLAB_FORMAT.test(user)) return true
  return user.length >= 16 && !isPlainAccountName(user) && /\d/.test(user) && /[A-Za-z]/.test(user) && entropy(user) >= 3
}

/** The credential in a URL's user info (split at the last `@`, see splitUserinfo), or undefined. */
export function urlCredential(userinfo: string): UrlCredential | undefined {
  const {user, password} = splitUserinfo(userinfo)
  if (password !== undefined && !NO_PASSWORD.test(password)) return {secret: password, offset: user.length + 1, part: 'password'}
  if (tokenLike(user)) return {secret: user, offset: 0, part: 'user'}
  return undefined
}

/** A token in the user position, classed by the host it opens when no format rule knows it (a classic 40-hex GitHub token). */
export function userTokenClass(host: string): ClassId {
  const h = host.toLowerCase()
  if (h === 'github.com' || h.endsWith('.github.com') || h.startsWith('github.')) return 'github-token'
  if (h === 'gitlab.com' || h.endsWith('.gitlab.com') || h.startsWith('gitlab.')) return 'gitlab-token'
  return 'generic-api-key'
}
