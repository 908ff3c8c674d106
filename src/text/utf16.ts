// UTF-8 bytes to UTF-16 code units, written into a caller's array. Only for
// bytes already known to be valid UTF-8 (`isUtf8` from node:buffer): then the
// result is exactly what `buffer.toString('utf8')` gives (a BOM is kept, as
// there), and no replacement rules are needed.

/** Decodes valid UTF-8 `bytes` into `out` from index `at`; returns the index after the last unit. */
export function utf8IntoUtf16(bytes: Uint8Array, out: Uint16Array, at: number): number {
  const n = bytes.length
  let j = at
  for (let i = 0; i < n; ) {
    const c = bytes[i]!
    if (c < 0x80) {
      out[j++] = c
      i++
    } else if (c < 0xe0) {
      out[j++] = ((c & 0x1f) << 6) | (bytes[i + 1]! & 0x3f)
      i += 2
    } else if (c < 0xf0) {
      out[j++] = ((c & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f)
      i += 3
    } else {
      // Outside the basic plane: a surrogate pair.
      const v = (((c & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f)) - 0x10000
      out[j++] = 0xd800 | (v >> 10)
      out[j++] = 0xdc00 | (v & 0x3ff)
      i += 4
    }
  }
  return j
}
