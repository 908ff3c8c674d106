import {randomBytes} from 'node:crypto'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {json, leakctl, leakctlAsync, tempDir} from './helpers/cli.js'
import {TestRepo} from './helpers/git.js'
import {startPostgres, type TestPostgres} from './helpers/postgres.js'

// verify issuer --connect against a real PostgreSQL (Debian's server, started
// here): a leaked URL whose password still logs in is live, a changed one is
// revoked, an unreachable one unknown; no --connect, no login at all.
// (MySQL/MariaDB goes through mysql2 the same way; Debian's mariadb-server is
// not installed on the test machines, so it has no test of its own here.)

let tmp: ReturnType<typeof tempDir>
let db: TestPostgres
let env: Record<string, string>
const good = `Pg-${randomBytes(12).toString('hex')}`
const stale = `Pg-${randomBytes(12).toString('hex')}`

beforeAll(async () => {
  tmp = tempDir()
  db = await startPostgres()
  await db.addRole('payments', good)
  const repo = new TestRepo(join(tmp.dir, 'repo'))
  repo
    .write('app.env', `DATABASE_URL=postgres://payments:${good}@127.0.0.1:${db.port}/payments\nOLD_DATABASE_URL=postgresql://payments:${stale}@127.0.0.1:${db.port}/payments\nREPLICA_URL=postgres://payments:${good}x@127.0.0.1:1/payments\n`)
    .commit('config')
  env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws'), HOME: tmp.dir, AWS_EC2_METADATA_DISABLED: 'true'}
  mkdirSync(join(tmp.dir, 'private'), {mode: 0o700})
  const t = leakctl(['triage', 'git-leak', '--repo', join(tmp.dir, 'repo'), '--replacements-dir', join(tmp.dir, 'private')], {env})
  expect([0, 1], t.stderr).toContain(t.code)
}, 120_000)

afterAll(() => {
  db?.stop()
  tmp?.cleanup()
})

describe('verify issuer --connect', () => {
  it('without --connect, database URLs are unverifiable and nothing connects', async () => {
    const out = json(await leakctlAsync(['verify', 'issuer', '--json', '--no-record'], {env}))
    expect(out.verifications.map((v: any) => v.state)).toEqual(['unverifiable', 'unverifiable', 'unverifiable'])
    expect(out.verifications[0].detail).toContain('--connect')
  })

  it('logs in to PostgreSQL: the current password is live, an old one revoked, an unreachable host unknown', async () => {
    const r = await leakctlAsync(['verify', 'issuer', '--connect', '--timeout', '5', '--json'], {env})
    expect(r.code, r.stderr).toBe(1)
    const out = json(r)
    const byLine = Object.fromEntries(out.verifications.map((v: any) => [v.where.split(' ')[0], v]))
    expect(byLine['app.env:1']).toMatchObject({state: 'live', detail: 'user payments authenticated'})
    expect(byLine['app.env:2']).toMatchObject({state: 'revoked', detail: expect.stringContaining('28P01')})
    expect(byLine['app.env:3']).toMatchObject({state: 'unknown', detail: expect.stringContaining('127.0.0.1:1')})
    expect(r.stdout + r.stderr).not.toContain(good)
    expect(r.stdout + r.stderr).not.toContain(stale)
  })

  it('--dry-run names the database host and user, and connects nowhere', async () => {
    const r = await leakctlAsync(['verify', 'issuer', '--connect', '--dry-run'], {env})
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`PostgreSQL 127.0.0.1:${db.port} — connect as payments, authenticate, close`)
    expect(r.stdout).not.toContain(good)
  })
})
