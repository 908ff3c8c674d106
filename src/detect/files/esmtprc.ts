import type {Candidate} from '../engine.js'
import {lineFields} from './fields.js'
import type {CredentialFile} from './index.js'
import {notPassword, report, who} from './report.js'

// esmtp, a relay-only mail transfer agent: ~/.esmtprc with `hostname`, `username`,
// `password` and `certificate_passphrase` options (`key=value`, the `=` optional; values
// quoted or not; `#` comments), per `identity` too.
// https://manpages.ubuntu.com/manpages/kinetic/en/man5/esmtprc.5.html

const LINE = /^\s*(?<k>hostname|username|password|certificate_passphrase)(?:\s*=\s*|\s+)/

function read(text: string, out: Candidate[]): void {
  let host: string | undefined
  let user: string | undefined
  for (const f of lineFields(text, LINE, true)) {
    if (f.key === 'hostname') host = f.value.replace(/:\d+$/, '')
    else if (f.key === 'username') user = f.value
    else if (!notPassword(f.value)) {
      const cert = f.key === 'certificate_passphrase'
      report(out, 'esmtprc', {
        secret: f.value,
        start: f.start,
        end: f.end,
        class: 'password',
        reason: cert ? 'the passphrase of the StartTLS client certificate in an esmtp config (.esmtprc)' : 'an SMTP password in an esmtp config (.esmtprc): sends mail as its user',
        label: `esmtprc ${who(user, host)}${cert ? ' certificate_passphrase' : ''}`,
      })
    }
  }
}

export const esmtprc: CredentialFile = {id: 'esmtprc', path: /(?:^|\/)\.esmtprc$/i, read}
