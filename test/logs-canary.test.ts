import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {generateTrail, scenarioRecords, SCENARIO} from '../fixtures/cloudtrail/generate.js'
import {fingerprint} from './helpers/fingerprint.js'
import {leakctlAsync, type RunResult, tempDir} from './helpers/cli.js'
import {openTestIncident} from './helpers/incident.js'
import {type FakeAws, startFakeAws} from './helpers/logs-aws-server.js'
import {type FakeGitHub, startFakeGitHub} from './helpers/logs-github-server.js'

// CANARY: the credentials leakctl itself runs with (an AWS secret key and
// session token, a GitHub token) and the secrets the evidence carries
// (session tokens in CloudTrail responses, the secret in a secret-scanning
// alert) never appear in any output or in anything recorded.

const C = `cnry${Date.now().toString(36)}Zq`
const AWS_SECRET = `${C}AwsSecretKey0123456789abcdefghij`.slice(0, 40)
const AWS_SESSION = `${C}AwsSessionToken${'x'.repeat(60)}`
const GH_TOKEN = `ghp_${C}GithubToken0123456789abcdefg`.slice(0, 40)
const ALERT_SECRET = `${C}TheLeakedSecretInTheAlert`
const S = SCENARIO
const EXPOSED = new Date(Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000)

let tmp: ReturnType<typeof tempDir>
let aws: FakeAws
let gh: FakeGitHub
const outputs: RunResult[] = []
let ws: string

function files(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]))
}

beforeAll(async () => {
  tmp = tempDir('leakctl-logs-canary-')
  ws = join(tmp.dir, 'ws')
  const finding = {source: 'file' as const, class: 'aws-access-key', risk: 'critical' as const, reason: 'AWS key', fingerprint: fingerprint('x'), preview: 'AKIA**** (20 chars)', rotation: 'aws-access-key', keyId: S.leakedKey, path: 'backup/env', line: 1}
  await openTestIncident(ws, {kind: 'git-leak', exposedAt: EXPOSED, findings: [finding]})
  aws = await startFakeAws({records: scenarioRecords({noise: 50, shiftMs: EXPOSED.getTime() - Date.parse(S.exposedAt)}), account: S.account, enabledRegions: ['us-east-1', 'ap-southeast-2'], pageSize: 20, lastUsed: {[S.leakedKey]: {user: S.owner}}})
  gh = await startFakeGitHub({
    token: GH_TOKEN,
    scopes: ['repo', 'security_events'],
    repo: {name: 'payments', full_name: 'acme/payments', private: false, visibility: 'public', forks_count: 1, owner: {login: 'acme', type: 'User'}},
    clones: {count: 3, uniques: 1, clones: [{timestamp: `${EXPOSED.toISOString().slice(0, 10)}T00:00:00Z`, count: 3, uniques: 1}]},
    views: {count: 0, uniques: 0, views: []},
    forks: [],
    alerts: [{number: 1, created_at: EXPOSED.toISOString(), state: 'open', secret_type: 'aws_secret_access_key', secret: ALERT_SECRET, validity: 'active', push_protection_bypassed: false}],
    events: [],
  })
  const trail = join(tmp.dir, 'trail')
  generateTrail(trail, {records: 200})
  const env = {
    LEAKCTL_WORKSPACE: ws,
    AWS_ENDPOINT_URL: aws.url,
    AWS_ACCESS_KEY_ID: 'AKIAQX4RESPONDER0001',
    AWS_SECRET_ACCESS_KEY: AWS_SECRET,
    AWS_SESSION_TOKEN: AWS_SESSION,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    GITHUB_TOKEN: GH_TOKEN,
    GITHUB_API_URL: gh.url,
  }
  const run = async (args: string[], extra: Record<string, string | undefined> = {}) => outputs.push(await leakctlAsync(args, {env: {...env, ...extra}}))
  await run(['logs', 'cloudtrail'])
  await run(['logs', 'cloudtrail', '--json', '--all'])
  await run(['logs', 'cloudtrail', '--logs-dir', trail, '--all'])
  await run(['logs', 'cloudtrail', '--logs-dir', trail, '--json'])
  await run(['logs', 'cloudtrail', '--athena', '--json'])
  await run(['logs', 'cloudtrail', '--athena-print-sql'])
  await run(['logs', 'cloudtrail', '-k', 'AKIAQX4NOTUSED7ANYWH', '--since', '1h ago'], {AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_MAX_ATTEMPTS: '1'})
  await run(['logs', 'cloudtrail', '-k', AWS_SECRET])
  await run(['logs', 'github', '--repo', 'acme/payments'])
  await run(['logs', 'github', '--repo', 'acme/payments', '--json'])
  await run(['logs', 'github', '--repo', 'acme/payments'], {GITHUB_TOKEN: `${GH_TOKEN}wrong`})
  await run(['timeline', 'export', '--format', 'md'])
  await run(['timeline', 'export', '--format', 'json'])
  await run(['report'])
}, 180_000)

afterAll(async () => {
  await aws?.close()
  await gh?.close()
  tmp?.cleanup()
})

describe('canary: logs commands', () => {
  it('ran and did real work (the canaries were in play)', () => {
    expect(outputs).toHaveLength(14)
    expect(outputs[0]!.stdout).toMatch(/^USED AFTER EXPOSURE/)
    expect(outputs[8]!.stdout).toMatch(/^COPIED AFTER EXPOSURE/)
    // The fake servers saw the credentials, so they were really used.
    expect(gh.requests.some((r) => r.auth === `token ${GH_TOKEN}`)).toBe(true)
    expect(aws.log.length).toBeGreaterThan(10)
    expect(outputs[7]!.code).toBe(2)
  })

  it('no secret in any stdout or stderr', () => {
    for (const r of outputs) {
      for (const secret of [C, 'FwoGZXIvYXdzE']) {
        expect(r.stdout.includes(secret), `stdout: ${r.stdout.slice(0, 200)}`).toBe(false)
        expect(r.stderr.includes(secret), `stderr: ${r.stderr.slice(0, 200)}`).toBe(false)
      }
    }
  })

  it('no secret in any file of the workspace (the recorded evidence)', () => {
    const all = files(ws)
    expect(all.some((f) => f.endsWith('events.jsonl'))).toBe(true)
    const log = readFileSync(all.find((f) => f.endsWith('events.jsonl'))!, 'utf8')
    expect(log).toContain('"source":"cloudtrail"')
    expect(log).toContain('"source":"github"')
    for (const f of all) {
      const text = readFileSync(f, 'utf8')
      expect(text.includes(C), f).toBe(false)
      expect(text.includes('FwoGZXIvYXdzE'), f).toBe(false)
    }
  })
})
