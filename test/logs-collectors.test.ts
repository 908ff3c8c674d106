import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {scenarioRecords, SCENARIO} from '../fixtures/cloudtrail/generate.js'
import {fingerprint} from './helpers/fingerprint.js'
import {cloudtrailCollector, githubCollector} from '../src/logs/collectors.js'
import {COLLECTORS} from '../src/triage/evidence.js'
import {tempDir} from './helpers/cli.js'
import {openTestIncident} from './helpers/incident.js'
import {type FakeAws, startFakeAws} from './helpers/logs-aws-server.js'
import {type FakeGitHub, startFakeGitHub} from './helpers/logs-github-server.js'

// The logs commands as the triage's evidence collectors (registered on import).

const S = SCENARIO
const EXPOSED = new Date(Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000)
const saved = {...process.env}
let tmp: ReturnType<typeof tempDir>
let aws: FakeAws
let gh: FakeGitHub

beforeAll(async () => {
  tmp = tempDir('leakctl-logs-collectors-')
  aws = await startFakeAws({records: scenarioRecords({noise: 20, shiftMs: EXPOSED.getTime() - Date.parse(S.exposedAt)}), account: S.account, enabledRegions: ['us-east-1', 'ap-southeast-2'], pageSize: 50, lastUsed: {[S.leakedKey]: {user: S.owner}}})
  gh = await startFakeGitHub({token: 'ghp_collectortoken', scopes: ['repo'], repo: {name: 'payments', full_name: 'acme/payments', private: true, visibility: 'private', owner: {login: 'acme', type: 'User'}}, clones: {count: 0, uniques: 0, clones: []}, views: {count: 0, uniques: 0, views: []}, forks: [], alerts: [], events: []})
  Object.assign(process.env, {AWS_ENDPOINT_URL: aws.url, AWS_ACCESS_KEY_ID: 'AKIAQX4RESPONDER0001', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', GITHUB_API_URL: gh.url, GITHUB_TOKEN: 'ghp_collectortoken'})
})
afterAll(async () => {
  process.env = saved
  await aws.close()
  await gh.close()
  tmp.cleanup()
})

describe('evidence collectors for the triage', () => {
  it('register themselves', () => {
    expect(COLLECTORS.map((c) => c.id)).toEqual(expect.arrayContaining(['cloudtrail', 'github']))
  })

  it('cloudtrail: used after the exposure is a failed check with the evidence events', async () => {
    const finding = {source: 'file' as const, class: 'aws-access-key', risk: 'critical' as const, reason: 'AWS key', fingerprint: fingerprint('x'), preview: 'AKIA****', rotation: 'aws-access-key', keyId: S.leakedKey, path: 'env', line: 1}
    const {ref} = await openTestIncident(join(tmp.dir, 'ws1'), {exposedAt: EXPOSED, findings: [finding]})
    const ctx = {incident: ref, findings: [finding], exposedAt: EXPOSED, github: null}
    expect(cloudtrailCollector.appliesTo(ctx.findings)).toBe(true)
    const out = await cloudtrailCollector.collect(ctx)
    expect(out.status).toBe('fail')
    expect(out.summary).toMatch(/^USED AFTER EXPOSURE by 185\.220\.101\.47/)
    expect(out.events.filter((e) => e.data.suspicious).length).toBeGreaterThan(10)
    expect(cloudtrailCollector.manual(ctx)).toBe(`leakctl logs cloudtrail --access-key-id ${S.leakedKey} --incident ${ref.id}`)
  })

  it('github: a private repository without copies (partial: a user account has no audit log); no repository is skipped', async () => {
    const {ref} = await openTestIncident(join(tmp.dir, 'ws2'), {exposedAt: EXPOSED})
    const out = await githubCollector.collect({incident: ref, findings: [], exposedAt: EXPOSED, github: 'acme/payments'})
    expect(out.summary).toMatch(/^NO COPIES SEEN AFTER EXPOSURE — private repository/)
    expect(out.status).toBe('partial')
    const none = await githubCollector.collect({incident: ref, findings: [], exposedAt: EXPOSED, github: null})
    expect(none.status).toBe('skipped')
  })
})
