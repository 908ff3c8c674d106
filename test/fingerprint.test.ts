import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {githubHashedToken, lengthRange, redact} from '../src/detect/finding.js'
import {Fingerprinter, KEY_FILE} from '../src/fingerprint/key.js'
import {loadIncident} from '../src/incident/incident.js'
import {findIncident, openWorkspace} from '../src/incident/workspace.js'
import {givenTokens} from '../src/logs/github/token-use.js'
import {secret} from '../fixtures/etcd/k8s-objects.js'
import {makeSnapshot} from '../fixtures/etcd/server.js'
import {json, leakctl, type RunResult, tempDir} from './helpers/cli.js'
import {workspaceFingerprint} from './helpers/fingerprint.js'
import {TestRepo} from './helpers/git.js'
import {gitFinding} from './helpers/incident.js'

// Keyed fingerprints: HMAC-SHA-256 with a random key per workspace. A
// dictionary of common passwords reverses a bare SHA-256 of one; it must not
// reverse a finding's fingerprint. The same workspace (and a team sharing an
// incident) must still get the same fingerprint for the same value from every
// scanner.

const PASSWORD = 'Summer2024!'
const GH_TOKEN = `ghp_${'Fp7kQ2mX9vL4pN8sT3zY6wR1cH5jB0dG'.padEnd(36, 'a')}`
// The 16-word list of the security review, plus the real one.
const DICTIONARY = ['123456', 'password', '12345678', 'qwerty', '123456789', '12345', '1234', '111111', '1234567', 'dragon', '123123', 'baseball', 'abc123', 'football', 'monkey', 'letmein', PASSWORD]
const sha256 = (v: string) => `sha256:${createHash('sha256').update(v).digest('hex')}`

let tmp: ReturnType<typeof tempDir>
let repo: TestRepo
let snap: string
const outputs: RunResult[] = []

function run(args: string[], cwd?: string): RunResult {
  const r = leakctl(args, {cwd: cwd ?? tmp.dir, env: {LEAKCTL_WORKSPACE: undefined}})
  outputs.push(r)
  return r
}

const findingsOf = (ws: string) => loadIncident(findIncident(openWorkspace(ws, false))).state.findings
const gitPasswordFp = (doc: {findings: {class: string; fingerprint: string; preview: string}[]}) => doc.findings.find((f) => f.class === 'password')!

beforeAll(async () => {
  tmp = tempDir('leakctl-fingerprint-')
  repo = new TestRepo(join(tmp.dir, 'repo'))
  repo.write('config/.env', `DB_PASSWORD=${PASSWORD}\nGITHUB_TOKEN=${GH_TOKEN}\n`).commit('config')
  snap = join(tmp.dir, 'leak.db')
  await makeSnapshot(snap, [{op: 'put', key: '/registry/secrets/prod/db', value: secret({name: 'db', namespace: 'prod'}, 'Opaque', {DB_PASSWORD: PASSWORD})}])
}, 180_000)
afterAll(() => tmp.cleanup())

