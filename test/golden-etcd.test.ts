import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {GOLDEN_CASES, goldenPath, runCase} from '../bench/golden.js'

// `scan etcd --json` stays byte-identical while the scan gets faster: each
// committed snapshot (the sample, a generated 2,000-Secret cluster with and
// without its key, objects whose classification depends on more than one
// value) against the output the code wrote before any speed work
// (test/golden/etcd, written by `node dist/bench/golden.js --write`).
// Normalised, and only these: summary.ms set to 0; the repository's absolute
// path, should a field hold it, written `<root>`. A deliberate change of
// output regenerates the goldens in the same commit, with the reason.

describe('scan etcd --json is byte-identical to the golden outputs', () => {
  for (const c of GOLDEN_CASES) {
    it(`${c.name}: scan etcd ${c.args.join(' ')}`, () => {
      const run = runCase(c)
      const golden = readFileSync(goldenPath(c.name), 'utf8')
      // On a difference, the first differing line says where (the whole files are megabytes).
      if (run.text !== golden) {
        const a = golden.split('\n')
        const b = run.text.split('\n')
        const at = a.findIndex((line, i) => line !== b[i])
        expect(`line ${at + 1}: ${b[at]}`).toBe(`line ${at + 1}: ${a[at]}`)
      }
      expect(run.text === golden).toBe(true)
    }, 120_000)
  }
})
