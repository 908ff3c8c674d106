import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {afterAll, describe, expect, it} from 'vitest'

import {originalFrame} from '../bench/lib/profile.js'

import {json, leakctl, ROOT, tempDir} from './helpers/cli.js'

// build/bundle-commands.ts bundles each command into one file at build (start-up). What it must
// not change: code that finds files beside its own module (the validation record's schema hash,
// the blob cache's detection digest) finds them from the bundle too.
const t = tempDir()
afterAll(() => t.cleanup())
const env = {LEAKCTL_WORKSPACE: join(t.dir, 'ws')}

describe('commands as the build bundles them', () => {
  it('import none of our modules one by one: each is one file, with its chunks', () => {
    const status = readFileSync(join(ROOT, 'dist', 'commands', 'incident', 'status.js'), 'utf8')
    expect(status).not.toMatch(/from ["']\.\.\/\.\.\/(?:src|cli)\//)
    expect(readdirSync(join(ROOT, 'dist', 'command-chunks'))).toContain('incident-status')
  })

  it('write a validation record that covers the whole log, and the next read goes through it', () => {
    expect(leakctl(['incident', 'open', '--title', 'bundled', '--kind', 'etcd-leak', '--json'], {env}).code).toBe(0)
    const opened = json<{incident: {id: string}}>(leakctl(['incident', 'status', '--json'], {env})).incident.id
    expect(leakctl(['checklist', 'tick', 'read-snapshot'], {env}).code).toBe(0)
    const dir = join(env.LEAKCTL_WORKSPACE, 'incidents', opened)
    const record = JSON.parse(readFileSync(join(dir, 'validated.json'), 'utf8')) as {schema: string; bytes: number}
    expect(record.schema).toMatch(/^[0-9a-f]{64}$/)
    expect(record.bytes).toBe(statSync(join(dir, 'events.jsonl')).size)
    const checklist = json<{progress: {done: number}; phases: {items: {id: string; status: string}[]}[]}>(leakctl(['checklist', '--json'], {env}))
    expect(checklist.progress.done).toBe(1)
    expect(checklist.phases.flatMap((p) => p.items).find((i) => i.id === 'read-snapshot')?.status).toBe('done')
  })

  it("map back to the TypeScript: a profile's frame in a bundle names the source file and line", () => {
    const bundle = join(ROOT, 'dist', 'commands', 'incident', 'status.js')
    const lines = readFileSync(bundle, 'utf8').split('\n')
    const at = (re: RegExp) => {
      const line = lines.findIndex((l) => re.test(l))
      expect(line).toBeGreaterThan(-1)
      return {functionName: 'f', url: pathToFileURL(bundle).href, lineNumber: line, columnNumber: lines[line]!.search(/\S/)}
    }
    expect(originalFrame(at(/^var IncidentStatus = class/)).file).toBe(join(ROOT, 'commands', 'incident', 'status.ts'))
    const fold = originalFrame(at(/^function foldIncident\(/))
    expect(fold.file).toBe(join(ROOT, 'src', 'incident', 'state.ts'))
    expect(readFileSync(fold.file, 'utf8').split('\n')[fold.line]).toMatch(/function foldIncident\(/)
  })
})
