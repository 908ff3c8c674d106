import {randomBytes} from 'node:crypto'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {json, leakctl, leakctlAsync, tempDir} from './helpers/cli.js'
import {TestRepo} from './helpers/git.js'
import {startMariaDb, type TestMariaDb} from './helpers/mariadb.js'
import {startPostgres, type TestPostgres} from './helpers/postgres-login.js'

// verify issuer --connect against a real PostgreSQL (Debian's server, started
// here): a leaked URL whose password still logs in is live, a changed one is
// revoked, an unreachable one unknown; no --connect, no login at all.
// The same against a real MariaDB (Debian's mariadb-server) through mysql2.

let tmp: ReturnType<typeof tempDir>
let db: TestPostgres
let maria: TestMariaDb
let env: Record<string, string>
const good = `Pg-${randomBytes(12).toString('hex')}`
const stale = `Pg-${randomBytes(12).toString('hex')}`
const shop = `My-${randomBytes(12).toString('hex')}`
const shopStale = `My-${randomBytes(12).toString('hex')}`

beforeAll(async () => {
  tmp = tempDir()
  ;[db, maria] = await Promise.all([startPostgres(), startMariaDb()])
  await db.addRole('payments', good)
  maria.addUser('shop', shop)
  const repo = new TestRepo(join(tmp.dir, 'repo'))
  repo
    .write('app.env', `DATABASE_URL=postgres://payments:${good}@127.0.0.1:${db.port}/payments\nOLD_DATABASE_URL=postgresql://payments:${stale}@127.0.0.1:${db.port}/payments\nREPLICA_URL=postgres://payments:${good}x@127.0.0.1:1/payments\nSHOP_URL=mysql://shop:${shop}@127.0.0.1:${maria.port}/shop\nOLD_SHOP_URL=mariadb://shop:${shopStale}@127.0.0.1:${maria.port}/shop\n`)
    .commit('config')
  env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws'), HOME: tmp.dir, AWS_EC2_METADATA_DISABLED: 'true'}
  mkdirSync(join(tmp.dir, 'private'), {mode: 0o700})
  const t = leakctl(['triage', 'git-leak', '--repo', join(tmp.dir, 'repo'), '--replacements-dir', join(tmp.dir, 'private')], {env})
  expect([0, 1], t.stderr).toContain(t.code)
}, 120_000)

afterAll(async () => {
  db?.stop()
  await maria?.stop()
  tmp?.cleanup()
})

describe('verify issuer --connect', () => {
  it('without --connect, database URLs are unverifiable and nothing connects', async () => {
    const out = json(await leakctlAsync(['verify', 'issuer', '--json', '--no-record'], {env}))
    expect(out.verifications.map((v: any) => v.state)).toEqual(['unverifiable', 'unverifiable', 'unverifiable', 'unverifiable', 'unverifiable'])
    expect(out.verifications[0].detail).toContain('--connect')
  })

  it('logs in to PostgreSQL and MariaDB: the current password is live, an old one revoked, an unreachable host unknown', async () => {
    const r = await leakctlAsync(['verify', 'issuer', '--connect', '--timeout', '5', '--json'], {env})
    expect(r.code, r.stderr).toBe(1)
    const out = json(r)
    const byLine = Object.fromEntries(out.verifications.map((v: any) => [v.where.split(' ')[0], v]))
    expect(byLine['app.env:1']).toMatchObject({state: 'live', detail: 'user payments authenticated'})
    expect(byLine['app.env:2']).toMatchObject({state: 'revoked', detail: expect.stringContaining('28P01')})
    expect(byLine['app.env:3']).toMatchObject({state: 'unknown', detail: expect.stringContaining('127.0.0.1:1')})
    expect(byLine['app.env:4']).toMatchObject({state: 'live', via: `MySQL handshake + authentication at 127.0.0.1:${maria.port} (no query)`})
    expect(byLine['app.env:5']).toMatchObject({state: 'revoked', detail: expect.stringContaining('ER_ACCESS_DENIED_ERROR')})
    expect(r.stdout + r.stderr).not.toContain(good)
    for (const v of [stale, shop, shopStale]) expect(r.stdout + r.stderr).not.toContain(v)
  })

  it('--dry-run names the database host and user, and connects nowhere', async () => {
    const r = await leakctlAsync(['verify', 'issuer', '--connect', '--dry-run'], {env})
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`PostgreSQL 127.0.0.1:${db.port} — connect as payments, authenticate, close`)
    expect(r.stdout).not.toContain(good)
  })
})
