import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {json, leakctl, ROOT, tempDir} from './helpers/cli.js'

// incident message (issue 14, point 9): the update drafted from the incident's facts.

const tmp = tempDir('leakctl-msg-')
let env: Record<string, string>
beforeAll(() => {
  execFileSync('bash', [join(ROOT, 'fixtures', 'git', 'make-sample-repo.sh'), tmp.dir])
  env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws')}
  execFileSync('mkdir', ['-m', '700', join(tmp.dir, 'private')])
  leakctl(['triage', 'git-leak', '--repo', join(tmp.dir, 'repo'), '--replacements-dir', join(tmp.dir, 'private')], {env})
}, 120_000)
afterAll(() => tmp.cleanup())

describe('incident message', () => {
  it('stakeholders: what leaked by class, how many rotated, evidence, next update; never a value', () => {
    const r = leakctl(['incident', 'message', '--audience', 'stakeholders'], {env})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/What leaked: .*1 AWS access key.*\(3 in all\) since 2026-11-21 22:10Z\./)
    expect(r.stdout).toMatch(/Revoked or rotated: 0 of 3;/)
    expect(r.stdout).toMatch(/Next update: \d{4}-\d\d-\d\d \d\d:\d\dZ\./)
    // The replacement file holds the leaked values: none of them may appear in the message.
    const values = readFileSync(join(tmp.dir, 'private', 'replacements.txt'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('==>')[0]!)
    for (const v of values) expect(r.stdout).not.toContain(v)
  })

  it('a ticked revoke item counts as rotated; exec and customers get their own wording', () => {
    const list = json(leakctl(['checklist', '--json'], {env}))
    const revoke = list.phases[0].items.find((i: {id: string}) => i.id === 'revoke-now')
    const first = revoke.members[0].id
    expect(leakctl(['checklist', 'tick', first], {env}).code).toBe(0)
    const exec = json(leakctl(['incident', 'message', '--audience', 'exec', '--json'], {env}))
    expect(exec.facts.rotated).toBe(1)
    expect(exec.text).toMatch(/^Subject: \[Security incident inc-.*\n\nWhat happened: 3 credential\(s\) were exposed since .*\nStatus: 1 of 3 revoked or rotated\./)
    const customers = leakctl(['incident', 'message', '--audience', 'customers'], {env})
    expect(customers.stdout).toMatch(/^Subject: Security notice/)
    expect(customers.stdout).not.toMatch(/AWS|GitHub|inc-/)
  })

  it('--sent records it on the timeline', () => {
    expect(leakctl(['incident', 'message', '--audience', 'exec', '--sent'], {env}).code).toBe(0)
    const status = leakctl(['timeline', 'export', '--format', 'md'], {env})
    expect(status.stdout).toMatch(/Update sent to exec: \[Security incident inc-/)
  })
})
