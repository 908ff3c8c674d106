import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {planRewrite, type RewritePlan} from '../src/git/rewrite.js'
import {type GitScanResult, scanRepository} from '../src/git/scan.js'
import {tempDir} from './helpers/cli.js'
import {TestRepo} from './helpers/git.js'
import {TEST_FINGERPRINTER} from './helpers/fingerprint.js'

// The replacements file must hold the exact leaked value: a password with `@`
// split at the first `@` would have filter-repo rewrite every "Pa" in history
// and leave the password; a value that starts with `regex:` or `glob:` would
// be read by filter-repo as a pattern. Run the real git filter-repo on it.

const AT_PASSWORD = 'Pa@Kq7vN2pL9xZ4'
const GLOB_PASSWORD = 'glob:*Hq7vN2pL9x'
const TOKEN = 'ghp_R8mKq2Lx7Vb4Tz9Wn3Yc6Hd1Fs5Gj0PaEu2N'
const PROSE = 'Parameters: Pa stands for pascal; glob: patterns; x-oauth-basic is a literal\n'

let tmp: ReturnType<typeof tempDir>
let repo: TestRepo
let scan: GitScanResult
let plan: RewritePlan

beforeAll(async () => {
  tmp = tempDir()
  repo = new TestRepo(join(tmp.dir, 'repo'))
  repo.write('README.md', PROSE)
  repo.write('config/db.env', `DATABASE_URL=postgres://app:${AT_PASSWORD}@db.prod.internal:5432/app\nBACKUP=ftp://backup:${GLOB_PASSWORD}@files.prod.internal/dump\n`)
  repo.write('ci/clone.sh', `git clone https://${TOKEN}:x-oauth-basic@github.com/acme/app.git\n`)
  repo.commit('config')
  repo.git('remote', 'add', 'origin', `https://${TOKEN}:x-oauth-basic@github.com/acme/app.git`)
  scan = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER})
  plan = planRewrite(repo.dir, scan.findings, scan.repository.remotes[0] ?? null, TEST_FINGERPRINTER, join(tmp.dir))
}, 60_000)
afterAll(() => tmp.cleanup())

describe('the history rewrite gets the exact values', () => {
  it('finds the whole password with @, the glob-looking one and the token (not x-oauth-basic)', () => {
    expect(scan.findings.map((f) => f.class).sort()).toEqual(['basic-auth', 'database-url', 'github-token'])
    expect(plan.replaced).toHaveLength(3)
    const lines = readFileSync(plan.replacementsFile!, 'utf8').trim().split('\n')
    expect(lines.map((l) => l.replace(/==>.*$/, '')).sort()).toEqual([`literal:${AT_PASSWORD}`, `literal:${GLOB_PASSWORD}`, `literal:${TOKEN}`].sort())
  })

  it('prints and stores the remote without its token', () => {
    expect(scan.repository.remotes[0]!.url).toBe('https://****@github.com/acme/app.git')
    expect(plan.remoteUrl).toBe('https://****@github.com/acme/app.git')
    expect(plan.commands.join('\n').includes(TOKEN)).toBe(false)
    expect(JSON.stringify(scan).includes(TOKEN.slice(4))).toBe(false)
  })

  it('git filter-repo with that file removes every value and changes nothing else', () => {
    const work = join(tmp.dir, 'rewrite')
    execFileSync('git', ['clone', '-q', '--no-local', repo.dir, work])
    execFileSync('git', ['filter-repo', '--replace-text', plan.replacementsFile!, '--force'], {cwd: work, stdio: 'pipe'})
    const show = (path: string) => execFileSync('git', ['show', `HEAD:${path}`], {cwd: work, encoding: 'utf8'})
    expect(show('README.md')).toBe(PROSE)
    const db = show('config/db.env')
    expect(db).toMatch(/^DATABASE_URL=postgres:\/\/app:\*\*\*REMOVED:[0-9a-f]{12}\*\*\*@db\.prod\.internal:5432\/app$/m)
    expect(db).toMatch(/^BACKUP=ftp:\/\/backup:\*\*\*REMOVED:[0-9a-f]{12}\*\*\*@files\.prod\.internal\/dump$/m)
    expect(show('ci/clone.sh')).toMatch(/^git clone https:\/\/\*\*\*REMOVED:[0-9a-f]{12}\*\*\*:x-oauth-basic@github\.com\/acme\/app\.git$/m)
    const everything = execFileSync('git', ['log', '--all', '-p'], {cwd: work, encoding: 'utf8'})
    for (const v of [AT_PASSWORD, GLOB_PASSWORD, TOKEN]) expect(everything.includes(v)).toBe(false)
  })
})
