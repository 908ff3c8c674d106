import {classInfo} from '../classes.js'
import type {Candidate} from '../engine.js'
import {hashCandidate, hashScheme} from '../hashes.js'
import {RANK} from '../rules.js'
import type {CredentialFile} from './index.js'

// Account files whose second colon-separated field is a password hash:
// /etc/shadow (shadow(5)), /etc/passwd on systems without shadow, Apache
// htpasswd, ProFTPD's AuthUserFile (ftpasswd: passwd(5) layout). Their format
// says which field is the hash, so a traditional DES crypt (13 characters, no
// prefix) is found here and nowhere else.

/** An account name as these files allow it: no control characters, nothing a terminal acts on. */
const ACCOUNT = /^[A-Za-z0-9._@+-][A-Za-z0-9._@+$-]{0,63}$/
/** No password set, or login disabled with no hash behind it (shadow(5): `*`, `!`, `!!`; `x`: in shadow). */
const NO_HASH = /^(?:|\*|!|!!|!\*|x|\*LK\*|\*NP\*|NP|LK)$/

function readAccounts(text: string, out: Candidate[], plaintext: boolean): void {
  let at = 0
  for (const line of text.split('\n')) {
    const lineStart = at
    at += line.length + 1
    const first = line.indexOf(':')
    if (first <= 0 || line.length > 4096) continue
    const account = line.slice(0, first)
    const rest = line.slice(first + 1)
    const field = rest.split(':', 1)[0]!.replace(/\r$/, '')
    if (!ACCOUNT.test(account) || NO_HASH.test(field)) continue
    const locked = field.startsWith('!') && field.length > 2
    const hash = field.replace(/^!{1,2}/, '')
    const start = lineStart + first + 1 + (field.length - hash.length)
    const scheme = hashScheme(hash)
    if (scheme) out.push(hashCandidate(hash, start, scheme, account, locked))
    // htpasswd accepts plain text (`htpasswd -p`, Windows/NetWare): the password itself.
    else if (plaintext && !/\s/.test(hash) && hash.length <= 256) out.push(plainPassword(hash, start, account))
  }
}

function plainPassword(value: string, start: number, account: string): Candidate {
  return {
    rule: 'htpasswd-plaintext',
    family: 'password-hash',
    class: 'password',
    risk: classInfo('password').risk,
    reason: `a plain-text password of account ${account} in an htpasswd file`,
    secret: value,
    reveal: 0,
    start,
    end: start + value.length,
    preview: `${account}:****`,
    rank: RANK.format,
  }
}

export const PASSWD_FILES: CredentialFile[] = [
  // shadow(5), and passwd(5) where a hash sits in the second field (no shadow file)
  {id: 'shadow', emits: ['password-hash'], path: /(?:^|\/)(?:g?shadow|passwd|master\.passwd)(?:-|\.bak|\.old|\.orig)?$/, read: (text, out) => readAccounts(text, out, false)},
  // https://httpd.apache.org/docs/2.4/misc/password_encryptions.html
  {id: 'htpasswd', emits: ['password-hash', 'htpasswd-plaintext'], path: /(?:^|\/)[^/]*htpasswd[^/]*$/i, read: (text, out) => readAccounts(text, out, true)},
  // http://www.proftpd.org/docs/howto/AuthFiles.html (AuthUserFile, written by ftpasswd)
  {id: 'proftpd-passwd', emits: ['password-hash'], path: /(?:^|\/)(?:[^/]*ftpd?[^/]*passwd[^/]*|ftpasswd)$/i, read: (text, out) => readAccounts(text, out, false)},
]
