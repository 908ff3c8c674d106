import type {Candidate} from '../engine.js'
import {xmlElements, xmlText} from './fields.js'
import type {CredentialFile} from './index.js'
import {anonymous, base64Text, notPassword, place, report, who} from './report.js'

// FileZilla's site manager and recent servers (sitemanager.xml, recentservers.xml, and
// exports; any XML whose root is <FileZilla3>): per <Server>, <Host>, <User> and
// <Pass>, plain or `encoding="base64"` (decoded: the password is the secret; the
// offsets are the base64 text's). `encoding="crypt"` is encrypted with the user's
// master password: still reported, low.
// https://wiki.filezilla-project.org/Site_Manager

const PATH = /(?:^|\/)(?:sitemanager|recentservers|filezilla[\w-]{0,32})\.xml$|\.xml$/i

function read(text: string, out: Candidate[]): void {
  // Any .xml is claimed; only FileZilla's own are read (its root element comes first).
  if (!/<FileZilla3[\s>]/.test(text.slice(0, 1024))) return
  for (const pass of xmlElements(text, 'Pass')) {
    const encoding = /encoding\s*=\s*["']([\w-]{1,16})["']/.exec(pass.attrs)?.[1]?.toLowerCase()
    const crypt = encoding === 'crypt'
    const secret = encoding === 'base64' ? base64Text(pass.value)?.replace(/\r?\n$/, '') : pass.value
    if (secret === undefined || notPassword(secret)) continue
    // The <Server> this password belongs to: the host and user before it.
    const from = Math.max(0, pass.at - 8192)
    const server = text.slice(from, pass.at)
    const open = server.lastIndexOf('<Server')
    const block = open < 0 ? server : server.slice(open)
    const host = xmlText(block, 'Host')
    const user = xmlText(block, 'User')
    if (anonymous(user)) continue
    report(out, 'filezilla', {
      secret,
      start: pass.start,
      end: pass.end,
      class: 'password',
      risk: crypt ? 'low' : undefined,
      reason: crypt ? `an FTP/SFTP password in FileZilla's settings, encrypted with its master password${host ? ` (${place(host)})` : ''}` : `an FTP/SFTP password in FileZilla's settings${encoding === 'base64' ? ' (base64, decoded here)' : ''}${host ? ` for ${place(host)}` : ''}`,
      label: `filezilla ${who(user, host)}`,
    })
  }
}

export const filezilla: CredentialFile = {id: 'filezilla', path: PATH, read}
