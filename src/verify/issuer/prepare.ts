import {existsSync} from 'node:fs'
import {resolve} from 'node:path'

import type {Finding} from '../../detect/finding.js'
import {inputError} from '../../errors.js'
import type {IncidentState} from '../../incident/state.js'
import type {Leaked, FingerprintFn} from './types.js'
import {rereadValues, type Sources} from './values.js'

// From an incident to the credentials to ask about: its findings (narrowed
// by class or fingerprint), the sources they were found in (the triage
// records the repository or the snapshot in the incident's vars; flags
// override), and each value read again from there.

export interface PrepareInput {
  state: IncidentState
  repo?: string
  snapshot?: string
  cwd: string
  classes?: string[]
  fingerprints?: string[]
  fingerprint: FingerprintFn
}

/** Where the incident's findings came from: the flags, else what the triage recorded. Blanks (`<bucket>`) are not paths. */
export function sourcesOf(i: Pick<PrepareInput, 'state' | 'repo' | 'snapshot' | 'cwd'>): Sources {
  const given = (flag: string | undefined, recorded: string | undefined, what: string): string | undefined => {
    if (flag) {
      const p = resolve(i.cwd, flag)
      if (!existsSync(p)) throw inputError('verify.source', `--${what} ${flag}: no such ${what === 'repo' ? 'directory' : 'file'}`)
      return p
    }
    if (!recorded || /^<.*>$/.test(recorded)) return undefined
    const p = resolve(i.cwd, recorded)
    return existsSync(p) ? p : undefined
  }
  return {repo: given(i.repo, i.state.vars.repo, 'repo'), snapshot: given(i.snapshot, i.state.vars.snapshot, 'snapshot'), cwd: i.cwd}
}

export function selectFindings(findings: readonly Finding[], classes?: string[], fingerprints?: string[]): Finding[] {
  return findings.filter((f) => (!classes?.length || classes.includes(f.class)) && (!fingerprints?.length || fingerprints.includes(f.fingerprint)))
}

export function prepare(i: PrepareInput): {leaked: Leaked[]; sources: Sources} {
  for (const f of i.fingerprints ?? []) if (!/^sha256:[0-9a-f]{64}$/.test(f)) throw inputError('verify.fingerprint', `--fingerprint "${f.slice(0, 20)}": expected sha256:<64 hex digits>`)
  const findings = selectFindings(i.state.findings, i.classes, i.fingerprints)
  const sources = sourcesOf(i)
  return {leaked: rereadValues(findings, sources, i.fingerprint), sources}
}