describe('fingerprints are keyed with the workspace key', () => {
  it('a dictionary does not reverse them; one workspace agrees across scan git, scan etcd and add-findings; another workspace differs', () => {
    const wsA = join(tmp.dir, 'ws-a')
    const gitScan = run(['scan', 'git', repo.dir, '--json', '--workspace', wsA])
    expect(gitScan.code, gitScan.stderr).toBe(1)
    const git = gitPasswordFp(json(gitScan))
    // The key file: created on first use, 0600 in a 0700 folder.
    expect(statSync(join(wsA, KEY_FILE)).mode & 0o777).toBe(0o600)
    expect(statSync(wsA).mode & 0o777).toBe(0o700)

    const dictionary = new Set(DICTIONARY.map(sha256))
    for (const f of json(gitScan).findings as {fingerprint: string}[]) expect(dictionary.has(f.fingerprint)).toBe(false)
    expect(git.fingerprint).toBe(workspaceFingerprint(wsA, PASSWORD))
    // A chosen password's preview gives a range, not its length; a GitHub token keeps its documented one.
    expect(git.preview).toBe('******** (8-15 chars)')
    expect(gitScan.stdout).not.toContain(`(${PASSWORD.length} chars)`)
    const token = (json(gitScan).findings as {class: string; preview: string; hashedToken?: string}[]).find((f) => f.class === 'github-token')!
    expect(token.preview).toBe('ghp_******** (40 chars)')
    expect(token.hashedToken).toBe(createHash('sha256').update(GH_TOKEN).digest('base64'))
    expect((json(gitScan).findings as {hashedToken?: string}[]).filter((f) => f.hashedToken)).toHaveLength(1)

    const etcdScan = run(['scan', 'etcd', snap, '--json', '--workspace', wsA])
    expect(etcdScan.code, etcdScan.stderr).toBe(1)
    const etcdCreds = (json(etcdScan).secrets as {credentials: {field: string; fingerprint: string}[]}[]).flatMap((s) => s.credentials)
    expect(etcdCreds.find((c) => c.field === 'data.DB_PASSWORD')!.fingerprint).toBe(git.fingerprint)

    // An incident of that workspace takes the scan's findings as they are.
    expect(run(['incident', 'open', '--title', 'fp', '--kind', 'git-leak', '--workspace', wsA]).code).toBe(0)
    const file = join(tmp.dir, 'git.json')
    writeFileSync(file, gitScan.stdout)
    expect(run(['incident', 'add-findings', file, '--workspace', wsA]).code).toBe(0)
    expect(findingsOf(wsA).map((f) => f.fingerprint)).toContain(git.fingerprint)

    // Another workspace, another key: the same value, another fingerprint.
    const wsB = join(tmp.dir, 'ws-b')
    const other = gitPasswordFp(json(run(['scan', 'git', repo.dir, '--json', '--workspace', wsB])))
    expect(other.fingerprint).not.toBe(git.fingerprint)
    expect(other.fingerprint).toBe(workspaceFingerprint(wsB, PASSWORD))
    // Worker threads and the inline path agree (both take the key explicitly).
    const inline = leakctl(['scan', 'git', repo.dir, '--json', '--workspace', wsB], {env: {LEAKCTL_WORKSPACE: undefined, LEAKCTL_NO_WORKERS: '1'}})
    expect(gitPasswordFp(json(inline)).fingerprint).toBe(other.fingerprint)
  }, 120_000)

  it('a shared incident carries the key to the second responder, whose scans then match; a workspace with its own incidents and key is refused', () => {
    const wsA = join(tmp.dir, 'ws-a')
    const remote = join(tmp.dir, 'team.git')
    execFileSync('git', ['init', '-q', '--bare', remote])
    const shared = run(['incident', 'share', '--remote', remote, '--workspace', wsA, '--json'])
    expect(shared.code, shared.stderr).toBe(0)
    const id = json(shared).incident as string
    const keyA = readFileSync(join(wsA, KEY_FILE), 'utf8')
    expect(execFileSync('git', ['--git-dir', remote, 'show', 'leakctl/incidents:fingerprint.key'], {encoding: 'utf8'})).toBe(keyA)

    // A fresh workspace joins: it takes the team's key before any event, and its own scan matches.
    const wsC = join(tmp.dir, 'ws-c')
    const joined = run(['incident', 'sync', '--remote', remote, '--incident', id, '--workspace', wsC, '--json'])
    expect(joined.code, joined.stderr).toBe(0)
    expect(readFileSync(join(wsC, KEY_FILE), 'utf8')).toBe(keyA)
    expect(statSync(join(wsC, KEY_FILE)).mode & 0o777).toBe(0o600)
    const second = gitPasswordFp(json(run(['scan', 'git', repo.dir, '--json', '--workspace', wsC])))
    expect(second.fingerprint).toBe(workspaceFingerprint(wsA, PASSWORD))
    expect(findingsOf(wsC).map((f) => f.fingerprint)).toContain(second.fingerprint)

    // ws-b has its own key; with an incident of its own it must not mix keys.
    const wsB = join(tmp.dir, 'ws-b')
    expect(run(['incident', 'open', '--title', 'other', '--kind', 'git-leak', '--workspace', wsB]).code).toBe(0)
    const keyB = readFileSync(join(wsB, KEY_FILE), 'utf8')
    const refused = run(['incident', 'sync', '--remote', remote, '--incident', id, '--workspace', wsB])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/another fingerprint key/)
    expect(readFileSync(join(wsB, KEY_FILE), 'utf8')).toBe(keyB)
    // The remote is outside input: a damaged key there is refused, never used.
    const wsD = join(tmp.dir, 'ws-d')
    const bad = join(tmp.dir, 'bad.git')
    execFileSync('git', ['clone', '-q', '--bare', remote, bad])
    const work = join(tmp.dir, 'bad-work')
    execFileSync('git', ['clone', '-q', '-b', 'leakctl/incidents', bad, work])
    writeFileSync(join(work, 'fingerprint.key'), 'not a key\n')
    execFileSync('git', ['-C', work, '-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '-qam', 'damage'])
    execFileSync('git', ['-C', work, 'push', '-q', 'origin', 'leakctl/incidents'])
    const damaged = run(['incident', 'sync', '--remote', bad, '--incident', id, '--workspace', wsD])
    expect(damaged.code).toBe(2)
    expect(damaged.stderr).toMatch(/not a leakctl fingerprint key/)

    // The key never reaches a terminal.
    const hex = keyA.trim()
    const b64 = Buffer.from(hex, 'hex').toString('base64')
    for (const r of outputs) for (const k of [hex, b64]) expect(r.stdout + r.stderr).not.toContain(k)
  }, 180_000)

  it('a baseline carries its own key (for CI, where there is no workspace) and matches on every run; an unkeyed old baseline is refused', () => {
    const base = join(tmp.dir, 'baseline.json')
    const cwd = join(tmp.dir, 'ci')
    execFileSync('mkdir', ['-p', cwd])
    const written = run(['scan', 'git', repo.dir, '--write-baseline', base], cwd)
    expect(written.code).toBe(1)
    const doc = JSON.parse(readFileSync(base, 'utf8')) as {version: number; key: string; fingerprints: string[]}
    expect(doc.version).toBe(2)
    expect(doc.fingerprints).toHaveLength(2)
    expect(doc.fingerprints).toContain(new Fingerprinter(Buffer.from(doc.key, 'hex')).of(PASSWORD))
    // Not the workspace's key: the baseline is committed, the workspace key never is.
    expect(doc.key).not.toBe(readFileSync(join(tmp.dir, 'ws-a', KEY_FILE), 'utf8').trim())
    const again = run(['scan', 'git', repo.dir, '--baseline', base, '--json'], cwd)
    expect(again.code, again.stderr).toBe(0)
    expect(json(again).stats.baselined).toBe(2)
    expect(again.stderr).toMatch(/keyed with the baseline's key/)
    // CI needs no workspace for it: none was created.
    expect(existsSync(join(cwd, '.leakctl'))).toBe(false)
    // Rewriting keeps its key, so a committed baseline's diff stays small.
    run(['scan', 'git', repo.dir, '--write-baseline', base], cwd)
    expect((JSON.parse(readFileSync(base, 'utf8')) as {key: string}).key).toBe(doc.key)
    const old = join(tmp.dir, 'old-baseline.json')
    writeFileSync(old, JSON.stringify({version: 1, fingerprints: [sha256(PASSWORD)]}))
    const refused = run(['scan', 'git', repo.dir, '--baseline', old], cwd)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/unkeyed fingerprints/)
  }, 120_000)
})

describe('previews and GitHub digests', () => {
  it('a low-entropy value shows a length range; a documented provider prefix keeps the exact length', () => {
    expect(redact('hunter2')).toBe('******** (1-7 chars)')
    expect(redact('Summer2024!')).toBe('******** (8-15 chars)')
    expect(redact('correct-horse-battery-staple')).toBe('******** (16-31 chars)')
    expect(redact('AKIAIOSFODNN7EXAMPLE', 4)).toBe('AKIA******** (20 chars)')
    expect([7, 8, 15, 16, 63, 64, 127, 128, 5000].map(lengthRange)).toEqual(['1-7', '8-15', '8-15', '16-31', '32-63', '64-127', '64-127', '128+', '128+'])
  })

  it('only a GitHub token of GitHub\'s random format gets the plain digest the audit log searches by', () => {
    expect(githubHashedToken(GH_TOKEN)).toBe(createHash('sha256').update(GH_TOKEN).digest('base64'))
    for (const v of ['Summer2024!', 'ghp_short', `xghp_${'a'.repeat(36)}`]) expect(githubHashedToken(v)).toBeUndefined()
  })

  it('--token-fingerprint takes a github-token finding\'s keyed fingerprint, or else the token\'s plain sha256', () => {
    const finding = gitFinding(GH_TOKEN, {class: 'github-token'})
    const digest = createHash('sha256').update(GH_TOKEN).digest('base64')
    expect(finding.fingerprint).not.toBe(sha256(GH_TOKEN))
    expect(givenTokens([finding.fingerprint], [finding])).toEqual([{fingerprint: finding.fingerprint, hashedToken: digest, label: expect.stringContaining('config/production.env')}])
    expect(givenTokens([sha256(GH_TOKEN)], [])).toEqual([{fingerprint: sha256(GH_TOKEN), hashedToken: digest, label: 'the token given'}])
  })
})
