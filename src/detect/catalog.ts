import {CREDENTIAL_FILES} from './files/index.js'
import {RULES} from './rules.js'

// Every rule id the engine can put in a Match: the format rules (rules.ts),
// the credential-file readers (files/) with the ids they emit, and the
// detectors written as code.
// docs/detect.md must give each its source (test/detect-docs.test.ts), so a
// rule cannot ship without the documented format it was written from.

/** Rule ids emitted by code rather than by an entry of RULES or CREDENTIAL_FILES. */
export const ENGINE_RULE_IDS = [
  'private-key', // engine.ts: PEM BEGIN … END blocks
  'generic-assignment', // generic.ts: `name <op> value` where the name says credential
  'config-key-value', // generic.ts: XML `<add key="…" value="…"/>`
  'kubernetes-secret-data', // kubernetes.ts: `data:` of `kind: Secret` manifests
  'login-call', // login-calls.ts: a password passed by position to a known login call or CLI
  'password-hash', // hashes.ts: hashes with a scheme marker in any text (the account-file readers emit it too)
] as const

/** Every rule id the engine can emit, each once. */
export function ruleIds(): string[] {
  return [...new Set([...RULES.map((r) => r.id), ...CREDENTIAL_FILES.flatMap((f) => [f.id, ...(f.emits ?? [])]), ...ENGINE_RULE_IDS])]
}
