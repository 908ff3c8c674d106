import type {ClassId} from '../classes.js'
import type {Candidate} from '../engine.js'
import {type Field, jsonStrings, nearest} from './fields.js'
import type {CredentialFile} from './index.js'
import {notPassword, notToken, place, report, who} from './report.js'

// A tool's JSON settings file that keeps connection passwords in named fields (an
// editor's SFTP settings, a database client's connections). Comments and broken JSON
// are tolerated (jsonStrings); the host and user nearest to each password name it.

export interface JsonConfigSpec {
  id: string
  path: RegExp
  /** What the file is, for the reason: `Sublime SFTP settings`. */
  tool: string
  /** Keys whose string value is a password (typed by a person). */
  passwords: RegExp
  /** Keys whose string value is a token or API key. */
  tokens?: RegExp
  /** Keys naming the host and the user, for the preview. */
  hosts?: RegExp
  users?: RegExp
  passwordClass?: ClassId
  tokenClass?: ClassId
}

const HOSTS = /^(?:host|hostname|server|serverHost|sshHost|url)$/i
const USERS = /^(?:user|username|userName|login|sshUserName)$/i

export function jsonConfig(spec: JsonConfigSpec): CredentialFile {
  const hosts = spec.hosts ?? HOSTS
  const users = spec.users ?? USERS
  const any = new RegExp(`${spec.passwords.source}|${spec.tokens?.source ?? '(?!)'}|${hosts.source}|${users.source}`, 'i')
  const read = (text: string, out: Candidate[]) => {
    const fields = jsonStrings(text, any)
    const hostFields: Field[] = fields.filter((f) => hosts.test(f.key))
    const userFields: Field[] = fields.filter((f) => users.test(f.key))
    for (const f of fields) {
      const token = spec.tokens?.test(f.key) ?? false
      if (!token && !spec.passwords.test(f.key)) continue
      if (token ? notToken(f.value) : notPassword(f.value)) continue
      const host = nearest(hostFields, f.start)?.value
      report(out, spec.id, {
        secret: f.value,
        start: f.start,
        end: f.end,
        class: token ? (spec.tokenClass ?? 'generic-api-key') : (spec.passwordClass ?? 'password'),
        reason: `${token ? 'a token' : f.key.toLowerCase().includes('phrase') ? 'a private key passphrase' : 'a password'} in ${spec.tool} (${place(f.key)})${host ? ` for ${place(host.replace(/^\w+:\/\/|\/.*$/g, ''))}` : ''}`,
        label: `${spec.id} ${who(nearest(userFields, f.start)?.value, host?.replace(/^\w+:\/\/|\/.*$/g, '') ?? '?')} ${place(f.key)}`,
      })
    }
  }
  return {id: spec.id, path: spec.path, read}
}
