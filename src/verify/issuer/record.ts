import type {NewEvent} from '../../incident/log.js'
import type {Revocation} from './revoke.js'
import type {Verification} from './verify.js'

// What verify issuer and revoke leave on the incident: one
// verification.recorded per finding checked (the checklist follows the
// evidence: dead credentials tick their items), one credential.revoked per
// finding whose credential was revoked. Unverifiable ones are not recorded:
// nothing was learned.

export function verificationEvents(vs: readonly Verification[]): NewEvent<'verification.recorded'>[] {
  return vs
    .filter((v) => v.state !== 'unverifiable')
    .map((v) => ({type: 'verification.recorded', data: {fingerprint: v.fingerprint, finding: v.finding, class: v.class, where: v.where, verifier: 'issuer', state: v.state, checkedAt: v.checkedAt, via: v.via, detail: v.detail}}))
}

export function revocationEvents(rs: readonly Revocation[]): NewEvent<'credential.revoked'>[] {
  return rs.filter((r) => r.applied).map((r) => ({type: 'credential.revoked', data: {fingerprint: r.fingerprint, finding: r.finding, class: r.class, where: r.where, action: r.action, applied: true, result: r.result}}))
}
