import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {loadIncident} from '../src/incident/incident.js'
import {findIncident, openWorkspace} from '../src/incident/workspace.js'
import {repoFromRemote} from '../src/logs/github/client.js'
import {json, leakctlAsync, tempDir} from './helpers/cli.js'
import {gitFinding, openTestIncident} from './helpers/incident.js'
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

describe('leakctl logs github --org: what the leaked tokens themselves did', () => {
  // Two GitHub tokens leaked; the audit log knows each by the base64 SHA-256 GitHub documents
  // (echo -n TOKEN | openssl dgst -sha256 -binary | base64), which github-token findings carry beside
  // their keyed fingerprint; by hand, --token-fingerprint takes the token's plain sha256 (sha256sum).
  const LEAKED_A = `ghp_${'cnryA'.padEnd(36, 'x')}`
  const LEAKED_B = `ghp_${'cnryB'.padEnd(36, 'y')}`
  const hashed = (v: string) => execFileSync('openssl', ['dgst', '-sha256', '-binary'], {input: v}).toString('base64')
  const plain = (v: string) => `sha256:${execFileSync('openssl', ['dgst', '-sha256', '-binary'], {input: v}).toString('hex')}`
  const at = (ms: number) => ({'@timestamp': ms})
  const tokenAudit = [
    {...at(EXPOSED.getTime() - 20 * DAY), action: 'git.push', actor: 'ci-bot', repo: 'acme/payments', hashed_token: hashed(LEAKED_A), actor_location: {country_code: 'DE'}, _document_id: 't1'},
    {...at(EXPOSED.getTime() + 40 * 60_000), action: 'repo.create', actor: 'ci-bot', repo: 'acme/exfil', hashed_token: hashed(LEAKED_A), actor_location: {country_code: 'SG'}, user_agent: 'curl/8.5.0', _document_id: 't2'},
    {...at(EXPOSED.getTime() + 41 * 60_000), action: 'git.clone', actor: 'ci-bot', repo: 'acme/payments', hashed_token: hashed(LEAKED_A), actor_location: {country_code: 'SG'}, _document_id: 't3'},
    {...at(EXPOSED.getTime() + 90 * 60_000), action: 'org.add_member', actor: 'ci-bot', hashed_token: hashed(LEAKED_A), _document_id: 't4'},
    {...at(EXPOSED.getTime() - 3 * DAY), action: 'git.clone', actor: 'deployer', repo: 'acme/api', hashed_token: hashed(LEAKED_B), _document_id: 't5'},
    {...at(EXPOSED.getTime() + 10 * 60_000), action: 'git.clone', actor: 'someone', repo: 'acme/api', hashed_token: 'b3RoZXIgdG9rZW4=', _document_id: 't6'},
  ]
  const finding = (value: string, path: string) => gitFinding(value, {class: 'github-token', path, preview: 'ghp_**** (40 chars)', rotation: 'github-token'})

  it('searches the audit log by hashed token, every page, and judges each action against the exposure', async () => {
    gh = await startFakeGitHub(data({tokenAudit}))
    const ws = join(tmp.dir, 'org-ws')
    const {ref} = await openTestIncident(ws, {kind: 'git-leak', exposedAt: EXPOSED, findings: [finding(LEAKED_A, 'ci/release.sh'), finding(LEAKED_B, 'deploy/.env'), finding(LEAKED_A, 'ci/old.sh')]})
    const r = await leakctlAsync(['logs', 'github', '--org', 'acme', '--json'], {env: env(gh.url, {LEAKCTL_WORKSPACE: ws})})
    expect(r.code, r.stderr).toBe(1)
    const doc = json(r)
    expect(doc.verdict).toEqual({status: 'used-after-exposure', text: 'USED: 1 of 2 leaked GitHub token(s) acted in acme after the exposure (3 action(s))'})
    expect(doc.tokens.map((t: {label: string; hashedToken: string; actions: number; afterExposure: number}) => [t.label, t.hashedToken, t.actions, t.afterExposure])).toEqual([
      [`ci/release.sh:3 @ ${'a'.repeat(12)}`, hashed(LEAKED_A), 4, 3],
      [`deploy/.env:3 @ ${'a'.repeat(12)}`, hashed(LEAKED_B), 1, 0],
    ])
    // The phrase goes URI-escaped, as GitHub asks; four entries at two a page: two pages for token A.
    const searches = gh.requests.filter((q) => q.path.startsWith('/orgs/acme/audit-log'))
    expect(searches.map((q) => new URL(q.path, 'http://x').searchParams.get('phrase'))).toEqual([`hashed_token:"${hashed(LEAKED_A)}"`, `hashed_token:"${hashed(LEAKED_A)}"`, `hashed_token:"${hashed(LEAKED_B)}"`])
    const after = doc.events.filter((e: {suspicious: boolean}) => e.suspicious)
    expect(after.map((e: {summary: string}) => e.summary)).toEqual([
      `repo.create with the token in ci/release.sh:3 @ ${'a'.repeat(12)} as ci-bot on acme/exfil from SG (curl/8.5.0)`,
      `git.clone with the token in ci/release.sh:3 @ ${'a'.repeat(12)} as ci-bot on acme/payments from SG`,
      `org.add_member with the token in ci/release.sh:3 @ ${'a'.repeat(12)} as ci-bot`,
    ])
    expect(doc.events.filter((e: {suspicious: boolean}) => !e.suspicious).length).toBe(2)
    expect(doc.recorded).toEqual({incident: ref.id, events: 4, skipped: 0})
    const {state} = loadIncident(findIncident(openWorkspace(ws), ref.id))
    expect(state.evidence.filter((e) => e.suspicious).map((e) => e.summary)[0]).toMatch(/^acme: repo\.create with the token/)
    for (const v of [LEAKED_A, LEAKED_B, TOKEN]) expect(r.stdout + r.stderr + readFileSync(join(ref.dir, 'events.jsonl'), 'utf8')).not.toContain(v)

    // Once more: nothing recorded twice.
    const again = json(await leakctlAsync(['logs', 'github', '--org', 'acme', '--json'], {env: env(gh.url, {LEAKCTL_WORKSPACE: ws})}))
    expect(again.recorded).toMatchObject({events: 1, skipped: 3})
  })

  it('a fingerprint given by hand; no use after the exposure is exit 0; the text names the tokens and what was searched', async () => {
    gh = await startFakeGitHub(data({tokenAudit}))
    const r = await leakctlAsync(['logs', 'github', '--org', 'acme', '--token-fingerprint', plain(LEAKED_B), '--since', EXPOSED.toISOString(), '--no-record'], {env: env(gh.url)})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^no action of the 1 leaked GitHub token\(s\) in acme's audit log after the exposure/)
    expect(r.stdout).toContain(hashed(LEAKED_B))
  })

  it('the audit log out of reach: no scope, no Enterprise plan, no token — exit 3 with what is missing; bad input exit 2', async () => {
    gh = await startFakeGitHub(data({tokenAudit, scopes: ['repo']}))
    const noScope = await leakctlAsync(['logs', 'github', '--org', 'acme', '--token-fingerprint', plain(LEAKED_A), '--json'], {env: env(gh.url)})
    expect(noScope.code).toBe(3)
    expect(json(noScope).missing[0].reason).toBe('token lacks read:audit_log scope (it has: repo)')
    await gh.close()
    gh = await startFakeGitHub(data({tokenAudit, auditLog: false}))
    const noPlan = await leakctlAsync(['logs', 'github', '--org', 'acme', '--token-fingerprint', plain(LEAKED_A)], {env: env(gh.url)})
    expect(noPlan.code).toBe(3)
    expect(noPlan.stderr).toMatch(/^error: the audit log of acme is not available: it needs GitHub Enterprise Cloud/m)
    const noToken = await leakctlAsync(['logs', 'github', '--org', 'acme', '--token-fingerprint', plain(LEAKED_A)], {env: env(gh.url, {GITHUB_TOKEN: undefined, PATH: '/usr/bin:/bin'})})
    expect(noToken.code).toBe(3)
    expect(noToken.stderr).toMatch(/error: no GitHub token .*read:audit_log/)
    for (const bad of [['--org', 'acme', '--token-fingerprint', 'sha256:xyz'], ['--org', 'not an org'], ['--org', 'acme'], ['--org', 'acme', '--repo', 'acme/payments']]) {
      const b = await leakctlAsync(['logs', 'github', ...bad], {env: env(gh.url)})
      expect(b.code, b.stderr).toBe(2)
      expect(b.stderr.trim().split('\n')).toHaveLength(1)
    }
  })
})

