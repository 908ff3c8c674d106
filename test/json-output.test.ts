import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {writeJson} from '../cli/render/json.js'

// --json is written in chunks; what comes out must be exactly JSON.stringify(value, null, 2).

function written(value: unknown): {text: string; chunks: string[]} {
  const chunks: string[] = []
  writeJson(value, (c) => chunks.push(c))
  return {text: chunks.join(''), chunks}
}

describe('writeJson', () => {
  it('writes what JSON.stringify(value, null, 2) writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({maxDepth: 6}), (v) => {
        expect(written(v).text).toBe(`${JSON.stringify(v, null, 2)}\n`)
      }),
      {numRuns: 500},
    )
  })

  it('drops and nulls what JSON.stringify drops and nulls; dates and buffers go through toJSON', () => {
    const v = {
      a: undefined,
      f: () => 1,
      s: Symbol('x'),
      list: [undefined, () => 1, 1, {b: undefined}, {}, []],
      when: new Date('2026-11-22T09:14:00Z'),
      bytes: Buffer.from('hi'),
      nested: {deeper: {deepest: {x: [1, {y: 'line\nbreak "quoted" \u2028'}]}}},
      map: new Map([[1, 2]]),
      'key with "quotes" and \u00e9': null,
    }
    expect(written(v).text).toBe(`${JSON.stringify(v, null, 2)}\n`)
    expect(written(undefined).text).toBe('null\n')
    expect(written([]).text).toBe('[]\n')
    expect(written({}).text).toBe('{}\n')
  })

  it('a 50,000-entry result goes out in chunks of about 64 KB, never as one string', () => {
    const secrets = Array.from({length: 50_000}, (_, i) => ({namespace: `ns${i % 50}`, name: `s${i}`, credentials: [{class: 'password', fingerprint: `sha256:${i.toString(16).padStart(64, '0')}`}]}))
    const {text, chunks} = written({summary: {total: secrets.length}, secrets})
    expect(text).toBe(`${JSON.stringify({summary: {total: secrets.length}, secrets}, null, 2)}\n`)
    expect(chunks.length).toBeGreaterThan(100)
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(70_000)
  })
})
