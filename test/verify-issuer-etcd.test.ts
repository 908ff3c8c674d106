import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {json, leakctl, ROOT, tempDir} from './helpers/cli.js'

// An etcd-leak incident: verify issuer finds the snapshot the triage recorded
// and reads the values again from it (by key and revision), so the dry run
// can name each call; encrypted values say why they cannot be re-read.

let tmp: ReturnType<typeof tempDir>
let env: Record<string, string>

beforeAll(() => {
  tmp = tempDir()
  env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws'), HOME: tmp.dir, AWS_EC2_METADATA_DISABLED: 'true'}
  const t = leakctl(['triage', 'etcd-leak', '--snapshot', join(ROOT, 'fixtures', 'etcd', 'sample.db'), '--json'], {env})
  expect([0, 1], t.stderr).toContain(t.code)
}, 120_000)

afterAll(() => tmp?.cleanup())

describe('verify issuer on an etcd-leak incident', () => {
  it('re-reads the values from the snapshot the triage recorded', () => {
    const out = json(leakctl(['verify', 'issuer', '--dry-run', '--json'], {env}))
    const tokens = out.calls.filter((c: any) => c.class === 'k8s-service-account-token' || c.class === 'bootstrap-token')
    expect(tokens.length).toBeGreaterThan(0)
    expect(tokens.some((c: any) => c.skipped === null && c.calls[0].path === '/apis/authentication.k8s.io/v1/tokenreviews')).toBe(true)
    expect(out.calls.some((c: any) => /no snapshot to read it from/.test(c.skipped ?? ''))).toBe(false)
    // Without the snapshot (elsewhere now) the values cannot be read again: said, not guessed.
    const moved = json(leakctl(['verify', 'issuer', '--dry-run', '--json', '--snapshot', join(tmp.dir, 'missing.db')], {env}))
    expect(moved).toMatchObject({error: {code: 'verify.source'}})
  })
})
