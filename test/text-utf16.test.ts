import {describe, expect, it} from 'vitest'

import {arenaText} from '../src/git/scan-worker.js'
import {utf8IntoUtf16} from '../src/text/utf16.js'

// The worker's decoding must give exactly the string `toString('utf8')` gives:
// detection runs on it and the scan's output is compared byte for byte.

/** Deterministic text mixing 1- to 4-byte characters (and a BOM at the start). */
function mixed(seed: number, chars: number): string {
  const pool = ['a', 'Z', ' ', '\n', 'secret: ', 'é', 'ß', '\u00ff', '’', '€', '\u07ff', '\u0800', '\uffff', '😀', '\u{10ffff}', '漢字']
  let x = seed
  let s = '\ufeff'
  for (let i = 0; i < chars; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    s += pool[x % pool.length]
  }
  return s
}

/** `bytes` is `text` as one byte per character: ASCII kept, anything else 0x80 or more. */
function isAsciiView(text: string, bytes: Uint8Array): boolean {
  if (bytes.length !== text.length) return false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80 ? bytes[i] !== c : bytes[i]! < 0x80) return false
  }
  return true
}

describe('utf8IntoUtf16', () => {
  it('decodes valid UTF-8 to the code units of toString("utf8"), BOM kept, surrogate pairs included', () => {
    for (const seed of [1, 2, 3]) {
      const bytes = Buffer.from(mixed(seed, 5000), 'utf8')
      const out = new Uint16Array(bytes.length + 8)
      const end = utf8IntoUtf16(bytes, out, 3)
      expect(Buffer.from(out.buffer, 6, 2 * (end - 3)).toString('ucs2')).toBe(bytes.toString('utf8'))
    }
  })
})

describe('arenaText', () => {
  /** One batch arena holding `blobs` at odd offsets, as the pool packs them. */
  function batch(blobs: Buffer[]): {arena: ArrayBuffer; spans: Uint32Array} {
    const arena = new ArrayBuffer(Math.max(1 << 20, blobs.reduce((n, b) => n + b.length + 3, 1)))
    const spans: number[] = []
    let at = 1
    for (const b of blobs) {
      new Uint8Array(arena).set(b, at)
      spans.push(at, b.length)
      at += b.length + 3
    }
    return {arena, spans: Uint32Array.from(spans)}
  }

  it('gives each blob of a batch the string toString("utf8") gives: large UTF-8, large ASCII, small, invalid, binary', () => {
    const blobs = [
      Buffer.from(mixed(7, 80_000), 'utf8'), // > 64 KiB of UTF-8 (81.6 KB)
      Buffer.from('x = "secret"\n'.repeat(6000)), // ASCII, 78 KB
      Buffer.from(mixed(8, 50), 'utf8'), // small
      Buffer.concat([Buffer.from(mixed(9, 70_000), 'utf8'), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80])]), // > 64 KiB, invalid UTF-8 at the end
      Buffer.from(mixed(10, 70_000), 'utf8'), // > 64 KiB of UTF-8 (71.6 KB)
    ]
    const decoder = arenaText()
    const {arena, spans} = batch(blobs)
    decoder.batch(arena, spans)
    blobs.forEach((b, i) => {
      const view = Buffer.from(arena, spans[2 * i], spans[2 * i + 1])
      const t = decoder.text(view)
      expect(t.text === b.toString('utf8')).toBe(true)
      if (i !== 2 && i !== 3) expect([i, t.bytes !== undefined]).toEqual([i, true]) // large valid text: the keyword pass gets its view
      if (t.bytes) expect(isAsciiView(t.text, t.bytes)).toBe(true)
    })
  })
})
