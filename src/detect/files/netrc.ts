import type {Candidate} from '../engine.js'
import {MAX_VALUE} from './fields.js'
import type {CredentialFile} from './index.js'
import {anonymous, notPassword, passwordClass, report, who} from './report.js'

// ~/.netrc (Windows: _netrc): `machine HOST login USER password PASS`, tokens in any
// whitespace layout, `default` for every other host, `macdef` bodies up to a blank line.
// Read by ftp, curl, git (via libcurl), Python's netrc and the Heroku CLI.

interface Token {
  text: string
  start: number
  end: number
}

/** Whitespace-separated tokens; `"…"` with backslash escapes (curl, Python); `#` comment lines; macro bodies skipped. */
function* tokens(text: string): Generator<Token> {
  let i = 0
  // 'macdef' seen: 1 while its name is read, 2 when the body (to the first empty line) is skipped.
  let macro = 0
  const blank = /\n[ \t]*\r?\n/g
  // A `#` starts a comment only as the first word of a line; inside a line it may start a password.
  let lineStart = true
  while (i < text.length) {
    if (macro === 2) {
      blank.lastIndex = i
      if (!blank.exec(text)) return
      i = blank.lastIndex - 1
      macro = 0
      continue
    }
    const c = text.charCodeAt(i)
    if (c <= 32) {
      if (c === 10) lineStart = true
      i++
      continue
    }
    if (c === 35 /* # */ && lineStart) {
      const nl = text.indexOf('\n', i)
      i = nl < 0 ? text.length : nl
      continue
    }
    const start = i
    lineStart = false
    if (c === 34 /* " */) {
      let v = ''
      i++
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') {
        if (text[i] === '\\' && i + 1 < text.length) i++
        v += text[i++]
      }
      yield {text: v, start: start + 1, end: i}
      i++
      if (macro === 1) macro = 2
      continue
    }
    while (i < text.length && text.charCodeAt(i) > 32) i++
    const t = text.slice(start, i)
    yield {text: t, start, end: i}
    if (macro === 1) macro = 2
    else if (t === 'macdef') macro = 1
  }
}

function read(text: string, out: Candidate[]): void {
  let host: string | undefined
  let login: string | undefined
  let passwords: Token[] = []
  const flush = () => {
    for (const p of passwords) {
      if (p.text.length > MAX_VALUE || notPassword(p.text) || anonymous(login)) continue
      const kind = passwordClass(p.text, host, 'password')
      const heroku = host !== undefined && /(?:^|\.)heroku\.com$/i.test(host)
      report(out, 'netrc', {
        secret: p.text,
        start: p.start,
        end: p.end,
        class: heroku ? 'generic-api-key' : kind.class,
        reveal: kind.reveal,
        reason: heroku ? 'a Heroku API key in .netrc (the Heroku CLI keeps it there)' : `a .netrc password for ${host === undefined ? 'every host (default)' : 'a host'}: ftp, curl and git send it`,
        label: `netrc ${who(login, host ?? 'default')}`,
      })
    }
    passwords = []
    login = undefined
  }
  const it = tokens(text)
  for (let t = it.next(); !t.done; t = it.next()) {
    const word = t.value.text
    if (word === 'machine' || word === 'default') {
      flush()
      host = word === 'default' ? undefined : it.next().value?.text
    } else if (word === 'login') login = it.next().value?.text
    else if (word === 'password' || word === 'passwd') {
      const p = it.next()
      if (!p.done) passwords.push(p.value)
    } else if (word === 'account' || word === 'port') it.next()
  }
  flush()
}

export const netrc: CredentialFile = {id: 'netrc', path: /(?:^|\/)[._]netrc$/i, read}
