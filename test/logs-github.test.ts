import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {loadIncident} from '../src/incident/incident.js'
import {findIncident, openWorkspace} from '../src/incident/workspace.js'
import {repoFromRemote} from '../src/logs/github/client.js'
import {json, leakctlAsync, tempDir} from './helpers/cli.js'
import {openTestIncident} from './helpers/incident.js'
import {type FakeGitHub, type FakeGitHubOptions, startFakeGitHub} from './helpers/logs-github-server.js'

// The real Octokit (with its throttling and retry plugins) against a local
// server speaking GitHub's REST conventions, through the real binary.

const DAY = 86_400_000
const now = Date.now()
const EXPOSED = new Date(Math.floor((now - 5 * DAY) / 60_000) * 60_000)
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
const dayIso = (ms: number) => `${new Date(ms).toISOString().slice(0, 10)}T00:00:00Z`
const TOKEN = `ghp_cnry${Date.now().toString(36)}TOKENabcdefghijklmnopqrstu`.slice(0, 40)
// The secret-scanning alert carries the leaked secret itself: it must never come out.
const LEAKED_SECRET = `cnry${Date.now().toString(36)}LEAKEDsecretValueInTheAlert`

function data(extra: Partial<FakeGitHubOptions> = {}): FakeGitHubOptions {
  return {
    token: TOKEN,
    scopes: ['repo', 'security_events', 'read:audit_log'],
    repo: {id: 1, name: 'payments', full_name: 'acme/payments', private: false, visibility: 'public', fork: false, forks_count: 3, stargazers_count: 12, created_at: iso(now - 400 * DAY), pushed_at: iso(EXPOSED.getTime()), archived: false, default_branch: 'main', owner: {login: 'acme', type: 'Organization'}, permissions: {admin: true, push: true, pull: true}},
    clones: {count: 51, uniques: 19, clones: [
      {timestamp: dayIso(now - 9 * DAY), count: 4, uniques: 2},
      {timestamp: dayIso(now - 5 * DAY), count: 30, uniques: 11},
      {timestamp: dayIso(now - 4 * DAY), count: 17, uniques: 6},
    ]},
    views: {count: 200, uniques: 40, views: [{timestamp: dayIso(now - 5 * DAY), count: 200, uniques: 40}]},
    forks: [
      {full_name: 'old-friend/payments', owner: {login: 'old-friend'}, created_at: iso(now - 100 * DAY), html_url: 'https://github.com/old-friend/payments'},
      {full_name: 'scraper-bot/payments', owner: {login: 'scraper-bot'}, created_at: iso(EXPOSED.getTime() + 11 * 60_000), html_url: 'https://github.com/scraper-bot/payments'},
      {full_name: 'someone/payments', owner: {login: 'someone'}, created_at: iso(EXPOSED.getTime() + 3 * 3_600_000), html_url: 'https://github.com/someone/payments'},
    ],
    alerts: [
      {number: 7, created_at: iso(EXPOSED.getTime() + 60_000), state: 'open', secret_type: 'aws_access_key_id', secret_type_display_name: 'Amazon AWS Access Key ID', secret: LEAKED_SECRET, validity: 'active', publicly_leaked: true, push_protection_bypassed: true, push_protection_bypassed_by: {login: 'dev'}, push_protection_bypassed_at: iso(EXPOSED.getTime()), html_url: 'https://github.com/acme/payments/security/secret-scanning/7', first_location_detected: {path: 'deploy/.env', start_line: 2, commit_sha: 'c0ffee'.padEnd(40, '0')}},
      {number: 8, created_at: iso(EXPOSED.getTime() + 60_000), state: 'open', secret_type: 'github_personal_access_token', secret_type_display_name: 'GitHub Personal Access Token', secret: `${LEAKED_SECRET}2`, validity: 'unknown', push_protection_bypassed: false, html_url: 'https://github.com/acme/payments/security/secret-scanning/8'},
    ],
    locations: {8: [{type: 'commit', details: {path: 'scripts/release.sh', start_line: 14, commit_sha: 'bead'.padEnd(40, '1')}}]},
    events: [
      {id: '100', type: 'PublicEvent', actor: {login: 'admin'}, created_at: iso(EXPOSED.getTime() - 60_000), payload: {}},
      {id: '101', type: 'PushEvent', actor: {login: 'dev'}, created_at: iso(EXPOSED.getTime()), payload: {ref: 'refs/heads/main', size: 1}},
      {id: '102', type: 'WatchEvent', actor: {login: 'curious'}, created_at: iso(EXPOSED.getTime() + 3_600_000), payload: {action: 'started'}},
    ],
    audit: [
      {'@timestamp': EXPOSED.getTime() + 20 * 60_000, action: 'git.clone', actor: null, actor_location: {country_code: 'RU'}, transport_protocol_name: 'http', _document_id: 'a1'},
      {'@timestamp': EXPOSED.getTime() + 25 * 60_000, action: 'git.clone', actor: 'scraper-bot', actor_location: {country_code: 'NL'}, transport_protocol_name: 'ssh', _document_id: 'a2'},
      {'@timestamp': EXPOSED.getTime() - 30 * DAY, action: 'git.clone', actor: 'dev', actor_location: {country_code: 'DE'}, transport_protocol_name: 'ssh', _document_id: 'a3'},
    ],
    auditLog: true,
    ...extra,
  }
}

