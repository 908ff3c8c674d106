import type {Candidate} from '../engine.js'
import {urlCredential} from '../userinfo.js'
import {lines, MAX_VALUE} from './fields.js'
import type {CredentialFile} from './index.js'
import {notPassword, passwordClass, place, report, who} from './report.js'

// git's `store` credential helper: ~/.git-credentials or $XDG_CONFIG_HOME/git/credentials,
// one URL per line, `https://user:password@host` (percent-encoded). The secret is the
// password, or the user name when that is a token (urlCredential).
// https://git-scm.com/docs/git-credential-store#_storage_format

const URL_LINE = /^\s*([A-Za-z][\w+.-]{0,31}):\/\//

function read(text: string, out: Candidate[]): void {
  for (const [line, at] of lines(text)) {
    const m = URL_LINE.exec(line)
    if (!m || line.length > MAX_VALUE) continue
    const from = m[0].length
    const rest = line.slice(from).trimEnd()
    // The user info runs to the last `@` (a password may hold one); the host follows it.
    const sign = rest.lastIndexOf('@')
    if (sign <= 0) continue
    const cred = urlCredential(rest.slice(0, sign))
    if (!cred || notPassword(cred.secret)) continue
    const host = /^[^/:?#\s]*/.exec(rest.slice(sign + 1))![0]
    const kind = passwordClass(cred.secret, host, 'password')
    const start = at + from + cred.offset
    report(out, 'git-credentials', {
      secret: cred.secret,
      start,
      end: start + cred.secret.length,
      class: kind.class,
      reveal: kind.reveal,
      reason: `a credential in git's plain-text store (.git-credentials): git sends it to ${place(host)}`,
      label: `${m[1]!.toLowerCase()}://${who(cred.part === 'password' ? rest.slice(0, rest.indexOf(':')) : '', host)}`,
    })
  }
}

export const gitCredentials: CredentialFile = {id: 'git-credentials', path: /(?:^|\/)(?:\.git-credentials|\.config\/git\/credentials)$/i, read}
