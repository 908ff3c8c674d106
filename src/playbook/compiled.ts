import {createHash} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {packageRoot} from '../paths.js'

// The built-in playbooks and procedures, parsed at build time (compile.ts
// writes dist/playbooks.json): YAML's parser is most of the time of a command
// that reads them (~10 ms a file). Entries are keyed by the sha256 of the YAML
// text they came from, so a copy can never stand for a file that changed
// since the build: a text whose hash is not there is parsed as before. What
// is read here is validated like any parsed file (the schema, the checks),
// except by validatedBuiltins: there the build's validation of the very same
// files stands (the schema and checks are the build's own code).

export const COMPILED_FILE = join('dist', 'playbooks.json')

export interface Compiled {
  /**
   * By file name under playbooks/: the text's sha256, its data, and the
   * validated value (loadPlaybook / loadProcedure with the built-in
   * procedures) when the file passed.
   */
  files: Record<string, {sha256: string; data: unknown; value?: unknown}>
}

export function builtinDir(): string {
  return join(packageRoot(), 'playbooks')
}

/** The built-in YAML files, by name under playbooks/ (`etcd-leak.yaml`, `rotations/aws-access-key.yaml`), sorted in each folder. */
export function builtinYamlNames(dir = builtinDir()): string[] {
  const yamls = (sub: string) => readdirSync(join(dir, sub)).filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => (sub ? `${sub}/${n}` : n))
  return [...yamls(''), ...yamls('rotations')]
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

let compiled: Compiled | undefined

function read(): Compiled {
  if (compiled) return compiled
  try {
    compiled = JSON.parse(readFileSync(join(packageRoot(), COMPILED_FILE), 'utf8')) as Compiled
  } catch {
    // No build (tests run from the sources) or a damaged copy: every file is parsed.
    compiled = {files: {}}
  }
  return compiled
}

let bySha: Map<string, unknown> | undefined

function load(): Map<string, unknown> {
  const map = new Map<string, unknown>()
  for (const f of Object.values(read().files)) map.set(f.sha256, f.data)
  return map
}

/** The data of the YAML text whose sha256 is given, when the build parsed that very text; a fresh copy each time. */
export function compiledData(sha256: string): unknown {
  bySha ??= load()
  const data = bySha.get(sha256)
  return data === undefined ? undefined : structuredClone(data)
}

/**
 * The validated value of every built-in file, by name, when each is still the
 * file the build validated (the same names, the same texts) and all passed;
 * else undefined, and the caller loads and validates them now.
 */
export function validatedBuiltins(dir = builtinDir()): Map<string, {value: unknown; sha256: string}> | undefined {
  const files = read().files
  const names = builtinYamlNames(dir)
  if (names.length !== Object.keys(files).length) return undefined
  const out = new Map<string, {value: unknown; sha256: string}>()
  for (const name of names) {
    const entry = files[name]
    if (entry?.value === undefined || entry.sha256 !== sha256Hex(readFileSync(join(dir, name), 'utf8'))) return undefined
    out.set(name, {value: structuredClone(entry.value), sha256: entry.sha256})
  }
  return out
}
