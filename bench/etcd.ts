import {spawn, spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {join} from 'node:path'

import {CLUSTER_KEY, clusterOps} from '../fixtures/etcd/cluster.js'
import {configMap, encodeMeta, encryptionConfigYaml, secret, storage} from '../fixtures/etcd/k8s-objects.js'
import {ETCD, ETCDCTL, freePort, makeSnapshot, type Op} from '../fixtures/etcd/server.js'
import {encodeField} from '../src/etcd/proto.js'
import {fmtMb, fmtMs, type Measure, measure, measureMedian, printTable} from './lib.js'
import {printProfile, profileTop} from './profile.js'

// scan etcd on two snapshots a real etcd wrote (cached in bench/.work):
//  - a 50,000-Secret cluster (every type of Secret, 77% encrypted with aescbc,
//    the rest plaintext, 10% rotated with the old value kept, 1% deleted,
//    ConfigMaps and Deployments around them): the full triage, with and
//    without the EncryptionConfiguration (then every encrypted Secret is
//    decrypted and classified too), and the time to the first line (the
//    readable count, from the storage envelopes, before any value is decoded);
//  - one of more than 1 GB (50,000 plaintext Secrets, 130,000 Pods of a
//    realistic size): throughput and peak memory.
// Beside each, in the same run: `cat FILE > /dev/null`, and the manual path
// responders use today (etcdctl snapshot restore, start etcd, etcdctl get
// --prefix of the Secrets), which lists only the latest values.

const WORK = join(import.meta.dirname, '..', '..', 'bench', '.work')
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')
const SECRETS = Number(process.env.LEAKCTL_BENCH_SECRETS ?? 50_000)
const QUOTA = 8 * 1024 ** 3
const SAMPLE = join(import.meta.dirname, '..', '..', 'fixtures', 'etcd', 'sample.db')
const FLOOR = join(import.meta.dirname, 'lib', 'etcd-floor.js')

export async function cached(name: string, ops: () => Op[]): Promise<string> {
  mkdirSync(WORK, {recursive: true})
  const file = join(WORK, name)
  if (existsSync(file)) return file
  process.stdout.write(`(generating ${name} with a real etcd; cached in bench/.work for later runs)\n`)
  await makeSnapshot(`${file}.tmp`, ops(), {concurrency: 128, quotaBytes: QUOTA})
  renameSync(`${file}.tmp`, file)
  return file
}

/** 50,000 plaintext Secrets (Opaque, service-account tokens, registry credentials, basic-auth), 10% with an old revision. */
function plaintextSecrets(): Op[] {
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

export function gigabyte(): Op[] {
  return [
    ...plaintextSecrets(),
    ...Array.from({length: 130_000}, (_, i): Op => ({op: 'put', key: `/registry/pods/team-${i % 400}/pod-${i}`, value: pod(i)})),
    ...Array.from({length: 2000}, (_, i): Op => ({op: 'put', key: `/registry/configmaps/team-${i % 400}/cfg-${i}`, value: configMap({name: `cfg-${i}`, namespace: `team-${i % 400}`}, {'app.yaml': `replicas: 3\nlog: info\n${'feature: on\n'.repeat(200)}`})})),
  ]
}

/**
 * Today's manual path, as one shell script under GNU time (so its peak
 * memory is etcd's): restore the snapshot into a data dir, start etcd on it,
 * wait until it answers, list every Secret's latest value, stop.
 */
async function manualPath(file: string): Promise<Measure> {
  const [client, peer] = [await freePort(), await freePort()]
  const endpoint = `http://127.0.0.1:${client}`
  const script = `
set -e
d=$(mktemp -d /tmp/leakctl-manual-XXXXXX)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$d"' EXIT
export ETCDCTL_API=3
${ETCDCTL} snapshot restore "$1" --data-dir "$d/data" >/dev/null 2>&1
${ETCD} --data-dir "$d/data" --listen-client-urls ${endpoint} --advertise-client-urls ${endpoint} \\
  --listen-peer-urls http://127.0.0.1:${peer} --initial-advertise-peer-urls http://127.0.0.1:${peer} \\
  --initial-cluster default=http://127.0.0.1:${peer} --logger zap --log-level error --quota-backend-bytes ${QUOTA} >/dev/null 2>&1 &
pid=$!
until ${ETCDCTL} --endpoints ${endpoint} endpoint health >/dev/null 2>&1; do sleep 0.05; done
${ETCDCTL} --endpoints ${endpoint} get --prefix /registry/secrets/ > /dev/null
`
  return measure('manual', 'bash', ['-c', script, 'manual', file])
}

async function medianManual(file: string): Promise<Measure> {
  const runs = []
  for (let i = 0; i < 3; i++) runs.push(await manualPath(file))
  return runs.sort((a, b) => a.ms - b.ms)[1]!
}

/** Wall time until the first line of stdout (the verdict) and until exit. */
function timeToVerdict(args: string[]): Promise<{verdictMs: number; totalMs: number; verdict: string}> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    let verdictMs = 0
    let out = ''
    const p = spawn(process.execPath, [BIN, ...args], {env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'ignore']})
    p.stdout.on('data', (d: Buffer) => {
      if (!verdictMs) verdictMs = performance.now() - t0
      if (out.length < 400) out += d.toString()
    })
    p.on('close', () => resolve({verdictMs, totalMs: performance.now() - t0, verdict: out.split('\n').slice(0, 2).join('\n')}))
  })
}

