import {recordEvents} from '../../incident/incident.js'
import type {NewEvent} from '../../incident/log.js'
import type {IncidentRef} from '../../incident/workspace.js'
import type {ClusterVerification} from './verify.js'

// Each verification as an evidence event on the incident: fingerprints,
// places, states and who consumes — never a value. The checklist follows
// these events (verify/follow.ts).

export function verificationEvent(v: ClusterVerification): NewEvent<'verification.recorded'> {
  return {
    type: 'verification.recorded',
    data: {fingerprint: v.fingerprint, finding: v.finding, class: v.class, where: v.where, verifier: 'cluster', state: v.state, since: v.since, checkedAt: v.checkedAt, via: v.via, detail: v.detail, consumers: v.consumers},
  }
}

/** Records verifications; with `previous`, only those whose state changed (a --watch round). */
export async function recordVerifications(ref: IncidentRef, actor: string, list: readonly ClusterVerification[], previous?: ReadonlyMap<string, string>): Promise<{recorded: number; warnings: string[]}> {
  const changed = previous ? list.filter((v) => previous.get(v.finding) !== v.state) : list
  if (changed.length === 0) return {recorded: 0, warnings: []}
  const res = await recordEvents(ref, actor, changed.map(verificationEvent))
  return {recorded: res.events.length, warnings: res.warnings}
}
