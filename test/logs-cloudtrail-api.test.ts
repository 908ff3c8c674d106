import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {scenarioRecords, SCENARIO} from '../fixtures/cloudtrail/generate.js'
import {json, leakctlAsync, type RunResult, tempDir} from './helpers/cli.js'
import {type FakeAws, type FakeAwsOptions, fakeAwsEnv, type RequestLog, startFakeAws} from './helpers/logs-aws-server.js'

// The real AWS SDK clients (CloudTrail, IAM, STS, EC2, Athena) against a
// local server speaking their wire protocols, through the real binary.

const S = SCENARIO
// Served as recent events: the exposure two hours ago (LookupEvents keeps 90 days).
const EXPOSED = new Date(Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000)
const SHIFT = EXPOSED.getTime() - Date.parse(S.exposedAt)
const records = scenarioRecords({noise: 150, shiftMs: SHIFT})
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'eu-north-1']
const SECRET = `cnry${Date.now().toString(36)}SeCrEtAcCeSsKeY0123456789abcdef`.slice(0, 40)

let tmp: ReturnType<typeof tempDir>
let server: FakeAws | undefined
beforeAll(() => {
  tmp = tempDir('leakctl-logs-api-')
})
afterAll(() => tmp.cleanup())
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function serve(extra: Partial<FakeAwsOptions> = {}): Promise<FakeAws> {
  server = await startFakeAws({
    records,
    account: S.account,
    enabledRegions: REGIONS,
    pageSize: 10,
    lastUsed: {[S.leakedKey]: {user: S.owner, date: new Date(EXPOSED.getTime() + 40 * 60_000).toISOString(), service: 'ec2', region: S.abuseRegion, status: 'Inactive'}, AKIAQX4OTHER7KEY0009: {user: S.owner}},
    ...extra,
  })
  return server
}

function awsEnv(url: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return fakeAwsEnv(url, tmp.dir, SECRET, {LEAKCTL_WORKSPACE: join(tmp.dir, 'no-ws'), ...extra})
}

const cloudtrail = (log: RequestLog[]) => log.filter((l) => l.service === 'cloudtrail')

function maxPerSecond(log: RequestLog[], region: string): number {
  const times = cloudtrail(log).filter((l) => l.region === region).map((l) => l.at).sort((a, b) => a - b)
  let worst = 0
  for (let i = 0; i < times.length; i++) {
    let j = i
    while (j + 1 < times.length && times[j + 1]! - times[i]! < 900) j++
    worst = Math.max(worst, j - i + 1)
  }
  return worst
}

const args = ['logs', 'cloudtrail', '-k', S.leakedKey, '--since', EXPOSED.toISOString()]
const noSecret = (r: RunResult) => expect(r.stdout + r.stderr).not.toContain(SECRET)

