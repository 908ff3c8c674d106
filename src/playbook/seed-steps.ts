// The steps of a seed runbook (../shared/seeds/*.txt), for the coverage
// table of docs/playbooks.md and `npm run bench -- playbooks`. The rule is
// deliberately mechanical so the table and its test agree on every id:
// a step is a line that starts with a step number (`1.`, `2)`, `# 3.`);
// a seed with no numbered line counts its bulleted lines (`- `) instead.
// Step ids are `<seed prefix>.<ordinal in the seed>`, e.g. `000.3`.

export interface SeedStep {
  id: string
  line: number
  text: string
}

const NUMBERED = /^(?:#\s*)?\d+[.)]\s+(\S.*)$/
const BULLET = /^[-*•]\s+(\S.*)$/

export function seedSteps(prefix: string, text: string): SeedStep[] {
  const lines = text.split('\n').map((l) => l.trim())
  const numbered = lines.some((l) => NUMBERED.test(l))
  const pattern = numbered ? NUMBERED : BULLET
  const steps: SeedStep[] = []
  lines.forEach((l, i) => {
    const m = pattern.exec(l)
    if (m) steps.push({id: `${prefix}.${steps.length + 1}`, line: i + 1, text: m[1]!})
  })
  return steps
}

/** `000_692f….txt` -> `000`. */
export const seedPrefix = (file: string): string => file.split(/[_.]/)[0]!

export interface SeedCoverage {
  /** `playbook/step-id` or `procedure#N` named in the row. */
  refs: string[]
  /** The row's own words when it says "not automated: why". */
  notAutomated?: string
}

const ROW = /^\|\s*(\d+\.\d+)\s*\|[^|]*\|\s*(.*?)\s*\|\s*$/

/** The seed-step rows of docs/playbooks.md, by step id. */
export function seedCoverage(doc: string): Map<string, SeedCoverage> {
  const rows = new Map<string, SeedCoverage>()
  for (const line of doc.split('\n')) {
    const m = ROW.exec(line)
    if (!m) continue
    const cell = m[2]!
    const refs = [...cell.matchAll(/`([a-z0-9-]+(?:\/[a-z0-9-]+|#\d+))`/g)].map((r) => r[1]!)
    rows.set(m[1]!, /^not automated/.test(cell) ? {refs, notAutomated: cell} : {refs})
  }
  return rows
}

/** `git-leak/revoke-now` or `api-key#2` -> what it names, for checking it exists. */
export function parseRef(ref: string): {playbook: string; step: string} | {procedure: string; index: number} {
  const hash = ref.indexOf('#')
  if (hash >= 0) return {procedure: ref.slice(0, hash), index: Number(ref.slice(hash + 1))}
  const [playbook, step] = ref.split('/') as [string, string]
  return {playbook, step}
}
