import {type Finding, valueDigests} from '../../src/detect/finding.js'
import type {IncidentKind} from '../../src/incident/events.js'
import {loadIncident, openIncident} from '../../src/incident/incident.js'
import {appendEvents} from '../../src/incident/log.js'
import {loadSigner, localSigners, type Signer} from '../../src/incident/signing.js'
import {type IncidentRef, openWorkspace, workspaceOf} from '../../src/incident/workspace.js'
import {loadProcedures, resolvePlaybook} from '../../src/playbook/load.js'
import {TEST_FINGERPRINTER} from './fingerprint.js'

/** Opens an incident through the engine (no process spawn), for tests of what builds on it. */
export async function openTestIncident(workspaceDir: string, o: {kind?: IncidentKind; title?: string; exposedAt?: Date | null; now?: Date; findings?: Finding[]; actor?: string; commander?: string} = {}) {
  const ws = openWorkspace(workspaceDir, true)
  const kind = o.kind ?? 'etcd-leak'
  return openIncident(ws, {
    title: o.title ?? 'test incident',
    kind,
    commander: o.commander ?? 'commander',
    exposedAt: o.exposedAt ?? null,
    playbook: resolvePlaybook(kind),
    procedures: loadProcedures(),
    actor: o.actor ?? 'tester',
    findings: o.findings,
    now: o.now,
  })
}

export function gitFinding(secretValue: string, overrides: Partial<Extract<Finding, {source: 'git'}>> = {}): Finding {
  return {
    source: 'git',
    class: 'database-url',
    risk: 'high',
    reason: 'a production database URL with its password',
    ...valueDigests(TEST_FINGERPRINTER, secretValue),
    preview: 'postgres://app:****@db (43 chars)',
    rotation: 'database-password',
    commit: 'a'.repeat(40),
    path: 'config/production.env',
    line: 3,
    author: 'dev <dev@example.com>',
    date: '2026-11-21T22:10:00.000Z',
    inHead: true,
    refs: ['refs/heads/main', 'refs/remotes/origin/main'],
    ...overrides,
  }
}

/**
 * A responder's signer in the incident's workspace, admitted by the commander
 * (whose key the workspace holds), for tests that write events as others would.
 */
export async function admittedSigner(ref: IncidentRef, actor: string, now?: () => Date): Promise<Signer> {
  const signer = loadSigner(workspaceOf(ref), actor)
  const {state} = loadIncident(ref)
  const commander = localSigners(workspaceOf(ref)).find((s) => s.key === state.trust.commanderKey)
  if (!commander) throw new Error('the commander key is not in this workspace')
  await appendEvents(ref.logPath, commander, [{type: 'responder.admitted', data: {name: actor, key: signer.key}}], now)
  return signer
}