describe('leakctl logs cloudtrail (API)', () => {
  it('queries every enabled region, every page, at most 2 requests a second per region, and follows the pivots', async () => {
    const aws = await serve()
    const r = await leakctlAsync([...args, '--json'], {env: awsEnv(aws.url)})
    noSecret(r)
    expect(r.code).toBe(1)
    const doc = json(r)
    expect(doc.partial).toBe(false)
    expect(doc.missing).toEqual([])
    expect(doc.verdict.text).toMatch(/^USED AFTER EXPOSURE by 185\.220\.101\.47, 45\.148\.10\.81 — /)
    expect(doc.verdict.created.users).toEqual([S.createdUser])
    // Every region answered DescribeRegions, each got LookupEvents for the leaked key.
    const byRegion = new Set(cloudtrail(aws.log).filter((l) => l.body.LookupAttributes[0].AttributeValue === S.leakedKey).map((l) => l.region))
    expect([...byRegion].sort()).toEqual([...REGIONS].sort())
    // Pagination: the leaked key's us-east-1 events span several pages, all read.
    const pages = cloudtrail(aws.log).filter((l) => l.region === 'us-east-1' && l.body.LookupAttributes[0].AttributeValue === S.leakedKey)
    expect(pages.length).toBeGreaterThan(2)
    expect(pages.slice(1).every((p) => typeof p.body.NextToken === 'string')).toBe(true)
    const expected = records.filter((x) => x.userIdentity?.accessKeyId === S.leakedKey && Date.parse(x.eventTime) >= EXPOSED.getTime() - 7 * 86_400_000 && Date.parse(x.eventTime) <= Date.now()).length
    expect(expected).toBeGreaterThan(30)
    expect(doc.events.filter((e: {accessKeyId: string}) => e.accessKeyId === S.leakedKey)).toHaveLength(expected)
    // Pivots, queried in a second round: the session key (in every region), the created user.
    const queried = new Set(cloudtrail(aws.log).map((l) => `${l.body.LookupAttributes[0].AttributeKey}=${l.body.LookupAttributes[0].AttributeValue}`))
    expect(queried).toEqual(new Set([`AccessKeyId=${S.leakedKey}`, `AccessKeyId=${S.sessionKey}`, `AccessKeyId=${S.createdKey}`, `Username=${S.createdUser}`, 'EventName=UpdateAccessKey', 'EventName=DeleteAccessKey', 'EventName=AttachUserPolicy']))
    const run = doc.events.find((e: {eventName: string}) => e.eventName === 'RunInstances')
    expect(run).toMatchObject({accessKeyId: S.sessionKey, region: S.abuseRegion, suspicious: true})
    // IAM: the first answer and the owner.
    const leaked = doc.keys.find((k: {accessKeyId: string}) => k.accessKeyId === S.leakedKey)
    expect(leaked).toMatchObject({owner: S.owner, status: 'Inactive'})
    expect(leaked.lastUsed).toBe(new Date(EXPOSED.getTime() + 40 * 60_000).toISOString())
    expect(doc.warnings.join('\n')).toMatch(/ci-deploy has 1 other access key\(s\): AKIAQX4OTHER7KEY0009 \(Active\)/)
    // Containment found through EventName lookups.
    expect(doc.verdict.containment).toHaveLength(2)
    // The limit: never more than 2 requests in any second, in any region.
    for (const region of REGIONS) expect(maxPerSecond(aws.log, region), region).toBeLessThanOrEqual(2)
  })

  it('rides out a throttling storm with backoff and still reads everything', async () => {
    const aws = await serve({throttle: {'us-east-1': 3, 'ap-southeast-2': 2}})
    const r = await leakctlAsync([...args, '--json'], {env: awsEnv(aws.url)})
    expect(r.code).toBe(1)
    const doc = json(r)
    expect(doc.partial).toBe(false)
    const throttledCalls = cloudtrail(aws.log).filter((l) => l.region === 'us-east-1').length
    expect(throttledCalls).toBeGreaterThan(3)
    expect(doc.events.some((e: {eventName: string}) => e.eventName === 'RunInstances')).toBe(true)
    for (const region of REGIONS) expect(maxPerSecond(aws.log, region), region).toBeLessThanOrEqual(2)
  })

  it('a region that never stops throttling is marked missing; the result is partial, the use is still reported', async () => {
    const aws = await serve({throttle: {'eu-north-1': Number.POSITIVE_INFINITY}})
    const r = await leakctlAsync([...args, '--json'], {env: awsEnv(aws.url, {AWS_MAX_ATTEMPTS: '3'})})
    expect(r.code).toBe(1)
    const doc = json(r)
    expect(doc.partial).toBe(true)
    expect(doc.missing.find((m: {what: string}) => m.what === 'region eu-north-1').reason).toMatch(/still throttled after every retry \(ThrottlingException\)/)
  })

  it('a region that is not enabled: a clear line, partial, exit 3 when nothing else was found', async () => {
    const aws = await serve({disabledRegions: ['me-south-1']})
    const r = await leakctlAsync(['logs', 'cloudtrail', '-k', 'AKIAQX4NOTUSED7ANYWH', '--since', EXPOSED.toISOString(), '--region', 'us-east-1', '--region', 'me-south-1'], {env: awsEnv(aws.url)})
    noSecret(r)
    expect(r.code).toBe(3)
    expect(r.stdout).toMatch(/^UNKNOWN — no use found in what could be read, but the result is partial/)
    expect(r.stdout).toMatch(/region me-south-1: cloudtrail LookupEvents in me-south-1: the region is not enabled for this account, or it does not accept these credentials \(UnrecognizedClientException\)/)
    expect(r.stderr).toMatch(/^error: AWS could not be read completely: .*region me-south-1/m)
    // The enabled region was still read.
    expect(cloudtrail(aws.log).some((l) => l.region === 'us-east-1')).toBe(true)
  })

  it('expired credentials: one clear message, exit 3, the result marked partial', async () => {
    const aws = await serve({expired: true})
    const r = await leakctlAsync([...args, '--json'], {env: awsEnv(aws.url)})
    noSecret(r)
    expect(r.code).toBe(3)
    const doc = json(r)
    expect(doc.partial).toBe(true)
    expect(doc.verdict.status).toBe('unknown')
    expect(doc.fatal).toMatch(/the AWS credentials have expired \(ExpiredToken\): refresh them/)
    expect(r.stderr).toMatch(/^error: the AWS credentials have expired/m)
    expect(aws.log.filter((l) => l.service === 'cloudtrail')).toHaveLength(0)
  })

  it('no credentials at all: exit 3 and says where it looked', async () => {
    const aws = await serve()
    const r = await leakctlAsync(args, {env: awsEnv(aws.url, {AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, HOME: tmp.dir})})
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/no AWS credentials found \(environment, --profile, SSO or an instance role\)/)
    expect(aws.log).toHaveLength(0)
  })

  it('AWS unreachable: exit 3', async () => {
    const aws = await serve()
    const url = aws.url
    await aws.close()
    server = undefined
    const r = await leakctlAsync(args, {env: awsEnv(url, {AWS_MAX_ATTEMPTS: '1'})})
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/cannot reach AWS/)
  })

  it('DescribeRegions denied: falls back to the default regions and says so', async () => {
    const aws = await serve({denyDescribeRegions: true})
    const r = await leakctlAsync(['logs', 'cloudtrail', '-k', 'AKIAQX4NOTUSED7ANYWH', '--since', EXPOSED.toISOString(), '--json'], {env: awsEnv(aws.url)})
    const doc = json(r)
    expect(doc.missing).toContainEqual({what: 'opt-in regions', reason: 'could not list the enabled regions (UnauthorizedOperation); searched the 17 regions enabled by default only'})
    expect(doc.missing).toContainEqual({what: 'IAM last-used of AKIAQX4NOTUSED7ANYWH', reason: 'the key is not in this account (or was deleted)'})
    expect(new Set(cloudtrail(aws.log).map((l) => l.region)).size).toBe(17)
    expect(r.code).toBe(3)
  })

  it('a key of another account is said to be so', async () => {
    const aws = await serve({keyAccounts: {[S.leakedKey]: '999988887777'}})
    const r = await leakctlAsync([...args, '--region', 'us-east-1', '--json'], {env: awsEnv(aws.url)})
    const doc = json(r)
    expect(doc.warnings.join('\n')).toContain(`${S.leakedKey} belongs to account 999988887777, but these credentials are for account ${S.account}`)
    expect(doc.missing.some((m: {what: string}) => m.what === 'account 999988887777')).toBe(true)
  })
})

