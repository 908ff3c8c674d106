import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Finding} from '../src/detect/finding.js'
import {openIncident} from '../src/incident/incident.js'
import {openWorkspace} from '../src/incident/workspace.js'
import {judge as judgeAccount} from '../src/logs/cloudtrail/account-wide.js'
import {normalize} from '../src/logs/cloudtrail/record.js'
import {matchRules} from '../src/logs/cloudtrail/rules.js'
import {loadProcedures, resolvePlaybook} from '../src/playbook/load.js'
import {json, leakctl, tempDir} from './helpers/cli.js'
import {fingerprint} from './helpers/fingerprint.js'

// A bucket or object made public, as CloudTrail records it (shapes from the
// Stratus/Invictus data sets and the S3 API reference): recognised, recorded
// as evidence whoever made the call, and placed on the timeline at its time.

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers'
let n = 0
function record(eventName: string, requestParameters: Record<string, unknown>, o: {at?: string; key?: string; errorCode?: string} = {}) {
  n++
  return {
    eventVersion: '1.09',
    userIdentity: {type: 'IAMUser', principalId: 'AIDAOWNER', arn: 'arn:aws:iam::111122223333:user/ops', accountId: '111122223333', accessKeyId: o.key ?? 'AKIAOWNEROWNEROWNER1', userName: 'ops'},
    eventTime: o.at ?? '2026-05-01T08:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName,
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: '[aws-cli/2.15.0 Python/3.11 Linux/6.1]',
    requestParameters: {Host: 'example.s3.amazonaws.com', ...requestParameters},
    responseElements: null,
    ...(o.errorCode ? {errorCode: o.errorCode} : {}),
    eventID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  }
}

const policy = (principal: unknown) => ({
  bucketName: 'etcd-backups',
  policy: '',
  bucketPolicy: {Version: '2012-10-17', Statement: [{Sid: 'Read', Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: 'arn:aws:s3:::etcd-backups/*'}]},
})

const opened = (raw: unknown) => normalize(raw).event!.madePublic

