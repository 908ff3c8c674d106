import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ObjectStore, secretJson} from '../fixtures/kube/objects.js'
import {startObjectServer} from '../fixtures/kube/server.js'
import {Fingerprinter} from '../src/fingerprint/key.js'
import {openIncident} from '../src/incident/incident.js'
import {openWorkspace} from '../src/incident/workspace.js'
import {loadProcedures, resolvePlaybook} from '../src/playbook/load.js'
import {verifyCluster} from '../src/verify/cluster/verify.js'
import {fmtMb, fmtMs, printTable, syntheticFindings} from './lib.js'

// `verify cluster` against a local API server (the fixtures' list server, on
// 127.0.0.1) holding 50,000 Secrets, beside the floor: the plain list
// `kubectl get secrets -A -o json` does (pages of 500) through the same
// client, nothing else. The incident holds FINDINGS of them; a third rotated.

const SECRETS = Number(process.env.LEAKCTL_BENCH_VERIFY_SECRETS ?? 50_000)
const FINDINGS = Number(process.env.LEAKCTL_BENCH_VERIFY_FINDINGS ?? 5_000)

export default async function verifyClusterBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-bench-verify-'))
  const store = new ObjectStore()
  // syntheticFindings(i) is Secret ns{i%50}/s{i} data.password with value-{i}.
  for (let i = 0; i < SECRETS; i++) store.put('secrets', secretJson(`ns${i % 50}`, `s${i}`, {username: 'app', password: i < FINDINGS && i % 3 === 0 ? `rotated-${i}` : `value-${i}`}))
  const server = await startObjectServer(dir, store, 'bench-local-apiserver')
  try {
    const k8s = await import('@kubernetes/client-node')
    const kc = new k8s.KubeConfig()
    kc.loadFromFile(server.kubeconfig)
    const core = kc.makeApiClient(k8s.CoreV1Api)
    // The floor: every page of the list, deserialised by the client, nothing kept.
    let r0 = server.requests()
    let t = performance.now()
    let items = 0
    let token: string | undefined
    do {
      const page = await core.listSecretForAllNamespaces({limit: 500, ...(token ? {_continue: token} : {})})
      items += page.items.length
      token = page.metadata?._continue || undefined
    } while (token)
    const plainMs = performance.now() - t
    const plainRequests = server.requests() - r0

    const bench = new Fingerprinter(Buffer.alloc(32, 7))
    const findings = syntheticFindings(FINDINGS)
    r0 = server.requests()
    t = performance.now()
    const r = await verifyCluster({kubeconfig: server.kubeconfig}, {findings, fingerprint: (v: string | Uint8Array) => bench.of(v)})
    const engineMs = performance.now() - t
    const engineRequests = server.requests() - r0

    const ws = openWorkspace(join(dir, 'ws'), true)
    await openIncident(ws, {title: 'bench', kind: 'etcd-leak', commander: 'bench', exposedAt: null, playbook: resolvePlaybook('etcd-leak'), procedures: loadProcedures(), actor: 'bench', findings})
    r0 = server.requests()
    // Asynchronously: the server answering it runs in this process.
    const cli = await measureAsync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'run.js'), 'verify', 'cluster', '--workspace', join(dir, 'ws'), '--kubeconfig', server.kubeconfig, '--json'], {...process.env, NODE_ENV: 'production', NO_COLOR: '1', LEAKCTL_ACTOR: 'bench', LEAKCTL_QUIET: '1'})
    const cliRequests = server.requests() - r0

    printTable(`verify cluster: ${SECRETS.toLocaleString('en')} Secrets in the cluster, ${FINDINGS.toLocaleString('en')} findings (local API server on 127.0.0.1)`, [
      {label: 'plain list, pages of 500 (kubectl get secrets -A -o json)', values: {time: fmtMs(plainMs), requests: String(plainRequests), objects: items.toLocaleString('en'), 'peak RSS': 'in process'}},
      {label: 'verify cluster engine (Secrets + consumer kinds)', values: {time: fmtMs(engineMs), requests: String(engineRequests), objects: `${r.summary.current} current, ${r.summary.rotated} rotated`, 'peak RSS': 'in process'}},
      {label: 'leakctl verify cluster --json (whole command, events recorded)', values: {time: fmtMs(cli.ms), requests: String(cliRequests), objects: `exit ${cli.code}`, 'peak RSS': fmtMb(cli.peakRssMb)}},
    ])
  } finally {
    await server.stop()
    rmSync(dir, {recursive: true, force: true})
  }
}

/** Wall time, exit code and (with GNU time) peak RSS of a command, without blocking this process. */
function measureAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ms: number; code: number; peakRssMb: number | null}> {
  const time = existsSync('/usr/bin/time')
  const t = performance.now()
  const p = time ? spawn('/usr/bin/time', ['-f', '__PEAK_KB__%M', cmd, ...args], {env, stdio: ['ignore', 'ignore', 'pipe']}) : spawn(cmd, args, {env, stdio: ['ignore', 'ignore', 'pipe']})
  let err = ''
  p.stderr.on('data', (d) => (err += d))
  return new Promise((resolve) => p.on('close', (code) => {
    const m = /__PEAK_KB__(\d+)/.exec(err)
    resolve({ms: performance.now() - t, code: code ?? -1, peakRssMb: m ? Number(m[1]) / 1024 : null})
  }))
}
