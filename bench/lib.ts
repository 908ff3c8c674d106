import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'

import type {Finding, Risk} from '../src/detect/finding.js'
import {Fingerprinter} from '../src/fingerprint/key.js'

// Shared by the benchmarks: run a command, measure wall time and peak memory
// (GNU time's maximum resident set size), print figures beside a baseline.

// Made-up findings only: any fixed key will do.
const fingerprints = new Fingerprinter(Buffer.alloc(32, 7))

export interface Measure {
  label: string
  ms: number
  peakRssMb: number | null
  /** CPU time (user + system) of the command and its children: what the work costs when the machine is shared. */
  cpuMs: number | null
  code: number
}

const GNU_TIME = '/usr/bin/time'

/** Runs a command once; peak RSS comes from GNU time when it is installed. */
export function measure(label: string, cmd: string, args: string[], opts: {cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string} = {}): Measure {
  const useTime = existsSync(GNU_TIME)
  const argv = useTime ? ['-f', '__PEAK_KB__%M __CPU__%U %S', cmd, ...args] : args
  const start = process.hrtime.bigint()
  const r = spawnSync(useTime ? GNU_TIME : cmd, argv, {cwd: opts.cwd, env: opts.env ?? process.env, input: opts.stdin, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['pipe', 'ignore', 'pipe']})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  const m = /__PEAK_KB__(\d+)/.exec(r.stderr ?? '')
  const cpu = /__CPU__([\d.]+) ([\d.]+)/.exec(r.stderr ?? '')
  return {label, ms, peakRssMb: m ? Number(m[1]) / 1024 : null, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : null, code: r.status ?? -1}
}

/** Median of N runs (and the peak memory of the median run). */
export function measureMedian(n: number, label: string, cmd: string, args: string[], opts: Parameters<typeof measure>[3] = {}): Measure {
  const runs = Array.from({length: n}, () => measure(label, cmd, args, opts)).sort((a, b) => a.ms - b.ms)
  return runs[Math.floor(runs.length / 2)]!
}

export function printTable(title: string, rows: {label: string; values: Record<string, string>}[]): void {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r.values)))]
  const header = ['', ...cols]
  const body = rows.map((r) => [r.label, ...cols.map((c) => r.values[c] ?? '')])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  process.stdout.write(`\n## ${title}\n${line(header)}\n${body.map(line).join('\n')}\n`)
}

export const fmtMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`)
export const fmtMb = (mb: number | null): string => (mb === null ? 'n/a' : `${mb.toFixed(0)} MB`)

/** n value-free etcd findings (one Secret each, 50 namespaces), to load an incident with. */
export function syntheticFindings(n: number, pick: (i: number) => {class: string; risk: Risk} = () => ({class: 'database-password', risk: 'high'})): Finding[] {
  return Array.from({length: n}, (_, i) => ({
    source: 'etcd',
    ...pick(i),
    reason: 'bench',
    fingerprint: fingerprints.of(`value-${i}`),
    preview: '**** (12 chars)',
    rotation: 'database-password',
    key: `/registry/secrets/ns${i % 50}/s${i}`,
    revision: i + 1,
    kind: 'Secret',
    namespace: `ns${i % 50}`,
    name: `s${i}`,
    field: 'data.password',
    state: 'live',
  }))
}

/**
 * An incident of exactly `total` events over three days (for the report's
 * picture and its benchmark): 200 critical/high findings, one AWS key in ten
 * used from outside thousands of times, half of those keys revoked and
 * verified dead, and notes to make up the count. Times are fixed from `now`.
 */
export async function openDenseIncident(workspaceDir: string, o: {total?: number; now: Date}): Promise<{ref: import('../src/incident/workspace.js').IncidentRef; keys: string[]}> {
  const {openIncident} = await import('../src/incident/incident.js')
  const {openWorkspace} = await import('../src/incident/workspace.js')
  const {appendEvents} = await import('../src/incident/log.js')
  const {findingKey, findingWhere} = await import('../src/detect/finding.js')
  const {loadProcedures, resolvePlaybook} = await import('../src/playbook/load.js')
  const total = o.total ?? 10_000
  const H = 3_600_000
  const exposed = new Date(o.now.getTime() - 72 * H)
  const opened = new Date(exposed.getTime() + 30 * H)
  const findings = syntheticFindings(200, (i) => (i % 10 === 0 ? {class: 'aws-access-key', risk: 'critical'} : {class: 'database-password', risk: 'high'})).map((f, i) => (i % 10 === 0 ? {...f, keyId: `AKIA${String(i).padStart(16, '0')}`} : f))
  const keys = findings.filter((f) => f.keyId).map((f) => f.keyId!)
  const ws = openWorkspace(workspaceDir, true)
  const {ref, events} = await openIncident(ws, {title: 'dense incident', kind: 'etcd-leak', commander: 'commander', exposedAt: exposed, playbook: resolvePlaybook('etcd-leak'), procedures: loadProcedures(), actor: 'triage', findings, now: opened})
  const revoked = findings.filter((f) => f.keyId).slice(0, 10)
  const fixed = events.length + revoked.length * 2
  const uses = Math.floor((total - fixed) * 0.97)
  const notes = total - fixed - uses
  const span = o.now.getTime() - exposed.getTime()
  await appendEvents(ref.logPath, 'logs', Array.from({length: uses}, (_, i) => {
    const key = keys[i % keys.length]!
    const at = new Date(exposed.getTime() + 2 * H + Math.floor((i / uses) * (span - 4 * H))).toISOString()
    return {type: 'evidence.found' as const, data: {source: 'cloudtrail', summary: `ListBuckets by ${key}`, at, suspicious: true, reasons: ['new source IP'], ref: {eventId: `ev-${i}`, accessKeyId: key, leakedKey: key}}}
  }), () => new Date(opened.getTime() + H))
  await appendEvents(ref.logPath, 'bob', revoked.map((f) => ({type: 'credential.revoked' as const, data: {fingerprint: f.fingerprint, finding: findingKey(f), class: f.class, where: findingWhere(f), action: 'iam:DeleteAccessKey', applied: true, result: 'deleted'}})), () => new Date(opened.getTime() + 3 * H))
  await appendEvents(ref.logPath, 'verifier', revoked.map((f) => ({type: 'verification.recorded' as const, data: {fingerprint: f.fingerprint, finding: findingKey(f), class: f.class, where: findingWhere(f), verifier: 'issuer' as const, state: 'revoked' as const, checkedAt: new Date(opened.getTime() + 4 * H).toISOString(), via: 'sts:GetCallerIdentity', detail: 'InvalidClientTokenId'}})), () => new Date(opened.getTime() + 4 * H))
  await appendEvents(ref.logPath, 'ana', Array.from({length: notes}, (_, i) => ({type: 'incident.noted' as const, data: {text: `note ${i}`}})), () => new Date(opened.getTime() + 5 * H))
  return {ref, keys}
}
