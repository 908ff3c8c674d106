import type {Candidate} from '../engine.js'
import {jsonStrings, nearest} from './fields.js'
import type {CredentialFile} from './index.js'
import {place, report} from './report.js'

// Firefox's saved logins (logins.json in a profile): per site `encryptedUsername` and
// `encryptedPassword`, encrypted with the key in the profile's key4.db. Low alone, but
// a profile directory travels with both files, and without a primary password anyone
// holding the two decrypts every login.
// https://support.mozilla.org/kb/profiles-where-firefox-stores-user-data

const KEYS = /^(?:encryptedUsername|encryptedPassword|hostname)$/

function read(text: string, out: Candidate[]): void {
  const fields = jsonStrings(text, KEYS)
  const hosts = fields.filter((f) => f.key === 'hostname')
  for (const f of fields) {
    if (f.key === 'hostname' || f.value.length < 16 || !/^[A-Za-z0-9+/]+={0,2}$/.test(f.value)) continue
    const host = nearest(hosts, f.start)?.value.replace(/^\w+:\/\/|\/.*$/g, '')
    const what = f.key === 'encryptedPassword' ? 'password' : 'user name'
    report(out, 'firefox-logins', {
      secret: f.value,
      start: f.start,
      end: f.end,
      class: 'password',
      risk: 'low',
      reason: `a saved Firefox ${what}${host ? ` for ${place(host)}` : ''}, encrypted: decrypted with the profile's key4.db (look for it beside this file; without a primary password it opens every login)`,
      label: `logins.json ${place(host)} ${f.key}`,
    })
  }
}

export const firefoxLogins: CredentialFile = {id: 'firefox-logins', path: /(?:^|\/)logins\.json$/i, read}
