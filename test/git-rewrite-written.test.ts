import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {planRewrite, type RewritePlan, rewriteVars} from '../src/git/rewrite.js'
import {rewriteHistory} from '../src/playbook/generate.js'
import {type GitScanResult, scanRepository} from '../src/git/scan.js'
import {tempDir} from './helpers/cli.js'
import {TestRepo} from './helpers/git.js'
import {TEST_FINGERPRINTER} from './helpers/fingerprint.js'

// Decoded secrets (.npmrc _auth, FileZilla base64, Kubernetes data) never occur
// as decoded in the file: the rewrite must replace the form written there. A
// short password (`admin`) must be replaced only where it was found, never in
// every file of the history. Run the real git filter-repo on the plan's file.

const b64 = (s: string) => Buffer.from(s).toString('base64')
const NPM = b64('deploy:Np7vK2qL9xZ4wR8t')
const FZ = b64('Fz8mQ2vL7xN4kP9w')
const K8S = b64('K8sPw7vQ2mL9xZ4n')
const README = 'Log in as admin (user admin, password admin) on the staging box; admin rights are needed.\n'
// The same value after another key (a user name, not a credential): the anchored pattern must not reach it.
const UNRELATED = `define( 'DB_USER', 'admin' );\nadmin\n`

let tmp: ReturnType<typeof tempDir>
let repo: TestRepo
let scan: GitScanResult
let plan: RewritePlan

beforeAll(async () => {
  tmp = tempDir()
  repo = new TestRepo(join(tmp.dir, 'repo'))
  repo.write('README.md', README)
  repo.write('notes.txt', UNRELATED)
  repo.write('.npmrc', `//registry.npmjs.org/:_auth=${NPM}\n`)
  repo.write('ftp/sitemanager.xml', `<?xml version="1.0"?>\n<FileZilla3><Servers><Server><Host>ftp.prod.internal</Host><User>deploy</User><Pass encoding="base64">${FZ}</Pass></Server></Servers></FileZilla3>\n`)
  repo.write('k8s/secret.yaml', `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ${K8S}\n`)
  repo.write('.pgpass', 'db.prod.internal:5432:app:app:admin\n')
  repo.write('wp/wp-config.php', `<?php\ndefine( 'DB_NAME', 'wp' );\ndefine( 'DB_PASSWORD', 'admin' );\n`)
  repo.write('wild/.pgpass', '*:*:*:*:admin\n')
  repo.commit('config')
  scan = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER})
  plan = planRewrite(repo.dir, scan.findings, null, TEST_FINGERPRINTER, join(tmp.dir))
}, 60_000)
afterAll(() => tmp.cleanup())

function rewritten(): string {
  const work = join(tmp.dir, 'rewrite')
  execFileSync('git', ['clone', '-q', '--no-local', repo.dir, work])
  execFileSync('git', ['filter-repo', '--replace-text', plan.replacementsFile!, '--force'], {cwd: work, stdio: 'pipe'})
  return work
}

describe('the history rewrite replaces values as written, short ones only in place', () => {
  it('writes the encoded forms as literals, the short password as anchored patterns, never a bare `admin`', () => {
    const lines = readFileSync(plan.replacementsFile!, 'utf8').trim().split('\n')
    const literals = lines.filter((l) => l.startsWith('literal:')).map((l) => l.replace(/==>.*$/, ''))
    expect(literals.sort()).toEqual([`literal:${FZ}`, `literal:${K8S}`, `literal:${NPM}`].sort())
    const patterns = lines.filter((l) => l.startsWith('regex:'))
    expect(patterns.length).toBeGreaterThanOrEqual(1)
    for (const p of patterns) expect(p).toMatch(/^regex:\(\?m\)\(\^.*[A-Za-z]{3}.*\)admin\(\?=.*\)==>\\g<1>\*\*\*REMOVED:[0-9a-f]{12}\*\*\*$/)
    expect(lines.some((l) => /^(literal:)?admin(==>|$)/.test(l))).toBe(false)
  })

  it('lists the short value with no context to anchor on to be rewritten by hand, and says so', () => {
    expect(plan.byHand.map((h) => `${h.path}:${h.line}`)).toEqual(['wild/.pgpass:1'])
    expect(plan.commands.some((c) => c.startsWith('# Rewrite by hand'))).toBe(true)
    expect(plan.commands).toContain(`#   wild/.pgpass:1 (commit ${plan.byHand[0]!.commit.slice(0, 12)})`)
    // The checklist's rewrite-history step shows the same list.
    expect(rewriteHistory({...rewriteVars(plan), replacements: plan.replacementsFile!})).toEqual(plan.commands.map((c) => c.replace("'<remote-url>'", '<remote-url>')))
  })

  it('git filter-repo removes every written form from every blob and leaves unrelated `admin` alone', () => {
    const work = rewritten()
    const show = (path: string) => execFileSync('git', ['show', `HEAD:${path}`], {cwd: work, encoding: 'utf8'})
    expect(show('README.md')).toBe(README)
    expect(show('notes.txt')).toBe(UNRELATED)
    expect(show('.pgpass')).toMatch(/^db\.prod\.internal:5432:app:app:\*\*\*REMOVED:[0-9a-f]{12}\*\*\*$/m)
    expect(show('wp/wp-config.php')).toMatch(/^define\( 'DB_PASSWORD', '\*\*\*REMOVED:[0-9a-f]{12}\*\*\*' \);$/m)
    expect(show('wp/wp-config.php')).toContain("define( 'DB_NAME', 'wp' );")
    expect(show('wild/.pgpass')).toBe('*:*:*:*:admin\n')
    const blobs = execFileSync('git', ['rev-list', '--objects', '--all'], {cwd: work, encoding: 'utf8'}).trim().split('\n').map((l) => l.split(' ')[0]!)
    const all = blobs.filter((id) => execFileSync('git', ['cat-file', '-t', id], {cwd: work, encoding: 'utf8'}).trim() === 'blob').map((id) => execFileSync('git', ['cat-file', 'blob', id], {cwd: work, encoding: 'utf8'})).join('\n')
    for (const v of [NPM, FZ, K8S]) expect(all.includes(v)).toBe(false)
  })
})
