import {classInfo} from './classes.js'
import type {Candidate} from './engine.js'
import {isPlaceholderValue} from './placeholder.js'
import {RANK} from './rules.js'

// A password passed by position, with no name beside it: `conn.login("user", "pw")`,
// `ldap_bind($ds, $dn, "pw")`, `mysql -u root -pSecret`, `sshpass -p 'pw'`, `ldapsearch -w pw`.
// The call is the context, so the value is a literal password wherever it is written.
// (`curl -u user:pass` and `psql "postgresql://…"` have rules of their own in rules.ts.)

interface Call {
  /** Which argument (0-based) of the call is the password. */
  arg?: number
  /** For commands: the password flag's expression, sticky, run from the keyword's end over one line. */
  flag?: RegExp
}

const QUOTED = `"(?<dq>[^"\\\\\\n]{1,256})"|'(?<sq>[^'\\\\\\n]{1,256})'`
/** An argument before the password: a literal or a plain expression (`user`, `$dn`, `cfg.user`). */
const ARG = `(?:"[^"\\n]{0,256}"|'[^'\\n]{0,256}'|[\\w.$\\[\\]]{1,128})[ \\t]{0,4},[ \\t\\n]{0,16}`
const argCall = (skip: number) => new RegExp(`[ \\t\\n]{0,16}(?:${ARG}){${skip}}(?:${QUOTED})`, 'y')
// A flag's value: quoted, or a bare word (a `$VAR` is a reference, judged as a placeholder).
const FLAG_VALUE = `(?:${QUOTED}|(?<bare>[^\\s'"\`;|&)]{1,256}))`
/** `mysql … -pSecret`: the password is glued to `-p` (a space would make it the database name). */
const MYSQL = new RegExp(`[^\\n;|&]{0,400}?[ \\t]-p(?:${QUOTED}|(?<bare>[^\\s'"\`;|&)-][^\\s'"\`;|&)]{0,255}))`, 'y')
const SSHPASS = new RegExp(`[ \\t]{1,4}-p[ \\t]{0,4}${FLAG_VALUE}`, 'y')
const LDAP_TOOL = new RegExp(`[^\\n;|&]{0,400}?[ \\t]-w[ \\t]{1,4}${FLAG_VALUE}`, 'y')

const CALLS: Record<string, Call> = {
  '.login(': {arg: 1},
  'ldap_bind(': {arg: 2},
  'simple_bind_s(': {arg: 1},
  'simple_bind(': {arg: 1},
  sshpass: {flag: SSHPASS},
  'mysql ': {flag: MYSQL},
  'mysqldump ': {flag: MYSQL},
  'mysqladmin ': {flag: MYSQL},
  ldapsearch: {flag: LDAP_TOOL},
  ldapadd: {flag: LDAP_TOOL},
  ldapmodify: {flag: LDAP_TOOL},
  ldapdelete: {flag: LDAP_TOOL},
}

/** Keywords of the login calls and commands, for the engine's one pass. */
export const CALL_KEYWORDS = Object.keys(CALLS)

const ARG_CALLS = new Map<number, RegExp>()

/** The password of the call or command whose keyword `k` starts at text[at], if it is a literal. */
export function loginCall(text: string, k: string, at: number, out: Candidate[]): void {
  const call = CALLS[k]
  if (!call) return
  const re = call.flag ?? ARG_CALLS.get(call.arg!) ?? ARG_CALLS.set(call.arg!, argCall(call.arg!)).get(call.arg!)!
  re.lastIndex = at + k.length
  const m = re.exec(text)
  if (!m?.groups) return
  const {dq, sq, bare} = m.groups
  const value = dq ?? sq ?? bare
  if (value === undefined || !plausibleLoginPassword(value)) return
  const start = re.lastIndex - value.length - (bare === undefined ? 1 : 0)
  out.push({
    rule: 'login-call',
    family: 'generic',
    class: 'password',
    risk: classInfo('password').risk,
    reason: `a password passed to ${k.replace(/[( ]$/, '').replace(/^\./, '')}`,
    secret: value,
    reveal: 0,
    start,
    end: start + value.length,
    rank: RANK.context,
  })
}

/** A literal that a person typed as a password: not a reference, a placeholder or a one-letter run. */
function plausibleLoginPassword(value: string): boolean {
  if (value.length < 4 || isPlaceholderValue(value, true)) return false
  if (/^[-$%{<]/.test(value)) return false // another flag, a variable, a template
  return new Set(value).size >= 3
}
