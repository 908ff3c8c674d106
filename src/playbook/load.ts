import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {basename, join, relative} from 'node:path'

import type {Document, LineCounter, Node as YamlNode} from 'yaml'
import type {z} from '#zod'

import {fromSystemError, inputError} from '../errors.js'
import {builtinDir, compiledData, sha256Hex} from './compiled.js'
import {type Playbook, playbookSchema, type Procedure, procedureSchema} from './schema.js'
import {checkTemplate, type TemplateScope} from './template.js'

// Loading turns a YAML file into a validated playbook, or fails with every
// problem located as file:line:column, so a responder can fix a custom
// playbook in the middle of an incident without guessing. The built-in files
// come parsed by the build (compiled.ts) when their text is unchanged; the
// positions are only needed for an error, and are then parsed again.

export interface Loaded<T> {
  value: T
  file: string
  sha256: string
}

interface Problem {
  path: (string | number)[]
  message: string
  /** Point at the key itself (unknown fields) rather than its value. */
  atKey?: string
}

export {builtinDir}

/**
 * The YAML parser (70-odd modules), loaded when a text must be parsed: the
 * built-in files come parsed by the build. Its CommonJS build is the one
 * Node's `import 'yaml'` loads too, so require() gives the same module, in time.
 */
let yamlModule: typeof import('yaml') | undefined
const yaml = (): typeof import('yaml') => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'))

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw fromSystemError(error) ?? error
  }
}

/** The data of a YAML text, parsed with the positions an error needs (also the build's parser, compile.ts). */
export function yamlData(file: string, text: string): unknown {
  return parseYaml(file, text).data
}

/** The data of a file's text: the build's copy when it parsed this very text, else parsed now. */
function dataOf(file: string, text: string, sha256: string): unknown {
  return compiledData(sha256) ?? yamlData(file, text)
}

function parseYaml(file: string, text: string): {doc: Document; lines: LineCounter; data: unknown} {
  const lines = new (yaml().LineCounter)()
  const doc = yaml().parseDocument(text, {lineCounter: lines, prettyErrors: false, uniqueKeys: true})
  const err = doc.errors[0]
  if (err) {
    const pos = lines.linePos(err.pos[0])
    const msg = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '')
    throw inputError('playbook.yaml', `${display(file)}:${pos.line}:${pos.col}: malformed YAML: ${msg}`)
  }
  return {doc, lines, data: toData(file, doc, lines)}
}

/** Aliases a playbook may use; each expansion counts, so a "billion laughs" file stops early. */
const MAX_ALIASES = 100

function toData(file: string, doc: Document, lines: LineCounter): unknown {
  try {
    return doc.toJS({maxAliasCount: MAX_ALIASES})
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand beyond maxAliasCount: bad input, not a bug.
    if (!(error instanceof ReferenceError)) throw error
    let offset = 0
    const {visit} = yaml()
    visit(doc, {
      Alias(_key, node) {
        offset = node.range?.[0] ?? 0
        return visit.BREAK
      },
    })
    const pos = lines.linePos(offset)
    const why = /excessive alias/i.test(error.message) ? `too many YAML alias expansions (more than ${MAX_ALIASES}): refusing a file that would exhaust memory` : `bad YAML alias: ${error.message.split('\n')[0]}`
    throw inputError('playbook.yaml', `${display(file)}:${pos.line}:${pos.col}: ${why}`)
  }
}

function locate(doc: Document, lines: LineCounter, p: Problem): string {
  let node = doc.getIn(p.path, true) as YamlNode | undefined
  for (let n = p.path.length - 1; !node && n >= 0; n--) node = doc.getIn(p.path.slice(0, n), true) as YamlNode | undefined
  const {isMap, isPair, isScalar} = yaml()
  if (p.atKey && isMap(node)) {
    const pair = node.items.find((i) => isPair(i) && isScalar(i.key) && i.key.value === p.atKey)
    if (pair && isScalar(pair.key)) node = pair.key
  }
  const offset = node?.range?.[0] ?? 0
  const pos = lines.linePos(offset)
  return `${pos.line}:${pos.col}`
}

function fail(file: string, text: string, problems: Problem[], what: string): never {
  const {doc, lines} = parseYaml(file, text)
  const located = problems.map((p) => {
    const where = p.path.length ? `${p.path.join('.')}${p.atKey ? `.${p.atKey}` : ''}: ` : p.atKey ? `${p.atKey}: ` : ''
    return `${display(file)}:${locate(doc, lines, p)}: ${where}${p.message}`
  })
  const more = located.length > 1 ? ` (and ${located.length - 1} more problem${located.length > 2 ? 's' : ''})` : ''
  throw inputError(`${what}.invalid`, `${located[0]}${more}`, located)
}

function zodProblems(error: z.ZodError): Problem[] {
  const out: Problem[] = []
  for (const issue of error.issues) {
    const path = issue.path.map((x) => (typeof x === 'symbol' ? String(x) : x))
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({path, atKey: key, message: `unknown field "${key}"`})
    } else {
      out.push({path, message: issue.message})
    }
  }
  return out
}

function display(file: string): string {
  const rel = relative(process.cwd(), file)
  return rel && !rel.startsWith('..') ? rel : file
}

export const hash = sha256Hex