describe('recognising a bucket or object made public', () => {
  it('a bucket policy allowing Principal "*" or {"AWS": "*"}, not a specific account or a service', () => {
    expect(opened(record('PutBucketPolicy', policy('*')))).toEqual({bucket: 'etcd-backups', how: 'policy'})
    expect(opened(record('PutBucketPolicy', policy({AWS: '*'})))).toEqual({bucket: 'etcd-backups', how: 'policy'})
    expect(opened(record('PutBucketPolicy', policy({AWS: ['arn:aws:iam::444455556666:root', '*']})))).toMatchObject({how: 'policy'})
    expect(opened(record('PutBucketPolicy', policy({AWS: 'arn:aws:iam::444455556666:root'})))).toBeUndefined()
    expect(opened(record('PutBucketPolicy', policy({Service: 'cloudtrail.amazonaws.com'})))).toBeUndefined()
    // A Deny to everyone closes, it does not open.
    const deny = policy('*')
    deny.bucketPolicy.Statement[0]!.Effect = 'Deny'
    expect(opened(record('PutBucketPolicy', deny))).toBeUndefined()
    // Some exports carry the policy as a JSON string.
    expect(opened(record('PutBucketPolicy', {bucketName: 'etcd-backups', bucketPolicy: JSON.stringify(policy('*').bucketPolicy)}))).toMatchObject({how: 'policy'})
    // A refused call changed nothing; deleting a policy only takes grants away.
    expect(opened(record('PutBucketPolicy', policy('*'), {errorCode: 'AccessDenied'}))).toBeUndefined()
    expect(opened(record('DeleteBucketPolicy', {bucketName: 'etcd-backups', policy: ''}))).toBeUndefined()
  })

  it('a canned ACL for everyone, on a bucket or an object', () => {
    expect(opened(record('PutBucketAcl', {bucketName: 'etcd-backups', acl: '', 'x-amz-acl': ['public-read']}))).toEqual({bucket: 'etcd-backups', how: 'canned-acl'})
    expect(opened(record('PutObjectAcl', {bucketName: 'etcd-backups', key: 'snap/2026-05-01.db', acl: '', 'x-amz-acl': 'authenticated-read'}))).toEqual({bucket: 'etcd-backups', object: 'snap/2026-05-01.db', how: 'canned-acl'})
    expect(opened(record('PutBucketAcl', {bucketName: 'etcd-backups', acl: '', 'x-amz-acl': ['private']}))).toBeUndefined()
    expect(opened(record('PutObjectAcl', {bucketName: 'etcd-backups', key: 'a', 'x-amz-acl': ['bucket-owner-full-control']}))).toBeUndefined()
  })

  it('a grant to AllUsers or AuthenticatedUsers, in the body or a header; not to an account', () => {
    const body = (uri: string) => ({
      bucketName: 'etcd-backups',
      acl: '',
      AccessControlPolicy: {
        AccessControlList: {Grant: [{Grantee: {'xsi:type': 'CanonicalUser', ID: 'abc123'}, Permission: 'FULL_CONTROL'}, {Grantee: {'xsi:type': 'Group', URI: uri}, Permission: 'READ'}]},
        Owner: {ID: 'abc123'},
      },
    })
    expect(opened(record('PutBucketAcl', body(ALL_USERS)))).toEqual({bucket: 'etcd-backups', how: 'acl-grant'})
    expect(opened(record('PutBucketAcl', body('http://acs.amazonaws.com/groups/global/AuthenticatedUsers')))).toMatchObject({how: 'acl-grant'})
    expect(opened(record('PutBucketAcl', body('http://acs.amazonaws.com/groups/s3/LogDelivery')))).toBeUndefined()
    expect(opened(record('PutObjectAcl', {bucketName: 'etcd-backups', key: 'k', 'x-amz-grant-read': [`id="abc", uri="${ALL_USERS}"`]}))).toEqual({bucket: 'etcd-backups', object: 'k', how: 'acl-grant'})
  })

  it('the public access block removed or switched off, for a bucket or the account', () => {
    expect(opened(record('DeleteBucketPublicAccessBlock', {bucketName: 'etcd-backups', publicAccessBlock: ''}))).toEqual({bucket: 'etcd-backups', how: 'public-access-block'})
    const conf = (v: boolean) => ({bucketName: 'etcd-backups', publicAccessBlock: '', PublicAccessBlockConfiguration: {BlockPublicAcls: v, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}})
    expect(opened(record('PutBucketPublicAccessBlock', conf(false)))).toMatchObject({how: 'public-access-block'})
    expect(opened(record('PutBucketPublicAccessBlock', conf(true)))).toBeUndefined()
    expect(opened(record('DeleteAccountPublicAccessBlock', {}))).toEqual({bucket: '*', how: 'public-access-block'})
  })

  it('the rule names it once, as exfiltration, with what was opened', () => {
    const m = matchRules(normalize(record('PutObjectAcl', {bucketName: 'etcd-backups', key: 'snap.db', 'x-amz-acl': ['public-read']})).event!)
    expect(m.map((x) => x.rule.id)).toEqual(['made-public'])
    expect(m[0]!.reason).toBe('exfiltration: PutObjectAcl made s3://etcd-backups/snap.db public')
    // A policy for one account is still a bucket access change, not a bucket made public.
    expect(matchRules(normalize(record('PutBucketPolicy', policy({AWS: 'arn:aws:iam::444455556666:root'}))).event!).map((x) => x.rule.id)).toEqual(['bucket-exposure'])
  })

  it('account-wide: a bucket made public is a change to report, a policy for one account is not', () => {
    const pub = normalize(record('PutBucketPolicy', policy('*'), {at: '2026-05-02T00:00:00Z'})).event!
    const own = normalize(record('PutBucketPolicy', policy({AWS: 'arn:aws:iam::444455556666:root'}), {at: '2026-05-02T01:00:00Z'})).event!
    const r = judgeAccount([pub, own], Date.parse('2026-05-01T00:00:00Z'))
    expect(r.changes.map((c) => [c.event.eventId, c.reason])).toEqual([[pub.eventId, 'PutBucketPolicy made s3://etcd-backups public']])
  })

  it('an object key from the log cannot carry control characters', () => {
    expect(opened(record('PutObjectAcl', {bucketName: 'b', key: 'x\u001b[31m\ny', 'x-amz-acl': 'public-read'}))!.object).toBe('x?[31m?y')
  })
})

