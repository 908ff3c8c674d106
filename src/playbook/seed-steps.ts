// The steps of a seed runbook (../shared/seeds/*.txt), counted the way a
// responder reads them, for the coverage table of docs/playbooks.md and
// `npm run bench -- playbooks`. Mechanical, so the table and its test agree on
// every id. A step is a line that:
//   - starts with a step number (`1.`, `2)`, `# 3.`);
//   - is an imperative bullet, checkbox or sentence: after an optional `- `,
//     `* `, `[] ` (or a `-` alone on the line before), its first word is one
//     of IMPERATIVES (`Revoke`, `Check`, `Rotate`, ...); each `[]` of a line
//     with several is a step of its own;
//   - starts a command block (its first word is a command: kubectl, aws,
//     psql, ...) that no step line introduces (the line before it is prose).
// Descriptions (`- Database credentials`, what an attacker can do), YAML and
// program text are not steps. Step ids are `<seed prefix>.<line>`, e.g.
// `002.212`: the seeds are read-only, so an id names one line for good.

export interface SeedStep {
  id: string
  line: number
  text: string
  kind: 'numbered' | 'imperative' | 'command'
}

const NUMBERED = /^(?:#\s*)?\d+[.)]\s+(\S.*)$/
const MARKER = /^(?:[-*•]|\[\s?\])\s+/

/** First words that make a line an instruction. */
export const IMPERATIVES = new Set(
  (
    'Add Alert Analyze Apply Audit Block Change Check Classify Collect Compare Configure Confirm Connect Copy Count Create Deactivate ' +
    'Delete Deploy Determine Disable Document Enable Encrypt Ensure Extract Force Generate Grant Identify Implement Install Invalidate ' +
    'Issue Keep Limit List Log Look Maintain Make Mark Monitor Notify Query Re-encrypt Re-set Remove Replace Repeat Request Require ' +
    'Reset Restart Restrict Retrieve Review Revoke Rewrite Roll Rotate Run Sample Save Schedule Set Store Test Track Update Use Verify Wait Write'
  ).split(' '),
)

/** First words of a command line. */
export const COMMANDS = new Set(
  'kubectl etcdctl aws psql vault helm curl git gh openssl gpg ironflow bfg tail grep jq cat for NEW_PASSWORD=$(openssl NEW_KEY=$(openssl MIGRATION_DATE=2024-04-05T00:00:00Z ALTER SELECT'.split(' '),
)

const firstWord = (t: string) => t.split(/[\s:(,]/)[0] ?? ''

function imperative(text: string): boolean {
  const word = firstWord(text)
  // `Request ID: …`, `Count: 30,000`: a label, not an instruction (`Look for: …` is one).
  return IMPERATIVES.has(word) && text.length > word.length && text[word.length] !== ':' && !/^\S+ [A-Z]\S*:/.test(text)
}

export function seedSteps(prefix: string, text: string): SeedStep[] {
  const lines = text.split('\n').map((l) => l.trim())
  // A seed of notes with no numbered line (003) is a list: each bullet is a practice to follow.
  const notes = !lines.some((l) => NUMBERED.test(l))
  const steps: SeedStep[] = []
  const add = (i: number, t: string, kind: SeedStep['kind']) => steps.push({id: `${prefix}.${i + 1}`, line: i + 1, text: t, kind})
  const nextLine = (i: number) => lines.slice(i + 1).find(Boolean) ?? ''
  // What the last line that counts was: a step line introduces the command block under it.
  let previous: 'step' | 'command' | 'prose' = 'prose'
  let fence: {line: number; introduced: boolean; counted: boolean} | null = null
  lines.forEach((l, i) => {
    if (l.startsWith('```')) {
      if (fence) previous = fence.counted || fence.introduced ? 'command' : previous
      fence = fence ? null : {line: i, introduced: previous === 'step', counted: false}
      return
    }
    const isCommand = COMMANDS.has(l.replace(/^\$\s*/, '').split(/\s/)[0]!)
    if (fence) {
      // A fenced block is one command block; its `# comments` say what each line does.
      if (isCommand && !fence.introduced && !fence.counted) {
        add(i, l, 'command')
        fence.counted = true
      }
      return
    }
    if (!l) return
    const numbered = NUMBERED.exec(l)
    if (numbered) {
      add(i, numbered[1]!, 'numbered')
      previous = 'step'
      return
    }
    if (notes && MARKER.test(l)) {
      add(i, l.replace(MARKER, ''), 'imperative')
      previous = 'step'
      return
    }
    if (l.startsWith('[')) {
      const boxes = l.split(/\[\s?\]\s*/).map((b) => b.trim()).filter(Boolean)
      if (boxes.length && boxes.every(imperative)) {
        add(i, boxes.join(' | '), 'imperative')
        previous = 'step'
        return
      }
    }
    const body = l.replace(MARKER, '')
    const bullet = body !== l || lines[i - 1] === '-'
    // A section title (`Rotate Grafana admin password`, its trigger next) names the numbered steps under it.
    const title = nextLine(i).startsWith('Trigger:')
    if ((bullet || !l.startsWith('-')) && imperative(body) && !title) {
      add(i, body, 'imperative')
      previous = 'step'
      return
    }
    // `# comments` and continuation lines of a command belong to what is around them.
    if ((l.startsWith('#') && !/^#{2,} /.test(l)) || /[\\|]$/.test(lines[i - 1] ?? '')) return
    if (isCommand && previous === 'prose') add(i, l, 'command')
    previous = isCommand ? (previous === 'prose' ? 'command' : previous) : 'prose'
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
