import {randomBytes} from 'node:crypto'

// A credentials dump: `AKIA…,secret` lines, as the IAM console's CSV or a
// pasted list holds them. Shared by the pairing benchmark and its test.

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** `n` characters of an alphabet of 32 or 64 (no modulo bias), from one buffer. */
function rand(n: number, alphabet: string): string {
  let out = ''
  for (const b of randomBytes(n)) out += alphabet[b % alphabet.length]
  return out
}

/** `id,secret` lines up to `bytes` characters; the key ids in order. */
export function keyPairBlob(bytes: number): {text: string; ids: string[]} {
  const lines: string[] = []
  const ids: string[] = []
  let size = 0
  while (size < bytes) {
    const id = `AKIA${rand(16, B32)}`
    ids.push(id)
    // Upper, lower and a digit for sure: no line is dropped as a low-variety placeholder.
    const line = `${id},Zq7${rand(37, B64)}\n`
    lines.push(line)
    size += line.length
  }
  return {text: lines.join(''), ids}
}
