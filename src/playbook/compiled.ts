import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {packageRoot} from '../paths.js'

// The built-in playbooks and procedures, parsed at build time (compile.ts
// writes dist/playbooks.json): YAML's parser is most of the time of a command
// that reads them (~10 ms a file). Entries are keyed by the sha256 of the YAML
// text they came from, so a copy can never stand for a file that changed
// since the build: a text whose hash is not there is parsed as before. What
// is read here is validated like any parsed file (the schema, the checks).

export const COMPILED_FILE = join('dist', 'playbooks.json')

export interface Compiled {
  /** By file name under playbooks/ (for a reader): the text's sha256 and its data. */
  files: Record<string, {sha256: string; data: unknown}>
}

let bySha: Map<string, unknown> | undefined

function load(): Map<string, unknown> {
  const map = new Map<string, unknown>()
  try {
    const c = JSON.parse(readFileSync(join(packageRoot(), COMPILED_FILE), 'utf8')) as Compiled
    for (const f of Object.values(c.files)) map.set(f.sha256, f.data)
  } catch {
    // No build (tests run from the sources) or a damaged copy: every file is parsed.
  }
  return map
}

/** The data of the YAML text whose sha256 is given, when the build parsed that very text; a fresh copy each time. */
export function compiledData(sha256: string): unknown {
  bySha ??= load()
  const data = bySha.get(sha256)
  return data === undefined ? undefined : structuredClone(data)
}
