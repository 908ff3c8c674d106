import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'

import {fromSystemError, inputError} from '../errors.js'
import {Fingerprinter, parseKeyText} from '../fingerprint/key.js'

// A baseline is the set of fingerprints a team accepted (test fixtures,
// revoked keys kept in history), usually committed beside the code so CI
// skips them.
//
// Fingerprints are keyed (src/fingerprint/key.ts), and a CI job starts from a
// fresh checkout with no workspace, so a baseline written by leakctl carries
// its OWN random key, never the workspace's: a scan given that baseline
// fingerprints with the baseline's key, and every run, on any machine,
// agrees with it. That key is no secret from whoever reads the baseline, so
// its fingerprints are as open to a dictionary as bare SHA-256 would be —
// and that is acceptable for this file only: it lists values that sit in the
// very repository it is committed to, where any reader of the baseline reads
// them in clear anyway. Its fingerprints do not match the workspace's (an
// incident's): the scan warns when it used a baseline's key.
//
// Also accepted, matched with the workspace's key: our own --json output, a
// {"fingerprints": [...]} document, or one fingerprint per line.

const FP = /sha256:[0-9a-f]{64}/g
const VERSION = 2

export interface Baseline {
  fingerprints: Set<string>
  /** The baseline's own fingerprinter; null: its fingerprints are the workspace's (a --json output, a list). */
  fingerprinter: Fingerprinter | null
}

export function readBaseline(file: string): Baseline {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw fromSystemError(error) ?? error
  }
  const trimmed = text.trim()
  let doc: unknown = null
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      doc = JSON.parse(trimmed)
    } catch {
      throw inputError('baseline.invalid', `${file}: not valid JSON`)
    }
  }
  const d = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as {version?: unknown; key?: unknown; fingerprints?: unknown}) : null
  if (d?.version === 1 && Array.isArray(d.fingerprints)) {
    throw inputError('baseline.unkeyed', `${file} was written by an older leakctl with unkeyed fingerprints, which no longer match: write it again with leakctl scan git --write-baseline ${file} (then review and commit it)`)
  }
  if (d?.version === VERSION) {
    const key = typeof d.key === 'string' ? parseKeyText(d.key) : null
    if (!key) throw inputError('baseline.invalid', `${file}: a version ${VERSION} baseline needs its "key" (64 hex digits)`)
    return {fingerprints: new Set(Array.isArray(d.fingerprints) ? d.fingerprints.filter((f): f is string => typeof f === 'string' && /^sha256:[0-9a-f]{64}$/.test(f)) : []), fingerprinter: new Fingerprinter(key)}
  }
  return {fingerprints: new Set(trimmed.match(FP) ?? []), fingerprinter: null}
}

/**
 * The fingerprinter of a scan with --baseline and/or --write-baseline: the
 * baseline's key (the one read, else the one already in the file to write, so
 * rewriting it keeps its fingerprints), a new key for a new baseline; null
 * when there is no baseline key (the workspace's applies).
 */
export function baselineFingerprinter(o: {baseline?: Baseline; baselineFile?: string; writeTo?: string}): Fingerprinter | null {
  if (o.baseline?.fingerprinter) return o.baseline.fingerprinter
  if (!o.writeTo) return null
  if (o.baseline) throw inputError('baseline.unkeyed', `${o.baselineFile ?? '--baseline'} holds workspace fingerprints (no baseline key), so --write-baseline cannot extend it: write a baseline first (--write-baseline alone), then use it`)
  if (existsSync(o.writeTo)) {
    try {
      const existing = readBaseline(o.writeTo)
      if (existing.fingerprinter) return existing.fingerprinter
    } catch {
      // Not a baseline we can keep the key of: it is replaced whole.
    }
  }
  return new Fingerprinter(randomBytes(32))
}

export function baselineDocument(fp: Fingerprinter, fingerprints: Iterable<string>): string {
  return (
    JSON.stringify(
      {
        version: VERSION,
        note: 'leakctl baseline: keyed fingerprints of accepted findings (HMAC-SHA-256 with this baseline key; no value is stored). The key is not secret: commit this file only to the repository whose findings it lists.',
        key: Buffer.from(fp.keyBytes()).toString('hex'),
        fingerprints: [...new Set(fingerprints)].sort(),
      },
      null,
      2,
    ) + '\n'
  )
}