describe('leakctl logs cloudtrail --athena', () => {
  it('prints the documented table and the query without AWS', async () => {
    const r = await leakctlAsync(['logs', 'cloudtrail', '-k', S.leakedKey, '--since', '2026-03-02T10:00:00Z', '--athena-print-sql', '--athena-location', 's3://trail-bucket/AWSLogs/111122223333/CloudTrail/', '--json'], {env: {LEAKCTL_WORKSPACE: join(tmp.dir, 'no-ws')}})
    expect(r.code).toBe(0)
    const doc = json(r)
    expect(doc.ddl).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS default\.cloudtrail_logs \(/)
    expect(doc.ddl).toContain("STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'")
    expect(doc.ddl).toContain("'storage.location.template'='s3://trail-bucket/AWSLogs/111122223333/CloudTrail/${region}/${timestamp}'")
    expect(doc.ddl).toContain("'projection.timestamp.range'='2026/02/23,NOW'")
    expect(doc.sql).toContain(`useridentity.accesskeyid IN ('${S.leakedKey}')`)
    expect(doc.sql).toContain(`eventtime >= '2026-02-23T10:00:00Z'`)
    const bad = await leakctlAsync(['logs', 'cloudtrail', '-k', S.leakedKey, '--athena-print-sql', '--athena-table', 'x; DROP TABLE y'], {env: {LEAKCTL_WORKSPACE: join(tmp.dir, 'no-ws')}})
    expect(bad.code).toBe(2)
  })

  it('creates the table, runs the query, follows the pivots in further rounds, and pages through the results', async () => {
    const aws = await serve({athenaPageSize: 7})
    const r = await leakctlAsync([...args, '--athena', '--athena-location', 's3://trail-bucket/AWSLogs/111122223333/CloudTrail/', '--athena-output', 's3://results/leakctl/', '--json'], {env: awsEnv(aws.url)})
    noSecret(r)
    expect(r.code).toBe(1)
    const doc = json(r)
    expect(doc.source).toBe('athena')
    expect(doc.partial).toBe(false)
    expect(aws.queries[0]).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS default\.cloudtrail_logs/)
    expect(aws.queries[1]).toContain(`useridentity.accesskeyid IN ('${S.leakedKey}')`)
    expect(aws.queries[2]).toMatch(new RegExp(`useridentity.accesskeyid IN \\('(${S.createdKey}|${S.sessionKey})', '(${S.createdKey}|${S.sessionKey})'\\)`))
    expect(aws.queries[2]).toContain(`useridentity.username IN ('${S.createdUser}')`)
    expect(doc.verdict.text).toMatch(/^USED AFTER EXPOSURE by 185\.220\.101\.47, 45\.148\.10\.81 — /)
    expect(doc.verdict.containment).toHaveLength(2)
    expect(aws.log.filter((l) => l.action === 'GetQueryResults').length).toBeGreaterThan(3)
  })

  it('a failed query is reported, not swallowed', async () => {
    const aws = await serve({athenaFail: 'TABLE_NOT_FOUND: line 2:6: Table awsdatacatalog.default.cloudtrail_logs does not exist'})
    const r = await leakctlAsync([...args, '--athena', '--json'], {env: awsEnv(aws.url)})
    expect(r.code).toBe(3)
    const doc = json(r)
    expect(doc.missing[0].reason).toMatch(/FAILED: TABLE_NOT_FOUND/)
  })
})
