import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {ENGINE_RULE_IDS, ruleIds} from '../src/detect/catalog.js'
import {CREDENTIAL_FILES} from '../src/detect/files/index.js'
import {RULES} from '../src/detect/rules.js'

// docs/detect.md is the contract of what the engine finds: every rule id the
// engine can emit has one row with the provider's documented format as its
// source, and the doc names no rule that does not exist.

const ROOT = join(import.meta.dirname, '..')
const DOC = readFileSync(join(ROOT, 'docs', 'detect.md'), 'utf8')

/** The header of every rule table, in any section of the doc. */
const RULE_HEADER = ['rule', 'class', 'what it matches', 'source']

/** Cells of a Markdown table row (`\|` is a pipe inside a cell). */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim())
}

interface Row {
  line: number
  cells: string[]
}

/** The rows of every table whose header is RULE_HEADER (outside fenced code: the doc shows the format in one). */
function ruleRows(doc: string): Row[] {
  let fenced = false
  const lines = doc.split('\n').map((l) => {
    if (l.trim().startsWith('```')) fenced = !fenced
    return fenced || l.trim().startsWith('```') ? '' : l
  })
  const rows: Row[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.trim().startsWith('|') || cells(lines[i]!).join('|') !== RULE_HEADER.join('|')) continue
    for (let j = i + 2; j < lines.length && lines[j]!.trim().startsWith('|'); j++) rows.push({line: j + 1, cells: cells(lines[j]!)})
  }
  return rows
}

/** The rule id a row is about: its first cell, one backticked id. */
const rowId = (r: Row): string | undefined => /^`([a-z0-9][a-z0-9-]*)`$/.exec(r.cells[0] ?? '')?.[1]

/** Every `rule: '…'` literal in the engine's sources: ids emitted by code. */
function literalRuleIds(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...literalRuleIds(p))
    else if (e.name.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/\brule:\s*['"`]([a-z0-9][a-z0-9-]*)['"`]/g)) out.push(m[1]!)
  }
  return out
}

describe('docs/detect.md lists every rule with its source', () => {
  const rows = ruleRows(DOC)
  const ids = ruleIds()

  it('the parser reads tables of the documented format (a table with another header is not a rule table)', () => {
    const sample = ['```', '| rule | class | what it matches | source |', '| --- | --- | --- | --- |', '| `in-a-fence` | c | x | [p](https://p.example) |', '```', '| rule | class | what it matches | source |', '| --- | --- | --- | --- |', '| `a-b` | c | `x\\|y` | [p](https://p.example/doc) |', '', '| field | meaning |', '| --- | --- |', '| `rule` | x |'].join('\n')
    const got = ruleRows(sample)
    expect(got.map(rowId)).toEqual(['a-b'])
    expect(got[0]!.cells).toHaveLength(4)
  })

  it('the catalog holds every format rule, every credential-file reader and the detectors written as code', () => {
    for (const r of RULES) expect(ids).toContain(r.id)
    for (const f of CREDENTIAL_FILES) expect(ids).toContain(f.id)
    for (const id of ENGINE_RULE_IDS) expect(ids).toContain(id)
    const missing = [...new Set(literalRuleIds(join(ROOT, 'src', 'detect')))].filter((id) => !ids.includes(id))
    expect(missing, 'rule ids written as literals in src/detect but absent from src/detect/catalog.ts').toEqual([])
  })

  it('every rule has exactly one row, whose source cell links the documented format', () => {
    const problems: string[] = []
    for (const id of ids) {
      const mine = rows.filter((r) => rowId(r) === id)
      if (mine.length === 0) problems.push(`${id}: no row in a "| ${RULE_HEADER.join(' | ')} |" table`)
      else if (mine.length > 1) problems.push(`${id}: ${mine.length} rows (lines ${mine.map((r) => r.line).join(', ')})`)
      for (const r of mine) {
        if (r.cells.length !== RULE_HEADER.length) problems.push(`${id} (line ${r.line}): ${r.cells.length} cells, not ${RULE_HEADER.length}`)
        if (!/\]\(https?:\/\/[^\s)]+\)|<https?:\/\/[^\s>]+>/.test(r.cells[3] ?? '')) problems.push(`${id} (line ${r.line}): the source cell has no link to the documented format`)
        if (!r.cells[1] || !r.cells[2]) problems.push(`${id} (line ${r.line}): class or what it matches is empty`)
      }
    }
    expect(problems).toEqual([])
  })

  it('the doc names no rule that does not exist', () => {
    const unknown = rows.filter((r) => !rowId(r) || !ids.includes(rowId(r)!)).map((r) => `line ${r.line}: ${r.cells[0]}`)
    expect(unknown).toEqual([])
  })

  it('has a "Known misses" section with entries', () => {
    const section = /^## Known misses\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(DOC)?.[1] ?? ''
    expect(section.split('\n').filter((l) => /^\s*(?:[-*] |\| )/.test(l)).length).toBeGreaterThan(0)
  })
})
