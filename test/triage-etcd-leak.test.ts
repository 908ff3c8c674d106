import {randomBytes} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {SAMPLE_CANARY} from '../fixtures/etcd/sample.js'
import {type RunningEtcd, startEtcd} from '../fixtures/etcd/server.js'
import {apiserverCommand, type FakeApiServer, startFakeApiServer} from './helpers/cluster-apiserver.js'
import {seedSecrets} from './helpers/cluster-etcd.js'
import {ObjectStore} from '../fixtures/kube/objects.js'
import {samplePartlyRotated} from '../fixtures/kube/sample.js'
import {makePki} from './helpers/cluster-pki.js'
import {json, leakctlAsync, ROOT, type RunResult, tempDir} from './helpers/cli.js'
import {startFakeGitHub} from './helpers/logs-github-server.js'

// `triage etcd-leak` end to end: the bundled sample snapshot (every kind of
// Secret, plaintext and encrypted, old and deleted values), the incident it
// opens with its timed checklist, and the live-cluster question answered by
// `check encryption` against a real etcd and a local API server — or left as
// a visible gap when the cluster does not answer.

const SAMPLE = join(ROOT, 'fixtures', 'etcd', 'sample.db')
const SAMPLE_CONFIG = join(ROOT, 'fixtures', 'etcd', 'sample-encryption-config.yaml')
const EXPOSED = '2026-11-21T18:00:00.000Z'

let tmp: ReturnType<typeof tempDir>
let etcd: RunningEtcd
let api: FakeApiServer
let liveValues: string[]

beforeAll(async () => {
  tmp = tempDir('leakctl-triage-etcd-')
  const pki = makePki(tmp.dir)
  etcd = await startEtcd()
  const key1 = randomBytes(32)
  const seeded = await seedSecrets(etcd.client, [
    {namespace: 'prod', count: 12, storage: {provider: 'aescbc', name: 'key1', key: key1}},
    {namespace: 'payments', count: 4, storage: 'plaintext', name: 'after-migration'},
  ])
  liveValues = seeded.values
  api = await startFakeApiServer({pki, etcd: etcd.client, writer: 'identity', pods: [{name: 'kube-apiserver-cp1', node: 'cp1', command: apiserverCommand({encryptionConfig: '/etc/kubernetes/enc.yaml'})}]})
}, 120_000)

afterAll(async () => {
  await api?.stop()
  await etcd?.stop()
  tmp?.cleanup()
})

let n = 0
const workspace = () => join(tmp.dir, `ws-${n++}`)
const triage = (ws: string, args: string[]) =>
  leakctlAsync(['triage', 'etcd-leak', '--snapshot', SAMPLE, '--workspace', ws, ...args], {env: {HOME: tmp.dir, KUBECONFIG: undefined, LEAKCTL_ACTOR: 'alice', AWS_ACCESS_KEY_ID: undefined, AWS_PROFILE: undefined, GITHUB_TOKEN: undefined, GH_TOKEN: undefined}})

