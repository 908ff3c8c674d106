import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {blanksIn, renderAll} from '../src/playbook/commands.js'
import {seedCoverage, seedPrefix, seedSteps} from '../src/playbook/seed-steps.js'
import {packageRoot} from '../src/paths.js'
import {printTable} from './lib.js'
import {sampleIncidents} from './samples.js'

// `npm run bench -- playbooks`: what the built-in playbooks generate for the
// sample inventories (command lines, <…> blanks, revoke-first items), and
// per seed runbook its steps (src/playbook/seed-steps.ts) beside those the
// coverage table of docs/playbooks.md maps to a playbook or procedure step
// and those it says are not automated (test/playbook-commands.test.ts
// keeps that table true to the seeds and the playbooks).

export default async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-bench-pb-'))
  try {
    const samples = await sampleIncidents(join(dir, 'git'))
    const rows = samples.map((s) => {
      const {items, commands} = renderAll(s.input)
      const lines = commands.filter((c) => !c.text.trim().startsWith('#'))
      const blanks = lines.reduce((n, c) => n + blanksIn(c.text).length, 0)
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
    printTable('Generated commands for the sample inventories (test/command-lint.test.ts proves each line)', rows)

    const seedDir = join(packageRoot(), '..', 'shared', 'seeds')
    let files: string[] = []
    try {
      files = readdirSync(seedDir).filter((f) => f.endsWith('.txt')).sort()
    } catch {
      process.stdout.write(`\n(seeds not found at ${seedDir}: seed coverage skipped)\n`)
      return
    }
    const coverage = seedCoverage(readFileSync(join(packageRoot(), 'docs', 'playbooks.md'), 'utf8'))
    const seedRows = files.map((f) => {
      const steps = seedSteps(seedPrefix(f), readFileSync(join(seedDir, f), 'utf8'))
      const rows = steps.map((s) => coverage.get(s.id))
      const automated = rows.filter((r) => r && !r.notAutomated && r.refs.length).length
      const notAutomated = rows.filter((r) => r?.notAutomated).length
      const pct = (n: number) => `${n} (${steps.length ? Math.round((100 * n) / steps.length) : 0}%)`
      return {
        label: f.slice(0, 3),
        values: {
          'seed steps': String(steps.length),
          'numbered / imperative / command': ['numbered', 'imperative', 'command'].map((k) => steps.filter((s) => s.kind === k).length).join(' / '),
          'covered (automated)': pct(automated),
          'not automated': pct(notAutomated),
          'without a row': String(rows.filter((r) => !r).length),
        },
      }
    })
    printTable('Seed runbook steps (src/playbook/seed-steps.ts) and what covers them (docs/playbooks.md)', seedRows)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
