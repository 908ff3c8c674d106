import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {isDeepStrictEqual} from 'node:util'
import {pathToFileURL} from 'node:url'

import {packageRoot} from '../paths.js'
import {type Compiled, COMPILED_FILE} from './compiled.js'
import {builtinDir, hash, yamlData} from './load.js'

// Build step (npm run build): parses every built-in playbook and procedure
// once and writes what compiled.ts reads. A file that does not parse, or whose
// data JSON would not carry exactly (.inf, .nan), is left out: it is parsed at
// run time, with its error where it has one.

export function compileBuiltins(dir = builtinDir()): Compiled {
  const files: Compiled['files'] = {}
  const yamls = (d: string) => readdirSync(d).filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(d, n))
  for (const file of [...yamls(dir), ...yamls(join(dir, 'rotations'))]) {
    const text = readFileSync(file, 'utf8')
    let data: unknown
    try {
      data = yamlData(file, text)
    } catch {
      continue
    }
    if (!isDeepStrictEqual(data, JSON.parse(JSON.stringify(data)))) continue
    files[relative(dir, file)] = {sha256: hash(text), data}
  }
  return {files}
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(join(packageRoot(), COMPILED_FILE), `${JSON.stringify(compileBuiltins())}\n`)
}
