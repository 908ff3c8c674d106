import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, renameSync, rmSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {makeSnapshot, type Op} from '../../fixtures/etcd/server.js'
import {secret} from '../../fixtures/etcd/k8s-objects.js'

// The benchmark snapshots, made by a real etcd and cached under bench/.work/
// (git-ignored): generated once, reused by every run. The version in each
// file name changes whenever its generator does.

/** bench/.work/ of the checkout, whether this runs compiled (dist/bench/etcd/) or from source (bench/etcd/). */
export const WORK = join(repoRoot(import.meta.dirname), 'bench', '.work')

function repoRoot(from: string): string {
  let dir = from
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

export interface BenchSnapshot {
  file: string
  label: string
}

async function cached(name: string, label: string, ops: () => Op[], opts: Parameters<typeof makeSnapshot>[2]): Promise<BenchSnapshot> {
  const file = join(WORK, name)
  if (existsSync(file)) return {file, label}
  mkdirSync(WORK, {recursive: true})
  const tmp = `${file}.part`
  rmSync(tmp, {force: true})
  const t0 = performance.now()
  process.stderr.write(`etcd bench: generating ${name} with a real etcd (once; cached in bench/.work/)\n`)
  await makeSnapshot(tmp, ops(), opts)
  renameSync(tmp, file)
  process.stderr.write(`etcd bench: ${name}: ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`)
  return {file, label}
}

/**
 * 50,000 Secrets in 200 namespaces; every 10th rotated twice (three
 * revisions), every 50th deleted afterwards (a tombstone).
 */
export function secrets50k(): Promise<BenchSnapshot> {
  const ops = (): Op[] => {
    const out: Op[] = []
    const put = (i: number, rev: number): Op => {
      const ns = `team-${i % 200}`
      const name = `app-${i}-credentials`
      return {
        op: 'put',
        key: `/registry/secrets/${ns}/${name}`,
        value: secret(
          {name, namespace: ns, uid: uid(i)},
          i % 7 === 0 ? 'kubernetes.io/tls' : 'Opaque',
          i % 7 === 0 ? {'tls.crt': cert(i, rev, 1100), 'tls.key': cert(i, rev + 1, 1600)} : {username: `svc-${i}`, password: `pw-${i}-${rev}-${(i * 2654435761) % 1e9}`, 'config.json': `{"endpoint":"https://api-${i}.internal","retries":${rev}}`},
        ),
      }
    }
    for (let i = 0; i < 50_000; i++) out.push(put(i, 1))
    for (let rev = 2; rev <= 3; rev++) for (let i = 0; i < 50_000; i += 10) out.push(put(i, rev))
    for (let i = 0; i < 50_000; i += 50) out.push({op: 'delete', key: `/registry/secrets/team-${i % 200}/app-${i}-credentials`})
    return out
  }
  return cached('etcd-50k-v2.db', '50,000 Secrets (61,000 revisions)', ops, {txn: 100, concurrency: 4})
}

/**
 * At least 1 GiB: 4,400 Secret-shaped values of 240 KiB (big TLS bundles
 * and blobs), every 10th rewritten once.
 */
export function big1g(): Promise<BenchSnapshot> {
  const ops = (): Op[] => {
    const base = randomBytes(240 << 10)
    const out: Op[] = []
    const put = (i: number, rev: number): Op => {
      const blob = Buffer.from(base)
      blob.writeUInt32LE(i, (i * 4099) % (blob.length - 4))
      blob.writeUInt32LE(rev, 0)
      const ns = `bulk-${i % 20}`
      const name = `bundle-${i}`
      return {op: 'put', key: `/registry/secrets/${ns}/${name}`, value: secret({name, namespace: ns, uid: uid(i)}, 'Opaque', {'bundle.bin': blob, password: `pw-${i}-${rev}`})}
    }
    for (let i = 0; i < 4000; i++) out.push(put(i, 1))
    for (let i = 0; i < 4000; i += 10) out.push(put(i, 2))
    return out
  }
  return cached('etcd-1g-v2.db', '1 GiB (4,400 revisions of 240 KiB Secrets)', ops, {txn: 8, concurrency: 2, quotaBytes: 8 * 1024 ** 3, extraArgs: ['--snapshot-count', '2000']})
}

const uid = (i: number) => `5e1f0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`

function cert(i: number, rev: number, size: number): string {
  const body = Buffer.alloc(size)
  let x = (i * 7919 + rev * 104729) >>> 0
  for (let j = 0; j < size; j++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    body[j] = x >>> 24
  }
  return `-----BEGIN CERTIFICATE-----\n${body.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`
}
