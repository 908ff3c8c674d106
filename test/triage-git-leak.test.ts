import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {json, leakctl, ROOT, type RunResult, tempDir} from './helpers/cli.js'

// The git-leak playbook end to end on the sample repository (fixed dates,
// fake credentials of real formats, pushed to a bare origin).
const VALUES = ['Vx9tQ2mLr8Zk4Wp7', 'h7Kd9QmZ2rT5vX8wB3nP6sY1cF4gJ0lA9eR2uI5o', 'ghp_R8mKq2Lx7Vb4Tz9Wn3Yc6Hd1Fs5Gj0PaEu2N']

let tmp: ReturnType<typeof tempDir>
let env: Record<string, string>
let text: RunResult
let out: any
let replacementsDir: string

beforeAll(() => {
  tmp = tempDir()
  execFileSync('bash', [join(ROOT, 'fixtures', 'git', 'make-sample-repo.sh'), tmp.dir])
  env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws')}
  replacementsDir = join(tmp.dir, 'private')
  execFileSync('mkdir', ['-m', '700', replacementsDir])
  text = leakctl(['triage', 'git-leak', '--repo', join(tmp.dir, 'repo'), '--replacements-dir', replacementsDir], {env})
  out = json(leakctl(['checklist', '--json'], {env}))
}, 120_000)
afterAll(() => tmp.cleanup())