/** Every file under a folder, read as text. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, encoding: 'utf8'})
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, 'latin1'))
}

describe('the bundled sample snapshot', () => {
  let ws: string
  let r: RunResult
  let out: any
  beforeAll(async () => {
    ws = workspace()
    r = await triage(ws, ['--exposed-at', EXPOSED, '--encryption-config', SAMPLE_CONFIG, '--bucket', 'etcd-backups', '--object', 'etcd-2026-11-21.db', '--json'])
    out = json(r)
  }, 120_000)

  it('exit 1 (action needed), the verdict first, then the phases in order', () => {
    expect(r.code, r.stderr).toBe(1)
    expect(out.verdict).toMatch(/^20 of 31 Secrets are readable by anyone with this file \(6 critical, 11 high, 2 medium, 1 low\)/)
    expect(out.phases.map((p: {id: string; status: string}) => [p.id, p.status])).toEqual([
      ['triage', 'fail'],
      ['cluster-encryption', 'pass'],
      ['emergency', 'fail'],
      ['evidence-cloudtrail', 'skipped'],
      ['evidence-github', 'skipped'],
    ])
    expect(out.verdictMs).toBeLessThan(30_000)
  })

  it('the configuration file alone: what it writes with, and that nothing proved it from the cluster', () => {
    expect(out.encryption.verdict).toBe('ENCRYPTED')
    expect(out.encryption.summary).toMatch(/writes Secrets with aescbc key key1 .*not proven from etcd/)
  })

  it("the seed's priorities: critical first, each class with its rotation procedure", () => {
    expect(out.priorities.map((p: {risk: string; count: number}) => [p.risk, p.count])).toEqual([
      ['critical', 6],
      ['high', 26],
      ['medium', 3],
      ['low', 2],
    ])
    const critical = out.priorities[0].byClass.map((c: {class: string; rotation: string}) => `${c.class}:${c.rotation}`)
    expect(critical).toEqual(expect.arrayContaining(['tls-ca-key:tls-ca', 'bootstrap-token:bootstrap-token', 'aws-access-key:aws-access-key', 'app-master-key:app-master-key']))
  })

  it('the unreachable outside systems are recorded as skipped with the command to run, never as nothing found', () => {
    const cloudtrail = out.phases.find((p: {id: string}) => p.id === 'evidence-cloudtrail')
    expect(cloudtrail.summary).toMatch(/leakctl logs cloudtrail --access-key-id AKIA[0-9A-Z]{16} --incident inc-/)
  })

  it('the incident: one item per credential, grouped per priority, due from the incident start, commands filled in', async () => {
    const list = await leakctlAsync(['checklist', '--workspace', ws, '--json', '--members', '100'])
    expect(list.code, list.stderr).toBe(0)
    const cl = json(list)
    const items = cl.phases.flatMap((p: {items: unknown[]}) => p.items) as {id: string; title: string; due: string; commands: string[]; members?: {id: string; title: string}[]}[]
    const critical = items.find((i) => i.id === 'revoke-critical')!
    // Service-account tokens, critical or not, are revoked in roll-service-accounts only: one item per credential per action.
    expect(critical.members).toHaveLength(5)
    expect(items.find((i) => i.id === 'roll-service-accounts')!.members!.map((m) => m.title)).toEqual(expect.arrayContaining([expect.stringMatching(/namespace-controller-token-7x2pq/)]))
    expect(critical.members!.map((m) => m.title)).toEqual(expect.arrayContaining([expect.stringMatching(/tls-ca-key Secret kube-system\/cluster-ca data\.tls\.key/)]))
    expect(items.find((i) => i.id === 'rotate-priority-1')!.members).toHaveLength(25)
    expect(items.find((i) => i.id === 'update-configmaps')!.members!.map((m) => m.title)).toEqual([
      'Move the credential out of ConfigMap billing/application-properties data.application.properties into a Secret, with a new value',
      'Move the credential out of ConfigMap prod/app-config data.DATABASE_URL into a Secret, with a new value',
    ])
    const opened = Date.parse(cl.openedAt)
    const phase1 = cl.phases[0]
    expect(Date.parse(phase1.due) - opened).toBe(5 * 60_000)
    expect(Date.parse(cl.phases[1].due) - opened).toBe(30 * 60_000)
    expect(items.find((i) => i.id === 'contain-bucket')!.commands.join('\n')).toContain('--bucket etcd-backups')
    expect(items.find((i) => /^cloudtrail-evidence\.[0-9a-f]{12}$/.test(i.id))).toBeDefined()
  })

  it('the incident records the scan and the encryption check as events', async () => {
    const st = json(await leakctlAsync(['incident', 'status', '--workspace', ws, '--json']))
    expect(st.incident.kind).toBe('etcd-leak')
    expect(st.incident.exposedAt).toBe(EXPOSED)
    const checks = st.checks.map((c: {check: string; status: string}) => `${c.check}:${c.status}`)
    expect(checks).toEqual(expect.arrayContaining(['scan-etcd:fail', 'encryption-at-rest:pass', 'evidence-cloudtrail:skipped']))
  })

  it('no secret value of the sample reaches stdout, stderr or the workspace', () => {
    expect(r.stdout + r.stderr).not.toContain(SAMPLE_CANARY)
    for (const text of filesUnder(ws)) expect(text).not.toContain(SAMPLE_CANARY)
  })
})

describe('with the live cluster', () => {
  it('identity first on the API server, plaintext Secrets in etcd: the live answer is on the timeline beside the verdict', async () => {
    const ws = workspace()
    const r = await triage(ws, ['--kubeconfig', api.kubeconfig, '--etcd-endpoints', etcd.endpoint, '--json'])
    expect(r.code, r.stderr).toBe(1)
    const out = json(r)
    expect(out.encryption.verdict).toBe('PARTIAL')
    expect(out.encryption.etcd).toMatchObject({total: 16, plaintext: 4, encrypted: 12})
    expect(out.phases.find((p: {id: string}) => p.id === 'cluster-encryption')).toMatchObject({status: 'partial', summary: expect.stringMatching(/^PARTIAL — .*4 of 16 Secrets in etcd are PLAINTEXT/)})
    const st = json(await leakctlAsync(['incident', 'status', '--workspace', ws, '--json']))
    const check = st.checks.find((c: {check: string}) => c.check === 'encryption-at-rest')
    expect(check).toMatchObject({status: 'partial', summary: out.encryption.summary})
    for (const text of [r.stdout, r.stderr, ...filesUnder(ws)]) for (const v of liveValues) expect(text).not.toContain(v)
  }, 120_000)

  it('a cluster that does not answer: the triage still finishes, the gap says what is missing', async () => {
    const ws = workspace()
    const r = await triage(ws, ['--etcd-endpoints', 'http://127.0.0.1:1', '--json'])
    expect(r.code, r.stderr).toBe(1)
    const out = json(r)
    expect(out.encryption.verdict).toBe('UNKNOWN')
    expect(out.phases.find((p: {id: string}) => p.id === 'cluster-encryption')).toMatchObject({status: 'skipped', summary: expect.stringMatching(/^UNKNOWN/)})
    expect(out.encryption.missing[0]).toMatchObject({evidence: 'etcd', kind: 'unreachable'})
    expect(out.incident).toMatch(/^inc-/)
  }, 120_000)
})

describe('bad input', () => {
  it('a kubeconfig that is not there, a file that is not a snapshot: exit 2, one line, no incident', async () => {
    const ws = workspace()
    const noKube = await triage(ws, ['--kubeconfig', join(tmp.dir, 'missing-kubeconfig')])
    expect(noKube.code).toBe(2)
    expect(noKube.stderr.trim().split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1)
    expect(noKube.stderr).not.toMatch(/at .*\.js:\d+/)
    const notSnapshot = join(tmp.dir, 'notes.db')
    writeFileSync(notSnapshot, 'not a bbolt file\n'.repeat(500))
    const bad = await leakctlAsync(['triage', 'etcd-leak', '--snapshot', notSnapshot, '--workspace', ws])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^error: .*notes\.db/m)
    const list = await leakctlAsync(['incident', 'list', '--workspace', ws, '--json'])
    expect(json(list).incidents ?? []).toHaveLength(0)
  }, 120_000)
})

describe('--github-org: what the GitHub token found in the snapshot did', () => {
  it('searches the organisation audit log by the token\'s hashed value; a use after the exposure fails the phase and lands on the timeline', async () => {
    // The sample's GitHub token: its finding carries GitHub's hashed_token (the plain SHA-256, base64) beside its keyed fingerprint.
    const scan = json(await leakctlAsync(['scan', 'etcd', SAMPLE, '--json', '--workspace', join(tmp.dir, 'scan-ws')]))
    const hashes = [...new Set((scan.secrets as {credentials: {class: string; hashedToken?: string}[]}[]).flatMap((x) => x.credentials).filter((c) => c.class === 'github-token').map((c) => c.hashedToken))]
    expect(hashes).toHaveLength(1)
    const hashed = hashes[0]!
    expect(hashed).toMatch(/^[A-Za-z0-9+/]{43}=$/)
    const ghToken = `ghp_${'responder'.padEnd(36, '0')}`
    const gh = await startFakeGitHub({
      token: ghToken,
      scopes: ['read:audit_log'],
      repo: {name: 'unused', owner: {login: 'acme', type: 'Organization'}},
      forks: [],
      events: [],
      auditLog: true,
      tokenAudit: [
        {'@timestamp': Date.parse(EXPOSED) - 86_400_000, action: 'git.clone', actor: 'release-bot', repo: 'acme/api', hashed_token: hashed, _document_id: 'before'},
        {'@timestamp': Date.parse(EXPOSED) + 3_600_000, action: 'repo.download_zip', actor: 'release-bot', repo: 'acme/api', hashed_token: hashed, actor_location: {country_code: 'BR'}, _document_id: 'after'},
      ],
    })
    try {
      const ws = workspace()
      const r = await leakctlAsync(['triage', 'etcd-leak', '--snapshot', SAMPLE, '--workspace', ws, '--exposed-at', EXPOSED, '--github-org', 'acme', '--json'], {env: {HOME: tmp.dir, KUBECONFIG: undefined, LEAKCTL_ACTOR: 'alice', AWS_ACCESS_KEY_ID: undefined, AWS_PROFILE: undefined, GITHUB_TOKEN: ghToken, GH_TOKEN: undefined, GITHUB_API_URL: gh.url}})
      expect(r.code, r.stderr).toBe(1)
      const github = json(r).phases.find((p: {id: string}) => p.id === 'evidence-github')
      expect(github).toMatchObject({status: 'fail', summary: 'USED: 1 of 1 leaked GitHub token(s) acted in acme after the exposure (1 action(s))'})
      expect(github.title).toBe('Phase 3: GitHub: what the 1 leaked token(s) did in acme (audit log, by hashed token)')
      const st = json(await leakctlAsync(['incident', 'status', '--workspace', ws, '--json']))
      expect(st.checks.map((c: {check: string; status: string}) => `${c.check}:${c.status}`)).toContain('evidence-github:fail')
      const timeline = json(await leakctlAsync(['timeline', 'export', '--workspace', ws, '--format', 'json']))
      // The token was in a Secret deleted before the backup was taken: still in the file, still used.
      expect(JSON.stringify(timeline)).toMatch(/acme: repo\.download_zip with the token in Secret staging\/ci-github-token data\.GITHUB_TOKEN \(deleted\) as release-bot on acme\/api from BR/)
    } finally {
      await gh.close()
    }
  })
})


describe('with the live cluster: which leaked values does it still serve?', () => {
  it('a partly rotated cluster: current, rotated and deleted per finding; rotated credentials tick their items, the rest keep their restarts', async () => {
    const store = new ObjectStore()
    samplePartlyRotated(store)
    const pkiDir = join(tmp.dir, 'verify-pki')
    mkdirSync(pkiDir)
    const live = await startFakeApiServer({pki: makePki(pkiDir), objects: store})
    try {
      const ws = workspace()
      const r = await triage(ws, ['--kubeconfig', live.kubeconfig, '--exposed-at', EXPOSED, '--json'])
      expect(r.code, r.stderr).toBe(1)
      const out = json(r)
      const phase = out.phases.find((p: {id: string}) => p.id === 'cluster-verify')
      expect(phase).toMatchObject({status: 'fail', summary: expect.stringMatching(/^2 current \(rotate\), 2 rotated, 24 deleted, 1 unknown/)})
      const by = (name: string, field: string) => out.verification.verifications.find((v: {name: string; field: string}) => v.name === name && v.field === field)
      expect(by('db-credentials', 'data.password')).toMatchObject({state: 'current', consumers: [{kind: 'Deployment', namespace: 'prod', name: 'api'}]})
      expect(out.verification.verifications.find((v: {name: string}) => v.name === 'aws-credentials')).toMatchObject({state: 'rotated', since: '2026-11-21T19:30:00.000Z'})
      expect(by('ci-github-token', 'data.GITHUB_TOKEN')).toMatchObject({state: 'deleted'})
      // The custom resource is not listed: said, not guessed.
      expect(out.verification.verifications.find((v: {name: string}) => v.name === 'main')).toMatchObject({state: 'unknown', detail: expect.stringMatching(/not compared: Widget/)})
      const cl = json(await leakctlAsync(['checklist', '--workspace', ws, '--json', '--members', '100']))
      const entries = cl.phases.flatMap((p: any) => p.items).flatMap((i: any) => [i, ...i.members])
      const aws = entries.find((e: any) => /aws-access-key Secret prod\/aws-credentials/.test(e.title))
      expect(aws).toMatchObject({status: 'done', doneBy: 'leakctl verify'})
      const db = entries.find((e: any) => /Secret prod\/db-credentials data\.password$/.test(e.title))
      expect(db.status).not.toBe('done')
      expect(db.commands).toContain('kubectl rollout restart deployment/api -n prod')
      // The triage's own checks are ticked by leakctl, with their evidence.
      expect(entries.find((e: any) => e.id === 'read-snapshot')).toMatchObject({status: 'done', doneBy: 'leakctl', evidence: expect.any(String)})
      for (const text of [r.stdout, r.stderr, ...filesUnder(ws)]) expect(text).not.toContain(SAMPLE_CANARY)
    } finally {
      await live.stop()
    }
  }, 120_000)
})
