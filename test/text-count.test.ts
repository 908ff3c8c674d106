import {describe, expect, it} from 'vitest'

import {count} from '../src/text/count.js'

// count() stands in for toLocaleString('en') in verdicts and progress lines
// (its first call loads ICU's number formatter): the same text, always.

describe('count', () => {
  it('writes every integer as toLocaleString("en") does', () => {
    const samples = [0, 1, -1, 7, 12, 999, 1000, -1000, 1001, 12_345, 99_999, 100_000, 1_000_000, 50_000, -123_456_789, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]
    let x = 0x9e3779b9
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0
      samples.push((x % 2 ? -1 : 1) * Math.floor((x / 2 ** 32) * 10 ** (1 + (i % 15))))
    }
    for (const n of samples) expect(count(n), String(n)).toBe(n.toLocaleString('en'))
  })

  it('leaves fractions and non-finite numbers to toLocaleString', () => {
    for (const n of [1234.5678, -0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) expect(count(n)).toBe(n.toLocaleString('en'))
  })
})
