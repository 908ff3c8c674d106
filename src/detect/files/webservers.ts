import type {Candidate} from '../engine.js'
import {xmlTags} from './fields.js'
import type {CredentialFile} from './index.js'
import {notPassword, place, report, who} from './report.js'

// JetBrains IDEs' deployment servers (.idea/WebServers.xml): `<fileTransfer host=…
// username=… password=…>`. The password is encoded, not encrypted: each character as
// four hex digits XOR 0xDFAA, which anyone reverses. The decoded password is the secret.
// https://www.jetbrains.com/help/idea/deploying-applications.html

/** The XOR-encoded form decoded, or undefined when the value is not in that form. */
export function jetbrainsDecode(v: string): string | undefined {
  if (v.length === 0 || v.length % 4 !== 0 || !/^[0-9a-f]+$/i.test(v)) return undefined
  let s = ''
  for (let i = 0; i < v.length; i += 4) {
    const c = parseInt(v.slice(i, i + 4), 16) ^ 0xdfaa
    if (c < 32 || (c >= 0xd800 && c <= 0xdfff)) return undefined
    s += String.fromCharCode(c)
  }
  return s
}

function read(text: string, out: Candidate[]): void {
  for (const tag of xmlTags(text, /^fileTransfer$/)) {
    const p = tag.attrs.get('password')
    if (!p) continue
    const decoded = jetbrainsDecode(p.value)
    const secret = decoded ?? p.value
    if (notPassword(secret)) continue
    const host = tag.attrs.get('host')?.value
    report(out, 'jetbrains-webservers', {
      secret,
      start: p.start,
      end: p.end,
      class: 'password',
      reason: `a deployment server password in a JetBrains WebServers.xml${host ? ` for ${place(host)}` : ''} (${decoded ? 'XOR-encoded, decoded here' : 'as written'})`,
      label: `WebServers.xml ${who(tag.attrs.get('username')?.value, host)}`,
    })
  }
}

export const webServers: CredentialFile = {id: 'jetbrains-webservers', path: /(?:^|\/)WebServers\.xml$/, read}
