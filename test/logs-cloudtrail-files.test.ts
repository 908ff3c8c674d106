import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {gunzipSync} from 'node:zlib'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {generateFaults, generateTrail, SCENARIO} from '../fixtures/cloudtrail/generate.js'
import {fingerprint} from './helpers/fingerprint.js'
import {loadIncident} from '../src/incident/incident.js'
import {findIncident, openWorkspace} from '../src/incident/workspace.js'
import {collectFromFiles, scanLogFiles} from '../src/logs/cloudtrail/files.js'
import {investigateCloudTrail} from '../src/logs/cloudtrail/investigate.js'
import {Pivots} from '../src/logs/cloudtrail/pivots.js'
import {normalize} from '../src/logs/cloudtrail/record.js'
import {buildResult, type CloudTrailResult} from '../src/logs/cloudtrail/report.js'
import {matchRules} from '../src/logs/cloudtrail/rules.js'
import {json, leakctl, ROOT, tempDir} from './helpers/cli.js'
import {openTestIncident} from './helpers/incident.js'

const S = SCENARIO
const since = new Date(S.exposedAt)
let tmp: ReturnType<typeof tempDir>
let trail: string
let faults: string

beforeAll(() => {
  tmp = tempDir('leakctl-logs-files-')
  trail = join(tmp.dir, 'org')
  generateTrail(trail, {org: true})
  faults = join(tmp.dir, 'faults')
  generateFaults(faults)
})
afterAll(() => tmp.cleanup())

const run = (path: string, keys: string[] = [S.leakedKey], at: Date | null = since) => investigateCloudTrail({keys, since: at, source: {kind: 'files', path}})

