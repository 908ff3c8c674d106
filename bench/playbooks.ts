import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {blanksIn, renderAll, renderProcedures} from '../src/playbook/commands.js'
import {packageRoot} from '../src/paths.js'
import {printTable} from './lib.js'
import {sampleIncidents} from './samples.js'

// `npm run bench -- playbooks`: what the built-in playbooks generate for the
// sample inventories (command lines, <…> blanks, revoke-first items), and
// how many of each seed's command lines have a generated counterpart (same
// tool and sub-command, e.g. `kubectl rollout restart`, `ALTER USER`).
// The seed side is a mechanical count of the runbooks' command lines and
// numbered steps, shown beside it; the command lint proves the lines parse.

const TOOLS = /^(kubectl|aws|psql|git|gh|vault|helm|curl|etcdctl|openssl|kubeadm|gcloud|az|leakctl|ironflow|gpg|ssh-keygen|ALTER|CREATE|GRANT|REVOKE|DROP|SELECT|SHOW)\b/

/** `kubectl rollout restart`, `aws iam update-access-key`, `ALTER USER`: the tool and its first plain words. */
function signature(segment: string): string | null {
  // Options that take a value (-n prod, --context x, git -C dir) are not sub-commands.
  const words = segment
    .trim()
    .replace(/\s(-n|--namespace|--context|-C|-h|-U|-d|-p)\s+\S+/g, '')
    .split(/\s+/)
  if (!TOOLS.test(words[0] ?? '')) return null
  const sql = /^[A-Z]+$/.test(words[0]!)
  const plain: string[] = []
  for (const w of words) {
    if (plain.length && !/^[a-z][\w-]*$/i.test(w)) break
    plain.push(w)
  }
  return plain.slice(0, sql ? 2 : 3).join(' ')
}

function signaturesOf(line: string): string[] {
  const out: string[] = []
  for (const seg of line.split(/\|\||&&|\||;/)) {
    const s = signature(seg.replace(/^\s*\w+=\$\(/, ''))
    if (s) out.push(s)
  }
  // SQL inside psql -c "…"
  for (const m of line.matchAll(/-c\s+["']([A-Z]+\s+[A-Z]+)/g)) out.push(m[1]!.split(/\s+/).slice(0, 2).join(' '))
  return out
}

function seedSteps(text: string): {numbered: number; commands: Set<string>} {
  let numbered = 0
  const commands = new Set<string>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (/^(#\s*)?\d+[.)]\s+\S/.test(line)) numbered++
    const sig = signature(line)
    if (sig) commands.add(sig)
  }
  return {numbered, commands}
}

export default async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-bench-pb-'))
  try {
    const samples = await sampleIncidents(join(dir, 'git'))
    const generated = new Set<string>()
    const rows = samples.map((s) => {
      const {items, commands} = renderAll(s.input)
      const lines = commands.filter((c) => !c.text.trim().startsWith('#'))
      const blanks = lines.reduce((n, c) => n + blanksIn(c.text).length, 0)
      for (const c of lines) for (const sig of signaturesOf(c.text)) generated.add(sig)
      const withProcedure = items.filter((i) => i.procedure && lines.some((c) => c.item === i.id && c.part === 'step 1')).length
      return {
        label: s.name,
        values: {
          items: String(items.length),
          'command lines': String(lines.length),
          distinct: String(new Set(lines.map((c) => c.text)).size),
          blanks: String(blanks),
          'lines with a blank': String(lines.filter((c) => blanksIn(c.text).length).length),
          prose: String(commands.length - lines.length),
          'items with a procedure': String(withProcedure),
        },
      }
    })
    const all = samples.find((s) => s.name.startsWith('custom'))!.input
    for (const c of renderProcedures(all)) for (const sig of signaturesOf(c.text)) generated.add(sig)
    printTable('Generated commands for the sample inventories (test/command-lint.test.ts proves each line)', rows)

    const seedDir = join(packageRoot(), '..', 'shared', 'seeds')
    let files: string[] = []
    try {
      files = readdirSync(seedDir).filter((f) => f.endsWith('.txt')).sort()
    } catch {
      process.stdout.write(`\n(seeds not found at ${seedDir}: seed coverage skipped)\n`)
      return
    }
    const seedRows = files.map((f) => {
      const {numbered, commands} = seedSteps(readFileSync(join(seedDir, f), 'utf8'))
      const covered = [...commands].filter((c) => generated.has(c))
      return {
        label: f.slice(0, 3),
        values: {
          'numbered steps': String(numbered),
          'distinct seed commands': String(commands.size),
          'with a generated counterpart': `${covered.length} (${commands.size ? Math.round((100 * covered.length) / commands.size) : 0}%)`,
          'not generated (first 4)': [...commands].filter((c) => !generated.has(c)).slice(0, 4).join('; '),
        },
      }
    })
    printTable('Seed runbooks: their commands (tool + sub-command, mechanical count) with a generated counterpart', seedRows)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