async function medianVerdict(args: string[]): Promise<Awaited<ReturnType<typeof timeToVerdict>>> {
  const runs = []
  for (let i = 0; i < 3; i++) runs.push(await timeToVerdict(args))
  return runs.sort((a, b) => a.totalMs - b.totalMs)[1]!
}

/** The scan's revision count; with `keep`, its --json output is kept beside the snapshot (for floorOf). */
function revisionsIn(file: string, keep = false): number {
  // Exit 1 is expected: the snapshots hold readable credentials.
  const r = spawnSync(process.execPath, [BIN, 'scan', 'etcd', file, '--json'], {env: {...process.env, NO_COLOR: '1'}, maxBuffer: 1 << 30, encoding: 'utf8'})
  if (keep) writeFileSync(`${file}.json`, r.stdout, {mode: 0o600})
  return (JSON.parse(r.stdout) as {summary: {revisions: number}}).summary.revisions
}

/**
 * What no `scan etcd --json` can go under on this machine, each part measured
 * in the same run: the command's start-up (a scan of the 53 KB sample), then,
 * in a fresh process, walking every revision without decoding a value and
 * writing the same JSON document (bench/lib/etcd-floor.ts). Medians of 3.
 */
function floorOf(file: string, manual: Measure): Row[] {
  const env = {...process.env, NO_COLOR: '1'}
  const start = measureMedian(3, 'start-up', process.execPath, [BIN, 'scan', 'etcd', SAMPLE, '--json'], {env})
  const parts = Array.from({length: 3}, () => {
    const r = spawnSync(process.execPath, [FLOOR, file, `${file}.json`], {encoding: 'utf8', maxBuffer: 1 << 20})
    return JSON.parse(r.stdout) as {readMs: number; jsonMs: number}
  })
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!
  const read = median(parts.map((p) => p.readMs))
  const json = median(parts.map((p) => p.jsonMs))
  const total = start.ms + read + json
  const cell = (ms: number) => ({time: fmtMs(ms)})
  return [
    {label: 'start-up: scan etcd on the 53 KB sample snapshot', values: cell(start.ms)},
    {label: 'read every revision: key, route, envelope; no value decoded', values: cell(read)},
    {label: 'write the same --json document (parsed beforehand)', values: cell(json)},
    {label: 'floor: the three together, nothing classified or folded', values: {...cell(total), 'vs manual': `${(manual.ms / total).toFixed(1)}x faster`}},
    {label: '3x the manual path would need', values: {...cell(manual.ms / 3), 'vs manual': '3.0x faster'}},
  ]
}

type Row = {label: string; values: Record<string, string>}

function baselines(file: string, mb: number, manual: Measure): Row[] {
  const cat = measure('cat', 'bash', ['-c', 'cat "$1" > /dev/null', 'cat', file])
  return [
    {label: 'cat FILE > /dev/null (baseline)', values: {time: fmtMs(cat.ms), cpu: fmtMs(cat.cpuMs ?? 0), 'MB/s': (mb / (cat.ms / 1000)).toFixed(0), 'peak RSS': fmtMb(cat.peakRssMb)}},
    {label: 'manual: restore + start etcd + get --prefix (latest values only)', values: {time: fmtMs(manual.ms), cpu: fmtMs(manual.cpuMs ?? 0), 'MB/s': (mb / (manual.ms / 1000)).toFixed(0), 'peak RSS': fmtMb(manual.peakRssMb), 'vs manual': '1.0x'}},
  ]
}