describe('CloudTrail log files: the generated attack', () => {
  let r: CloudTrailResult
  beforeAll(async () => {
    r = await run(trail)
  })

  it('gives the verdict first: used after exposure, by whom, what was done', () => {
    expect(r.verdict.status).toBe('used-after-exposure')
    expect(r.verdict.text).toMatch(/^USED AFTER EXPOSURE by 185\.220\.101\.47, 45\.148\.10\.81 — \d+ calls/)
    expect(r.verdict.text).toContain('1 user created')
    expect(r.verdict.text).toContain('1 access key created')
    expect(r.verdict.text).toContain('defence evasion: StopLogging')
    expect(r.verdict.created).toEqual({users: [S.createdUser], accessKeys: [S.createdKey]})
    expect(r.partial).toBe(false)
    expect(r.accounts).toEqual([S.account])
  })

  it('follows the pivots: the session token and the backdoor key, though delivered out of order', () => {
    const kinds = Object.fromEntries(r.keys.map((k) => [k.accessKeyId, k.kind]))
    expect(kinds).toEqual({[S.leakedKey]: 'leaked', [S.sessionKey]: 'session', [S.createdKey]: 'created'})
    const session = r.keys.find((k) => k.accessKeyId === S.sessionKey)!
    expect(session).toMatchObject({parent: S.leakedKey, via: 'GetSessionToken', calls: 2, suspicious: 2, expires: '2026-03-03T22:14:00.000Z'})
    // The session key's first call sits in a file read before the one holding GetSessionToken.
    expect((r.stats as {rescannedFiles: number}).rescannedFiles).toBeGreaterThan(0)
    // The owner's own AssumeRole before the exposure minted a key that is not a pivot.
    expect(r.keys.some((k) => k.accessKeyId === S.ownerSessionKey)).toBe(false)
  })

  it('judges each event, with its reasons', () => {
    const by = (name: string, key: string = S.leakedKey) => r.events.find((e) => e.eventName === name && e.accessKeyId === key)!
    expect(by('GetCallerIdentity').reasons).toEqual(expect.arrayContaining(['source IP 185.220.101.47 never seen before the exposure', 'user agent of an offensive tool (Kali Linux)', 'reconnaissance: GetCallerIdentity (who am I)']))
    expect(by('ListSecrets').reasons.join(';')).toMatch(/one of 7 AccessDenied errors within 10 min/)
    expect(by('AttachUserPolicy').reasons).toContain('privilege escalation: administrator policy AdministratorAccess granted to backup-svc')
    expect(by('CreateUser').categories).toEqual(['persistence'])
    const stop = by('StopLogging', S.createdKey)
    expect(stop.suspicious).toBe(true)
    expect(stop.via).toBe('created-key')
    expect(stop.reasons.join(';')).toMatch(/defence evasion: StopLogging/)
    const run = by('RunInstances', S.sessionKey)
    expect(run.reasons).toEqual(expect.arrayContaining(['RunInstances in ap-southeast-2, a region this key never used before the exposure', 'instance type p3.16xlarge (GPU or large compute: the crypto-mining pattern)']))
    expect(by('DescribeInstances', S.sessionKey).reasons.join(';')).toMatch(/made after the leaked key AKIAQX4LEAKED7EXAMPL was disabled .*a temporary key still works/)
    // The owner's CI after the exposure: familiar address and agent, not suspicious.
    const ci = r.events.filter((e) => e.sourceIp === S.ownerIp)
    expect(ci.length).toBeGreaterThan(20)
    expect(ci.every((e) => !e.suspicious)).toBe(true)
    expect(ci.some((e) => e.afterExposure)).toBe(true)
  })

  it('marks AWS quarantine and the responder as containment, not as the attacker', () => {
    const q = r.events.find((e) => e.categories.includes('provider-containment'))!
    expect(q.suspicious).toBe(false)
    expect(q.notes[0]).toBe('AWS quarantined the principal (AWSCompromisedKeyQuarantineV3 attached to ci-deploy)')
    expect(r.verdict.containment.map((c) => c.at)).toEqual(['2026-03-02T10:19:00.000Z', '2026-03-02T10:31:00.000Z'])
  })

  it('reads plain .json and the account (non-organisation) layout the same way', async () => {
    const plain = join(tmp.dir, 'plain')
    generateTrail(plain, {plain: true})
    expect(existsSync(join(plain, 'AWSLogs', S.account, 'CloudTrail', 'us-east-1'))).toBe(true)
    const p = await run(plain)
    expect(p.verdict.text).toBe(r.verdict.text)
    expect(p.events.map((e) => e.eventId).sort()).toEqual(r.events.map((e) => e.eventId).sort())
  })

  it('says NOT USED when the key was only used before the exposure, and NO ACTIVITY for an unknown key', async () => {
    const early = await run(trail, [S.leakedKey], new Date('2026-03-03T00:00:00Z'))
    expect(early.verdict.status).toBe('not-used-after-exposure')
    expect(early.verdict.text).toBe('NOT USED AFTER EXPOSURE (exposed 2026-03-03T00:00:00.000Z) — 45 calls before it, the last at 2026-03-02T16:13:20.000Z')
    expect(early.events.filter((e) => e.suspicious)).toEqual([])
    const none = await run(trail, ['AKIAQX4NOTUSED7ANYWH'])
    expect(none.verdict.status).toBe('no-activity')
    expect(none.verdict.text).toMatch(/^NO ACTIVITY FOUND for AKIAQX4NOTUSED7ANYWH in 42 file\(s\), 2,050 records/)
    const pivots = new Pivots([S.otherKey])
    const c = await collectFromFiles({path: trail, pivots, since: Date.parse('2026-03-02T23:00:00Z')})
    const quiet = buildResult(c, pivots, Date.parse('2026-03-02T23:00:00Z'))
    expect(quiet.verdict.status).toBe('not-used-after-exposure')
    expect(quiet.verdict.text).toMatch(/^NOT USED AFTER EXPOSURE \(exposed 2026-03-02T23:00:00.000Z\) — \d+ calls before it/)
  })

  it('the committed fixtures are what the generator writes', () => {
    const committed = join(ROOT, 'fixtures', 'cloudtrail', 's3')
    const files = (dir: string): string[] => readdirSync(dir, {withFileTypes: true}).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]))
    const a = files(committed).map((f) => relative(committed, f)).sort()
    const b = files(trail).map((f) => relative(trail, f)).sort()
    expect(a).toEqual(b)
    for (const f of a) expect(gunzipSync(readFileSync(join(committed, f))).toString()).toBe(gunzipSync(readFileSync(join(trail, f))).toString())
  })
})