describe('triage git-leak on the sample repository', () => {
  it('prints the verdict first and exits 1', () => {
    expect(text.code, text.stderr).toBe(1)
    const lines = text.stdout.split('\n')
    expect(lines[1]).toMatch(/^\[!\] Hour 0: confirm the leak: 3 secrets exposed in 3 places; 2 still at HEAD; pushed to origin/)
  })

  it('dates the exposure from the first push in the remote-tracking reflog', () => {
    expect(text.stdout).toMatch(/Exposed since 2026-11-21 22:10Z .*first push of [0-9a-f]{12} to a remote/)
    const status = json(leakctl(['incident', 'status', '--json'], {env}))
    expect(status.incident.exposedAt).toBe('2026-11-21T22:10:00.000Z')
    expect(status.findings).toMatchObject({total: 3, critical: 1, high: 2})
  })

  it('creates the checklist: one "revoke now" item per credential with its procedure, due 5 minutes after the start', () => {
    const opened = Date.parse(out.openedAt)
    const hour0 = out.phases[0]
    expect(hour0.window.label).toBe('0-5m')
    expect(Date.parse(hour0.due) - opened).toBe(5 * 60_000)
    const revoke = hour0.items.find((i: {id: string}) => i.id === 'revoke-now')
    expect(revoke.title).toBe('Revoke or change 3 leaked credentials NOW')
    expect(revoke.members.map((m: {title: string; procedure: string}) => [m.title, m.procedure])).toEqual([
      [expect.stringMatching(/^Revoke NOW: aws-access-key deploy\/push\.sh:3 @ [0-9a-f]{12}$/), 'aws-access-key'],
      [expect.stringMatching(/^Revoke NOW: github-token \.ci\.env:1 @ /), 'github-token'],
      [expect.stringMatching(/^Revoke NOW: database-url config\/production\.env:2 @ /), 'database-password'],
    ])
    expect(out.phases.map((p: {id: string; window: {label: string}}) => [p.id, p.window.label])).toEqual([
      ['hour-0', '0-5m'],
      ['hour-0-1', '5m-1h'],
      ['hour-1-4', '1-4h'],
      ['hour-4-plus', '4h+'],
    ])
    expect(Date.parse(out.phases[1].due) - opened).toBe(3600_000)
    expect(Date.parse(out.phases[2].due) - opened).toBe(4 * 3600_000)
    expect(out.phases[3].due).toBeNull()
    const cloudtrail = out.phases[1].items.find((i: {id: string}) => /^cloudtrail-evidence\.[0-9a-f]{12}$/.test(i.id))
    expect(cloudtrail.title).toBe('Was AWS key AKIAQ3LMZ7TR4NBX2KDW used since the push? (deploy/push.sh:3 @ ' + cloudtrail.title.slice(-13))
  })

  it('fills the rewrite commands with this repository: the refs, the remote, the replacement file', () => {
    const v = json(leakctl(['checklist', '--phase', 'hour-0-1', '--verbose', '--json'], {env}))
    const rewrite = v.phases[0].items.find((i: {id: string}) => i.id === 'rewrite-history')
    // One plan, one place: the checklist item shows the triage's mirror-clone rewrite, line for line.
    expect(rewrite.commands[1]).toBe(`git -C rewrite.git filter-repo --replace-text ${join(replacementsDir, 'replacements.txt')} --refs refs/heads/main --force`)
    expect(rewrite.commands[0]).toMatch(/^git clone --mirror \S+origin\.git rewrite\.git$/)
    for (const c of rewrite.commands.filter((c: string) => !c.startsWith('#'))) expect(text.stdout).toContain(c)
    const push = v.phases[0].items.find((i: {id: string}) => i.id === 'force-push')
    expect(push.commands).toEqual([expect.stringMatching(/^git ls-remote \S+origin\.git {3}# /)])
  })

  it('the replacement file holds the values (that is its job), 0600, outside the workspace; nothing else does', () => {
    const file = join(replacementsDir, 'replacements.txt')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const lines = readFileSync(file, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(3)
    for (const v of VALUES) expect(lines.some((l) => l.startsWith(`literal:${v}==>***REMOVED:`))).toBe(true)
    expect(text.stdout).toMatch(/CONTAINS THE LEAKED VALUES/)
    const files = (dir: string): string[] => readdirSync(dir, {withFileTypes: true}).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]))
    for (const f of files(join(tmp.dir, 'ws'))) for (const v of VALUES) expect(readFileSync(f, 'utf8').includes(v), f).toBe(false)
    for (const v of VALUES) {
      expect(text.stdout.includes(v)).toBe(false)
      expect(text.stderr.includes(v)).toBe(false)
    }
    const report = leakctl(['report'], {env})
    const timeline = leakctl(['timeline', 'export', '--format', 'csv'], {env})
    for (const v of VALUES) expect(report.stdout.includes(v) || timeline.stdout.includes(v)).toBe(false)
  })

  it('records what could not be collected as skipped, with the command to run', () => {
    const status = json(leakctl(['incident', 'status', '--json'], {env}))
    const checks = Object.fromEntries(status.checks.map((c: {check: string; status: string; summary: string}) => [c.check, c]))
    expect(checks['scan-git'].status).toBe('fail')
    expect(checks['history-rewrite-plan'].status).toBe('pass')
    expect(checks['evidence-cloudtrail'].status).toBe('skipped')
    expect(checks['evidence-cloudtrail'].summary).toMatch(/leakctl logs cloudtrail --access-key-id AKIAQ3LMZ7TR4NBX2KDW --incident inc-/)
  })

  it('the report reads like a post-mortem draft of this incident', () => {
    const md = leakctl(['report'], {env}).stdout
    expect(md).toMatch(/^# Post-mortem draft: Secrets committed to /)
    expect(md).toMatch(/Exposure: 3 credential finding\(s\): \*\*1 critical\*\*, \*\*2 high\*\*/)
    expect(md).toMatch(/Check scan-git: \*\*FAIL\*\* — 3 secrets exposed/)
    // At its commit's time, learned when the triage recorded it, shown with the commander's role, its commit as the source.
    expect(md).toMatch(/\| 2026-11-21 21:58Z \| T-00:12 \| \d{4}-\d\d-\d\d \d\d:\d\dZ \| tester \(commander\) \| Finding \(critical\): aws-access-key at deploy\/push\.sh:3 .*\| commit [0-9a-f]{12} \|/)
    expect(md).toMatch(/\| Time to detect \(exposed before the response began\) \| 2026-11-21 22:10Z \|/)
  })

  it('a clean repository: exit 0, an incident with nothing to revoke', () => {
    const clean = join(tmp.dir, 'clean')
    execFileSync('git', ['init', '-q', clean])
    execFileSync('git', ['-c', 'user.name=a', '-c', 'user.email=a@b', 'commit', '-q', '--allow-empty', '-m', 'x'], {cwd: clean})
    const r = leakctl(['triage', 'git-leak', '--repo', clean, '--json'], {env: {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws2')}})
    expect(r.code).toBe(0)
    expect(json(r).summary.secrets).toBe(0)
  })

  it('bad input: not a repository, a bad --github', () => {
    expect(leakctl(['triage', 'git-leak', '--repo', tmp.dir], {env}).code).toBe(2)
    expect(leakctl(['triage', 'git-leak', '--repo', '.', '--github', 'not a repo'], {env}).stderr).toMatch(/expected owner\/name/)
  })
})
