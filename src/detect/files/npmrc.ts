import type {Candidate} from '../engine.js'
import {type Field, lineFields} from './fields.js'
import type {CredentialFile} from './index.js'
import {base64Text, notPassword, notToken, passwordClass, place, report, who} from './report.js'

// npm's config file (.npmrc; also the global `npmrc`): INI lines, credentials either
// for the default registry or scoped to one, `//host/path/:key = value`:
// `_authToken` (a bearer token), `_auth` (base64 of `user:password`), `_password`
// (base64 of the password) beside `username`. Decoded values are the secret, so the
// password's fingerprint is the same wherever else it is found; the offsets are
// those of the base64 text.
// https://docs.npmjs.com/cli/v10/configuring-npm/npmrc#auth-related-configuration

const LINE = /^\s*(?<k>(?:\/\/[^\s=]{0,512}:)?(?:_auth|_authToken|_password|username|registry))\s*=\s*/

/** The registry host a key is for: its `//host/…:` scope, else the default registry. */
function scopeOf(key: string): string | undefined {
  return key.startsWith('//') ? key.slice(2, key.lastIndexOf(':')).replace(/\/.*$/, '') : undefined
}

function read(text: string, out: Candidate[]): void {
  const fields = lineFields(text, LINE, false)
  const registry = fields.find((f) => f.key === 'registry')?.value
  const defaultHost = (registry && /^\w+:\/\/([^/:\s]+)/.exec(registry)?.[1]) || 'registry.npmjs.org'
  const users = new Map<string, string>()
  for (const f of fields) if (f.key.endsWith('username')) users.set(scopeOf(f.key) ?? defaultHost, f.value)
  for (const f of fields) {
    const name = f.key.slice(f.key.lastIndexOf(':') + 1)
    const host = scopeOf(f.key) ?? defaultHost
    if (name === '_authToken') token(f, host, out)
    else if (name === '_auth') basic(f, host, out)
    else if (name === '_password') password(f, host, users.get(host), out)
  }
}

/**
 * npm expands only `${NAME}` in .npmrc; any other `$` is literal. `$NPM_TOKEN` alone is a
 * template whose expansion was forgotten, but `$ecret-…` is a token that starts with `$`.
 */
function notNpmToken(v: string): boolean {
  if (v.startsWith('$') && !v.startsWith('${') && !/^\$[A-Za-z_]\w*$/.test(v)) return notToken(v.slice(1))
  return notToken(v)
}

function token(f: Field, host: string, out: Candidate[]): void {
  if (notNpmToken(f.value)) return
  const kind = passwordClass(f.value, host, 'npm-token')
  report(out, 'npmrc', {
    secret: f.value,
    start: f.start,
    end: f.end,
    class: kind.class,
    reveal: f.value.startsWith('npm_') ? 4 : kind.reveal,
    reason: `an .npmrc auth token for ${place(host)} (can read, and often publish, packages)`,
    label: `npmrc ${place(host)} _authToken`,
  })
}

function basic(f: Field, host: string, out: Candidate[]): void {
  const decoded = base64Text(f.value)
  const colon = decoded?.indexOf(':') ?? -1
  if (decoded && colon > 0) {
    const secret = decoded.slice(colon + 1)
    if (notPassword(secret)) return
    report(out, 'npmrc', {secret, start: f.start, end: f.end, class: 'password', reason: `an npm registry password (.npmrc _auth, base64 of user:password) for ${place(host)}`, label: `npmrc ${who(decoded.slice(0, colon), host)} _auth`})
  } else if (decoded === undefined && !notToken(f.value)) {
    report(out, 'npmrc', {secret: f.value, start: f.start, end: f.end, class: 'basic-auth', reason: `an npm registry credential (.npmrc _auth) for ${place(host)}`, label: `npmrc ${place(host)} _auth`})
  }
}

function password(f: Field, host: string, user: string | undefined, out: Candidate[]): void {
  const secret = base64Text(f.value) ?? f.value
  if (notPassword(secret)) return
  report(out, 'npmrc', {secret, start: f.start, end: f.end, class: 'password', reason: `an npm registry password (.npmrc _password, base64) for ${place(host)}`, label: `npmrc ${who(user, host)} _password`})
}

export const npmrc: CredentialFile = {id: 'npmrc', path: /(?:^|\/)\.?npmrc$/i, read}