describe('CloudTrail log files: faults', () => {
  it('a truncated .gz, records missing fields, an unknown eventVersion, garbage: warnings and a partial result, never silently short', async () => {
    const pivots = new Pivots([S.leakedKey])
    const r = await scanLogFiles({path: faults, pivots, since: since.getTime()})
    expect(r.partial).toBe(true)
    const byFile = Object.fromEntries(r.problems.map((p) => [`${p.file}:${p.kind}`, p]))
    expect(byFile['truncated.json.gz:truncated']!.message).toMatch(/gzip data ends early \(truncated file\): \d+ record\(s\) read before the cut/)
    expect(r.problems.some((p) => p.file === 'missing-fields.json' && /record\(s\) without eventTime skipped/.test(p.message))).toBe(true)
    expect(r.problems.some((p) => p.file === 'missing-fields.json' && /followed key without sourceIPAddress/.test(p.message))).toBe(true)
    expect(byFile['unknown-version.json:unknown-version']!.message).toContain('unknown eventVersion 2.0')
    expect(byFile['notes.json:not-json']).toBeDefined()
    // The records before the cut count; JSON lines (plain and gzipped) and bare arrays are read.
    const names = new Set(r.events.map((e) => e.eventName))
    expect([...names].sort()).toEqual(['DescribeRegions', 'GetAccountSummary', 'GetCallerIdentity', 'ListBuckets', 'ListRoles', 'ListUsers'])
    const cut = r.events.filter((e) => e.origin === 'truncated.json.gz').length
    expect(cut).toBeGreaterThan(100)
    expect(cut).toBeLessThan(400)
  })

  it('the CLI: exit 1 when used, exit 2 when partial and nothing found, the missing files listed', () => {
    const used = leakctl(['logs', 'cloudtrail', '--logs-dir', faults, '-k', S.leakedKey, '--since', S.exposedAt, '--json'])
    expect(used.code).toBe(1)
    const doc = json(used)
    expect(doc.partial).toBe(true)
    expect(doc.missing.map((m: {what: string}) => m.what).sort()).toEqual(['file missing-fields.json', 'file missing-fields.json', 'file notes.json', 'file truncated.json.gz', 'file unknown-version.json'])
    expect(used.stderr).toMatch(/warning: file truncated.json.gz: gzip data ends early/)
    const nothing = leakctl(['logs', 'cloudtrail', '--logs-dir', faults, '-k', 'AKIAQX4NOTUSED7ANYWH', '--since', S.exposedAt])
    expect(nothing.code).toBe(2)
    expect(nothing.stdout).toMatch(/^UNKNOWN — no use found in what could be read, but the result is partial/)
    expect(nothing.stderr).toMatch(/some log files could not be read completely/)
  })
})

