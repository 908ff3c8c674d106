import {createHash} from 'node:crypto'
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

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

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

/** How many bytes at the start of `buf` (the log, from its first byte) were validated before; 0 when none. */
export function validatedPrefix(logPath: string, buf: Uint8Array): number {
  const rec = readRecord(logPath)
  const bytes = rec?.bytes
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes <= 0 || bytes > buf.length) return 0
  if (buf[bytes - 1] !== 0x0a || rec!.sha256 !== sha256(buf.subarray(0, bytes))) return 0
  try {
    return rec!.schema === currentSchema() ? bytes : 0
  } catch {
    return 0 // the schema code cannot be read (a partial install): validate everything
  }
}

/** Records that the first `bytes` of `buf` (whole lines) passed validation. Best effort: a read-only incident is still read. */
export function recordValidated(logPath: string, buf: Uint8Array, bytes: number): void {
  writeRecord(logPath, () => ({schema: currentSchema(), bytes, sha256: sha256(buf.subarray(0, bytes))}))
}

/**
 * Moves the record from the first `from` bytes of `buf` to the first `to` (whole lines that passed
 * validation) when it covers exactly `from` now, or when there is none and `from` is 0 (a new log).
 * The prefix is hashed once for both the check and the new record. Best effort, as above.
 */
export function extendValidated(logPath: string, buf: Uint8Array, from: number, to: number): void {
  const rec = readRecord(logPath)
  // None (or unreadable): only a new log starts one here.
  if (from === 0 ? rec !== null : rec?.bytes !== from) return
  const h = createHash('sha256').update(buf.subarray(0, from))
  try {
    if (from > 0 && (rec!.schema !== currentSchema() || h.copy().digest('hex') !== rec!.sha256)) return
  } catch {
    return // the schema code cannot be read: nothing is recorded
  }
  writeRecord(logPath, () => ({schema: currentSchema(), bytes: to, sha256: h.update(buf.subarray(from, to)).digest('hex')}))
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
