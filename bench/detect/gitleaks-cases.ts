import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {detect} from '../../src/detect/engine.js'

// A peer's own true/false-positive samples (shared/bench/gitleaks-cases.jsonl,
// gitleaks' rule tests, MIT): recall on `tp` texts, false positives on `fp`.

export interface Case {
  rule: string
  kind: 'tp' | 'fp'
  text: string
  path?: string
}

/** gitleaks rule ids that fall under the formats leakctl claims (issue 4's list). */
const CLAIMED = [
  /^aws-access-token$/, /^github-/, /^gitlab-/, /^slack-/, /^stripe-/, /^sendgrid/, /^twilio/, /^npm/, /^pypi/,
  /^gcp-api-key$/, /^azure-/, /^openai-/, /^anthropic-/, /^jwt$/, /^private-key$/, /^kubernetes-secret-yaml$/,
  /^generic-api-key$/, /^hashicorp-tf-password$/, /^curl-auth-/, /^sidekiq-sensitive-url$/, /^nuget-config-password$/,
]

export const isClaimed = (rule: string): boolean => CLAIMED.some((re) => re.test(rule))

export function casesPath(repoRoot: string): string | undefined {
  const p = join(repoRoot, '..', 'shared', 'bench', 'gitleaks-cases.jsonl')
  return existsSync(p) ? p : undefined
}

export function readCases(path: string): Case[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Case)
}

export interface Tally {
  tp: number
  tpFound: number
  fp: number
  fpFlagged: number
  /** Flagged fp texts that are, word for word, a tp text of the samples too (another rule's, or the same under another file name). */
  fpContested: number
}

export interface Evaluation {
  byRule: Map<string, Tally>
  claimed: Tally
  all: Tally
  misses: Case[]
  falsePositives: Case[]
}

export function evaluate(cases: Case[]): Evaluation {
  const byRule = new Map<string, Tally>()
  const claimed: Tally = {tp: 0, tpFound: 0, fp: 0, fpFlagged: 0, fpContested: 0}
  const all: Tally = {tp: 0, tpFound: 0, fp: 0, fpFlagged: 0, fpContested: 0}
  const misses: Case[] = []
  const falsePositives: Case[] = []
  const tpTexts = new Set(cases.filter((c) => c.kind === 'tp').map((c) => c.text.trim()))
  for (const c of cases) {
    const t = byRule.get(c.rule) ?? {tp: 0, tpFound: 0, fp: 0, fpFlagged: 0, fpContested: 0}
    byRule.set(c.rule, t)
    const hit = detect(c.text, {path: c.path}).length > 0
    for (const x of isClaimed(c.rule) ? [t, claimed, all] : [t, all]) {
      if (c.kind === 'tp') {
        x.tp++
        if (hit) x.tpFound++
      } else {
        x.fp++
        if (hit) x.fpFlagged++
        if (hit && tpTexts.has(c.text.trim())) x.fpContested++
      }
    }
    if (c.kind === 'tp' && !hit) misses.push(c)
    if (c.kind === 'fp' && hit) falsePositives.push(c)
  }
  return {byRule, claimed, all, misses, falsePositives}
}

export const pct = (n: number, d: number): string => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)}%`)
