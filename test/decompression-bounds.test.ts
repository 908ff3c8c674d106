import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {secret} from '../fixtures/etcd/k8s-objects.js'
import {makeSnapshot} from '../fixtures/etcd/server.js'
import {HELM_RELEASE_MAX_BYTES} from '../src/etcd/classify.js'
import {RecordSplitter, type SplitProblem} from '../src/logs/cloudtrail/split.js'
import {BIN, cliEnv, json, type RunResult, tempDir} from './helpers/cli.js'

// Hostile inputs that inflate: a Helm release Secret that gunzips to 1 GiB, a
// CloudTrail .json.gz holding one record of most of a GiB, a .json.gz that
// inflates past any real log file. Each is skipped and reported with its
// reason, and the process's peak memory stays far below what inflating it
// would take (the unbounded code took 2.2 GB and 2.95 GB).

const MiB = 1024 * 1024
/** Far below the ≥ 1 GiB an unbounded inflate holds; far above node's own ~100 MB. */
const FLAT_RSS_MB = 450

/** A gzip file of several members (gunzip reads them as one stream): `head`, `bytes` of `fill`, `tail`. ~1 MB per GiB. */
function gzipBomb(head: string, fill: string, bytes: number, tail: string): Buffer {
  const unit = gzipSync(Buffer.alloc(64 * MiB, fill), {level: 9})
  return Buffer.concat([gzipSync(head), ...Array.from({length: Math.ceil(bytes / (64 * MiB))}, () => unit), gzipSync(tail)])
}

/** The real CLI under GNU time: its result and its peak resident memory in MB. */
function measured(args: string[]): RunResult & {peakMb: number} {
  const r = spawnSync('/usr/bin/time', ['-f', '__PEAK_KB__%M', process.execPath, BIN, ...args], {env: cliEnv(), encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26})
  const peak = /__PEAK_KB__(\d+)/.exec(r.stderr)
  expect(peak, r.stderr).not.toBeNull()
  return {code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.replace(/__PEAK_KB__\d+\n?/, ''), peakMb: Number(peak![1]) / 1024}
}

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.cleanup())

describe('Helm release Secrets', () => {
  it('a release that gunzips to 1 GiB is skipped with its reason; the other Secrets are read; memory stays flat', async () => {
    const snap = join(tmp.dir, 'helm-bomb.db')
    const bomb = gzipBomb('{"config":{"x":"', 'a', 1024 * MiB, '"}}')
    expect(bomb.length).toBeLessThan(1.2 * MiB)
    const fine = gzipSync(JSON.stringify({name: 'app', config: {postgresql: {auth: {password: 'Hm7xQ2kL9vR4pT8w'}}}, chart: {values: {}}}))
    await makeSnapshot(snap, [
      {op: 'put', key: '/registry/secrets/apps/sh.helm.release.v1.bomb.v1', value: secret({name: 'sh.helm.release.v1.bomb.v1', namespace: 'apps'}, 'helm.sh/release.v1', {release: Buffer.from(bomb.toString('base64'))})},
      {op: 'put', key: '/registry/secrets/apps/sh.helm.release.v1.app.v1', value: secret({name: 'sh.helm.release.v1.app.v1', namespace: 'apps'}, 'helm.sh/release.v1', {release: Buffer.from(fine.toString('base64'))})},
    ])
    const r = measured(['scan', 'etcd', snap, '--json'])
    expect(r.code, r.stderr).toBe(1)
    expect(r.peakMb, `peak RSS ${r.peakMb.toFixed(0)} MB`).toBeLessThan(FLAT_RSS_MB)
    const doc = json(r)
    const why = `data.release: the Helm release decompresses to more than ${HELM_RELEASE_MAX_BYTES / MiB} MiB (a decompression bomb, or not a release): not read`
    const bombed = doc.secrets.find((s: {name: string}) => s.name === 'sh.helm.release.v1.bomb.v1')
    expect(bombed).toMatchObject({skipped: [why], reason: `not read: ${why}`, credentials: []})
    expect(doc.warnings).toContainEqual(expect.stringMatching(/^skipped Secret apps\/sh\.helm\.release\.v1\.bomb\.v1 \(revision \d+\) data\.release: the Helm release decompresses to more than 32 MiB/))
    const app = doc.secrets.find((s: {name: string}) => s.name === 'sh.helm.release.v1.app.v1')
    expect(app.credentials.map((c: {field: string}) => c.field)).toEqual(['data.release (helm values)'])
    // The text output says so too.
    const text = measured(['scan', 'etcd', snap])
    expect(text.stderr).toMatch(/skipped Secret apps\/sh\.helm\.release\.v1\.bomb\.v1 .*decompresses to more than 32 MiB/)
  }, 180_000)
})

