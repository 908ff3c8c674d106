import {readFileSync} from 'node:fs'

import {fromSystemError, inputError} from '../errors.js'

// A baseline is the set of fingerprints a team accepted (test fixtures,
// revoked keys kept in history). Accepts our own --json output, a
// {"fingerprints": [...]} document, or one fingerprint per line.

const FP = /sha256:[0-9a-f]{64}/g

export function readBaseline(file: string): Set<string> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw fromSystemError(error) ?? error
  }
  const trimmed = text.trim()
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      JSON.parse(trimmed)
    } catch {
      throw inputError('baseline.invalid', `${file}: not valid JSON`)
    }
  }
  return new Set(trimmed.match(FP) ?? [])
}

export function baselineDocument(fingerprints: Iterable<string>): string {
  return JSON.stringify({version: 1, note: 'leakctl baseline: fingerprints of accepted findings (sha256 of the value; no value is stored)', fingerprints: [...new Set(fingerprints)].sort()}, null, 2) + '\n'
}
