import type {Candidate} from '../engine.js'
import {lines, MAX_VALUE} from './fields.js'
import type {CredentialFile} from './index.js'
import {notPassword, report, who} from './report.js'

// PostgreSQL's password file (~/.pgpass, Windows %APPDATA%\postgresql\pgpass.conf):
// `hostname:port:database:username:password`, one per line, `\:` and `\\` escaped,
// `#` comment lines. libpq reads the password to the end of the line.
// https://www.postgresql.org/docs/current/libpq-pgpass.html

/** The four fields before the password, unescaped, and where the password starts; undefined for a short line. */
function split(line: string): {fields: string[]; at: number} | undefined {
  const fields: string[] = []
  let cur = ''
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === '\\' && i + 1 < line.length) cur += line[++i]
    else if (c === ':') {
      fields.push(cur)
      cur = ''
      if (fields.length === 4) return {fields, at: i + 1}
    } else cur += c
  }
  return undefined
}

function read(text: string, out: Candidate[]): void {
  for (const [line, at] of lines(text)) {
    if (line.trimStart().startsWith('#') || line.length > MAX_VALUE) continue
    const row = split(line)
    if (!row) continue
    const raw = line.slice(row.at)
    const secret = raw.replace(/\\(.)/g, '$1')
    if (notPassword(secret)) continue
    const [host, port, db, user] = row.fields as [string, string, string, string]
    report(out, 'pgpass', {
      secret,
      start: at + row.at,
      end: at + line.length,
      class: 'database-password',
      reason: `a PostgreSQL password in a .pgpass file (psql and every libpq client use it)${host === '*' ? ' for every host' : ''}`,
      label: `pgpass ${who(user, `${host}:${port}/${db}`)}`,
    })
  }
}

export const pgpass: CredentialFile = {id: 'pgpass', path: /(?:^|\/)(?:\.pgpass|pgpass\.conf)$/i, read}
