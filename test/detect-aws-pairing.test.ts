import {randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {keyPairBlob} from '../bench/detect/key-pairs.js'
import {detect} from '../src/detect/engine.js'
import {cpuMs} from './helpers/cpu.js'

// An AWS secret key takes the nearest key id as its pair. A credentials dump
// (thousands of `id,secret` lines, well under the 20 MiB blob limit) must pair
// in one linear pass: comparing every secret with every id took 13 s for 2 MB.

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const rand = (n: number, alphabet: string) => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('')
const keyId = () => `AKIA${rand(16, B32)}`
const secret = () => `Zq7${rand(37, B64)}`

/** detect() on the blob: each secret paired with its own id, and the CPU milliseconds it took. */
function pairedIn(bytes: number): number {
  const {text, ids} = keyPairBlob(bytes)
  let found: ReturnType<typeof detect> = []
  const ms = cpuMs(() => (found = detect(text)))
  expect(found).toHaveLength(ids.length)
  expect(found.every((m) => m.rule === 'aws-key-pair-inline')).toBe(true)
  expect(found.filter((m, i) => m.keyId !== ids[i]).length, 'secrets paired with another line\'s id').toBe(0)
  return ms
}

describe('AWS key pairing', () => {
  it('pairs each secret with its own id in a 2 MB credentials dump, in time linear in its size', () => {
    const small = Math.min(pairedIn(512 * 1024), pairedIn(512 * 1024))
    const big = Math.min(pairedIn(2 * 1024 * 1024), pairedIn(2 * 1024 * 1024))
    // Four times the text: about four times the time (measured 4.0; the quadratic pairing: 8.7, with 17 s for the 2 MB).
    expect(big, `${small.toFixed(0)} ms for 512 KB, ${big.toFixed(0)} ms for 2 MB`).toBeLessThan(small * 7)
    expect(big).toBeLessThan(15_000)
  }, 120_000)

  it('takes the nearest id on either side, and leaves an id too far away alone', () => {
    const [a, b, far] = [keyId(), keyId(), keyId()]
    const [s1, s2] = [secret(), secret()]
    const text = `aws_secret_access_key = ${s1}\naws_access_key_id = ${a}\n${'#\n'.repeat(10)}aws_access_key_id = ${b}\naws_secret_access_key = ${s2}\n${'-'.repeat(3000)}\n${far}\n`
    const found = detect(text)
    expect(found.map((m) => [m.rule, m.keyId])).toEqual([
      ['aws-secret-access-key', a],
      ['aws-secret-access-key', b],
      ['aws-access-key-id', far],
    ])
  })
})
