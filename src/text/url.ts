// URLs carry credentials in their user info: `https://x-access-token:ghs_…@github.com/…`,
// `https://ghp_…:x-oauth-basic@github.com/…`, `https://TOKEN@host/…`,
// `postgres://app:Pa@ss@db/…`. Every URL printed or stored (remotes, the rewrite
// plan, checklist items, previews, sync messages) passes through safeUrl.

/**
 * User info splits as WHATWG URL parsers split it: the user info ends at the LAST `@`
 * before the host, the user name at the first `:`. A password holding `@` is whole.
 * (Parsers also end the authority at `?` and `#`; raw passwords in config files hold
 * them, so here only `/`, quotes and whitespace end it.)
 */
export interface Userinfo {
  user: string
  /** Undefined when there is no `:`; '' for `user:@host`. */
  password: string | undefined
}

export function splitUserinfo(userinfo: string): Userinfo {
  const colon = userinfo.indexOf(':')
  return colon < 0 ? {user: userinfo, password: undefined} : {user: userinfo.slice(0, colon), password: userinfo.slice(colon + 1)}
}

// Lower case after an optional capital, words of letters and a few digits joined by `.`, `_`, `-`:
// `git`, `x-access-token`, `oauth2`, `ec2-user`, `Alice`. Nothing else is provably a name.
const PLAIN_NAME = /^[A-Za-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/

/**
 * True when the user name is provably an account name (`git`, `x-access-token`, `alice`),
 * not a token. Anything longer, mixed-case, digit-rich or with a long word is treated as a
 * credential: masking a real name costs a little information, showing a token costs the token.
 */
export function isPlainAccountName(user: string): boolean {
  if (user.length === 0 || user.length > 32 || !PLAIN_NAME.test(user)) return false
  if ((user.match(/\d/g)?.length ?? 0) > 2) return false
  return user.split(/[._-]/).every((word) => word.length <= 12)
}

/** The user info as it may be shown: a plain user name stays, a password never does. */
function maskUserinfo(userinfo: string): string {
  const {user, password} = splitUserinfo(userinfo)
  if (!isPlainAccountName(user)) return '****'
  return password === undefined ? user : `${user}:****`
}

// scheme://userinfo@ — the user info runs to the last `@` before the end of the authority.
const SCHEME_USERINFO = /\b([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s/'"`]{0,1024})@/gi
// scp-like git remotes, `user@host:path`, at the start of the text or of a word.
const SCP_USERINFO = /(^|\s)([^\s/@:'"`<>]{1,256})@(?=[\w.-]{1,253}:(?!\/\/))/g

/**
 * The text with the user info of every URL in it masked unless it is a plain account
 * name: `https://****@github.com/a/b`, `postgres://app:****@db/app`, `git@github.com:a/b`.
 * For one URL or for a line holding several (a command, a message).
 */
export function safeUrl(text: string): string {
  return text
    .replace(SCHEME_USERINFO, (_m, scheme: string, userinfo: string) => `${scheme}${maskUserinfo(userinfo)}@`)
    .replace(SCP_USERINFO, (_m, lead: string, user: string) => `${lead}${isPlainAccountName(user) ? user : '****'}@`)
}
