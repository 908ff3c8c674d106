import type {Finding} from '../detect/finding.js'
import {openIncident, recordEvents} from '../incident/incident.js'
import type {NewEvent} from '../incident/log.js'
import type {IncidentRef, Workspace} from '../incident/workspace.js'
import type {Loaded} from '../playbook/load.js'
import type {Playbook, Procedure} from '../playbook/schema.js'
import {firstOnRemote} from '../git/exposure.js'
import {planRewrite, type RewritePlan, rewriteVars} from '../git/rewrite.js'
import {workspaceFingerprinter} from '../fingerprint/key.js'
import {type GitScanResult, scanRepository} from '../git/scan.js'
import {safeUrl} from '../text/url.js'
import '../logs/collectors.js'
import {COLLECTORS, type EvidenceContext, evidenceWanted} from './evidence.js'
import type {PhaseReport} from './phases.js'

// `triage git-leak`: the seed's hours, in order. Hour 0 confirms the leak
// (the verdict, within seconds) and opens the incident with a checklist that
// revokes every credential found; hour 0-1 prepares the history rewrite and
// looks for use; what cannot run here is recorded as skipped, with the
// command to run by hand.

export interface GitLeakOptions {
  repo: string
  workspace: Workspace
  actor: string
  playbook: Loaded<Playbook>
  procedures: ReadonlyMap<string, Procedure>
  title?: string
  commander?: string
  exposedAt?: Date
  /** owner/name on GitHub; default: from the remote the secrets were pushed to. */
  github?: string
  /** Where the replacement file goes (default: a fresh private temp directory). */
  replacementsDir?: string
  onPhase?: (p: PhaseReport) => void
  onProgress?: (text: string) => void
}

export interface GitLeakTriage {
  incident: IncidentRef
  verdict: string
  exposure: {exposedAt: string | null; source: 'flag' | 'push' | 'fetch' | 'first commit' | 'unknown'; commit: string | null}
  github: string | null
  scan: GitScanResult
  rewrite: RewritePlan | null
  phases: PhaseReport[]
}

