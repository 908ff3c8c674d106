import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {RecordSplitter, type SplitProblem} from '../src/logs/cloudtrail/split.js'

// The record splitter against JSON.parse: any records, in any of the shapes
// CloudTrail data comes in, cut into chunks at any byte, give back exactly
// the records.

function split(chunks: Buffer[]): {records: unknown[]; problems: SplitProblem[]} {
  const records: unknown[] = []
  const problems: SplitProblem[] = []
  const s = new RecordSplitter((t) => records.push(JSON.parse(t)), (p) => problems.push(p))
  for (const c of chunks) s.push(c)
  s.end()
  return {records, problems}
}

function cut(buf: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (buf.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let prev = 0
  for (const p of at) {
    out.push(buf.subarray(prev, p))
    prev = p
  }
  out.push(buf.subarray(prev))
  return out
}

// Strings with what breaks naive splitters: quotes, backslashes, braces, multi-byte characters.
const tricky = fc.oneof(fc.string(), fc.constantFrom('"', '\\', '\\"', '{', '}', '[', ']', '"Records": [', 'é€😀', '\\\\', '\u0000'), fc.string({unit: 'grapheme'}))
const value = fc.letrec((tie) => ({
  v: fc.oneof({depthSize: 'small'}, tricky, fc.integer(), fc.double({noNaN: true, noDefaultInfinity: true}), fc.boolean(), fc.constant(null), fc.array(tie('v'), {maxLength: 4}), fc.dictionary(tricky, tie('v'), {maxKeys: 4})),
})).v
const record = fc.dictionary(tricky, value, {maxKeys: 6})
const records = fc.array(record, {maxLength: 8})
const shape = fc.constantFrom('Records', 'Records-pretty', 'Records-extra-keys', 'Events', 'array', 'lines', 'concatenated')

function serialize(recs: object[], how: string): string {
  switch (how) {
    case 'Records':
      return JSON.stringify({Records: recs})
    case 'Records-pretty':
      return JSON.stringify({Records: recs}, null, 2)
    case 'Records-extra-keys':
      return JSON.stringify({digest: {"Records": 'not this one'}, Records: recs, after: [1, {x: 2}]})
    case 'Events':
      return JSON.stringify({Events: recs, NextToken: 'abc'})
    case 'array':
      return JSON.stringify(recs, null, 1)
    case 'lines':
      return recs.map((r) => JSON.stringify(r)).join('\n') + '\n'
    default:
      return recs.map((r) => JSON.stringify(r)).join('')
  }
}

describe('record splitter', () => {
  it('returns exactly the records, whatever the shape and wherever the chunks are cut', () => {
    fc.assert(
      fc.property(records, shape, fc.array(fc.nat(), {maxLength: 12}), (recs, how, points) => {
        // A JSON-lines record holding a Records key would be read as a container: not a CloudTrail record.
        const input = how === 'lines' || how === 'concatenated' ? recs.filter((r) => !('Records' in r) && !('Events' in r)) : recs
        const text = serialize(input, how)
        const {records: got, problems} = split(cut(Buffer.from(text), points))
        expect(problems).toEqual([])
        expect(got).toEqual(JSON.parse(JSON.stringify(input)))
      }),
      {numRuns: 400},
    )
  })

  it('survives a chunk boundary inside an escape, inside the Records key, inside a multi-byte character', () => {
    const text = JSON.stringify({Records: [{a: 'x\\"y', b: 'é€😀'}, {c: '\\\\'}]})
    for (let i = 0; i <= text.length; i++) {
      const buf = Buffer.from(text)
      for (let j = i; j <= Math.min(buf.length, i + 3); j++) {
        const {records: got} = split([buf.subarray(0, i), buf.subarray(i, j), buf.subarray(j)])
        expect(got).toEqual([{a: 'x\\"y', b: 'é€😀'}, {c: '\\\\'}])
      }
    }
  })

  it('reports a document cut short, and garbage, instead of returning short silently', () => {
    const text = JSON.stringify({Records: [{a: 1}, {b: 2}, {c: 3}]})
    const cutShort = split([Buffer.from(text.slice(0, text.indexOf('{"c"') + 3))])
    expect(cutShort.records).toEqual([{a: 1}, {b: 2}])
    expect(cutShort.problems.map((p) => p.kind)).toEqual(['truncated'])
    expect(split([Buffer.from('hello world')]).problems[0]!.kind).toBe('not-json')
    const scalars = split([Buffer.from('[{"a":1}, 42, {"b":2}]')])
    expect(scalars.records).toEqual([{a: 1}, {b: 2}])
    expect(scalars.problems[0]!.kind).toBe('unexpected')
  })

  it('never holds more than the record being read (a 50 MB array in 64 KB chunks)', () => {
    const one = JSON.stringify({eventVersion: '1.09', eventName: 'GetObject', pad: 'x'.repeat(1000)})
    const body = Buffer.from(`{"Records":[${Array.from({length: 50_000}, () => one).join(',')}]}`)
    let n = 0
    let maxLen = 0
    const s = new RecordSplitter((t) => {
      n++
      maxLen = Math.max(maxLen, t.length)
    }, () => {})
    for (let i = 0; i < body.length; i += 65_536) s.push(body.subarray(i, i + 65_536))
    s.end()
    expect(n).toBe(50_000)
    expect(maxLen).toBe(one.length)
  })
})
