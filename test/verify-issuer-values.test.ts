import {createHmac, randomBytes} from 'node:crypto'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {detect, matchFindingBase} from '../src/detect/engine.js'
import {type Finding} from '../src/detect/finding.js'
import {fingerprint, TEST_FINGERPRINTER} from './helpers/fingerprint.js'
import {etcdFindings, scanSnapshot} from '../src/etcd/scan.js'
import {IssuerHttp, IssuerUnavailable} from '../src/verify/issuer/http.js'
import {rereadValues} from '../src/verify/issuer/values.js'
import {ROOT, tempDir} from './helpers/cli.js'
import {TestRepo} from './helpers/git.js'

// Values are read back from where they were found and matched by the
// workspace's fingerprint function, whatever it is (a keyed HMAC here);
// the HTTP layer bounds waiting and load.

const tmp = tempDir()
afterAll(() => tmp.cleanup())

const hmac = (v: string | Uint8Array) => `sha256:${createHmac('sha256', 'workspace-key').update(v).digest('hex')}`

describe('re-reading values', () => {
  it('finds a git finding again by a keyed fingerprint passed in, with the connection URL around a database password', () => {
    const token = `ghp_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`
    const password = `Qx7-${randomBytes(9).toString('hex')}`
    const repo = new TestRepo(join(tmp.dir, 'repo'))
    const text = `TOKEN=${token}\nDATABASE_URL=postgres://app:${password}@db.internal:5432/payments\n`
    const commit = repo.write('app.env', text).commit('config')
    const findings: Finding[] = detect(text, {path: 'app.env'}).map((m) => ({...matchFindingBase(m, TEST_FINGERPRINTER), fingerprint: hmac(m.secret) as Finding['fingerprint'], source: 'git', commit, path: 'app.env', line: m.line, author: 'a', date: '2026-01-01T00:00:00Z', inHead: true, refs: []}))
    expect(findings.map((f) => f.class).sort()).toEqual(['database-url', 'github-token'])

    const keyed = rereadValues(findings, {repo: repo.dir, cwd: tmp.dir}, hmac)
    expect(keyed.map((l) => l.value).sort()).toEqual([password, token].sort())
    expect(keyed.find((l) => l.finding.class === 'database-url')!.url).toBe(`postgres://app:${password}@db.internal:5432/payments`)
    // Another key does not recognise them: the function really is the parameter.
    const plain = rereadValues(findings, {repo: repo.dir, cwd: tmp.dir}, fingerprint)
    expect(plain.every((l) => l.value === null && /fingerprint matches nothing/.test(l.unresolved!))).toBe(true)
    // A commit the clone does not have: unresolved, with why.
    const gone = rereadValues([{...findings[0]!, commit: 'f'.repeat(40)} as Finding], {repo: repo.dir, cwd: tmp.dir}, hmac)
    expect(gone[0]!.unresolved).toContain('is not in')
  })

  it('reads etcd findings again from the snapshot by key and revision (plaintext ones; encrypted ones say why not)', async () => {
    const snapshot = join(ROOT, 'fixtures', 'etcd', 'sample.db')
    const findings = etcdFindings(await scanSnapshot(snapshot, {fingerprinter: TEST_FINGERPRINTER}))
    expect(findings.length).toBeGreaterThan(5)
    const leaked = rereadValues(findings, {snapshot, cwd: tmp.dir}, fingerprint)
    const found = leaked.filter((l) => l.value !== null)
    expect(found.length).toBeGreaterThan(5)
    // Every value read back has the finding's fingerprint (over its bytes).
    expect(found.filter((l) => fingerprint(l.value!) === l.finding.fingerprint).length).toBe(found.length)
    const sa = found.find((l) => l.finding.class === 'k8s-service-account-token' || l.finding.class === 'bootstrap-token')
    expect(sa).toBeDefined()
    const without = rereadValues(findings.slice(0, 1), {cwd: tmp.dir}, fingerprint)
    expect(without[0]!.unresolved).toContain('--snapshot')
  }, 60_000)
})

describe('the HTTP layer', () => {
  it('keeps at most N requests in flight per host and gives up on a Retry-After beyond the limit', async () => {
    let inFlight = 0
    let most = 0
    const server = createServer((req, res) => {
      inFlight++
      most = Math.max(most, inFlight)
      setTimeout(() => {
        inFlight--
        if (req.url === '/limited') res.writeHead(429, {'retry-after': '600'}).end()
        else res.writeHead(200).end('{}')
      }, 50)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const http = new IssuerHttp({timeoutMs: 2000, perHost: 3, maxWaitMs: 1000})
    await Promise.all(Array.from({length: 12}, () => http.request(`${url}/ok`, {method: 'GET'})))
    expect(most).toBe(3)
    await expect(http.request(`${url}/limited`, {method: 'GET'})).rejects.toThrow(IssuerUnavailable)
    await expect(http.request(`${url}/limited`, {method: 'GET'})).rejects.toThrow(/retry after 600 s, beyond the 1 s limit/)
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    // The same port, closed now: refused (or the kept-alive socket found closed).
    await expect(http.request(`${url}/ok`, {method: 'GET'})).rejects.toThrow(/cannot reach 127\.0\.0\.1:\d+ \((ECONNREFUSED|UND_ERR_SOCKET)\)/)
  })
})
