import {describe, expect, it} from 'vitest'

import {detect, mayDetect, scanKeywords} from '../src/detect/engine.js'
import {keywordMatcher} from '../src/detect/keywords.js'

// scan etcd asks mayDetect about an annotation's stored bytes before decoding them: a
// `false` must mean detect() finds nothing in their UTF-8 decoding, whatever the bytes
// (non-ASCII characters, damaged UTF-8, a keyword astride the middle of the text).

/** Deterministic bytes: keywords in any case, base64 filler, UTF-8 characters, damaged sequences. */
function bytes(seed: number, length: number): Buffer {
  const parts = [
    'aws', 'EyJ', 'pwd', 'Pass', 'token', 'ghp_', 'q~', 'kind:', 'secret', 'postgres://', '-----BEGIN', '$2b$',
    'QUJD', 'eHl6', 'a+/9', 'Zm9v', ' ', '\n', '"', 'é', '€', '😀', '\x00',
  ].map((p) => Buffer.from(p, 'utf8'))
  const damaged = [[0xe2, 0x82], [0xc3], [0x80], [0xff], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0xed, 0xa0, 0x80]].map((b) => Buffer.from(b))
  let x = seed
  const out: Buffer[] = []
  let n = 0
  while (n < length) {
    x = (x * 1103515245 + 12345) >>> 0
    const pick = x % 40
    const part = pick < parts.length ? parts[pick]! : pick < parts.length + damaged.length ? damaged[pick - parts.length]! : parts[12 + (pick % 4)]!
    out.push(part)
    n += part.length
  }
  return Buffer.concat(out).subarray(0, length)
}

describe('mayDetect: the keyword pass over stored bytes, before decoding', () => {
  it('answers what the keyword pass over the decoded text answers; false means detect() finds nothing', () => {
    let negatives = 0
    for (const length of [0, 1, 2, 3, 7, 64, 255, 3336, 4096, 9000]) {
      for (let seed = 0; seed < 40; seed++) {
        const b = bytes(seed * 7919 + length, length)
        const text = b.toString('utf8')
        const may = mayDetect(b, 'last-applied.json')
        expect(may).toBe(scanKeywords(text).size > 0)
        if (!may) {
          negatives++
          expect(detect(text, {path: 'last-applied.json'})).toEqual([])
        }
      }
    }
    expect(negatives).toBeGreaterThan(20) // the short texts hold no keyword: the answer is not always true
  })

  it('is true for any text of a path a credential-file reader claims (it needs no keyword)', () => {
    expect(mayDetect(Buffer.from('machine h login u password p'), 'home/.netrc')).toBe(true)
    expect(mayDetect(Buffer.from('machine h login u word p'), 'last-applied.json')).toBe(false)
  })

  it('finds a keyword wherever it lies, astride the middle of the bytes too', () => {
    const m = keywordMatcher(['password', 'q~', '-----begin'])
    for (const k of ['password', 'q~', '-----BEGIN']) {
      for (const n of [k.length, k.length + 1, 2 * k.length, 100, 4097]) {
        const near = (p: number) => p < 20 || Math.abs(p - (n >> 1)) < 20 || p > n - 30
        for (let at = 0; at + k.length <= n; at++) {
          if (!near(at)) continue
          const b = Buffer.from(`${'.'.repeat(at)}${k}${'.'.repeat(n - at - k.length)}`, 'latin1')
          expect(m.occurs(b)).toBe(true)
        }
      }
    }
    expect(m.occurs(Buffer.from('passwor q -----begi'.repeat(300)))).toBe(false)
  })
})