/** Loads one playbook. `procedures` (ids) are checked against its `procedure:` references. */
export function loadPlaybook(file: string, procedures: ReadonlyMap<string, Procedure> = loadProcedures()): Loaded<Playbook> {
  const text = readText(file)
  const sha256 = hash(text)
  const parsed = playbookSchema().safeParse(dataOf(file, text, sha256))
  if (!parsed.success) fail(file, text, zodProblems(parsed.error), 'playbook')
  const problems = playbookProblems(parsed.data, procedures)
  if (problems.length) fail(file, text, problems, 'playbook')
  return {value: parsed.data, file, sha256}
}

function playbookProblems(pb: Playbook, procedures: ReadonlyMap<string, Procedure>): Problem[] {
  const problems: Problem[] = []
  const stepIds = new Set<string>()
  const phaseIds = new Set<string>()
  pb.phases.forEach((phase, pi) => {
    if (phaseIds.has(phase.id)) problems.push({path: ['phases', pi, 'id'], message: `duplicate phase id "${phase.id}"`})
    phaseIds.add(phase.id)
    phase.steps.forEach((step, si) => {
      const at = ['phases', pi, 'steps', si]
      if (stepIds.has(step.id)) problems.push({path: [...at, 'id'], message: `duplicate step id "${step.id}"`})
      stepIds.add(step.id)
      if (step.procedure && !procedures.has(step.procedure)) {
        problems.push({path: [...at, 'procedure'], message: `unknown rotation procedure "${step.procedure}" (known: ${[...procedures.keys()].join(', ')})`})
      }
      if (step.procedure && step.forEach?.rotation) {
        problems.push({path: [...at, 'procedure'], message: 'use either procedure or forEach.rotation, not both'})
      }
      const scopes: TemplateScope[] = step.forEach ? ['incident', 'finding', 'vars'] : ['incident', 'vars']
      const texts: [(string | number)[], string][] = [
        [[...at, 'title'], step.title],
        ...(step.plannedTitle ? [[[...at, 'plannedTitle'], step.plannedTitle] as [(string | number)[], string]] : []),
        ...step.commands.map((c, ci): [(string | number)[], string] => [[...at, 'commands', ci], c]),
      ]
      if (step.check) texts.push([[...at, 'check', 'command'], step.check.command])
      step.forEach?.ifNoneCommands?.forEach((c, ci) => {
        const err = checkTemplate(c, ['incident', 'vars'])
        if (err) problems.push({path: [...at, 'forEach', 'ifNoneCommands', ci], message: err})
      })
      for (const [path, text] of texts) {
        const err = checkTemplate(text, scopes)
        if (err) problems.push({path, message: err})
      }
      const group = step.forEach?.group
      for (const key of ['title', 'plannedTitle'] as const) {
        const err = group?.[key] === undefined ? undefined : checkTemplate(group[key], ['incident', 'count', 'vars'])
        if (err) problems.push({path: [...at, 'forEach', 'group', key], message: err})
      }
    })
  })
  return problems
}

export function loadProcedure(file: string): Loaded<Procedure> {
  const text = readText(file)
  const sha256 = hash(text)
  const parsed = procedureSchema().safeParse(dataOf(file, text, sha256))
  if (!parsed.success) fail(file, text, zodProblems(parsed.error), 'procedure')
  const problems: Problem[] = []
  if (basename(file).replace(/\.ya?ml$/, '') !== parsed.data.id) {
    problems.push({path: ['id'], message: `id "${parsed.data.id}" must match the file name ${basename(file)}`})
  }
  parsed.data.steps.forEach((s, si) =>
    s.commands.forEach((c, ci) => {
      const err = checkTemplate(c, ['incident', 'finding', 'vars'])
      if (err) problems.push({path: ['steps', si, 'commands', ci], message: err})
    }),
  )
  if (problems.length) fail(file, text, problems, 'procedure')
  return {value: parsed.data, file, sha256}
}

let builtinProcedures: Map<string, Procedure> | undefined

/** Every rotation procedure in playbooks/rotations/, by id. */
export function loadProcedures(dir = join(builtinDir(), 'rotations')): Map<string, Procedure> {
  if (dir === join(builtinDir(), 'rotations') && builtinProcedures) return builtinProcedures
  const map = new Map<string, Procedure>()
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      const p = loadProcedure(join(dir, f)).value
      map.set(p.id, p)
    }
  }
  if (dir === join(builtinDir(), 'rotations')) builtinProcedures = map
  return map
}

/** Built-in playbook files (playbooks/*.yaml), by name. */
export function builtinPlaybookFiles(): Map<string, string> {
  const dir = builtinDir()
  const map = new Map<string, string>()
  for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) map.set(f.replace(/\.ya?ml$/, ''), join(dir, f))
  return map
}

/** `--playbook` is a file path or the name of a built-in playbook. */
export function resolvePlaybook(nameOrFile: string): Loaded<Playbook> {
  const builtin = builtinPlaybookFiles().get(nameOrFile)
  if (builtin && !existsSync(nameOrFile)) return loadPlaybook(builtin)
  if (!existsSync(nameOrFile)) {
    throw inputError('playbook.missing', `no playbook file "${nameOrFile}" and no built-in playbook of that name (built-in: ${[...builtinPlaybookFiles().keys()].join(', ')})`)
  }
  return loadPlaybook(nameOrFile)
}
