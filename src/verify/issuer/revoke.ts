import {IssuerUnavailable} from './http.js'
import {issuerOf} from './issuers.js'
import type {Issuer, IssuerOptions, Leaked, RevokeAction} from './types.js'

// revoke: dry-run unless asked to apply; each credential confirmed (the
// caller's confirm(), a terminal prompt) before anything is sent; one
// revocation per credential even when it was found in several places; the
// issuers that take batches (GitHub) get them. Where leakctl cannot act, the
// provider's step (or the rotation procedure's) is the answer.

export interface Revocation {
  fingerprint: string
  class: string
  where: string
  action: string
  applied: boolean
  result: string
  /** Steps for a human: the delete for later, a console step. */
  steps: string[]
  /** findingKey() of the finding, for credential.revoked events. */
  finding: string
}

export interface RevokeOptions {
  apply: boolean
  /** Asked once per credential before it is revoked; false skips it. */
  confirm: (l: Leaked, plan: RevokeAction) => Promise<boolean>
  /** The rotation procedure's step titles, for classes leakctl cannot revoke itself. */
  procedureSteps: (rotation: string) => string[]
}

function planOf(l: Leaked, o: IssuerOptions, r: RevokeOptions): {issuer: Issuer | undefined; plan: RevokeAction} {
  const issuer = issuerOf(l.finding.class)
  if (!issuer) return {issuer, plan: {action: 'print the revoke step', steps: r.procedureSteps(l.finding.rotation), automatic: false}}
  const plan = issuer.revokePlan(l, o)
  // What cannot be sent (no value re-read) falls back to the steps.
  if (plan.automatic && (!issuer.revoke || (l.value === null && issuer.id !== 'aws' && issuer.id !== 'kubernetes'))) return {issuer, plan: {...plan, automatic: false, steps: [...(l.value === null ? [`the value could not be re-read: ${l.unresolved ?? '?'}`] : []), ...plan.steps]}}
  return {issuer, plan}
}

export async function revokeLeaked(leaked: readonly Leaked[], o: IssuerOptions, r: RevokeOptions): Promise<Revocation[]> {
  const planned = leaked.map((l) => ({l, ...planOf(l, o, r)}))
  const results = new Map<string, {applied: boolean; result: string}>()
  // One decision and one call per credential.
  const todo = new Map<Issuer, Leaked[]>()
  const seen = new Set<string>()
  for (const p of planned) {
    const id = `${p.l.finding.class} ${p.l.finding.fingerprint}`
    if (seen.has(id)) continue
    seen.add(id)
    if (!p.plan.automatic) results.set(id, {applied: false, result: 'manual: follow the steps'})
    else if (!r.apply) results.set(id, {applied: false, result: 'planned (dry run: --apply to act)'})
    else if (!(await r.confirm(p.l, p.plan))) results.set(id, {applied: false, result: 'skipped (not confirmed)'})
    else todo.set(p.issuer!, [...(todo.get(p.issuer!) ?? []), p.l])
  }
  await Promise.all(
    [...todo].map(async ([issuer, batch]) => {
      const out = await issuer.revoke!(batch, o).catch((error: unknown) => {
        if (error instanceof IssuerUnavailable) return batch.map(() => ({applied: false, result: error.message}))
        throw error
      })
      batch.forEach((l, i) => results.set(`${l.finding.class} ${l.finding.fingerprint}`, out[i]!))
    }),
  )
  return planned.map((p) => ({fingerprint: p.l.finding.fingerprint, class: p.l.finding.class, where: p.l.where, action: p.plan.action, ...results.get(`${p.l.finding.class} ${p.l.finding.fingerprint}`)!, steps: p.plan.steps, finding: p.l.key}))
}
