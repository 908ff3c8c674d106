import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {RISKS} from '../src/detect/finding.js'
import {openIncident} from '../src/incident/incident.js'
import {openWorkspace} from '../src/incident/workspace.js'
import {loadProcedures, resolvePlaybook} from '../src/playbook/load.js'
import {fmtMb, fmtMs, measureMedian, printTable, syntheticFindings} from './lib.js'

// An incident the size of the seed's: 50,000 findings, each with its checklist
// item. What a responder pays per command once it is that big.
export default async function incident(): Promise<void> {
  const n = 50_000
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-bench-incident-'))
  try {
    const findings = syntheticFindings(n, (i) => ({class: i % 3 ? 'database-password' : 'generic-api-key', risk: RISKS[i % 4]!}))
    const ws = openWorkspace(join(dir, 'ws'), true)
    const t0 = performance.now()
    const {ref} = await openIncident(ws, {title: 'bench', kind: 'etcd-leak', commander: 'bench', exposedAt: null, playbook: resolvePlaybook('etcd-leak'), procedures: loadProcedures(), actor: 'bench', findings})
    const openMs = performance.now() - t0
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js')
    const env = {...process.env, LEAKCTL_WORKSPACE: ws.dir, LEAKCTL_ACTOR: 'bench', NO_COLOR: '1'}
    const base = measureMedian(3, 'leakctl --version (start-up baseline)', process.execPath, [bin, '--version'], {env})
    const rows = [
      base,
      measureMedian(3, 'leakctl incident status', process.execPath, [bin, 'incident', 'status'], {env}),
      measureMedian(3, 'leakctl checklist', process.execPath, [bin, 'checklist'], {env}),
      measureMedian(3, 'leakctl checklist tick (one item)', process.execPath, [bin, 'checklist', 'tick', 'read-snapshot'], {env}),
      measureMedian(3, 'leakctl timeline export --format csv', process.execPath, [bin, 'timeline', 'export', '--format', 'csv'], {env}),
    ]
    printTable(`An incident with ${n.toLocaleString('en')} findings (log ${(statSync(ref.logPath).size / 1e6).toFixed(0)} MB; opened in ${fmtMs(openMs)})`, rows.map((r) => ({label: r.label, values: {time: fmtMs(r.ms), 'over start-up': fmtMs(r.ms - base.ms), 'peak RSS': fmtMb(r.peakRssMb)}})))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
