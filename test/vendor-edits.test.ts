import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {EDITS, PLAIN_NAME} from '../vendor/oclif-edits.js'
import {leakctl, ROOT} from './helpers/cli.js'

// vendor/oclif-edits.ts changes how oclif matches its core plugins against the package's
// dependencies: two plain package names are compared as strings instead of through minimatch.
// That must decide exactly what minimatch decides, with the minimatch oclif itself would load.
const oclifRequire = createRequire(createRequire(import.meta.url).resolve('@oclif/core'))
const {minimatch} = oclifRequire('minimatch') as {minimatch: (p: string, w: string) => boolean}

// Package names as npm spells them: scoped or not, with the punctuation npm allows.
const plain = fc.tuple(fc.option(fc.stringMatching(/^[\w~-][\w.~-]{0,5}$/)), fc.stringMatching(/^[\w~-][\w.~-]{0,8}$/)).map(([scope, n]) => (scope ? `@${scope}/${n}` : n))

describe('oclif edits', () => {
  it('two plain names match in minimatch exactly when they are identical', () => {
    fc.assert(
      fc.property(plain, plain, fc.boolean(), (p, w, same) => {
        const q = same ? w : p
        expect(PLAIN_NAME.test(q) && PLAIN_NAME.test(w), `${q} ${w}`).toBe(true)
        expect(minimatch(q, w), `${JSON.stringify(q)} vs ${JSON.stringify(w)}`).toBe(q === w)
      }),
      {numRuns: 20_000},
    )
  })

  it('what is not a plain name goes to minimatch: glob syntax and path forms it reads its own way', () => {
    for (const w of ['@oclif/plugin-*', 'a?', '[ab]', '{a,b}', '@(a|b)', '+(a)', '!(a)', '!a', '#a', 'a\\*', 'a/', 'a/..', './a', 'a//b', '@s/.', '@a/b/c', '']) expect(PLAIN_NAME.test(w), w).toBe(false)
  })

  it('every dependency against the package\'s core plugins, each plugin itself', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {dependencies: Record<string, string>; oclif: {plugins: string[]}}
    for (const w of pkg.oclif.plugins) {
      expect(PLAIN_NAME.test(w), w).toBe(true)
      for (const p of Object.keys(pkg.dependencies)) {
        expect(PLAIN_NAME.test(p), p).toBe(true)
        expect(minimatch(p, w), `${p} vs ${w}`).toBe(p === w)
      }
    }
  })

  it("each edit's text occurs exactly once in the oclif it is applied to (the build replaces one occurrence)", () => {
    const lib = join(createRequire(import.meta.url).resolve('@oclif/core'), '..')
    for (const [file, edits] of Object.entries(EDITS)) {
      const text = readFileSync(join(lib, file), 'utf8')
      for (const e of edits) expect(text.split(e.from).length - 1, `${file}: ${e.why}`).toBe(1)
    }
  })

  it('the core plugin is still loaded: `leakctl help <command>` comes from it', () => {
    const r = leakctl(['help', 'incident', 'status'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/USAGE\n\s+\$ leakctl incident status/)
  })
})
