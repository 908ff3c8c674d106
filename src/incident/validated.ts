import {createHash, type Hash} from 'node:crypto'
import {readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {sourceRoot} from '../paths.js'
import {zodFile} from '../zod.js'

// The validation record: how much of an event log the schemas have already
// accepted, as the SHA-256 of that prefix. Every command reads the whole log;
// validating it again on every read is most of a small command's start-up
// (building zod's schemas, then compiling them). A prefix whose hash matches is
// read with JSON.parse alone. The record names the schema code it was made
// with, so a leakctl with other schemas validates everything again.
//
// It only speeds up reading: whoever can write the record can write the log
// itself, and a record that does not match is ignored.

export const VALIDATED_FILE = 'validated.json'

interface ValidationRecord {
  schema: string
  bytes: number
  sha256: string
}

/** The modules whose code decides what a valid event is (their compiled files, or their sources under test). */
const SCHEMA_MODULES = ['incident/events', 'detect/finding', 'playbook/schema', 'playbook/generators', 'time/window', 'text/url']

let schemaId: string | undefined
/** A hash of the schema code and of the zod build it runs on: a record made by other code does not count. */
function currentSchema(): string {
  if (schemaId) return schemaId
  const {dir, ext} = sourceRoot()
  const h = createHash('sha256')
  for (const m of SCHEMA_MODULES) h.update(readFileSync(join(dir, m + ext)))
  h.update(readFileSync(zodFile()))
  schemaId = h.digest('hex')
  return schemaId
}

const recordPath = (logPath: string): string => join(dirname(logPath), VALIDATED_FILE)

/**
 * What this process last knew the record to cover (a read found it or wrote it, an append extended
 * it), with the running hash of those bytes: an append under the lock right after extends the
 * record from here without reading and hashing the whole log again.
 */
let known: {logPath: string; bytes: number; hash: Hash} | undefined

const prefixHash = (buf: Uint8Array, bytes: number): Hash => createHash('sha256').update(buf.subarray(0, bytes))
const hex = (h: Hash): string => h.copy().digest('hex')

/** How many bytes at the start of `buf` (the log, from its first byte) were validated before; 0 when none. */
export function validatedPrefix(logPath: string, buf: Uint8Array): number {
  const rec = readRecord(logPath)
  const bytes = rec?.bytes
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes <= 0 || bytes > buf.length) return 0
  if (buf[bytes - 1] !== 0x0a) return 0
  const hash = prefixHash(buf, bytes)
  if (rec!.sha256 !== hex(hash)) return 0
  try {
    if (rec!.schema !== currentSchema()) return 0
  } catch {
    return 0 // the schema code cannot be read (a partial install): validate everything
  }
  known = {logPath, bytes, hash}
  return bytes
}

/** Records that the first `bytes` of `buf` (whole lines) passed validation. Best effort: a read-only incident is still read. */
export function recordValidated(logPath: string, buf: Uint8Array, bytes: number): void {
  const hash = prefixHash(buf, bytes)
  writeRecord(logPath, () => ({schema: currentSchema(), bytes, sha256: hex(hash)}))
  known = {logPath, bytes, hash}
}

/**
 * Moves the record from the first `from` bytes of the log to `from + lines.length` (`lines`: whole
 * lines that passed validation, written at `from`) when it covers exactly `from` now and this
 * process knows the hash of those bytes (it read or wrote them), or when there is none and `from`
 * is 0 (a new log). Otherwise nothing is recorded and the next read validates the lines. Best
 * effort, as above.
 */
export function extendValidated(logPath: string, from: number, lines: Uint8Array): void {
  const rec = readRecord(logPath)
  let hash: Hash
  if (from === 0) {
    if (rec !== null) return
    hash = createHash('sha256')
  } else {
    if (known?.logPath !== logPath || known.bytes !== from || rec?.bytes !== from) return
    hash = known.hash.copy()
    try {
      if (rec.schema !== currentSchema() || rec.sha256 !== hex(hash)) return
    } catch {
      return // the schema code cannot be read: nothing is recorded
    }
  }
  hash.update(lines)
  const bytes = from + lines.length
  writeRecord(logPath, () => ({schema: currentSchema(), bytes, sha256: hex(hash)}))
  known = {logPath, bytes, hash}
}

/** The record beside the log as written, null when there is none or it is not JSON; its fields are checked by the callers. */
function readRecord(logPath: string): Partial<ValidationRecord> | null {
  try {
    return JSON.parse(readFileSync(recordPath(logPath), 'utf8')) as Partial<ValidationRecord>
  } catch {
    return null
  }
}

function writeRecord(logPath: string, make: () => ValidationRecord): void {
  const path = recordPath(logPath)
  const tmp = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(tmp, JSON.stringify(make()) + '\n', {mode: 0o600})
    renameSync(tmp, path)
  } catch {
    rmSync(tmp, {force: true})
  }
}
