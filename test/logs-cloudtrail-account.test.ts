import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {leakctl, leakctlAsync, tempDir} from './helpers/cli.js'

// The stand-in runs in this process: the CLI runs asynchronously so it can answer.
import {type FakeAws, fakeAwsEnv, startFakeAws} from './helpers/logs-aws-server.js'

// logs cloudtrail --account-wide (issue 14, point 7): whatever leaked, look
// for new users, keys, logins, policies and sign-ins from new addresses in the
// account since the exposure. The real SDK against the local AWS stand-in.

const HOUR = 3_600_000
const EXPOSED = new Date(Math.floor((Date.now() - 3 * HOUR) / 60_000) * 60_000)
const at = (offsetMs: number) => new Date(EXPOSED.getTime() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z')
let n = 0
function rec(eventName: string, offsetMs: number, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: '1.08',
    eventID: `ev-${++n}`,
    eventTime: at(offsetMs),
    eventName,
    eventSource: eventName === 'ConsoleLogin' ? 'signin.amazonaws.com' : 'iam.amazonaws.com',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2.15',
    userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ci', accountId: '111122223333', userName: 'ci', accessKeyId: 'AKIAQX4CIUSER0000001'},
    recipientAccountId: '111122223333',
    ...extra,
  }
}

const records = [
  rec('CreateUser', -2 * HOUR, {requestParameters: {userName: 'old-user'}}),
  rec('ConsoleLogin', -HOUR, {sourceIPAddress: '198.51.100.7', responseElements: {ConsoleLogin: 'Success'}}),
  rec('ConsoleLogin', HOUR / 2, {sourceIPAddress: '198.51.100.7', responseElements: {ConsoleLogin: 'Success'}}),
  rec('CreateUser', HOUR, {requestParameters: {userName: 'backup-svc'}}),
  rec('AttachUserPolicy', HOUR + 60_000, {requestParameters: {userName: 'backup-svc', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess'}}),
  rec('ConsoleLogin', 2 * HOUR, {sourceIPAddress: '203.0.113.9', responseElements: {ConsoleLogin: 'Success'}}),
  rec('DescribeInstances', HOUR, {eventSource: 'ec2.amazonaws.com'}),
]

let tmp: ReturnType<typeof tempDir>
let server: FakeAws | undefined
beforeAll(() => {
  tmp = tempDir('leakctl-ct-account-')
})
afterAll(() => tmp.cleanup())
afterEach(async () => {
  await server?.close()
  server = undefined
})

const SECRET = 'responder-secret-not-printed-0123456789ab'
const env = (url: string, extra: Record<string, string | undefined> = {}) => fakeAwsEnv(url, tmp.dir, SECRET, {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws'), ...extra})

describe('logs cloudtrail --account-wide', () => {
  it('lists every change since the exposure and sign-ins from new addresses only, exit 1', async () => {
    server = await startFakeAws({records, account: '111122223333', enabledRegions: ['us-east-1'], pageSize: 2})
    const r = await leakctlAsync(['logs', 'cloudtrail', '--account-wide', '--since', EXPOSED.toISOString(), '--json'], {env: env(server.url)})
    expect(r.code, r.stderr).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out.changes.map((c: {event: {eventName: string}}) => c.event.eventName)).toEqual(['CreateUser', 'AttachUserPolicy', 'ConsoleLogin'])
    expect(out.changes[2].reason).toMatch(/console sign-in from 203\.0\.113\.9, an address not seen before the exposure/)
    expect(out.knownSignIns).toBe(1)
    // It asked by event name, never by access key, and read the baseline only for sign-ins.
    const asked = server.log.filter((l) => l.action === 'LookupEvents').map((l) => l.body.LookupAttributes[0])
    expect(new Set(asked.map((a: {AttributeKey: string}) => a.AttributeKey))).toEqual(new Set(['EventName']))
    expect(asked.map((a: {AttributeValue: string}) => a.AttributeValue)).toEqual(expect.arrayContaining(['CreateUser', 'CreateAccessKey', 'PutUserPolicy', 'UpdateAssumeRolePolicy', 'ConsoleLogin']))
  })

  it('records the changes on the incident (a database-password incident has no AWS key) and not twice', async () => {
    server = await startFakeAws({records, account: '111122223333', enabledRegions: ['us-east-1']})
    const e = env(server.url)
    expect(leakctl(['incident', 'open', '--title', 'db password pushed', '--kind', 'git-leak', '--exposed-at', EXPOSED.toISOString()], {env: e}).code).toBe(0)
    const first = await leakctlAsync(['logs', 'cloudtrail', '--account-wide'], {env: e})
    expect(first.code, first.stderr).toBe(1)
    expect(first.stdout).toMatch(/3 account change\(s\) or new sign-in\(s\) since/)
    expect(first.stdout).toMatch(/3 evidence event\(s\) recorded/)
    expect(first.stdout + first.stderr).not.toContain(SECRET)
    const again = await leakctlAsync(['logs', 'cloudtrail', '--account-wide'], {env: e})
    expect(again.stdout).toMatch(/0 evidence event\(s\) recorded/)
  })

  it('expired credentials: exit 3 saying so', async () => {
    server = await startFakeAws({records, account: '111122223333', enabledRegions: ['us-east-1'], expired: true})
    const r = await leakctlAsync(['logs', 'cloudtrail', '--account-wide', '--since', EXPOSED.toISOString(), '--no-record'], {env: env(server.url, {AWS_MAX_ATTEMPTS: '1'})})
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/^error: .*expired/m)
  })
})
