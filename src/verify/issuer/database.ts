import {IssuerUnavailable} from './http.js'
import type {Issuer, IssuerOptions, Leaked, Outcome} from './types.js'

// Database URLs, only with --connect: open a connection to the host in the
// URL (the issuer of that password), authenticate, close. Never a query:
// `pg` and `mysql2` send none on connect. PostgreSQL and MySQL/MariaDB wire
// protocols; other schemes stay unverifiable. A refused password is
// `revoked`; a login that passes authentication is `live` even when the
// database named in the URL is missing.

const PG = /^postgres(?:ql)?:$/
const MYSQL = /^(?:mysql|mariadb):$/

function parsed(l: Leaked): URL | null {
  if (!l.url) return null
  try {
    return new URL(l.url.replace(/^jdbc:/, ''))
  } catch {
    return null
  }
}

const where = (u: URL) => `${u.hostname}:${u.port || (PG.test(u.protocol) ? '5432' : '3306')}`

async function postgres(u: URL, o: IssuerOptions): Promise<Outcome> {
  const {default: pg} = await import('pg')
  const v = `PostgreSQL startup + authentication at ${where(u)} (no query)`
  const client = new pg.Client({connectionString: u.toString(), connectionTimeoutMillis: o.timeoutMs})
  client.on('error', () => {})
  try {
    await client.connect()
    return {state: 'live', via: v, detail: `user ${decodeURIComponent(u.username)} authenticated`}
  } catch (error) {
    const code = (error as {code?: string}).code
    if (code === '28P01' || code === '28000') return {state: 'revoked', via: v, detail: `the server refused the login (SQLSTATE ${code})`}
    if (code === '3D000') return {state: 'live', via: v, detail: `user ${decodeURIComponent(u.username)} authenticated (the database in the URL does not exist)`}
    throw new IssuerUnavailable(`PostgreSQL at ${where(u)}: ${code ?? (/timeout/i.test(String((error as Error).message)) ? 'timeout' : 'connection failed')}`)
  } finally {
    await client.end().catch(() => {})
  }
}

async function mysql(u: URL, o: IssuerOptions): Promise<Outcome> {
  const m = await import('mysql2/promise')
  const v = `MySQL handshake + authentication at ${where(u)} (no query)`
  try {
    const c = await m.createConnection({host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: decodeURIComponent(u.pathname.slice(1)) || undefined, connectTimeout: o.timeoutMs})
    await c.end().catch(() => {})
    return {state: 'live', via: v, detail: `user ${decodeURIComponent(u.username)} authenticated`}
  } catch (error) {
    const code = (error as {code?: string}).code
    if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR') return {state: 'revoked', via: v, detail: `the server refused the login (${code})`}
    if (code === 'ER_BAD_DB_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') return {state: 'live', via: v, detail: `user ${decodeURIComponent(u.username)} authenticated (${code})`}
    throw new IssuerUnavailable(`MySQL at ${where(u)}: ${code ?? 'connection failed'}`)
  }
}

export const database: Issuer = {
  id: 'database',
  classes: ['database-url'],
  cannotVerify(l, o) {
    if (!o.connect) return 'database URLs are checked only with --connect (a login to the database)'
    if (l.value === null) return l.unresolved ?? 'value not re-read'
    const u = parsed(l)
    if (!u) return 'the connection URL around the password could not be read back'
    return PG.test(u.protocol) || MYSQL.test(u.protocol) ? null : `${u.protocol.replace(':', '')}: only PostgreSQL and MySQL logins are checked`
  },
  calls(l) {
    const u = parsed(l)!
    return [{method: PG.test(u.protocol) ? 'PostgreSQL' : 'MySQL', host: where(u), path: ` — connect as ${decodeURIComponent(u.username)}, authenticate, close`, note: 'the password in the wire protocol; no query'}]
  },
  verify(l, o) {
    const u = parsed(l)!
    return o.http.limited(where(u), () => (PG.test(u.protocol) ? postgres(u, o) : mysql(u, o)))
  },
  revokePlan: (l) => {
    const u = parsed(l)
    const user = u ? decodeURIComponent(u.username) : '<user>'
    return {action: 'print the revoke step', steps: [`Change the password of ${user}${u ? ` on ${where(u)}` : ''} (PostgreSQL: ALTER ROLE … PASSWORD; MySQL: ALTER USER … IDENTIFIED BY), then update its consumers.`], automatic: false}
  },
}
