import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {isDeepStrictEqual} from 'node:util'

import {packageRoot} from '../paths.js'
import {builtinDir, builtinYamlNames, type Compiled, COMPILED_FILE, sha256Hex} from './compiled.js'
import {loadPlaybook, loadProcedures, yamlData} from './load.js'

// Build step (npm run build): parses and validates every built-in playbook and
// procedure once and writes what compiled.ts reads. A file that does not parse
// or pass, or whose data JSON would not carry exactly (.inf, .nan), is left
// without its data or value: it is parsed and validated at run time, with its
// error where it has one.

const exact = (v: unknown): boolean => isDeepStrictEqual(v, JSON.parse(JSON.stringify(v)))

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn()
  } catch {
    return undefined
  }
}

export function compileBuiltins(dir = builtinDir()): Compiled {
  const files: Compiled['files'] = {}
  const procedures = attempt(() => loadProcedures(join(dir, 'rotations')))
  for (const name of builtinYamlNames(dir)) {
    const file = join(dir, name)
    const text = readFileSync(file, 'utf8')
    const entry: Compiled['files'][string] = {sha256: sha256Hex(text), data: undefined}
    const data = attempt(() => yamlData(file, text))
    if (data !== undefined && exact(data)) entry.data = data
    const value = procedures && attempt(() => (name.startsWith('rotations/') ? procedures.get(name.slice('rotations/'.length).replace(/\.ya?ml$/, '')) : loadPlaybook(file, procedures).value))
    if (value !== undefined && exact(value)) entry.value = value
    files[name] = entry
  }
  return {files}
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(join(packageRoot(), COMPILED_FILE), `${JSON.stringify(compileBuiltins())}\n`)
}
