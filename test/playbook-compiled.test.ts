import {cpSync, existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {packageRoot} from '../src/paths.js'
import {compileBuiltins} from '../src/playbook/compile.js'
import {COMPILED_FILE, compiledData, validatedBuiltins} from '../src/playbook/compiled.js'
import {loadBuiltins} from '../src/playbook/builtins.js'
import {builtinDir, builtinPlaybookFiles, hash, loadPlaybook, loadProcedure, loadProcedures, yamlData} from '../src/playbook/load.js'
import {tempDir} from './helpers/cli.js'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

// The build parses the built-in YAML once (dist/playbooks.json); a command
// reads that copy only for a text whose sha256 it was made from.

describe('built-in playbooks compiled at build time', () => {
  it('hold every built-in file, each equal to parsing its YAML source', () => {
    const compiled = compileBuiltins()
    const names = Object.keys(compiled.files)
    expect(names).toContain('etcd-leak.yaml')
    expect(names.filter((n) => n.startsWith('rotations/')).length).toBeGreaterThan(5)
    for (const [name, entry] of Object.entries(compiled.files)) {
      const file = join(builtinDir(), name)
      const text = readFileSync(file, 'utf8')
      expect(entry.sha256).toBe(hash(text))
      expect(entry.data).toStrictEqual(yamlData(file, text))
    }
  })

  it('the file the build wrote is what the sources give now (never stale)', () => {
    const written = join(packageRoot(), COMPILED_FILE)
    if (!existsSync(written)) return expect.fail(`${COMPILED_FILE} is missing: run npm run build`)
    expect(JSON.parse(readFileSync(written, 'utf8'))).toStrictEqual(JSON.parse(JSON.stringify(compileBuiltins())))
  })

  it('hold each file validated: the same values loadPlaybook and loadProcedures give now', async () => {
    const compiled = compileBuiltins()
    const procedures = loadProcedures()
    expect(Object.values(compiled.files).every((f) => f.value !== undefined)).toBe(true)
    for (const [name, entry] of Object.entries(compiled.files)) {
      const file = join(builtinDir(), name)
      expect(entry.value).toStrictEqual(name.startsWith('rotations/') ? loadProcedure(file).value : loadPlaybook(file, procedures).value)
    }
    const builtins = await loadBuiltins()
    expect(validatedBuiltins()).toBeDefined()
    expect(builtins.playbooks).toStrictEqual([...builtinPlaybookFiles().values()].map((f) => loadPlaybook(f, procedures)))
    expect([...builtins.procedures]).toStrictEqual([...procedures])
  })

  it('are not taken as validated when a built-in file changed since the build', () => {
    const dir = join(tmp.dir, 'playbooks')
    cpSync(builtinDir(), dir, {recursive: true})
    expect(validatedBuiltins(dir)).toBeDefined()
    const file = join(dir, 'etcd-leak.yaml')
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n# edited\n`)
    expect(validatedBuiltins(dir)).toBeUndefined()
  })

  it('answers only for the exact text, with a fresh copy each time', () => {
    const file = builtinPlaybookFiles().get('etcd-leak')!
    const text = readFileSync(file, 'utf8')
    const a = compiledData(hash(text)) as {name: string}
    expect(a.name).toBe('etcd-leak')
    a.name = 'changed'
    expect((compiledData(hash(text)) as {name: string}).name).toBe('etcd-leak')
    expect(compiledData(hash(`${text}\n# edited`))).toBeUndefined()
  })

  it('a built-in copy that fails its checks is still located by line (parsed again for positions)', () => {
    const rotations = join(builtinDir(), 'rotations')
    const name = readdirSync(rotations).find((n) => n.endsWith('.yaml'))!
    const text = readFileSync(join(rotations, name), 'utf8')
    expect(compiledData(hash(text))).toBeDefined()
    const copy = join(tmp.dir, 'renamed.yaml')
    writeFileSync(copy, text)
    let err: Error | undefined
    try {
      loadProcedure(copy)
    } catch (error) {
      err = error as Error
    }
    const line = text.split('\n').findIndex((l) => l.startsWith('id:')) + 1
    expect(err?.message).toBe(`${copy}:${line}:5: id: id "${name.replace(/\.yaml$/, '')}" must match the file name renamed.yaml`)
  })
})
