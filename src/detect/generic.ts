import {type ClassId, classInfo} from './classes.js'
import type {Candidate, DetectOptions} from './engine.js'
import type {KeywordGuard, KeywordHit} from './keywords.js'
import {CALL_KEYWORDS, loginCall} from './login-calls.js'
import {charClasses, entropy, isPlaceholder, isPlaceholderValue} from './placeholder.js'
import {RANK} from './rules.js'

// Generic assignments: `db_password = "…"`, `apiToken: …`, `"secret": "…"`,
// `<add key="ClearTextPassword" value="…"/>`. No provider format to lean on,
// so precision comes from context: what kind of file this is, what the name
// says, and whether the value looks like data or like code.

function isLower(code: number): boolean {
  return code >= 97 && code <= 122
}

/** [A-Za-z0-9_.-], without a regular expression per character. */
function isIdent(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 46 || code === 45
}

// After the name: closing quotes or bracket, an optional type (`: string =`, Go's `X string =`), then
// one of the assignment operators of config files, shells, Makefiles and languages.
const ASSIGN = /[ \t]{0,16}(?:\\?["'\]]){0,2}[ \t]{0,4}(?:(?::[ \t]{0,4})?[A-Za-z][\w.]{0,30}(?:\[\])?\??[ \t]{1,4}(?==[^=>]))?(?::{1,3}=|[?.+]=|=>|<-|=|:)[ \t]{0,4}/y
// `("NAME", "value")`: a name in quotes, then its value as the next argument.
const PAIR = /["'][ \t]{0,4},[ \t]{0,4}/y
const VALUE = /\\?(?:"(?<dq>[^"\n]{1,512})"|'(?<sq>[^'\n]{1,512})'|`(?<bq>[^`\n]{1,512})`|(?<bare>[^\s"'`,;)}\]<>]{1,512}))/y
/** `<password>value</password>`: an XML element named like a secret. */
const ELEMENT = /\s{0,64}(?<el>[^<>\s][^<>\n]{0,511}?)\s{0,64}<\//y
/** `<Pass encoding="base64">`: the attributes of an element named like a secret, up to its `>`. */
const ATTRIBUTES = /\s[^<>]{0,256}?(?<!\/)>/y

/**
 * Keywords whose identifiers may name a secret. Service names count too: `CLOUDFLARE_KEY`,
 * `sourcegraph:`; a value beside one must look generated to be reported.
 */
// `pass` covers password, passwd, passphrase, passcode and pass_word; alone it must be a word of the
// identifier (passWordAt), so bypass, compass, passive and pass_through cost one check, not a parse.
const NAME_KEYWORDS = ['pass', 'pwd', 'secret', 'token', 'api_key', 'apikey', 'api-key', 'access_key', 'accesskey', 'auth_key', 'credential', 'private_key', 'client_secret']
/** Every keyword assignments() is given the positions of: names of secrets, then login calls and commands. */
export const GENERIC_KEYWORDS = [...NAME_KEYWORDS, ...CALL_KEYWORDS]
const CALL = new Set(CALL_KEYWORDS)
/** Occurrences the keyword pass drops before they become positions (see passWordAt). */
export const KEYWORD_GUARDS: Readonly<Record<string, KeywordGuard>> = {pass: passWordAt}
export const SERVICE_KEYWORDS = [
  'cloudflare', 'sourcegraph', 'datadog', 'newrelic', 'sentry', 'heroku', 'hubspot', 'snyk', 'sonar', 'mailgun', 'mailchimp', 'okta', 'auth0', 'algolia',
  'pagerduty', 'circleci', 'netlify', 'vercel', 'digitalocean', 'linode', 'dropbox', 'shopify', 'zendesk', 'airtable', 'asana', 'bitbucket', 'contentful',
  'mixpanel', 'rollbar', 'bugsnag', 'launchdarkly', 'pusher', 'clickhouse', 'meraki', 'messagebird', 'plaid', 'braintree', 'mapbox', 'postmark', 'sumologic',
]
const SERVICE = new Set(SERVICE_KEYWORDS)

export const KEYWORD_CLASS: [RegExp, ClassId][] = [
  [/client[_.-]?secret/i, 'oauth-client-secret'],
  [/pass(?:[_-]?word|wd|[_-]?phrase|code)?(?![a-z])|pwd/i, 'password'],
  [/(?:api|access|auth)[_.-]?key|token/i, 'generic-api-key'],
  [/private[_.-]?key/i, 'private-key'],
  [/secret|credential/i, 'generic-secret'],
]

/** The class a name suggests (a Secret's data key, an env var), or undefined. */
export function classForName(name: string): ClassId | undefined {
  return KEYWORD_CLASS.find(([re]) => re.test(name))?.[1]
}

const TRIVIAL_VALUES = new Set(['password', 'passwd', 'pass', 'pwd', 'secret', 'token', 'apikey', 'api_key', 'key', 'true', 'false', 'yes', 'no', 'on', 'off', 'required', 'optional', 'string', 'str', 'bool', 'boolean', 'int', 'number', 'value', 'empty', 'env', 'none', 'null', 'undefined', 'nil', 'object', 'any', 'unknown'])

/** What the file is, from its name: it decides which value syntaxes can hold a literal secret. */
export type FileKind = 'code' | 'config' | 'unknown'

const CODE = /\.(?:[cm]?[jt]sx?|py|pyi|rb|go|java|kt|kts|scala|groovy|cs|fs|vb|php|swift|rs|c|h|cc|cpp|cxx|hpp|m|mm|dart|lua|pl|pm|r|ex|exs|erl|clj|vue|svelte|sol|zig|nim|jl)$/i
const CONFIG = /(?:^|[/\\])(?:\.env(?:\.[\w.-]+)?|\.[\w-]*rc|\.(?:bash_|z)?profile|[\w.-]*\.(?:env|ini|cfg|conf|config|cnf|properties|ya?ml|toml|tf|tfvars|hcl|sh|bash|zsh|ps1|bat|cmd|json|xml|npmrc|pypirc|netrc|gitconfig|service|txt|sql)|Dockerfile|docker-compose[\w.-]*|\.npmrc|\.pypirc|\.netrc|\.pgpass|credentials|config)$/i

export function fileKind(path: string | undefined): FileKind {
  if (!path) return 'unknown'
  if (CODE.test(path)) return 'code'
  if (CONFIG.test(path)) return 'config'
  return 'unknown'
}

export function assignments(text: string, hits: KeywordHit[], opts: DetectOptions, out: Candidate[]): void {
  const kind = fileKind(opts.path)
  const spaced = opts.path !== undefined && SPACED_FILES.test(opts.path)
  const seen = new Set<number>()
  let identEnd = -1
  for (const {keyword: k, start: at} of hits) {
    if (CALL.has(k)) {
      loginCall(text, k, at, out)
      continue
    }
    // Another keyword inside the identifier just read (db_password_secret): already handled.
    if (at < identEnd) continue
    // The identifier around the keyword, at most 64 characters each way.
    let e = at + k.length
    while (e < text.length && e - at < 64 && isIdent(text.charCodeAt(e))) e++
    identEnd = e
    if (endsStatement(text, e)) continue // `pass  # …`, `password)`, `"token";`: nothing is assigned
    let s = at
    while (s > 0 && at - s < 64 && isIdent(text.charCodeAt(s - 1))) s--
    if (seen.has(e)) continue
    seen.add(e)
    // A service's name starts a word: `CLOUDFLARE_KEY`, `sonarToken`, not `rookTable` or `CameraKit`.
    if (SERVICE.has(k) && at > 0 && isLower(text.charCodeAt(at - 1))) continue
    const ident = text.slice(s, e)
    if (/[\w]\(/.test(text.slice(e - 1, e + 1))) continue // a function call: getPassword(
    const found = valueAfter(text, s, e, spaced)
    if (!found) continue
    const {quote, start: valueStart, after, raw} = found
    const value = found.value
    const cls = classForName(ident) ?? (SERVICE.has(k) ? 'generic-api-key' : 'generic-secret')
    const service = SERVICE.has(k) && !GENERIC_NAME.test(ident)
    // Where a value is always a value (a config file, PHP's define()), a short password is still one: DB_PASSWORD=admin.
    const literal = kind === 'config' || (found.pair && /\bdefine\([ \t]{0,4}$/.test(text.slice(Math.max(0, s - 16), s - 1)))
    if (service ? !looksGenerated(value) : !plausibleAssignedSecret({ident, value, cls, quote, kind, after, literal})) continue
    out.push({
      rule: 'generic-assignment',
      family: 'generic',
      class: cls,
      risk: classInfo(cls).risk,
      reason: `a value assigned to "${ident.slice(0, 48)}"${raw === undefined ? '' : ' (base64, decoded)'}`,
      secret: value,
      reveal: 0,
      start: valueStart,
      end: valueStart + (raw ?? value).length,
      rank: RANK.generic,
    })
  }
  xmlKeyValue(text, out)
}

/** The character before `q` (spaces skipped) opens a call's arguments. */
function opensCall(text: string, q: number): boolean {
  let i = q - 1
  while (i > q - 16 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--
  return text.charCodeAt(i) === 40 /* ( */
}

/** After the name (and its closing quotes), a line end, comment or closing bracket: no assignment follows. */
function endsStatement(text: string, e: number): boolean {
  let i = e
  while (i < e + 8 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 || text.charCodeAt(i) === 34 || text.charCodeAt(i) === 39)) i++
  const c = text.charCodeAt(i)
  // NaN (end of text), \n, \r, #, ), ;, }, |, &, !
  return Number.isNaN(c) || c === 10 || c === 13 || c === 35 || c === 41 || c === 59 || c === 125 || c === 124 || c === 38 || c === 33
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90
}

/** Words glued to `pass` in names of passwords: userpass, dbpass, keypass (a Java keystore's), rootpass. */
const PASS_COMPOUNDS = new Set(['user', 'db', 'admin', 'root', 'key', 'store', 'keystore', 'proxy', 'smtp', 'mail', 'ftp', 'ssh', 'sftp', 'app', 'my', 'web', 'http'])

/** The lower-case letters right before `at`, when they are a whole word (bypass → '', userpass → 'user'). */
function wordBefore(text: string, at: number): string {
  let s = at
  while (s > 0 && at - s < 9 && isLetter(text.charCodeAt(s - 1))) s--
  return text.slice(s, at).toLowerCase()
}

/** text continues at i with the lower-case ASCII `word`, in any case (`| 0x20` folds only letters onto letters). */
function continuesWith(text: string, i: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if ((text.charCodeAt(i + k) | 0x20) !== word.charCodeAt(k)) return false
  return true
}

/**
 * `pass` at text[at] names a password: followed by `word`/`wd` anywhere (dbpassword, rootPasswd); otherwise
 * only as a word of the identifier — at its start, a camelCase hump or after a known compound (MLAB_PASS,
 * sshPassphrase, "pass", userpass), and as its last word or before `word`/`phrase`/`code`/digits (PASS_WORD,
 * pass2). Not bypass, compass, passive, passenger, pass_through. Runs on every `pass` in the text
 * (Python's statement, `passed`, `bypass`): char codes only, no slices, until a name is likely.
 */
export function passWordAt(text: string, at: number): boolean {
  const e = at + 4
  const next = text.charCodeAt(e)
  if ((next | 0x20) === 119 /* w */ && (continuesWith(text, e, 'word') || continuesWith(text, e, 'wd'))) return true
  // After `pass`: the end of the name, a digit, `_word`, or the words phrase/code; any other letter is another word.
  const ends = !isIdent(next) || (next >= 48 && next <= 57)
  const phrase = !ends && (continuesWith(text, e, 'phrase') || continuesWith(text, e, 'code'))
  if (!ends && !phrase && !((next === 95 || next === 45) && continuesWith(text, e + 1, 'word'))) return false
  const before = text.charCodeAt(at - 1)
  if (!isLetter(before) || (isUpper(text.charCodeAt(at)) && !isUpper(before))) return true
  return PASS_COMPOUNDS.has(wordBefore(text, at))
}

const GENERIC_NAME = new RegExp(NAME_KEYWORDS.join('|'), 'i')

interface FoundValue {
  value: string
  quote: '"' | "'" | '`' | undefined
  start: number
  /** The character code right after the value. */
  after: number
  /** A `("NAME", "value")` argument pair. */
  pair?: boolean
  /** The text as written when `value` is decoded from it (`<Pass encoding="base64">`). */
  raw?: string
}

/** The value assigned to the name at text[s, e), in whichever syntax the text uses. */
function valueAfter(text: string, s: number, e: number, spaced = false): FoundValue | undefined {
  const before = text.charCodeAt(s - 1)
  if (before === 60 /* < */) return elementText(text, e)
  if (before === 123 /* { */ && text.charCodeAt(s - 2) === 36 /* $ */) return undefined // ${NAME:-…}: the reference, not an assignment
  ASSIGN.lastIndex = e
  let at = ASSIGN.exec(text) ? ASSIGN.lastIndex : -1
  let pair = false
  // A pair is a call's first two arguments (`setProperty("K", "v")`); `["a", "b"]` is a list of names.
  if (at < 0 && (before === 34 || before === 39) && opensCall(text, s - 1)) {
    PAIR.lastIndex = e
    if (PAIR.exec(text)) {
      at = PAIR.lastIndex
      pair = true
    }
  }
  // `--tlspassword VALUE`, and where a space is the operator: `ENV APIKEY value`, nginx's `set $apikey value;`.
  let spacedSyntax = false
  if (at < 0 && (text.startsWith('--', s) || (spaced && firstOnLine(text, s)))) {
    SPACED.lastIndex = e
    if (SPACED.exec(text)) {
      at = SPACED.lastIndex
      spacedSyntax = true
    }
  }
  if (at < 0) return undefined
  VALUE.lastIndex = at
  const v = VALUE.exec(text)
  if (!v?.groups) return undefined
  // Spaced, the value must end its line: `password reset link` is prose.
  if (spacedSyntax && !text.startsWith('--', s) && !LINE_END.test(text.slice(VALUE.lastIndex, VALUE.lastIndex + 64))) return undefined
  const {dq, sq, bq, bare} = v.groups
  const quote = dq !== undefined ? '"' : sq !== undefined ? "'" : bq !== undefined ? '`' : undefined
  if (pair && !quote) return undefined
  let value = dq ?? sq ?? bq ?? bare!
  const escaped = v[0].startsWith('\\')
  if (escaped && value.endsWith('\\')) value = value.slice(0, -1) // \"value\" inside a JSON string
  const start = at + (escaped ? 1 : 0) + (quote ? 1 : 0)
  // `${API_TOKEN:-literal}`: the default is written in the file, and is used whenever the variable is unset.
  const fallback = /^\$\{\w{1,64}:?-(?!\$)([^}]{1,256})\}?$/.exec(value)
  if (fallback) return {value: fallback[1]!, quote, start: start + value.indexOf(fallback[1]!, 3), after: 125, pair}
  return {value, quote, start, after: text.charCodeAt(VALUE.lastIndex), pair}
}

const SPACED = /[ \t]{1,16}(?=[^\s=:])/y
const LINE_END = /^[ \t]*;?[ \t]*(?:#[^\n]*)?(?:\r?\n|$)/
/** Files whose syntax makes a space the operator: Dockerfile ENV, nginx and other .conf, Gradle, rc files. */
const SPACED_FILES = /(?:^|[/\\])(?:Dockerfile[\w.-]*|[\w.-]*\.(?:conf|gradle|kts|cnf|dockerfile)|\.[\w-]*rc)$/i

/** The name at s opens its line, after at most one directive (`ENV`, `set $`, `proxy_set_header`). */
function firstOnLine(text: string, s: number): boolean {
  const lineStart = text.lastIndexOf('\n', s - 1) + 1
  return s - lineStart <= 64 && /^[ \t]*(?:[A-Za-z_][\w-]{0,30}[ \t]{1,8})?\$?$/.test(text.slice(lineStart, s))
}

/** The text of the XML element whose name ends at e: `<password>…</password>`, `<Pass encoding="base64">…`. */
function elementText(text: string, e: number): FoundValue | undefined {
  let open = e + 1
  let base64 = false
  if (text.charCodeAt(e) !== 62 /* > */) {
    ATTRIBUTES.lastIndex = e
    const a = ATTRIBUTES.exec(text)
    if (!a) return undefined
    open = ATTRIBUTES.lastIndex
    base64 = /\bencoding[ \t]{0,4}=[ \t]{0,4}["']base64["']/i.test(a[0])
  }
  ELEMENT.lastIndex = open
  const m = ELEMENT.exec(text)
  if (!m) return undefined
  const raw = m.groups!.el!.trimEnd()
  const start = open + m[0].indexOf(raw)
  const after = text.charCodeAt(start + raw.length)
  const decoded = base64 ? decodeBase64Text(raw) : undefined
  return decoded === undefined ? {value: raw, quote: '"', start, after} : {value: decoded, quote: '"', start, after, raw}
}

/** Base64 that decodes to printable text, or undefined. */
export function decodeBase64Text(b64: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined
  const text = Buffer.from(b64, 'base64').toString('utf8')
  if (text.includes('\uFFFD') || /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) return undefined
  return text
}

/** Beside a service's name and no secret word, only a value that looks generated is reported. */
function looksGenerated(value: string): boolean {
  if (value.length < 20 || value.length > 256 || isPlaceholder(value) || /[\s/]/.test(value)) return false
  return /\d/.test(value) && /[A-Za-z]/.test(value) && entropy(value) >= 3.5
}

/** Names of things that sit next to secrets but are not secrets: ids, files, public halves, CSRF and paging tokens. */
const NOT_A_SECRET_NAME =
  /(?:id|ids|name|names|file|filename|path|dir|url|uri|host|type|types|length|len|size|count|min|max|limit|prefix|suffix|field|header|env|var|ref|arn|enabled|disabled|required|policy|policies|mode|format|ttl|expiry|expires|expiration|timeout|version|hash|algorithm|kind|label|location|source|provider|strategy|store|manager|endpoint|scope|scopes|exception|error|command|request|response|input|output|feature|present|quota|ratio)$|public|csrf|xsrf|(?:next|continuation|page|pagination|request|sync|cancellation|idempotency|resume|client_request)[_.-]?token|tokeni[sz]e|secrets$|tokens$/i

interface Assignment {
  ident: string
  value: string
  cls: ClassId
  quote: '"' | "'" | '`' | undefined
  kind: FileKind
  /** The character code right after the value (NaN at the end of the text). */
  after: number
  /** Where a value is always a literal (a config file line, PHP's define()): short passwords count. */
  literal?: boolean
}

/** `(`, `.`, `[`, `|`, `&`, `?`, `+`, `<`: the value goes on as an expression. */
const EXPRESSION_GOES_ON = new Set([40, 46, 91, 124, 38, 63, 43, 60, 42])

export function plausibleAssignedSecret({ident, value, cls, quote, kind, after, literal}: Assignment): boolean {
  const typed = cls === 'password'
  // Cheapest checks first: most assignments in code are rejected by their length, quoting or name.
  if (value.length < (typed ? (literal ? 4 : 6) : 10)) return false
  if (quote === undefined && kind === 'code') return false // in source code a literal secret is a string
  if (NOT_A_SECRET_NAME.test(ident) || TRIVIAL_VALUES.has(value.toLowerCase())) return false
  // A shell command substitution (`cat key`), or a template with interpolation: the secret is elsewhere.
  if (quote === '`' && (value.includes('$') || /\s/.test(value))) return false
  if (quote === undefined) {
    // A bare word is a variable, a type or an expression more often than a secret.
    if (EXPRESSION_GOES_ON.has(after)) return false
    // settings.db_password — unless a part is random enough to be a token itself (Vault's s.XXXX…).
    if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value) && !value.split('.').some(looksRandom)) return false
    if (/^[A-Za-z_$][A-Za-z_$]*$/.test(value) && kind !== 'config' && !typed) return false // a bare identifier
  }
  if (/^[\w.-]+\(/.test(value) || /^(?:https?:\/\/|\/|\.\/|~\/|[A-Za-z]:\\)[^:@]*$/.test(value)) return false // calls, URLs without credentials, paths
  if (/^(?:arn|urn):/.test(value)) return false // a resource name, not its secret
  if (/^[~^<>=]{0,2}v?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?$/.test(value)) return false // a version
  if (/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}|$)/.test(value)) return false // a date
  if (/^\d+$/.test(value) && value.length < 12) return false
  if (/^[\w.-]+-\d+(?:\.\d+)+$/.test(value)) return false // an artifact version: jjwt-jackson-0.11.2
  const bareIdent = ident.replace(/^.*[.]/, '').toLowerCase()
  if (value.toLowerCase() === bareIdent || value.toLowerCase().endsWith(bareIdent)) return false // exports.X = X; KEY: "KEY"
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return false // a constant's name: TOKEN_EXPIRED
  // Identifier-shaped words in code are an enum value, a type or a field (`refresh_token`, `TKTokenDriver`,
  // `AWSSecretKey`); in a config file (`HEROKU_API_KEY=sampleHerokuKey`) they are a value.
  if (kind === 'code' ? looksLikeIdentifier(value) : kind !== 'config' && /^(?:[a-z]+|[A-Z][a-z]+)(?:[A-Z][a-z]+)+$/.test(value)) return false
  if (/\S\s+\S/.test(value) && /[A-Za-z]{3,}\s+[A-Za-z]{2,}/.test(value)) return false // words: prose, a description
  if (looksLikeName(value, ident)) return false
  // Only a value that is wholly a placeholder (`your-api-key`, `<token>`, `some-password`): `UserPassword123` is a password.
  if (isPlaceholderValue(value, typed)) return false
  if (typed) {
    // Passwords are often weak; weakness does not make them less leaked. Quoted, or on a config file line.
    if (!quote && kind !== 'config' && charClasses(value) < 2) return false
    return value.length >= 6 ? entropy(value) >= 2.2 : new Set(value).size >= 3
  }
  const h = entropy(value)
  if (value.length >= 20) return h >= 3.2 && charClasses(value) >= 2
  return h >= 2.8 && charClasses(value) >= 2
}

const WORDS_OF = /[^A-Za-z]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/
/** Words a generated sample value adds to its field's name: `secretNameValue`, `tokenTypeString`. */
// Not `sample` or `test`: `HEROKU_API_KEY=sampleHerokuKey` is a value someone uses.
const SAMPLE_WORDS = new Set(['value', 'values', 'name', 'type', 'kind', 'field', 'str', 'string'])

const wordsOf = (s: string) => s.split(WORDS_OF).filter((w) => w.length > 0).map((w) => w.toLowerCase())

/**
 * The value is a name, a type, a path or a header rather than a secret, by its shape:
 * `kubernetes.io/dockercfg`, `application/x-secret`, `X-Auth-Token`, or only the words of the name
 * again (`gmsaCredentialSpec: gmsaCredentialSpecValue`, `TokenRequests := "[]TokenRequest{"`).
 */
export function looksLikeName(value: string, ident: string): boolean {
  // Lower-case words joined by slashes: a type URI, a MIME type, a path, a secret's name in a store.
  if (/^[a-z][a-z0-9._+-]*(?:\/[a-z0-9._+-]+)+\/?$/.test(value)) return true
  // Header case: X-Auth-Token, X-Amz-S3session-Token.
  if (/^[A-Z][a-z0-9]*(?:-[A-Z][a-z0-9]*)+$/.test(value)) return true
  if (/\d/.test(value)) return false
  const named = new Set(wordsOf(ident))
  const words = wordsOf(value)
  return words.length > 0 && words.every((w) => named.has(w) || named.has(`${w}s`) || SAMPLE_WORDS.has(w))
}

/** Letters only, in words of two or more: snake_case, camelCase or PascalCase with acronyms. */
function looksLikeIdentifier(value: string): boolean {
  if (/^[a-z]+(?:_[a-z]+)+$/.test(value)) return true
  if (!/^[A-Za-z]+$/.test(value) || !/[a-z]/.test(value) || !/[A-Z]/.test(value)) return false
  const parts = value.split(/(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)
  return parts.length >= 2 && parts.every((p) => p.length >= 2)
}

/** Long, with digits and both cases: generated, not a name. */
function looksRandom(part: string): boolean {
  return part.length >= 16 && /\d/.test(part) && /[a-z]/.test(part) && /[A-Z]/.test(part) && entropy(part) >= 3.5
}

// `<add key="ClearTextPassword" value="…" />` (nuget.config, web.config, app.config)
const XML_KV = /<add\s+key="(?<k>[^"]{1,64})"\s+value="(?<v>[^"]{1,512})"/gi

function xmlKeyValue(text: string, out: Candidate[]): void {
  if (!text.includes('<add')) return
  for (const m of text.matchAll(XML_KV)) {
    const key = m.groups!.k!
    const value = m.groups!.v!
    const cls = classForName(key)
    if (!cls || isPlaceholder(value, cls === 'password') || value.length < 6 || /^%\w+%$/.test(value)) continue
    const start = m.index! + m[0].lastIndexOf(value)
    out.push({rule: 'config-key-value', family: 'generic', class: cls, risk: classInfo(cls).risk, reason: `a value for "${key}" in an XML config`, secret: value, reveal: 0, start, end: start + value.length, rank: RANK.context})
  }
}

