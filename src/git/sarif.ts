import {classInfo} from '../detect/classes.js'
import type {Risk} from '../detect/finding.js'
import type {GitScanResult} from './scan.js'

// SARIF 2.1.0 for GitHub code scanning: one rule per credential class, one
// result per secret and path, located at the commit that introduced it.

const SEVERITY: Record<Risk, {level: 'error' | 'warning' | 'note'; score: string}> = {
  critical: {level: 'error', score: '9.5'},
  high: {level: 'error', score: '8.0'},
  medium: {level: 'warning', score: '5.5'},
  low: {level: 'note', score: '3.0'},
}

export function toSarif(result: GitScanResult, version: string): object {
  const classes = [...new Set([...result.findings, ...result.uncommitted].map((f) => f.class))].sort()
  const rules = classes.map((c) => ({
    id: c,
    name: c.replace(/(^|-)(\w)/g, (_m, _d, ch: string) => ch.toUpperCase()),
    shortDescription: {text: `Exposed ${classInfo(c).title}`},
    fullDescription: {text: `A ${classInfo(c).title} committed to the repository. Revoke it first, then remove it from history.`},
    help: {text: `Rotate it following playbooks/rotations/${classInfo(c).rotation}.yaml, then rewrite every ref that reaches it.`},
    properties: {tags: ['security', 'secret'], 'security-severity': SEVERITY[classInfo(c).risk].score},
  }))
  const results = [
    ...result.findings.map((f) => ({
      ruleId: f.class,
      level: SEVERITY[f.risk].level,
      message: {text: `${classInfo(f.class).title} (${f.risk}): ${f.reason}. First introduced in ${f.commit.slice(0, 12)} by ${f.author} on ${f.date}${f.inHead ? '; still at HEAD' : ''}${f.pushed ? '; pushed' : ''}. Preview ${f.preview}.`},
      locations: [{physicalLocation: {artifactLocation: {uri: f.path}, region: {startLine: Math.max(1, f.line)}}}],
      partialFingerprints: {'leakctl/secret/v1': f.fingerprint},
      properties: {commit: f.commit, author: f.author, date: f.date, inHead: f.inHead, refs: f.refs, pushed: f.pushed, risk: f.risk, fingerprint: f.fingerprint},
    })),
    ...result.uncommitted.map((f) => ({
      ruleId: f.class,
      level: SEVERITY[f.risk].level,
      message: {text: `${classInfo(f.class).title} (${f.risk}) in ${f.state === 'staged' ? 'the staged change' : 'the working tree'}: ${f.reason}. Preview ${f.preview}.`},
      locations: [{physicalLocation: {artifactLocation: {uri: f.path}, region: {startLine: Math.max(1, f.line)}}}],
      partialFingerprints: {'leakctl/secret/v1': f.fingerprint},
      properties: {state: f.state, risk: f.risk, fingerprint: f.fingerprint},
    })),
  ]
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{tool: {driver: {name: 'leakctl', version, informationUri: 'https://github.com/leakctl/leakctl', rules}}, results}],
  }
}