let tmp: ReturnType<typeof tempDir>
let gh: FakeGitHub | undefined
beforeAll(() => {
  tmp = tempDir('leakctl-logs-github-')
})
afterAll(() => tmp.cleanup())
afterEach(async () => {
  await gh?.close()
  gh = undefined
})

const env = (url: string, extra: Record<string, string | undefined> = {}) => ({GITHUB_API_URL: url, GITHUB_TOKEN: TOKEN, GH_TOKEN: undefined, LEAKCTL_WORKSPACE: join(tmp.dir, 'no-ws'), ...extra})
const args = ['logs', 'github', '--repo', 'acme/payments', '--since', EXPOSED.toISOString()]

describe('leakctl logs github', () => {
  it('reads clone traffic first, then every page of every endpoint, and judges the copies', async () => {
    gh = await startFakeGitHub(data())
    const r = await leakctlAsync([...args, '--json'], {env: env(gh.url)})
    expect(r.code).toBe(1)
    const doc = json(r)
    expect(gh.requests[0]!.path).toMatch(/^\/repos\/acme\/payments\/traffic\/clones/)
    expect(doc.missing).toEqual([])
    expect(doc.partial).toBe(false)
    expect(doc.verdict.status).toBe('copied-after-exposure')
    expect(doc.verdict.text).toBe('COPIED AFTER EXPOSURE — public repository, 47 clone(s) (up to 17 unique per day) since the exposure day, 2 clone/fetch/download(s) in the audit log, 2 fork(s) after the exposure, secret scanning: 2 alert(s), 1 still valid, 1 push-protection bypass(es)')
    // Link pagination: three forks at two a page.
    expect(gh.requests.filter((q) => q.path.startsWith('/repos/acme/payments/forks')).length).toBe(2)
    expect(doc.forks.map((f: {fullName: string; afterExposure: boolean}) => [f.fullName, f.afterExposure])).toEqual([['old-friend/payments', false], ['scraper-bot/payments', true], ['someone/payments', true]])
    // First locations: from the alert, or from the locations endpoint.
    expect(doc.alerts.map((a: {firstLocation: {path: string}}) => a.firstLocation.path)).toEqual(['deploy/.env', 'scripts/release.sh'])
    expect(doc.alerts[0]).toMatchObject({validity: 'active', pushProtectionBypassed: true, bypassedBy: 'dev'})
    const kinds = doc.events.filter((e: {suspicious: boolean}) => e.suspicious).map((e: {kind: string}) => e.kind)
    expect(kinds.sort()).toEqual(['audit-log', 'audit-log', 'clones', 'clones', 'fork', 'fork', 'push-protection-bypass', 'secret-alert', 'visibility'])
    const anon = doc.events.find((e: {id: string}) => e.id === 'audit:a1')
    expect(anon.reasons).toEqual(['git.clone after the exposure (anonymous) from RU'])
    expect(doc.events.find((e: {id: string}) => e.id === 'audit:a3').suspicious).toBe(false)
    expect(r.stdout).not.toContain(LEAKED_SECRET)
    expect(r.stdout + r.stderr).not.toContain(TOKEN)
  })

  it('says plainly what the token and plan could not see', async () => {
    gh = await startFakeGitHub(data({scopes: ['public_repo'], auditLog: false}))
    const r = await leakctlAsync([...args, '--json'], {env: env(gh.url)})
    const doc = json(r)
    const why = Object.fromEntries(doc.missing.map((m: {what: string; reason: string}) => [m.what, m.reason]))
    expect(why['clone traffic']).toBe('token lacks repo scope (it has: public_repo)')
    expect(why['secret scanning alerts']).toBe('token lacks repo or security_events scopes (it has: public_repo)')
    expect(why['organisation audit log']).toMatch(/^not available: the audit log API needs GitHub Enterprise Cloud and an organisation owner's token with read:audit_log/)
    expect(doc.partial).toBe(true)
    // Forks after the exposure are still seen: copied.
    expect(doc.verdict.status).toBe('copied-after-exposure')
    expect(r.code).toBe(1)
    const text = await leakctlAsync(args, {env: env(gh.url)})
    expect(text.stdout).toMatch(/Could not see \(4\)\n {2}clone traffic: token lacks repo scope/)
  })

  it('waits out the primary and the secondary rate limits and reads everything', async () => {
    gh = await startFakeGitHub(data({rateLimitOnce: ['/forks'], secondaryOnce: ['/events']}))
    const t0 = Date.now()
    const r = await leakctlAsync([...args, '--json'], {env: env(gh.url)})
    const doc = json(r)
    expect(doc.missing).toEqual([])
    expect(doc.forks).toHaveLength(3)
    expect(gh.requests.filter((q) => q.path.startsWith('/repos/acme/payments/forks') && !q.path.includes('page=2')).length).toBe(2)
    expect(gh.requests.filter((q) => q.path.startsWith('/repos/acme/payments/events')).length).toBeGreaterThanOrEqual(2)
    expect(Date.now() - t0).toBeGreaterThan(1500)
  })

  it('a rate limit longer than --max-wait is reported, not waited for', async () => {
    gh = await startFakeGitHub(data({rateLimitOnce: ['/forks']}))
    const r = await leakctlAsync([...args, '--max-wait', '0', '--json'], {env: env(gh.url)})
    const doc = json(r)
    expect(doc.missing.find((m: {what: string}) => m.what === 'forks').reason).toMatch(/^rate limit exhausted until \d{4}-/)
  })

  it('a private repository with no clones after the exposure: exit 0', async () => {
    gh = await startFakeGitHub(data({repo: {...data().repo, private: true, visibility: 'private'}, clones: {count: 4, uniques: 2, clones: [{timestamp: dayIso(now - 9 * DAY), count: 4, uniques: 2}]}, forks: [], alerts: [], events: [], audit: []}))
    const r = await leakctlAsync(args, {env: env(gh.url)})
    expect(r.stdout.split('\n')[0]).toBe('NO COPIES SEEN AFTER EXPOSURE — private repository, 0 clone(s) since the exposure day')
    expect(r.code).toBe(0)
  })

  it('no token: public data only, and says so; a refused token or GitHub unreachable: exit 3', async () => {
    gh = await startFakeGitHub(data())
    const anon = await leakctlAsync([...args, '--json'], {env: env(gh.url, {GITHUB_TOKEN: undefined, PATH: '/nonexistent'})})
    const doc = json(anon)
    expect(doc.token).toBeNull()
    expect(doc.missing[0]).toEqual({what: 'token', reason: 'no token (GITHUB_TOKEN, GH_TOKEN or gh auth token): only public data was read'})
    expect(doc.missing.find((m: {what: string}) => m.what === 'clone traffic').reason).toMatch(/needs a token/)
    expect(anon.stderr).toMatch(/warning: no GitHub token/)
    const refused = await leakctlAsync(args, {env: env(gh.url, {GITHUB_TOKEN: 'ghp_notthetoken000000000000000000000000000'})})
    expect(refused.code).toBe(3)
    expect(refused.stderr).toMatch(/error: the token was refused \(401 Bad credentials\)/)
    expect(refused.stderr + refused.stdout).not.toContain('ghp_notthetoken')
    const url = gh.url
    await gh.close()
    gh = undefined
    const down = await leakctlAsync(args, {env: env(url)})
    expect(down.code).toBe(3)
    expect(down.stderr).toMatch(/error: GitHub could not be reached/)
  })

  it('finds the repository from the working tree\'s remote; bad --repo is exit 2', async () => {
    expect(repoFromRemote('git@github.com:acme/payments.git')).toEqual({host: 'github.com', owner: 'acme', name: 'payments'})
    expect(repoFromRemote('https://github.com/acme/payments')).toEqual({host: 'github.com', owner: 'acme', name: 'payments'})
    expect(repoFromRemote('ssh://git@ghe.example.com:2222/platform/api.git')).toEqual({host: 'ghe.example.com', owner: 'platform', name: 'api'})
    const repo = join(tmp.dir, 'wt')
    execFileSync('git', ['init', '-q', repo])
    execFileSync('git', ['-C', repo, 'remote', 'add', 'origin', 'git@github.com:acme/payments.git'])
    gh = await startFakeGitHub(data())
    const r = await leakctlAsync(['logs', 'github', '--path', repo, '--since', EXPOSED.toISOString(), '--json'], {env: env(gh.url)})
    expect(json(r).repo).toBe('acme/payments')
    const bad = await leakctlAsync(['logs', 'github', '--repo', 'not a repo'], {env: env(gh.url)})
    expect(bad.code).toBe(2)
  })

  it('records the evidence on the incident once, never with the token or the leaked secret', async () => {
    const ws = join(tmp.dir, 'ws')
    await openTestIncident(ws, {kind: 'git-leak', exposedAt: EXPOSED})
    gh = await startFakeGitHub(data())
    const first = json(await leakctlAsync(['logs', 'github', '--repo', 'acme/payments', '--json'], {env: env(gh.url, {LEAKCTL_WORKSPACE: ws})}))
    expect(first.exposedAt).toBe(EXPOSED.toISOString())
    expect(first.recorded.events).toBe(10)
    const again = json(await leakctlAsync(['logs', 'github', '--repo', 'acme/payments', '--json'], {env: env(gh.url, {LEAKCTL_WORKSPACE: ws})}))
    expect(again.recorded).toMatchObject({events: 1, skipped: 9})
    const {state} = loadIncident(findIncident(openWorkspace(ws, false)))
    const evidence = state.evidence.filter((e) => e.source === 'github')
    expect(evidence.find((e) => e.ref?.kind === 'fork')!.at).toBe(iso(EXPOSED.getTime() + 11 * 60_000))
    const files = (d: string): string[] => readdirSync(d, {withFileTypes: true}).flatMap((x) => (x.isDirectory() ? files(join(d, x.name)) : [join(d, x.name)]))
    for (const f of files(ws)) {
      const text = readFileSync(f, 'utf8')
      expect(text).not.toContain(TOKEN)
      expect(text).not.toContain(LEAKED_SECRET)
    }
  })
})
