import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {CLUSTER_KEY, clusterOps} from '../fixtures/etcd/cluster.js'
import {encryptionConfigYaml} from '../fixtures/etcd/k8s-objects.js'
import {ETCD, ETCDCTL, freePort, makeSnapshot} from '../fixtures/etcd/server.js'
import {fmtMb, fmtMs, measure, printTable} from './lib.js'

// scan etcd, the whole triage, on a generated 50,000-Secret cluster snapshot
// (every type of Secret, 77% encrypted with aescbc, the rest still plaintext,
// 10% rotated with the old value kept, 1% deleted, ConfigMaps and
// Deployments around them): time, time to the verdict line and peak memory,
// without and with the EncryptionConfiguration (then every encrypted Secret
// is decrypted, decoded and classified too), beside `cat FILE > /dev/null`
// and the manual path responders use today (etcdctl snapshot restore, start
// etcd, etcdctl get --prefix of the Secrets), all in the same run.

const WORK = join(import.meta.dirname, '..', '..', 'bench', '.work')
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')
const SECRETS = Number(process.env.LEAKCTL_BENCH_SECRETS ?? 50_000)

async function clusterSnapshot(): Promise<{file: string; config: string}> {
  mkdirSync(WORK, {recursive: true})
  const file = join(WORK, `scan-etcd-${SECRETS}.db`)
  const config = join(WORK, 'scan-etcd-encryption-config.yaml')
  writeFileSync(config, encryptionConfigYaml([{provider: 'aescbc', name: 'key1', secret: CLUSTER_KEY}]))
  if (!existsSync(file)) {
    process.stdout.write(`(generating a ${SECRETS.toLocaleString('en')}-Secret cluster snapshot with a real etcd; cached in bench/.work)\n`)
    await makeSnapshot(`${file}.tmp`, clusterOps({secrets: SECRETS}), {concurrency: 128, quotaBytes: 8 * 1024 ** 3})
    renameSync(`${file}.tmp`, file)
  }
  return {file, config}
}

/**
 * Today's manual path, as one shell script under GNU time (so its peak memory
 * is etcd's): restore the snapshot into a data dir, start etcd on it, wait
 * until it answers, list every Secret's latest value, stop.
 */
async function manualPath(file: string) {
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
  --initial-cluster default=http://127.0.0.1:${peer} --logger zap --log-level error --quota-backend-bytes ${8 * 1024 ** 3} >/dev/null 2>&1 &
pid=$!
until ${ETCDCTL} --endpoints ${endpoint} endpoint health >/dev/null 2>&1; do sleep 0.05; done
${ETCDCTL} --endpoints ${endpoint} get --prefix /registry/secrets/ > /dev/null
`
  return measure('manual', 'bash', ['-c', script, 'manual', file])
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
    p.on('close', () => resolve({verdictMs, totalMs: performance.now() - t0, verdict: out.split('\n')[0] ?? ''}))
  })
}

export default async function scanEtcdBench(): Promise<void> {
  const {file, config} = await clusterSnapshot()
  const mb = statSync(file).size / 1e6
  // Exit 1 is expected: the snapshot holds readable credentials.
  const revisions = JSON.parse(spawnSync(process.execPath, [BIN, 'scan', 'etcd', file, '--json'], {env: {...process.env, NO_COLOR: '1'}, maxBuffer: 1 << 30, encoding: 'utf8'}).stdout) as {summary: {revisions: number; verdict: string}}
  const env = {...process.env, NO_COLOR: '1'}
  const cat = measure('cat', 'bash', ['-c', 'cat "$1" > /dev/null', 'cat', file])
  const manual = await manualPath(file)
  const json = measure('json', process.execPath, [BIN, 'scan', 'etcd', file, '--json'], {env})
  const keyed = measure('json+config', process.execPath, [BIN, 'scan', 'etcd', file, '--json', '--encryption-config', config], {env})
  const text = await timeToVerdict(['scan', 'etcd', file])
  const row = (label: string, ms: number, peak: number | null, extra: Record<string, string> = {}) => ({label, values: {time: fmtMs(ms), 'MB/s': (mb / (ms / 1000)).toFixed(0), 'peak RSS': fmtMb(peak), 'vs manual': `${(manual.ms / ms).toFixed(1)}x faster`, ...extra}})
  printTable(`scan etcd, full triage, on a ${SECRETS.toLocaleString('en')}-Secret cluster snapshot (${mb.toFixed(0)} MB, ${revisions.summary.revisions.toLocaleString('en')} revisions)`, [
    {label: 'cat FILE > /dev/null (baseline)', values: {time: fmtMs(cat.ms), 'MB/s': (mb / (cat.ms / 1000)).toFixed(0), 'peak RSS': fmtMb(cat.peakRssMb)}},
    {label: 'manual: restore + start etcd + get --prefix (latest values only)', values: {time: fmtMs(manual.ms), 'MB/s': (mb / (manual.ms / 1000)).toFixed(0), 'peak RSS': fmtMb(manual.peakRssMb), 'vs manual': '1.0x'}},
    row(`leakctl scan etcd --json (exit ${json.code})`, json.ms, json.peakRssMb),
    row(`leakctl scan etcd --json --encryption-config (exit ${keyed.code})`, keyed.ms, keyed.peakRssMb),
    row('leakctl scan etcd, text: time to the verdict line', text.verdictMs, null, {total: fmtMs(text.totalMs)}),
  ])
  process.stdout.write(`verdict: ${text.verdict}\n`)
}
