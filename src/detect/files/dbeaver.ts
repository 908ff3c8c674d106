import type {Candidate} from '../engine.js'
import {xmlTags} from './fields.js'
import type {CredentialFile} from './index.js'
import {jsonConfig} from './json-config.js'
import {notPassword, place, report, who} from './report.js'

// DBeaver's data sources: the older `.dbeaver-data-sources.xml` keeps a saved password as
// the `password` attribute of `<connection host=… user=… password=…/>`; the newer
// `.dbeaver/data-sources*.json` keeps it in a connection's `configuration` when the
// project does not use secure storage (else in credentials-config.json, encrypted: a miss).
// https://dbeaver.com/docs/dbeaver/Admin-Manage-Connections/

const XML = /(?:^|\/)\.?(?:dbeaver-)?data-sources[\w-]{0,32}\.xml$/i
const JSON_FILE = /(?:^|\/)\.?(?:dbeaver-)?data-sources[\w-]{0,32}\.json$/i

const json = jsonConfig({id: 'dbeaver', path: JSON_FILE, tool: 'DBeaver data sources', passwords: /^(?:password|auth-password)$/i, passwordClass: 'database-password'})

function read(text: string, out: Candidate[]): void {
  for (const tag of xmlTags(text, /^(?:connection|network-handler)$/i)) {
    const p = tag.attrs.get('password')
    if (!p || notPassword(p.value)) continue
    const host = tag.attrs.get('host')?.value ?? tag.attrs.get('url')?.value
    report(out, 'dbeaver', {
      secret: p.value,
      start: p.start,
      end: p.end,
      class: tag.name === 'connection' ? 'database-password' : 'password',
      reason: `a saved ${tag.name === 'connection' ? 'database' : 'SSH tunnel'} password in DBeaver data sources${host ? ` for ${place(host)}` : ''}`,
      label: `dbeaver ${who(tag.attrs.get('user')?.value, host)}`,
    })
  }
}

export const dbeaver: CredentialFile = {
  id: 'dbeaver',
  path: new RegExp(`${XML.source}|${JSON_FILE.source}`, 'i'),
  read: (text, out) => (text.trimStart().startsWith('<') ? read(text, out) : json.read(text, out)),
}
