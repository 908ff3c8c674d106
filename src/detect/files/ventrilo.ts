import type {Candidate} from '../engine.js'
import {lineFields} from './fields.js'
import type {CredentialFile} from './index.js'
import {notPassword, report} from './report.js'

// Ventrilo's voice server settings (ventrilo_srv.ini): `Password=` to join and
// `AdminPassword=` to administer the server, in its [Server] section.
// Source: "Ventrilo Server Setup Information" (ventrilo_srv.htm, shipped with the server).

const LINE = /^\s*(?<k>AdminPassword|Password)\s*=\s*/i

function read(text: string, out: Candidate[]): void {
  for (const f of lineFields(text, LINE, false)) {
    if (notPassword(f.value)) continue
    const admin = f.key.toLowerCase() === 'adminpassword'
    report(out, 'ventrilo', {secret: f.value, start: f.start, end: f.end, class: 'password', reason: admin ? 'the administrator password of a Ventrilo server (ventrilo_srv.ini)' : 'the join password of a Ventrilo server (ventrilo_srv.ini)', label: `ventrilo ${f.key}`})
  }
}

export const ventrilo: CredentialFile = {id: 'ventrilo', path: /(?:^|\/)ventrilo_srv\.ini$/i, read}
