import {randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {detect, matchFindingBase} from '../src/detect/engine.js'
import {fingerprint, TEST_FINGERPRINTER} from './helpers/fingerprint.js'
import {scrubText} from '../src/detect/scrub.js'
import {isPlainAccountName, safeUrl, splitUserinfo} from '../src/text/url.js'

// Credentials in a URL's user info: the token in the user position is the
// credential (classed by its own format), a password holding `@` is split at
// the last `@` as URL parsers do, and no preview or printed URL shows either.

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const rand = (n: number, alphabet = B62) => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('')
/** Upper, lower and digits for sure, then random. */
const mixed = (n: number) => `Q7v${rand(n - 3)}`
const hex = (n: number) => rand(n, '0123456789abcdef')

/** The one finding of a text: its rule, class, secret and preview. */
function only(text: string) {
  const found = detect(text)
  expect(found.map((m) => m.rule), `findings in ${text.length} chars`).toHaveLength(1)
  const m = found[0]!
  return {rule: m.rule, class: m.class, secret: m.secret, preview: matchFindingBase(m, TEST_FINGERPRINTER).preview, fingerprint: matchFindingBase(m, TEST_FINGERPRINTER).fingerprint}
}

describe('a token in the user position of a URL', () => {
  it('https://ghp_…:x-oauth-basic@github.com: the GitHub token is the secret, not x-oauth-basic', () => {
    const token = `ghp_${rand(36)}`
    const f = only(`url = https://${token}:x-oauth-basic@github.com/acme/app.git`)
    expect(f.class).toBe('github-token')
    expect(f.secret).toBe(token)
    expect(f.fingerprint).toBe(fingerprint(token))
    expect(f.preview.includes(token.slice(4, 12))).toBe(false)
  })

  it('https://glpat-…@gitlab.com: the GitLab token', () => {
    const token = `glpat-${rand(20)}`
    const f = only(`git remote add origin https://${token}@gitlab.com/acme/app.git`)
    expect(f).toMatchObject({class: 'gitlab-token', secret: token})
    expect(f.preview.includes(token.slice(6, 14))).toBe(false)
  })

  it('https://TOKEN@host of no known format: the user name is the secret, the preview masks it', () => {
    const token = mixed(40)
    const f = only(`clone https://${token}@git.corp.internal/acme/app.git`)
    expect(f.secret).toBe(token)
    expect(f.preview).toBe('https://****@git.corp.internal')
    // A classic (40 hex) GitHub token is classed by the host it opens.
    const classic = hex(40)
    expect(only(`https://${classic}@github.com/acme/app.git`)).toMatchObject({class: 'github-token', secret: classic})
  })

  it('x-access-token:TOKEN@github.com: the token in the password position, by its format', () => {
    const token = `ghs_${rand(36)}`
    expect(only(`https://x-access-token:${token}@github.com/acme/app.git`)).toMatchObject({class: 'github-token', secret: token})
  })

  it('a plain user name with no password is no finding', () => {
    expect(detect('git clone https://git@github.com/acme/app.git and ssh://deploy@host.corp/x')).toEqual([])
  })

  it('a token user beside a real password: both found, neither previewed', () => {
    const token = `ghp_${rand(36)}`
    const password = mixed(14)
    const found = detect(`https://${token}:${password}@git.corp.internal/x`)
    expect(found.map((m) => m.secret).sort()).toEqual([token, password].sort())
    for (const m of found) {
      const preview = matchFindingBase(m, TEST_FINGERPRINTER).preview
      expect(preview.includes(token.slice(4, 12)) || preview.includes(password)).toBe(false)
    }
  })
})

describe('a password that contains @', () => {
  it('is split at the last @ before the host: the whole password is the secret, the host is the host', () => {
    const password = `Pa@${mixed(12)}`
    const f = only(`DATABASE_URL=postgres://app:${password}@db.prod.internal:5432/app`)
    expect(f).toMatchObject({class: 'database-url', secret: password, preview: 'postgres://app:****@db.prod.internal'})
    expect(f.fingerprint).toBe(fingerprint(password))
  })

  it('in a URL of any scheme, with several @', () => {
    const password = `s3@cr@${mixed(10)}`
    expect(only(`ftp = "ftp://backup:${password}@files.corp.internal/dump"`)).toMatchObject({secret: password, preview: 'ftp://backup:****@files.corp.internal'})
    expect(only(`mongodb://svc:${password}@m1.corp:27017,m2.corp:27017/prod`)).toMatchObject({secret: password})
  })

  it('matches in a large text too (the windowed path)', () => {
    const password = `Pa@${mixed(12)}`
    const text = `${'filler line without credentials\n'.repeat(2000)}url: postgres://app:${password}@db.prod.internal/app\n`
    expect(only(text)).toMatchObject({secret: password})
  })

  it('a note with such a URL is scrubbed whole', () => {
    const password = `Pa@${mixed(12)}`
    const token = `ghp_${rand(36)}`
    const s = scrubText(`moved to postgres://app:${password}@db.prod.internal and https://${token}:x-oauth-basic@github.com/a/b`)
    expect(s.text.includes(password.slice(3))).toBe(false)
    expect(s.text.includes(token.slice(4))).toBe(false)
  })
})

describe('safeUrl: one function masks URL user info that is not provably a plain account name', () => {
  it('keeps plain account names, masks passwords always', () => {
    expect(safeUrl('https://x-access-token:secret@github.com/a/b')).toBe('https://x-access-token:****@github.com/a/b')
    expect(safeUrl('ssh://git@github.com/a/b.git')).toBe('ssh://git@github.com/a/b.git')
    expect(safeUrl('git@github.com:acme/api.git')).toBe('git@github.com:acme/api.git')
    expect(safeUrl('https://github.com/acme/api.git')).toBe('https://github.com/acme/api.git')
    expect(safeUrl('/srv/git/api.git')).toBe('/srv/git/api.git')
  })

  it('masks a token-shaped user name of any length, with or without a password', () => {
    for (const user of [hex(40), rand(40, 'abcdefghijklmnopqrstuvwxyz'), `ghp_${rand(36)}`, mixed(20), `glpat-${rand(20)}`, rand(16, 'abcdefghijklmnopqrstuvwxyz')]) {
      expect(safeUrl(`https://${user}@host.corp/a`)).toBe('https://****@host.corp/a')
      expect(safeUrl(`https://${user}:x-oauth-basic@github.com/a`)).toBe('https://****@github.com/a')
      expect(safeUrl(`${user}@host.corp:a/b.git`)).toBe('****@host.corp:a/b.git')
    }
  })

  it('splits at the last @: no part of a password with @ survives', () => {
    expect(safeUrl('postgres://app:Pa@Kq7vN2pL9xZ4@db.prod.internal:5432/app')).toBe('postgres://app:****@db.prod.internal:5432/app')
    expect(splitUserinfo('app:Pa@Kq:7')).toEqual({user: 'app', password: 'Pa@Kq:7'})
  })

  it('masks every URL in a line (a command, a git message)', () => {
    const token = mixed(30)
    expect(safeUrl(`git clone --mirror https://${token}@h.corp/a.git x && git push https://u:${token}@h.corp/b.git`)).toBe('git clone --mirror https://****@h.corp/a.git x && git push https://u:****@h.corp/b.git')
  })

  it('a plain account name is short, lower case words with few digits', () => {
    for (const name of ['git', 'x-access-token', 'oauth2', 'gitlab-ci-token', 'ec2-user', 'Alice', 'deploy.bot']) expect(isPlainAccountName(name), name).toBe(true)
    for (const name of ['', 'ghp_abc123def456', 'a1b2c3', 'JohnSmithABC', 'abcdefghijklmnop', 'user%40corp', `${'a'.repeat(20)}-${'b'.repeat(12)}`]) expect(isPlainAccountName(name), name).toBe(false)
  })
})