describe('leakctl logs cloudtrail: a backup bucket made public, on the timeline', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeAll(() => (tmp = tempDir('leakctl-made-public-')))
  afterAll(() => tmp.cleanup())

  it('records the bucket change made by someone else and places "made public" at its CloudTrail time', async () => {
    const leaked = 'AKIALEAKEDLEAKED0001'
    const trail = join(tmp.dir, 'trail')
    mkdirSync(trail)
    const other = record('PutBucketPolicy', {...policy('*'), bucketName: 'static-site'}, {at: '2026-04-01T12:00:00Z'})
    const notPublic = record('PutBucketPolicy', policy({AWS: 'arn:aws:iam::444455556666:root'}), {at: '2026-04-20T09:00:00Z'})
    const made = record('PutBucketAcl', {bucketName: 'etcd-backups', acl: '', 'x-amz-acl': ['public-read']}, {at: '2026-04-28T17:30:00Z'})
    const use = {...record('GetCallerIdentity', {}, {at: '2026-04-29T02:00:00Z', key: leaked}), eventSource: 'sts.amazonaws.com', sourceIPAddress: '203.0.113.9'}
    writeFileSync(join(trail, '111122223333_CloudTrail_eu-west-1_20260501T0000Z_a.json'), JSON.stringify({Records: [other, notPublic, made, use]}))

    const ws = join(tmp.dir, 'ws')
    const finding: Finding = {
      source: 'etcd',
      class: 'aws-access-key',
      risk: 'critical',
      reason: 'an AWS access key with its secret',
      fingerprint: fingerprint('made-up-secret-for-the-made-public-test'),
      preview: 'AKIA**** (20 chars)',
      rotation: 'aws-access-key',
      keyId: leaked,
      key: '/registry/secrets/prod/aws',
      revision: 7,
      kind: 'Secret',
      namespace: 'prod',
      name: 'aws',
      field: 'data.AWS_SECRET_ACCESS_KEY',
      state: 'live',
      created: '2026-03-01T00:00:00.000Z',
    }
    await openIncident(openWorkspace(ws, true), {
      title: 'etcd backup leaked',
      kind: 'etcd-leak',
      commander: 'commander',
      exposedAt: null,
      playbook: resolvePlaybook('etcd-leak'),
      procedures: loadProcedures(),
      actor: 'tester',
      findings: [finding],
      vars: {bucket: 's3://etcd-backups/nightly'},
    })
    const env = {LEAKCTL_WORKSPACE: ws}

    const run = leakctl(['logs', 'cloudtrail', '--logs-dir', trail, '--json'], {env})
    expect(run.stderr).not.toMatch(/Error|at .*\.js:\d+/)
    expect([0, 1]).toContain(run.code)
    const doc = json(run)
    // The two public-making calls are kept though no followed key made them; the account-only policy is not.
    const byName = Object.fromEntries((doc.events as {eventId: string; madePublic?: unknown}[]).map((e) => [e.eventId, e.madePublic]))
    expect(byName[made.eventID]).toEqual({bucket: 'etcd-backups', how: 'canned-acl'})
    expect(byName[other.eventID]).toEqual({bucket: 'static-site', how: 'policy'})
    expect(notPublic.eventID in byName).toBe(false)

    const timeline = leakctl(['timeline', 'export', '--format', 'json'], {env})
    expect(timeline.code).toBe(0)
    const t = JSON.parse(timeline.stdout)
    const milestones = t.exposure.milestones as {kind: string; label: string; at: {happenedAt: string; learnedAt: string; source: string}}[]
    const pub = milestones.filter((m) => m.kind === 'made-public')
    expect(pub.map((m) => m.label)).toEqual(['Bucket s3://static-site made public', 'Bucket s3://etcd-backups made public'])
    const mine = pub[1]!.at
    expect(mine.happenedAt).toBe('2026-04-28T17:30:00.000Z')
    expect(mine.source).toBe(`CloudTrail eventId ${made.eventID}`)
    // Learned when the evidence was recorded (today), not when it happened.
    expect(Date.parse(mine.learnedAt)).toBeGreaterThan(Date.parse('2026-05-01T00:00:00Z'))
    // The credential was exposed when its bucket (vars.bucket) was made public, not the other bucket.
    const cred = t.exposure.credentials.find((c: {fingerprint: string}) => c.fingerprint === finding.fingerprint)
    expect(cred.exposed).toMatchObject({happenedAt: '2026-04-28T17:30:00.000Z', source: `CloudTrail eventId ${made.eventID}`, basis: 's3://etcd-backups made public (CloudTrail)'})
    expect(cred.exposed.learnedAt).toBe(mine.learnedAt)
  })
})
