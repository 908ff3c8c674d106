import {describe, expect, it} from 'vitest'

import {keywordMatcher} from '../src/detect/keywords.js'

// The keyword pass reads a text as one byte per character (an ASCII text's bytes, or a
// decoder's view with 0x80 and over for other characters) with four interleaved walks
// when it is long: its answer must be exactly the one walk over the characters gives (the same
// keywords in the same first-met order, the same positions in the same order).

const KEYWORDS = ['secret', 'secretkey', 'pass', 'password', 'pwd', 'token', 'q~', 'ghp_', 'kind:', '-----begin', 'aws', 'key']
const guards = {pass: (text: string, start: number) => !/[a-z]/i.test(text[start - 1] ?? '')}

/** Deterministic ASCII text: keywords (any case) among filler, as long as asked. */
function text(seed: number, length: number): string {
  const parts = [...KEYWORDS, 'SECRET', 'PassWord', 'bypass', ' ', '\n', 'abc', 'x=', 'secre', 'passw', '\x7f', '0123456789', 'é', 'pass€word', 'sec😀ret']
  let x = seed
  let s = ''
  while (s.length < length) {
    x = (x * 1103515245 + 12345) >>> 0
    s += parts[x % parts.length]
  }
  return s.slice(0, length)
}

/** Every occurrence of every keyword, by where it ends, as one walk reports them. */
function naive(t: string, wanted: ReadonlySet<string>): {found: string[]; hits: {keyword: string; start: number}[]} {
  const lower = t.toLowerCase()
  const found: string[] = []
  const hits: {keyword: string; start: number; end: number}[] = []
  for (const k of KEYWORDS)
    for (let at = lower.indexOf(k); at >= 0; at = lower.indexOf(k, at + 1)) {
      hits.push({keyword: k, start: at, end: at + k.length})
    }
  hits.sort((a, b) => a.end - b.end || b.keyword.length - a.keyword.length)
  for (const h of hits) if (!found.includes(h.keyword)) found.push(h.keyword)
  return {found, hits: hits.filter((h) => wanted.has(h.keyword) && (h.keyword !== 'pass' || guards.pass(t, h.start))).map(({keyword, start}) => ({keyword, start}))}
}

/** One byte per UTF-16 unit: ASCII kept, anything else 0x80 or more (as the git worker's decoder writes it). */
function asciiView(t: string): Uint8Array {
  return Uint8Array.from({length: t.length}, (_, i) => {
    const c = t.charCodeAt(i)
    return c < 0x80 ? c : 0x80 + (c % 0x80)
  })
}

describe('keywordMatcher', () => {
  const m = keywordMatcher(KEYWORDS, guards)
  const wanted = new Set(['pass', 'secret', 'secretkey', 'token'])

  it('finds every keyword, case-insensitively, by characters and by bytes alike, short and long texts', () => {
    for (const length of [0, 1, 50, 1023, 1024, 1025, 3336, 4096, 10_001, 70_000]) {
      for (const seed of [1, 2, 3]) {
        const t = text(seed + length, length)
        const want = naive(t, wanted)
        const chars = m.scan(t, wanted)
        const bytes = m.scan(t, wanted, asciiView(t))
        expect([...chars.found]).toEqual(want.found)
        expect(chars.hits).toEqual(want.hits)
        expect([...bytes.found]).toEqual(want.found)
        expect(bytes.hits).toEqual(want.hits)
      }
    }
  })

  it('counts a keyword that straddles a quarter of a long text once, at its place', () => {
    for (const n of [1024, 1027, 8192, 8195]) {
      for (const quarter of [1, 2, 3]) {
        for (const k of ['password', '-----begin', 'q~']) {
          for (let shift = -12; shift <= 12; shift++) {
            const at = quarter * (n >> 2) + shift
            const t = `${'.'.repeat(at)}${k}${'.'.repeat(n - at - k.length)}`
            const got = m.scan(t, new Set([k]), asciiView(t))
            expect(got.hits.filter((h) => h.keyword === k)).toEqual([{keyword: k, start: at}])
            expect([...got.found]).toEqual(naive(t, new Set()).found)
          }
        }
      }
    }
  })
})