describe('leakctl logs cloudtrail (CLI, files)', () => {
  it('prints the verdict first and the --json contract', () => {
    const text = leakctl(['logs', 'cloudtrail', '--logs-dir', trail, '-k', S.leakedKey, '--since', S.exposedAt])
    expect(text.code).toBe(1)
    expect(text.stdout.split('\n')[0]).toMatch(/^USED AFTER EXPOSURE by 185\.220\.101\.47/)
    expect(text.stdout).toContain('Suspicious events (19)')
    const r = leakctl(['logs', 'cloudtrail', '--logs-dir', trail, '-k', S.leakedKey, '--since', S.exposedAt, '--json'])
    expect(r.code).toBe(1)
    const doc = json(r)
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['verdict', 'partial', 'missing', 'keys', 'events']))
    for (const e of doc.events) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['eventId', 'eventTime', 'eventName', 'eventSource', 'region', 'sourceIp', 'userAgent', 'accessKeyId', 'suspicious', 'reasons']))
    }
    expect(doc.keys.map((k: {accessKeyId: string}) => k.accessKeyId).sort()).toEqual([S.createdKey, S.leakedKey, S.sessionKey].sort())
  })

  it('bad input exits 2 with one line', () => {
    const badKey = leakctl(['logs', 'cloudtrail', '--logs-dir', trail, '-k', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'])
    expect(badKey.code).toBe(2)
    expect(badKey.stderr).toMatch(/^error: --access-key-id: a 40-character value is not an AWS access key id .*looks like a secret access key/)
    expect(badKey.stderr).not.toContain('wJalrXUtnFEMI')
    const noDir = leakctl(['logs', 'cloudtrail', '--logs-dir', join(tmp.dir, 'nope'), '-k', S.leakedKey])
    expect(noDir.code).toBe(2)
    expect(noDir.stderr.trim().split('\n')).toHaveLength(1)
    const noKeys = leakctl(['logs', 'cloudtrail', '--logs-dir', trail], {cwd: tmp.dir, env: {LEAKCTL_WORKSPACE: join(tmp.dir, 'no-ws')}})
    expect(noKeys.code).toBe(2)
    expect(noKeys.stderr).toMatch(/no access key id: pass --access-key-id/)
    const badSince = leakctl(['logs', 'cloudtrail', '--logs-dir', trail, '-k', S.leakedKey, '--since', '2026-03-02 10:00'])
    expect(badSince.code).toBe(2)
    expect(badSince.stderr).toMatch(/has no time zone/)
  })

  it('takes the keys and the exposure from the incident, records the evidence once, and the timeline shows it', async () => {
    const ws = join(tmp.dir, 'ws')
    const finding = {
      source: 'git' as const,
      class: 'aws-access-key',
      risk: 'critical' as const,
      reason: 'an AWS access key with its secret',
      fingerprint: fingerprint('made-up-secret-for-the-test'),
      preview: 'AKIA**** (20 chars)',
      rotation: 'aws-access-key',
      keyId: S.leakedKey,
      commit: 'b'.repeat(40),
      path: 'deploy/.env',
      line: 2,
      author: 'dev <dev@example.com>',
      date: '2026-03-02T09:58:00.000Z',
      inHead: true,
      refs: ['refs/heads/main'],
    }
    await openTestIncident(ws, {kind: 'git-leak', exposedAt: since, findings: [finding]})
    const env = {LEAKCTL_WORKSPACE: ws}
    const first = leakctl(['logs', 'cloudtrail', '--logs-dir', trail, '--json'], {env})
    expect(first.code).toBe(1)
    const doc = json(first)
    expect(doc.exposedAt).toBe('2026-03-02T10:00:00.000Z')
    expect(doc.recorded.events).toBe(20)
    const ref = findIncident(openWorkspace(ws, false))
    const {state} = loadIncident(ref)
    const evidence = state.evidence.filter((e) => e.source === 'cloudtrail')
    expect(evidence).toHaveLength(20)
    const summary = evidence.find((e) => e.ref?.kind === 'summary')!
    expect(summary.summary).toMatch(/^USED AFTER EXPOSURE by 185\.220\.101\.47/)
    expect(summary.at).toBe('2026-03-02T10:07:00.000Z')
    const stop = evidence.find((e) => e.ref?.eventName === 'StopLogging')!
    expect(stop).toMatchObject({suspicious: true, at: '2026-03-02T10:15:00.000Z'})
    expect(stop.reasons!.join(';')).toMatch(/defence evasion/)
    // Again: only a new summary; the same events are not recorded twice.
    const again = json(leakctl(['logs', 'cloudtrail', '--logs-dir', trail, '--json'], {env}))
    expect(again.recorded).toEqual({incident: ref.id, events: 1, skipped: 19})
    const timeline = leakctl(['timeline', 'export', '--format', 'md'], {env})
    expect(timeline.stdout).toMatch(/StopLogging/)
    expect(timeline.stdout).toMatch(/2026-03-02.*10:15/)
  })
})

const DATASETS = join(ROOT, '..', 'shared', 'datasets', 'cloudtrail')
const invictus = join(DATASETS, 'invictus-aws_dataset')
const stratus = join(DATASETS, 'stratus-detonation-logs')

describe.skipIf(!existsSync(invictus))('the Invictus data set (real CloudTrail files, read in place)', () => {
  it('finds the pivot case: the IAM user key assumes roles, and the temporary keys it got are used', async () => {
    const key = 'AKIATFQR7NSC8Q4X20BJ'
    const r = await investigateCloudTrail({keys: [key], since: new Date('2023-07-10T11:00:00Z'), source: {kind: 'files', path: invictus}})
    expect(r.partial).toBe(false)
    expect(r.searched).toMatch(/^55 file\(s\), 2,900 records/)
    // The data's own account is inside the records; the file names carry another one.
    expect(r.accounts).toEqual(['123837392027'])
    const assume = r.events.filter((e) => e.accessKeyId === key && e.eventName === 'AssumeRole')
    expect(assume).toHaveLength(23)
    const sessions = r.keys.filter((k) => k.kind === 'session')
    // The data holds 23 AssumeRole calls: 13 denied, 10 that minted an ASIA key; 5 of those keys
    // make calls afterwards. (The data set's README says 11 and 6: the records say 10 and 5.)
    expect(assume.filter((e) => e.errorCode === 'AccessDenied')).toHaveLength(13)
    expect(sessions).toHaveLength(10)
    expect(sessions.every((k) => k.parent === key && k.via === 'AssumeRole' && k.accessKeyId.startsWith('ASIA'))).toBe(true)
    const used = sessions.filter((k) => k.calls > 0)
    expect(used.map((k) => k.accessKeyId).sort()).toEqual(['ASIATFQR7NSC2632JLFK', 'ASIATFQR7NSC7TITDFL2', 'ASIATFQR7NSCVW2R4OHT', 'ASIATFQR7NSCWLLE7IWW', 'ASIATFQR7NSCXLFJ4S5E'])
    expect(used.reduce((n, k) => n + k.calls, 0)).toBe(47)
    expect(r.verdict.temporaryKeys).toEqual({minted: 10, used: 5})
    // Service-issued credentials (AWSService AssumeRole) are not pivots of the key.
    expect(r.keys.some((k) => k.accessKeyId === 'ASIATFQR7NSCZLRUEGMR')).toBe(false)
    // Users the key created are followed too.
    expect(r.users.map((u) => u.userName).sort()).toEqual(['malicious-iam-user', 'stratus-red-team-backdoor-u-user', 'stratus-red-team-login-profile-user', 'stratus-red-team-nmfalu-gfjyeaypjt'])
  })

  it('never lets a session token from the records out', async () => {
    const r = await investigateCloudTrail({keys: ['AKIATFQR7NSC8Q4X20BJ'], since: new Date('2023-07-10T11:00:00Z'), source: {kind: 'files', path: invictus}})
    const out = JSON.stringify(r)
    expect(out).not.toContain('IQoJb3JpZ2luX2Vj')
    expect(out).not.toMatch(/sessionToken/i)
  })
})

