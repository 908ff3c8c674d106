import type {Candidate} from '../engine.js'
import {lineFields} from './fields.js'
import type {CredentialFile} from './index.js'
import {notPassword, report, who} from './report.js'

// esmtp, a relay-only mail transfer agent: ~/.esmtprc with `hostname`, `username`
// and `password` statements (`key = value` or `key value`), per `identity` too.
// https://esmtp.sourceforge.net/manual.html

const LINE = /^\s*(?<k>hostname|username|password)(?:\s*=\s*|\s+)/

function read(text: string, out: Candidate[]): void {
  let host: string | undefined
  let user: string | undefined
  for (const f of lineFields(text, LINE, true)) {
    if (f.key === 'hostname') host = f.value.replace(/:\d+$/, '')
    else if (f.key === 'username') user = f.value
    else if (!notPassword(f.value)) {
      report(out, 'esmtprc', {secret: f.value, start: f.start, end: f.end, class: 'password', reason: 'an SMTP password in an esmtp config (.esmtprc): sends mail as its user', label: `esmtprc ${who(user, host)}`})
    }
  }
}

export const esmtprc: CredentialFile = {id: 'esmtprc', path: /(?:^|\/)\.esmtprc$/i, read}