export async function triageGitLeak(o: GitLeakOptions): Promise<GitLeakTriage> {
  const phases: PhaseReport[] = []
  const phase = (p: PhaseReport) => {
    phases.push(p)
    o.onPhase?.(p)
  }

  // Hour 0: confirm.
  const t0 = performance.now()
  // The workspace's key: the findings match every other scan and responder of this workspace.
  const fingerprinter = workspaceFingerprinter(o.workspace.dir)
  const scan = await scanRepository(o.repo, {
    fingerprinter,
    onProgress: (p) => o.onProgress?.(p.phase === 'history' ? `reading history: ${p.done} commits` : `scanning blobs: ${p.done}/${p.total}`),
  })
  const findings = scan.findings
  const first = [...findings].sort((a, b) => a.committerDate.localeCompare(b.committerDate))[0]
  const pushed = first ? firstOnRemote(scan.repository.path, first.commit) : null
  const exposure: GitLeakTriage['exposure'] = o.exposedAt
    ? {exposedAt: o.exposedAt.toISOString(), source: 'flag', commit: first?.commit ?? null}
    : pushed
      ? {exposedAt: pushed.at, source: pushed.how === 'push' ? 'push' : 'fetch', commit: first!.commit}
      : first
        ? {exposedAt: first.committerDate, source: 'first commit', commit: first.commit}
        : {exposedAt: null, source: 'unknown', commit: null}
  const github = o.github ?? findings.flatMap((f) => f.remotes.map((r) => r.github)).find((g): g is string => !!g) ?? scan.repository.remotes.map((r) => r.github).find((g): g is string => !!g) ?? null
  phase({
    id: 'hour-0',
    title: 'Hour 0: confirm the leak',
    status: findings.length ? 'fail' : 'pass',
    summary: scan.summary.verdict,
    ms: performance.now() - t0,
  })

  // The incident, with a checklist item per credential to revoke now.
  const remote = findings.flatMap((f) => f.remotes)[0] ?? scan.repository.remotes[0] ?? null
  const rewrite = findings.length ? planRewrite(scan.repository.path, findings, remote ? {name: remote.name, url: remote.url} : null, fingerprinter, o.replacementsDir) : null
  const opened = await openIncident(o.workspace, {
    title: o.title ?? `Secrets committed to ${github ?? scan.repository.path}`,
    kind: 'git-leak',
    commander: o.commander ?? o.actor,
    exposedAt: exposure.exposedAt ? new Date(exposure.exposedAt) : null,
    playbook: o.playbook,
    procedures: o.procedures,
    actor: o.actor,
    findings: findings as Finding[],
    vars: {
      repo: scan.repository.path,
      remote: rewrite?.remote ?? remote?.name ?? 'origin',
      remoteUrl: remote ? safeUrl(remote.url) : '<remote-url>',
      github: github ?? '<owner>/<repo>',
      replacements: rewrite?.replacementsFile ?? '<replacements.txt>',
      ...(rewrite ? rewriteVars(rewrite) : {}),
    },
  })
  const ref = opened.ref
  const checks: NewEvent[] = [
    {type: 'check.completed', data: {check: 'scan-git', status: findings.length ? 'fail' : 'pass', summary: scan.summary.verdict, details: {commits: scan.stats.commits, blobs: scan.stats.blobs, head: scan.repository.head, exposedAt: exposure.exposedAt, exposureSource: exposure.source, firstPush: pushed ? {...pushed, commit: first!.commit} : null}}},
  ]

  // Hour 0-1: the rewrite, prepared; nothing is rewritten for the team without them.
  if (rewrite) {
    const summary = `history rewrite prepared for ${rewrite.refs.length} ref(s): ${rewrite.replaced.length} value(s) replaced${rewrite.removedPaths.length ? `, ${rewrite.removedPaths.length} file(s) removed whole` : ''}${rewrite.unresolved.length ? `; ${rewrite.unresolved.length} value(s) could not be read back` : ''}${rewrite.byHand.length ? `; ${rewrite.byHand.length} short value(s) to rewrite by hand (no safe pattern)` : ''}`
    const status = rewrite.unresolved.length || rewrite.byHand.length ? 'partial' : 'pass'
    phase({id: 'hour-0-1', title: 'Hour 0-1: rewrite history', status, summary})
    checks.push({type: 'check.completed', data: {check: 'history-rewrite-plan', status, summary, details: {refs: rewrite.refs, commands: rewrite.commands, removedPaths: rewrite.removedPaths, byHand: rewrite.byHand.map((h) => ({path: h.path, line: h.line, commit: h.commit}))}}})
  }

  // Evidence of use: what this build can collect, and an honest gap for the rest.
  const ctx: EvidenceContext = {incident: ref, findings: findings as Finding[], exposedAt: exposure.exposedAt ? new Date(exposure.exposedAt) : null, github}
  for (const want of evidenceWanted(findings as Finding[], github)) {
    const collector = COLLECTORS.find((c) => c.id === want.id)
    if (!collector) {
      const summary = `not collected by the triage: run \`${want.manual} --incident ${ref.id}\` where credentials are available`
      phase({id: `evidence-${want.id}`, title: want.title, status: 'skipped', summary})
      checks.push({type: 'check.completed', data: {check: `evidence-${want.id}`, status: 'skipped', summary}})
      continue
    }
    o.onProgress?.(`collecting evidence: ${want.title}`)
    const outcome = await collector.collect(ctx)
    phase({id: `evidence-${want.id}`, title: want.title, status: outcome.status, summary: outcome.summary})
    checks.push(...outcome.events, {type: 'check.completed', data: {check: `evidence-${want.id}`, status: outcome.status, summary: outcome.summary}})
  }
  await recordEvents(ref, o.actor, checks)
  return {incident: ref, verdict: scan.summary.verdict, exposure, github, scan, rewrite, phases}
}