describe.skipIf(!existsSync(stratus))('the Stratus Red Team detonations (bare arrays, one technique a file)', () => {
  // technique file -> the event that is the technique, and the category it must get.
  const EXPECT: Record<string, [string, string][]> = {
    'aws.defense-evasion.cloudtrail-delete': [['DeleteTrail', 'defence-evasion']],
    'aws.defense-evasion.cloudtrail-stop': [['StopLogging', 'defence-evasion']],
    'aws.defense-evasion.cloudtrail-event-selectors': [['PutEventSelectors', 'defence-evasion']],
    'aws.defense-evasion.dns-delete-logs': [['DeleteResolverQueryLogConfig', 'defence-evasion']],
    'aws.defense-evasion.vpc-remove-flow-logs': [['DeleteFlowLogs', 'defence-evasion']],
    'aws.defense-evasion.organizations-leave': [['LeaveOrganization', 'defence-evasion']],
    'aws.persistence.iam-create-admin-user': [['CreateUser', 'persistence'], ['AttachUserPolicy', 'privilege-escalation'], ['CreateAccessKey', 'persistence']],
    'aws.persistence.iam-backdoor-user': [['CreateAccessKey', 'persistence']],
    'aws.persistence.iam-backdoor-role': [['UpdateAssumeRolePolicy', 'persistence']],
    'aws.persistence.iam-create-backdoor-role': [['CreateRole', 'persistence']],
    'aws.persistence.iam-create-user-login-profile': [['CreateLoginProfile', 'persistence']],
    'aws.privilege-escalation.iam-update-user-login-profile': [['UpdateLoginProfile', 'persistence']],
    'aws.persistence.sts-federation-token': [['GetFederationToken', 'persistence']],
    'aws.persistence.rolesanywhere-create-trust-anchor': [['CreateTrustAnchor', 'persistence']],
    'aws.persistence.lambda-backdoor-function': [['AddPermission20150331v2', 'persistence']],
    'aws.persistence.lambda-overwrite-code': [['UpdateFunctionCode20150331v2', 'persistence']],
    'aws.persistence.lambda-layer-extension': [['UpdateFunctionConfiguration20150331v2', 'persistence']],
    'aws.exfiltration.ec2-share-ebs-snapshot': [['ModifySnapshotAttribute', 'exfiltration']],
    'aws.exfiltration.ec2-share-ami': [['ModifyImageAttribute', 'exfiltration']],
    'aws.exfiltration.rds-share-snapshot': [['ModifyDBSnapshotAttribute', 'exfiltration']],
    'aws.exfiltration.ec2-security-group-open-port-22-ingress': [['AuthorizeSecurityGroupIngress', 'exfiltration']],
    'aws.execution.ec2-launch-unusual-instances': [['RunInstances', 'resource-abuse']],
    'aws.impact.bedrock-invoke-model': [['InvokeModel', 'resource-abuse']],
    'aws.credential-access.secretsmanager-retrieve-secrets': [['GetSecretValue', 'credential-access']],
    'aws.credential-access.secretsmanager-batch-retrieve-secrets': [['BatchGetSecretValue', 'credential-access']],
    'aws.credential-access.ssm-retrieve-securestring-parameters': [['GetParameters', 'credential-access']],
    'aws.credential-access.ec2-get-password-data': [['GetPasswordData', 'credential-access']],
    'aws.lateral-movement.ec2-instance-connect': [['SendSSHPublicKey', 'lateral-movement']],
    'aws.lateral-movement.ec2-serial-console-send-ssh-public-key': [['SendSerialConsoleSSHPublicKey', 'lateral-movement']],
    'aws.execution.ssm-send-command': [['SendCommand', 'lateral-movement']],
    'aws.execution.ssm-start-session': [['StartSession', 'lateral-movement']],
    'aws.initial-access.console-login-without-mfa': [['ConsoleLogin', 'persistence']],
  }

  it('classifies each technique', () => {
    const files = readdirSync(stratus).filter((f) => f.endsWith('.json'))
    expect(files.length).toBe(35)
    let checked = 0
    for (const [technique, expected] of Object.entries(EXPECT)) {
      const records = JSON.parse(readFileSync(join(stratus, `${technique}.json`), 'utf8')) as unknown[]
      for (const [name, category] of expected) {
        const events = records.map((r) => normalize(r).event!).filter((e) => e.eventName === name)
        expect(events.length, `${technique}: ${name}`).toBeGreaterThan(0)
        const cats = events.flatMap((e) => matchRules(e).map((m) => m.rule.category))
        expect(cats, `${technique}: ${name}`).toContain(category)
        checked++
      }
    }
    expect(checked).toBe(34)
  })

  it('reads the bare arrays as log files, follows the key, and judges its use after exposure suspicious', async () => {
    for (const technique of ['aws.persistence.iam-create-admin-user', 'aws.defense-evasion.cloudtrail-stop', 'aws.persistence.sts-federation-token']) {
      const file = join(stratus, `${technique}.json`)
      const records = JSON.parse(readFileSync(file, 'utf8')) as {userIdentity: {accessKeyId?: string}; eventTime: string}[]
      const keys = [...new Set(records.map((r) => r.userIdentity.accessKeyId).filter((k): k is string => !!k && k.startsWith('AKIA')))]
      const first = records.map((r) => r.eventTime).sort()[0]!
      const r = await investigateCloudTrail({keys, since: new Date(Date.parse(first) - 60_000), source: {kind: 'files', path: file}})
      expect(r.partial, technique).toBe(false)
      expect(r.verdict.status, technique).toBe('used-after-exposure')
      expect(r.events.filter((e) => e.via === 'leaked-key').every((e) => e.suspicious), technique).toBe(true)
    }
  })

  it('GetFederationToken mints a key that is followed', async () => {
    const file = join(stratus, 'aws.persistence.sts-federation-token.json')
    const records = JSON.parse(readFileSync(file, 'utf8')) as {eventName: string; userIdentity: {accessKeyId?: string}; responseElements?: {credentials?: {accessKeyId?: string}}}[]
    const fed = records.find((r) => r.eventName === 'GetFederationToken')!
    const r = await investigateCloudTrail({keys: [fed.userIdentity.accessKeyId!], since: null, source: {kind: 'files', path: file}})
    const minted = r.keys.filter((k) => k.kind === 'session')
    expect(minted.map((k) => k.accessKeyId)).toEqual([fed.responseElements!.credentials!.accessKeyId])
    expect(minted[0]!.calls).toBe(1)
  })
})

describe('a file that is not where it should be', () => {
  it('an unreadable file is listed as missing, the rest is read', async () => {
    const dir = join(tmp.dir, 'unreadable')
    generateTrail(dir, {records: 100, perFile: 50})
    const victim = join(dir, 'AWSLogs', S.account, 'CloudTrail', 'us-east-1')
    const walk = (d: string): string[] => readdirSync(d, {withFileTypes: true}).flatMap((x) => (x.isDirectory() ? walk(join(d, x.name)) : [join(d, x.name)]))
    const f = walk(victim)[0]!
    writeFileSync(f, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]))
    expect(statSync(f).size).toBe(7)
    const pivots = new Pivots([S.leakedKey])
    const r = await scanLogFiles({path: dir, pivots, since: since.getTime()})
    expect(r.partial).toBe(true)
    expect(r.problems.some((p) => p.kind === 'truncated' || p.kind === 'corrupt')).toBe(true)
  })
})
