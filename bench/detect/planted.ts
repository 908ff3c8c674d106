import {detect, type Match} from '../../src/detect/engine.js'
import {git} from '../../src/git/repo.js'

// Public planted-secret test repositories, scored against the ground truth
// their authors document. Nothing of theirs is copied here: the repository is
// read in place (bare or not) from a path given in the environment, its HEAD
// tree scanned with detect() in this process (so each finding keeps its rule
// id), and only paths, line numbers and rule ids are printed.
//
// Two kinds of ground truth, recognised by what the repository holds:
// - `.leaky-meta/secrets.csv` (Plazmaz/leaky-repo): `file,num_risk,num_informative`,
//   `#` comments; num_risk counts the LINES that hold a secret, so a file scores
//   the lines with a finding, at most num_risk.
// - a README table `| \`secrets/FILE\` | N |` (personio-security/scanner-benchmarks):
//   N secrets in FILE, so a file scores its findings (one per value), at most N.

export type Unit = 'lines' | 'secrets'

export interface GroundTruth {
  /** Where the ground truth was read from, for the report. */
  source: string
  unit: Unit
  /** Planted count per path (paths relative to the repository root). */
  planted: Map<string, number>
  /** The documented total, when the README states one ("86 hardcoded secrets"). */
  statedTotal?: number
}

export interface RepoFile {
  path: string
  text: string
}

/** `file,num_risk,num_informative` lines; blank lines and `#` comments skipped. */
export function parseLeakyCsv(csv: string): Map<string, number> {
  const planted = new Map<string, number>()
  for (const raw of csv.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const [file, risk] = line.split(',')
    const n = Number(risk)
    if (!file || !Number.isInteger(n) || n < 0) continue
    const path = file.replace(/^\/+/, '')
    planted.set(path, (planted.get(path) ?? 0) + n)
  }
  return planted
}

/** Table rows `| \`path\` | N |` of a README, and a stated total (`86 hardcoded secrets`). */
export function parseReadmeTable(readme: string): {planted: Map<string, number>; statedTotal?: number} {
  const planted = new Map<string, number>()
  for (const m of readme.matchAll(/^\|\s*`([^`|]+)`\s*\|\s*(\d+)\s*\|\s*$/gm)) {
    const path = m[1]!.replace(/^\/+/, '')
    planted.set(path, (planted.get(path) ?? 0) + Number(m[2]))
  }
  const stated = /\b(\d+)\s+(?:hardcoded\s+|planted\s+)?secrets\b/i.exec(readme)
  return {planted, ...(stated ? {statedTotal: Number(stated[1])} : {})}
}

/** The ground truth a repository documents, or a sentence saying why there is none. */
export function groundTruth(files: ReadonlyMap<string, string>): GroundTruth | string {
  const csv = files.get('.leaky-meta/secrets.csv')
  if (csv !== undefined) return {source: '.leaky-meta/secrets.csv', unit: 'lines', planted: parseLeakyCsv(csv)}
  const readmePath = [...files.keys()].find((p) => /^readme(?:\.md)?$/i.test(p))
  if (readmePath) {
    const t = parseReadmeTable(files.get(readmePath)!)
    // Only rows naming files the repository holds: a table of something else is not ground truth.
    const held = [...t.planted.keys()].filter((p) => files.has(p))
    if (held.length > 0 && held.length === t.planted.size) return {source: `${readmePath} table`, unit: 'secrets', ...t}
  }
  return 'no documented ground truth (neither .leaky-meta/secrets.csv nor a README table of `| `path` | N |` rows)'
}

/** Text files of the tree at HEAD (binary ones, with a NUL in the first 8000 bytes, left out), read in place. */
export function headFiles(repo: string): {head: string; files: Map<string, string>} {
  const head = git(repo, ['rev-parse', 'HEAD']).trim()
  const files = new Map<string, string>()
  for (const entry of git(repo, ['ls-tree', '-r', '-z', '--full-tree', 'HEAD']).split('\0')) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.+)$/s.exec(entry)
    if (!m) continue
    const text = git(repo, ['cat-file', 'blob', m[1]!])
    if (!text.slice(0, 8000).includes('\0')) files.set(m[2]!, text)
  }
  return {head, files}
}

export interface FileScore {
  path: string
  planted: number
  /** Lines with a finding (unit `lines`) or distinct values found (unit `secrets`). */
  found: number
  /** Counted towards recall: found, at most planted. */
  credited: number
}

export interface FalseFinding {
  path: string
  line: number
  rule: string
  /** `not planted` (a file without planted secrets) or `beyond N` (more than the documented count). */
  why: string
}

export interface PlantedScore {
  files: FileScore[]
  planted: number
  credited: number
  /** Everything reported (in the ground truth's unit). */
  reported: number
  falseFindings: FalseFinding[]
}

/** One unit of ground truth found: a line (unit `lines`) or a value (unit `secrets`). */
interface Unit_ {
  key: string
  line: number
  rule: string
  start: number
}

/**
 * Findings per file in the ground truth's unit: one per line, or one per distinct value. A
 * paired AWS key id (a finding's keyId beside its secret) is found too, as its own unit: the
 * engine reports the pair once, the test beds count the id and the key.
 */
function units(text: string, matches: Match[], unit: Unit): Unit_[] {
  const all: Unit_[] = []
  for (const m of matches) {
    all.push({key: unit === 'lines' ? `line ${m.line}` : `value ${m.secret}`, line: m.line, rule: m.rule, start: m.start})
    if (!m.keyId || m.keyId === m.secret) continue
    const at = text.indexOf(m.keyId)
    if (at < 0) continue
    const line = lineOf(text, at)
    all.push({key: unit === 'lines' ? `line ${line}` : `value ${m.keyId}`, line, rule: `${m.rule} (key id)`, start: at})
  }
  const seen = new Set<string>()
  return all
    .sort((a, b) => a.start - b.start)
    .filter((u) => {
      if (seen.has(u.key)) return false
      seen.add(u.key)
      return true
    })
}

function lineOf(text: string, at: number): number {
  let n = 1
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) n++
  return n
}

/**
 * Scores detect() on every file: recall = credited / planted; a finding in a file with no
 * planted secret, or past a file's documented count, is false (listed for explanation).
 */
export function scorePlanted(files: ReadonlyMap<string, string>, truth: GroundTruth, scan: (f: RepoFile) => Match[] = (f) => detect(f.text, {path: f.path})): PlantedScore {
  const out: PlantedScore = {files: [], planted: 0, credited: 0, reported: 0, falseFindings: []}
  const paths = [...new Set([...files.keys(), ...truth.planted.keys()])].sort()
  for (const path of paths) {
    const planted = truth.planted.get(path) ?? 0
    const text = files.get(path)
    const found = text === undefined ? [] : units(text, scan({path, text}), truth.unit)
    const credited = Math.min(found.length, planted)
    out.planted += planted
    out.credited += credited
    out.reported += found.length
    if (planted > 0 || found.length > 0) out.files.push({path, planted, found: found.length, credited})
    for (const m of found.slice(credited)) out.falseFindings.push({path, line: m.line, rule: m.rule, why: planted === 0 ? 'not planted' : `beyond ${planted}`})
  }
  return out
}
