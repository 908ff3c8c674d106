import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {openIncident} from '../src/incident/incident.js'
import {openWorkspace} from '../src/incident/workspace.js'
import {loadProcedures, resolvePlaybook} from '../src/playbook/load.js'
import {syncIncident} from '../src/sync/sync.js'
import {fmtMb, fmtMs, measure, printTable, syntheticFindings} from './lib.js'

// incident sync of 10,000 events through a real bare remote: joining (every
// event fetched, size-checked, validated, signature-checked, scrubbed and
// imported) and syncing again with nothing new, beside `git fetch` of the
// same remote, the floor any git-based sync stands on.
export default async function sync(): Promise<void> {
  const events = 10_000
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-bench-sync-'))
  try {
    const remote = join(dir, 'team.git')
    execFileSync('git', ['init', '-q', '--bare', remote])
    const ws = openWorkspace(join(dir, 'ana'), true)
    // The opening, one finding.recorded per finding, one checklist.items.added: 10,000 signed events.
    const findings = syntheticFindings(events - 2)
    const {ref} = await openIncident(ws, {title: 'bench', kind: 'etcd-leak', commander: 'ana', exposedAt: null, playbook: resolvePlaybook('etcd-leak'), procedures: loadProcedures(), actor: 'ana', findings})
    const t0 = performance.now()
    await syncIncident({ws, ref, remote, actor: 'ana'})
    const shareMs = performance.now() - t0
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js')
    const env = (who: string) => ({...process.env, LEAKCTL_WORKSPACE: join(dir, who), LEAKCTL_ACTOR: who, NO_COLOR: '1'})
    const fetchInto = join(dir, 'plain.git')
    execFileSync('git', ['init', '-q', '--bare', fetchInto])
    const rows = [
      measure('git fetch (the same branch, into an empty repository)', 'git', ['--git-dir', fetchInto, 'fetch', '--quiet', '--no-tags', remote, '+refs/heads/leakctl/incidents:refs/x']),
      measure('leakctl incident sync: join (imports 10,000 events)', process.execPath, [bin, 'incident', 'sync', '--remote', remote, '--incident', ref.id], {env: env('bob')}),
      measure('leakctl incident sync: again, nothing new', process.execPath, [bin, 'incident', 'sync'], {env: env('bob')}),
    ]
    printTable(
      `incident sync, ${events.toLocaleString('en')} events (shared in ${fmtMs(shareMs)})`,
      rows.map((r) => ({label: r.label, values: {time: fmtMs(r.ms), cpu: r.cpuMs === null ? 'n/a' : fmtMs(r.cpuMs), 'peak RSS': fmtMb(r.peakRssMb), exit: String(r.code)}})),
    )
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
