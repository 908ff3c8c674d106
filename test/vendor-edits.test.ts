import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {escapeNonAscii} from '../vendor/ascii.js'
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

  it("each edit's text occurs in the package it is applied to as often as it says (the build replaces each)", () => {
    for (const [file, edits] of Object.entries(EDITS)) {
      const text = readFileSync(join(ROOT, 'node_modules', file), 'utf8')
      for (const e of edits) expect(text.split(e.from).length - 1, `${file}: ${e.why}`).toBe(e.count ?? 1)
    }
  })

  it('the bundle oclif runs from is ASCII and calls no import() of its own (it runs without a loader for one)', () => {
    const text = readFileSync(join(ROOT, 'dist', 'vendor', 'oclif.cjs'), 'utf8')
    expect(text).not.toMatch(/[^\0-\x7f]/)
    expect(text).toContain('__import(')
    expect(text.match(/(?<![\w$.'"`])import\s*\((?!\))/g)).toBeNull()
  })

  it('escapeNonAscii keeps the value of every string, template and regular expression', () => {
    const text = fc.string({unit: 'binary', maxLength: 40})
    fc.assert(
      fc.property(text, (s) => {
        const literal = JSON.stringify(s)
        const escaped = escapeNonAscii(literal)
        expect(escaped).not.toMatch(/[^\0-\x7f]/)
        expect(new Function(`return ${escaped}`)()).toBe(s)
        expect(new Function(`return \`${escaped.slice(1, -1).replaceAll('`', '\\`').replaceAll('${', '\\${')}\``)()).toBe(s)
      }),
      {numRuns: 2_000},
    )
    for (const flags of ['', 'u']) {
      const raw = new RegExp('[\u001b\u009b][[()#;?]*é+', flags)
      const escaped = new Function(`return /${escapeNonAscii(raw.source)}/${flags}`)() as RegExp
      for (const probe of ['\u009b[31m', '\u001b(éé', 'x[31m', '\u009bé']) expect(escaped.test(probe), `${probe} /${flags}`).toBe(raw.test(probe))
    }
  })

  it('the core plugin is still loaded: `leakctl help <command>` comes from it', () => {
    const r = leakctl(['help', 'incident', 'status'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/USAGE\n\s+\$ leakctl incident status/)
  })
})
