import {execFileSync, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {configMap, encodeMeta, secret, storage} from '../fixtures/etcd/k8s-objects.js'
import {ETCD, ETCDCTL, freePort, makeSnapshot, type Op} from '../fixtures/etcd/server.js'
import {encodeField} from '../src/etcd/proto.js'
import {fmtMb, fmtMs, measure, printTable} from './lib.js'

// scan etcd on a 50,000-Secret snapshot and on one of more than 1 GB: time,
// MB/s and peak memory, beside `cat FILE > /dev/null` and beside the manual
// path responders use today (etcdctl snapshot restore, start etcd, etcdctl
// get --prefix of the Secrets), measured in the same run.

const WORK = join(import.meta.dirname, '..', '..', 'bench', '.work')
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')

function fiftyThousandSecrets(): Op[] {
  const ops: Op[] = []
  const types = ['Opaque', 'kubernetes.io/service-account-token', 'kubernetes.io/dockerconfigjson', 'kubernetes.io/basic-auth']
  for (let i = 0; i < 50_000; i++) {
    const ns = `team-${i % 400}`
    const name = `app-${i}`
    const type = types[i % types.length]!
    const data: Record<string, string> =
      type === 'kubernetes.io/service-account-token'
        ? {token: `eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIiwic3ViIjoi${Buffer.from(name).toString('base64url')}In0.${randomBytes(64).toString('base64url')}`, namespace: ns}
        : type === 'kubernetes.io/dockerconfigjson'
          ? {'.dockerconfigjson': JSON.stringify({auths: {'registry.example.com': {auth: Buffer.from(`robot:${randomBytes(12).toString('hex')}`).toString('base64')}}})}
          : {username: `svc-${i}`, password: randomBytes(18).toString('base64url'), DATABASE_URL: `postgres://svc-${i}:${randomBytes(12).toString('hex')}@db-${i % 40}.internal:5432/app`}
    ops.push({op: 'put', key: `/registry/secrets/${ns}/${name}`, value: secret({name, namespace: ns}, type, data)})
    if (i % 10 === 0) ops.push({op: 'put', key: `/registry/secrets/${ns}/${name}`, value: secret({name, namespace: ns}, type, {...data, password: randomBytes(18).toString('base64url')})})
  }
  return ops
}

/** Pods the size real ones are (annotations, labels, a long spec), no credentials. */
function pod(i: number): Buffer {
  const meta = encodeMeta({name: `pod-${i}`, namespace: `team-${i % 400}`, labels: {app: `app-${i % 2000}`, 'pod-template-hash': randomBytes(5).toString('hex')}, annotations: {'kubectl.kubernetes.io/last-applied-configuration': randomBytes(2500).toString('base64')}})
  const container = Buffer.concat([encodeField(1, 'app'), encodeField(2, `registry.example.com/app:${i % 97}`), encodeField(7, Buffer.concat([encodeField(1, 'LOG_LEVEL'), encodeField(2, 'info')]))])
  return storage('v1', 'Pod', Buffer.concat([encodeField(1, meta), encodeField(2, encodeField(2, container)), encodeField(3, randomBytes(3000))]))
}

async function snapshotFile(name: string, ops: () => Op[], quota?: number): Promise<string> {
  mkdirSync(WORK, {recursive: true})
  const file = join(WORK, name)
  if (existsSync(file)) return file
  process.stdout.write(`(generating ${name} with a real etcd; cached in bench/.work for later runs)\n`)
  await makeSnapshot(`${file}.tmp`, ops(), {concurrency: 128, quotaBytes: quota})
  execFileSync('mv', [`${file}.tmp`, file])
  return file
}

/** etcdctl snapshot restore + start etcd + etcdctl get --prefix of the Secrets: today's manual path. */
async function manualPath(file: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-manual-'))
  const t0 = performance.now()
  try {
    execFileSync(ETCDCTL, ['snapshot', 'restore', file, '--data-dir', join(dir, 'data')], {env: {...process.env, ETCDCTL_API: '3'}, stdio: 'ignore'})
    const [client, peer] = [await freePort(), await freePort()]
    const endpoint = `http://127.0.0.1:${client}`
    const etcd = spawn(ETCD, ['--data-dir', join(dir, 'data'), '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint, '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `default=http://127.0.0.1:${peer}`, '--logger', 'zap', '--log-level', 'error', '--quota-backend-bytes', String(8 * 1024 ** 3)], {stdio: 'ignore'})
    try {
      for (;;) {
        try {
          execFileSync(ETCDCTL, ['--endpoints', endpoint, 'endpoint', 'health'], {env: {...process.env, ETCDCTL_API: '3'}, stdio: 'ignore'})
          break
        } catch {
          await new Promise((r) => setTimeout(r, 50))
        }
      }
      await new Promise<void>((resolve) => {
        const get = spawn(ETCDCTL, ['--endpoints', endpoint, 'get', '--prefix', '/registry/secrets/'], {env: {...process.env, ETCDCTL_API: '3'}, stdio: ['ignore', 'pipe', 'ignore']})
        get.stdout.resume()
        get.on('close', () => resolve())
      })
      return performance.now() - t0
    } finally {
      etcd.kill('SIGKILL')
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

async function bench(label: string, file: string): Promise<void> {
  const mb = statSync(file).size / 1e6
  const cat = measure('cat FILE > /dev/null', 'cat', [file])
  const manual = await manualPath(file)
  const env = {...process.env, NO_COLOR: '1', LEAKCTL_QUIET: '1'}
  const text = measure('leakctl scan etcd (text)', process.execPath, [BIN, 'scan', 'etcd', file], {env})
  const jsonRun = measure('leakctl scan etcd --json', process.execPath, [BIN, 'scan', 'etcd', file, '--json'], {env})
  printTable(`scan etcd on ${label} (${mb.toFixed(0)} MB)`, [
    {label: 'cat FILE > /dev/null (baseline)', values: {time: fmtMs(cat.ms), 'MB/s': (mb / (cat.ms / 1000)).toFixed(0), 'peak RSS': fmtMb(cat.peakRssMb)}},
    {label: 'manual: restore + start etcd + get --prefix', values: {time: fmtMs(manual), 'MB/s': (mb / (manual / 1000)).toFixed(0), 'peak RSS': 'n/a', 'vs manual': '1.0x'}},
    {label: `leakctl scan etcd, text (exit ${text.code})`, values: {time: fmtMs(text.ms), 'MB/s': (mb / (text.ms / 1000)).toFixed(0), 'peak RSS': fmtMb(text.peakRssMb), 'vs manual': `${(manual / text.ms).toFixed(1)}x faster`}},
    {label: `leakctl scan etcd --json (exit ${jsonRun.code})`, values: {time: fmtMs(jsonRun.ms), 'MB/s': (mb / (jsonRun.ms / 1000)).toFixed(0), 'peak RSS': fmtMb(jsonRun.peakRssMb), 'vs manual': `${(manual / jsonRun.ms).toFixed(1)}x faster`}},
  ])
}

export default async function etcdBench(): Promise<void> {
  const small = await snapshotFile('etcd-50k-secrets.db', fiftyThousandSecrets)
  await bench('a 50,000-Secret snapshot (55,000 revisions)', small)
  const big = await snapshotFile('etcd-1gb.db', () => [...fiftyThousandSecrets(), ...Array.from({length: 130_000}, (_, i): Op => ({op: 'put', key: `/registry/pods/team-${i % 400}/pod-${i}`, value: pod(i)})), ...Array.from({length: 2000}, (_, i): Op => ({op: 'put', key: `/registry/configmaps/team-${i % 400}/cfg-${i}`, value: configMap({name: `cfg-${i}`, namespace: `team-${i % 400}`}, {'app.yaml': `replicas: 3\nlog: info\n${'feature: on\n'.repeat(200)}`})}))], 8 * 1024 ** 3)
  await bench('a snapshot of more than 1 GB (50k Secrets, 130k pods)', big)
}
