import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {leakctl, leakctlAsync, ROOT, tempDir} from './helpers/cli.js'

// Contracts every command keeps (README, DESIGN.md): --help with examples,
// --json, NO_COLOR, exit 2 for unknown flags, no stack traces.
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {examples?: unknown[]; flags: Record<string, unknown>}>}
const ids = Object.keys(manifest.commands).sort()

describe('every command', () => {
  it('is in the manifest (a fast start-up: no command file is loaded to list them)', () => {
    expect(ids).toEqual(expect.arrayContaining(['incident:open', 'checklist', 'checklist:tick', 'timeline:export', 'scan:git', 'triage:git-leak', 'report']))
  })

  it('sorts the same by code unit as by locale (vendor/oclif-edits.ts spares oclif ICU\'s collator on that ground)', () => {
    const byLocale = [...ids].sort((a, b) => a.localeCompare(b))
    expect(ids).toEqual(byLocale)
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9-]*(?::[a-z][a-z0-9-]*)*$/)
  })

  for (const id of ids) {
    it(`${id}: --help with examples, a --json flag`, async () => {
      expect(manifest.commands[id]!.examples?.length ?? 0, 'examples').toBeGreaterThan(0)
      expect(Object.keys(manifest.commands[id]!.flags)).toContain('json')
      const r = await leakctlAsync([...id.split(':'), '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/EXAMPLES/)
    })
  }

  it('an unknown flag is exit 2 with one line, for every command', async () => {
    const runs = await Promise.all(ids.map((id) => leakctlAsync([...id.split(':'), '--no-such-flag'])))
    runs.forEach((r, i) => {
      expect(r.code, ids[i]).toBe(2)
      expect(r.stderr.trim().split('\n'), ids[i]).toHaveLength(1)
    })
  })

  it('NO_COLOR wins over FORCE_COLOR; output to a pipe has no colour', () => {
    const t = tempDir()
    try {
      const env = {LEAKCTL_WORKSPACE: join(t.dir, 'ws')}
      leakctl(['incident', 'open', '--title', 'x', '--kind', 'git-leak'], {env})
      const plain = leakctl(['checklist'], {env})
      expect(plain.stdout).not.toMatch(/\x1b\[/)
      const forced = leakctl(['checklist'], {env: {...env, NO_COLOR: undefined, FORCE_COLOR: '1'}})
      expect(forced.stdout).toMatch(/\x1b\[/)
      const both = leakctl(['checklist'], {env: {...env, NO_COLOR: '1', FORCE_COLOR: '1'}})
      expect(both.stdout).not.toMatch(/\x1b\[/)
    } finally {
      t.cleanup()
    }
  })

  it('the root help lists examples and the exit codes', () => {
    const r = leakctl(['--help'])
    expect(r.stdout).toMatch(/EXAMPLES/)
    expect(r.stdout).toMatch(/Exit codes: 0 ok, 1 exposure found/)
  })
})
