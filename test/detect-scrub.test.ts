import {randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {scrubText} from '../src/detect/scrub.js'

// Notes and titles typed by responders: credentials pasted by mistake are
// redacted before they reach the incident log; the ids, references and times
// a timeline needs stay verbatim.

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const rand = (n: number, alphabet = B62) => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('')
/** Upper, lower and digits for sure, then random. */
const pw = () => `Xq7${rand(11)}`
const keyId = () => `AKIA${rand(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`

describe('scrubText', () => {
  const leaks: [string, (s: string) => string, () => string][] = [
    ['a spoken password', (s) => `rotated the db password; the new password is ${s}`, pw],
    ['a bare pasted password', (s) => `rotated the db password; new one is ${s}`, pw],
    ['a GitHub token', (s) => `token was ${s}, revoked 14:02`, () => `ghp_${rand(36)}`],
    ['an AWS pair pasted as id / secret', (s) => `${keyId()} / ${s} leaked in #ops`, () => rand(40, `${B62}+/`)],
    ['a password in a URL', (s) => `set DATABASE_URL=postgres://app:${s}@db.prod:5432/app in vault`, pw],
    ['an assignment', (s) => `password: ${s} (old)`, pw],
  ]
  for (const [name, note, value] of leaks) {
    it(`redacts ${name}`, () => {
      const v = value()
      const s = scrubText(note(v))
      expect(s.text.includes(v), 'the value survived scrubbing').toBe(false)
      expect(s.text).toContain('[redacted ')
      expect(s.redacted).toBe(1)
    })
  }

  it('keeps what a timeline needs: key ids, commits, request ids, times, tickets, paths, fingerprints, addresses', () => {
    const notes = [
      `key ${keyId()} deactivated by alice@acme.io in us-east-1, arn:aws:iam::123456789012:user/ci`,
      'commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 removed it; see INC-4521 and https://github.com/acme/api/pull/812',
      'request id 1d2129a1-3d38-460a-9756-e5b91fddb951 at 2024-03-02T14:05:00Z from 10.0.3.17',
      'fingerprint sha256:0f343b0931126a20f133d67c2b018a3b5c2d7f2c2e7c4d3b1a0f9e8d7c6b5a49 matches the leak',
      'Rotated ProductionDatabase credentials, ticket OPS-1234, config in /etc/app/config.yaml',
      'paged the DBA, waiting on the vendor',
    ]
    for (const n of notes) expect(scrubText(n)).toEqual({text: n, redacted: 0})
  })
})

describe('scrubText: values a keyword introduces', () => {
  const hex = (n: number) => rand(n, '0123456789abcdef')
  const leaks: [string, () => string, (v: string) => string][] = [
    ['a service api key and a hex value, no separator', () => hex(32), (v) => `datadog api key ${v}`],
    ['secret key: 40 hex', () => hex(40), (v) => `secret key: ${v}`],
    ['login user / password', () => `Hq7${rand(7)}`, (v) => `login app / ${v}`],
    ['a passphrase of joined words', () => `correct-horse-battery-staple-${rand(2, '0123456789')}`, (v) => `passphrase ${v}`],
    ['password for a place: value', () => `Xk2${rand(5)}`, (v) => `password for prod: ${v}, rotated since`],
    ['a token, hex, no separator', () => hex(32), (v) => `token ${v} revoked at 14:02`],
    ['credentials = value', () => `pw${rand(8)}!9`, (v) => `creds = ${v}`],
  ]
  for (const [name, value, note] of leaks) {
    it(`redacts ${name}`, () => {
      const v = value()
      const s = scrubText(note(v))
      expect(s.text.includes(v), s.text).toBe(false)
      expect(s.text).toContain('[redacted ')
      expect(s.redacted).toBe(1)
    })
  }

  it('keeps prose that uses the same words', () => {
    const prose = [
      'the password policy requires rotation every 90 days',
      'we rotated the api key for datadog yesterday',
      'the secret key is stored in vault',
      'password reset link sent to alice@acme.io',
      'token expired at 14:05, login page / dashboard shows an error',
      'the token is expired; the password was rotated',
      'access key in us-east-1 disabled, ticket INC-4521',
      'secret scanning alert 42 closed, key: see vault/prod/db',
      'credentials for the staging cluster: rotated by bob',
      'login: alice@acme.io, token: INC-4521',
      'commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 removed the key from config',
      'the deploy key was revoked at 2024-03-02T14:05:00Z',
      'key 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 is the commit to revert',
    ]
    for (const n of prose) expect(scrubText(n)).toEqual({text: n, redacted: 0})
  })
})