describe('CloudTrail log files', () => {
  const KEY = 'AKIAQX4LEAKEDKEY7ABC'
  const rec = (name: string) => JSON.stringify({eventVersion: '1.08', eventTime: '2026-03-02T10:00:00Z', eventSource: 'sts.amazonaws.com', eventName: name, awsRegion: 'us-east-1', sourceIPAddress: '203.0.113.9', userAgent: 'aws-cli/2', userIdentity: {type: 'IAMUser', accessKeyId: KEY, userName: 'ci'}, eventID: `id-${name}`, recipientAccountId: '123456789012'})
  const dir = () => join(tmp.dir, 'AWSLogs', '123456789012', 'CloudTrail', 'us-east-1', '2026', '03', '02')
  const file = (id: string) => join(dir(), `123456789012_CloudTrail_us-east-1_20260302T1000Z_${id}.json.gz`)

  it('one record of most of a GiB in a 1 MB .json.gz: skipped and reported, the others read, memory flat', () => {
    mkdirSync(dir(), {recursive: true})
    const gz = gzipBomb(`{"Records":[${rec('GetCallerIdentity')},{"eventName":"Huge","requestParameters":{"x":"`, 'a', 960 * MiB, `"}},${rec('ListBuckets')}]}`)
    expect(gz.length).toBeLessThan(1.4 * MiB)
    writeFileSync(file('huge'), gz)
    const r = measured(['logs', 'cloudtrail', '--logs-dir', join(tmp.dir, 'AWSLogs'), '-k', KEY, '--since', '2026-03-01T00:00:00Z', '--json'])
    expect(r.peakMb, `peak RSS ${r.peakMb.toFixed(0)} MB`).toBeLessThan(FLAT_RSS_MB)
    const doc = json(r)
    expect(doc.events.map((e: {eventName: string}) => e.eventName).sort()).toEqual(['GetCallerIdentity', 'ListBuckets'])
    expect(doc.partial).toBe(true)
    expect(doc.missing).toContainEqual({what: expect.stringMatching(/_huge\.json\.gz$/), reason: 'a record larger than 4 MiB was skipped (CloudTrail events are at most 256 KB)'})
    expect(r.stderr).toMatch(/warning: file .*_huge\.json\.gz: a record larger than 4 MiB was skipped/)
  }, 120_000)

  it('a .json.gz that inflates past 1 GiB is read up to there, the rest skipped and reported', () => {
    const gz = gzipBomb(`${rec('GetCallerIdentity')}\n`, ' ', 1100 * MiB, `\n${rec('DeleteBucket')}\n`)
    writeFileSync(file('bomb'), gz)
    const r = measured(['logs', 'cloudtrail', '--logs-dir', file('bomb'), '-k', KEY, '--since', '2026-03-01T00:00:00Z', '--json'])
    expect(r.peakMb, `peak RSS ${r.peakMb.toFixed(0)} MB`).toBeLessThan(FLAT_RSS_MB)
    const doc = json(r)
    expect(doc.events.map((e: {eventName: string}) => e.eventName)).toEqual(['GetCallerIdentity'])
    expect(doc.missing).toContainEqual({what: expect.stringMatching(/_bomb\.json\.gz$/), reason: 'gzip data decompresses to more than 1024 MiB (a decompression bomb?): 1 record(s) read, the rest skipped'})
  }, 120_000)

  it('the splitter drops an oversized record as it streams, whatever the chunking', () => {
    const small = JSON.stringify({a: 1})
    const big = JSON.stringify({b: 'x'.repeat(5000), c: ['}', '"', '{']})
    const text = Buffer.from(`{"Records":[${small},${big},${small}]}`)
    for (const size of [1, 7, 100, 4096, text.length]) {
      const records: string[] = []
      const problems: SplitProblem[] = []
      const s = new RecordSplitter((t) => records.push(t), (p) => problems.push(p), 1024)
      for (let i = 0; i < text.length; i += size) s.push(text.subarray(i, i + size))
      s.end()
      expect(records).toEqual([small, small])
      expect(problems).toEqual([{kind: 'oversized', message: 'a record larger than 1 KiB was skipped (CloudTrail events are at most 256 KB)'}])
    }
  })
})