/** A figure beside the manual path's: wall time (the ratio is of wall times), and the CPU it took, which a shared machine disturbs less. */
function row(label: string, ms: number, peak: number | null, mb: number, manual: Measure, extra: Record<string, string> = {}, cpuMs: number | null = null): Row {
  const ratio = manual.ms / ms
  return {label, values: {time: fmtMs(ms), cpu: cpuMs === null ? '' : fmtMs(cpuMs), 'MB/s': (mb / (ms / 1000)).toFixed(0), 'peak RSS': fmtMb(peak), 'vs manual': ratio >= 1 ? `${ratio.toFixed(1)}x faster` : `${(1 / ratio).toFixed(1)}x slower`, ...extra}}
}

export default async function etcdBench(): Promise<void> {
  const env = {...process.env, NO_COLOR: '1'}
  process.stdout.write(`\n(scan etcd: ${availableParallelism()} cores)\n`)

  const cluster = await cached(`scan-etcd-${SECRETS}.db`, () => clusterOps({secrets: SECRETS}))
  const config = join(WORK, 'scan-etcd-encryption-config.yaml')
  writeFileSync(config, encryptionConfigYaml([{provider: 'aescbc', name: 'key1', secret: CLUSTER_KEY}]))
  let mb = statSync(cluster).size / 1e6
  let manual = await medianManual(cluster)
  // Medians of 3: a few seconds each, and shared machines wander by a third from run to run.
  const json = measureMedian(3, 'json', process.execPath, [BIN, 'scan', 'etcd', cluster, '--json'], {env})
  const keyed = measureMedian(3, 'json+config', process.execPath, [BIN, 'scan', 'etcd', cluster, '--json', '--encryption-config', config], {env})
  const text = await medianVerdict(['scan', 'etcd', cluster])
  // LEAKCTL_BENCH_BEFORE=<another checkout's bin/run.js>: the same scan by other code (main before a change), in the same run.
  const beforeBin = process.env.LEAKCTL_BENCH_BEFORE
  const before = beforeBin ? measureMedian(3, 'before', process.execPath, [beforeBin, 'scan', 'etcd', cluster, '--json'], {env}) : null
  printTable(`scan etcd, full triage (medians of 3), on a ${SECRETS.toLocaleString('en')}-Secret cluster snapshot (${mb.toFixed(0)} MB, ${revisionsIn(cluster, true).toLocaleString('en')} revisions)`, [
    ...baselines(cluster, mb, manual),
    row(`leakctl scan etcd --json (exit ${json.code})`, json.ms, json.peakRssMb, mb, manual, {}, json.cpuMs),
    row(`leakctl scan etcd --json --encryption-config (exit ${keyed.code})`, keyed.ms, keyed.peakRssMb, mb, manual, {}, keyed.cpuMs),
    ...(before ? [row(`the same --json by ${beforeBin} (exit ${before.code})`, before.ms, before.peakRssMb, mb, manual, {}, before.cpuMs)] : []),
    row('leakctl scan etcd, text: time to the first line (readable count)', text.verdictMs, null, mb, manual, {total: fmtMs(text.totalMs)}),
  ])
  process.stdout.write(`${text.verdict}\n`)
  printTable(`the floor of that triage on this machine (medians of 3): what reading the file and writing the output cost with no classification`, floorOf(cluster, manual))
  printProfile(`scan etcd --json on the ${SECRETS.toLocaleString('en')}-Secret snapshot, one run under --cpu-prof`, profileTop([BIN, 'scan', 'etcd', cluster, '--json'], 12, env))

  const big = await cached('etcd-1gb.db', gigabyte)
  mb = statSync(big).size / 1e6
  manual = await medianManual(big)
  const bigText = measureMedian(3, 'text', process.execPath, [BIN, 'scan', 'etcd', big], {env})
  const bigJson = measureMedian(3, 'json', process.execPath, [BIN, 'scan', 'etcd', big, '--json'], {env})
  const bigFirst = await medianVerdict(['scan', 'etcd', big])
  printTable(`scan etcd on a snapshot of more than 1 GB (medians of 3; ${mb.toFixed(0)} MB: 50,000 Secrets, 130,000 Pods)`, [
    ...baselines(big, mb, manual),
    row(`leakctl scan etcd, text (exit ${bigText.code})`, bigText.ms, bigText.peakRssMb, mb, manual, {}, bigText.cpuMs),
    row(`leakctl scan etcd --json (exit ${bigJson.code})`, bigJson.ms, bigJson.peakRssMb, mb, manual, {}, bigJson.cpuMs),
    row('leakctl scan etcd, text: time to the first line (readable count)', bigFirst.verdictMs, null, mb, manual, {total: fmtMs(bigFirst.totalMs)}),
  ])
  printProfile('scan etcd --json on the 1 GB snapshot, one run under --cpu-prof', profileTop([BIN, 'scan', 'etcd', big, '--json'], 12, env))
}
