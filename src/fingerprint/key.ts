import {createHmac, randomBytes} from 'node:crypto'
import {linkSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {inspect} from 'node:util'

import type {Fingerprint} from '../detect/finding.js'
import {fromSystemError, inputError} from '../errors.js'
import {writePrivateFile} from '../private-file.js'

// Fingerprints are keyed: HMAC-SHA-256 of the value with a random 32-byte key
// kept in the workspace. A bare SHA-256 of a password is reversed by a
// dictionary; a keyed one is not without the key, and the key never leaves
// the workspace except to the team through `incident share` (src/fingerprint/share.ts).
// The same workspace always gives the same fingerprint for a value, so scans,
// incidents and responders sharing the key match each other.

export const KEY_FILE = 'fingerprint.key'
const KEY_BYTES = 32
const KEY_TEXT = /^[0-9a-f]{64}$/

/** Computes fingerprints with one key. Holds the key privately: it never serialises or prints. */
export class Fingerprinter {
  readonly #key: Buffer

  constructor(key: Uint8Array) {
    if (key.byteLength !== KEY_BYTES) throw new Error(`a fingerprint key is ${KEY_BYTES} bytes`)
    this.#key = Buffer.from(key)
  }

  /** `sha256:<hex>` of HMAC-SHA-256(key, value). */
  of(value: string | Uint8Array): Fingerprint {
    return `sha256:${createHmac('sha256', this.#key).update(value).digest('hex')}`
  }

  /** Whether two fingerprinters hold the same key (compared by a derived digest, never by printing it). */
  sameKey(other: Fingerprinter): boolean {
    return this.of('leakctl key check') === other.of('leakctl key check')
  }

  /** The key, for a worker thread we start (workerData) or the key file; nothing else may call this. */
  keyBytes(): Uint8Array {
    return new Uint8Array(this.#key)
  }

  toJSON(): string {
    return '[fingerprint key]'
  }

  [inspect.custom](): string {
    return 'Fingerprinter [key hidden]'
  }
}

/** The fingerprinter a worker thread was started with (see keyBytes). */
export function workerFingerprinter(data: unknown): Fingerprinter {
  const key = (data as {fingerprintKey?: Uint8Array} | undefined)?.fingerprintKey
  if (!key) throw new Error('worker started without a fingerprint key')
  return new Fingerprinter(key)
}

export const keyPath = (workspaceDir: string): string => join(workspaceDir, KEY_FILE)

/** The key text (64 hex) as stored in the key file and on the shared remote; null when it is not one. */
export function parseKeyText(text: string): Uint8Array | null {
  const t = text.trim()
  return KEY_TEXT.test(t) ? new Uint8Array(Buffer.from(t, 'hex')) : null
}

export function keyText(fp: Fingerprinter): string {
  return `${Buffer.from(fp.keyBytes()).toString('hex')}\n`
}

/** The workspace's fingerprinter, or null when the workspace has no key yet. A damaged key file is an input error. */
export function readWorkspaceKey(workspaceDir: string): Fingerprinter | null {
  const path = keyPath(workspaceDir)
  let text: string
  try {
    // Refuse a symlink: the key must be the workspace's own file.
    if (lstatSync(path).isSymbolicLink()) throw inputError('fingerprint.key', `${path} is a symbolic link; the fingerprint key must be a plain file`)
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw fromSystemError(error) ?? error
  }
  const key = parseKeyText(text)
  if (!key) throw inputError('fingerprint.key', `${path} is not a leakctl fingerprint key (64 hex digits); restore it from a teammate (leakctl incident sync) or remove it to start a new one`)
  return new Fingerprinter(key)
}

/**
 * Writes the key file (0600, in a 0700 folder). Written beside it first, then
 * put in place whole: a reader never sees half a key. Without `replace`, an
 * existing key wins (link fails on it): two first uses at once agree on one key.
 */
export function writeWorkspaceKey(workspaceDir: string, fp: Fingerprinter, replace = false): void {
  const path = keyPath(workspaceDir)
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    mkdirSync(workspaceDir, {recursive: true, mode: 0o700})
    writePrivateFile(tmp, keyText(fp), {sync: true})
    if (replace) renameSync(tmp, path)
    else {
      try {
        linkSync(tmp, path)
      } finally {
        rmSync(tmp, {force: true})
      }
    }
  } catch (error) {
    rmSync(tmp, {force: true})
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && !replace) return
    const sys = fromSystemError(error)
    throw sys ? inputError('fingerprint.key', `cannot write the fingerprint key in ${workspaceDir}: ${sys.message}`) : error
  }
}

/** The workspace's fingerprinter, creating a random key on first use. */
export function workspaceFingerprinter(workspaceDir: string): Fingerprinter {
  const existing = readWorkspaceKey(workspaceDir)
  if (existing) return existing
  writeWorkspaceKey(workspaceDir, new Fingerprinter(randomBytes(KEY_BYTES)))
  // Whichever first use won the link, every process now reads the same key.
  const fp = readWorkspaceKey(workspaceDir)
  if (!fp) throw inputError('fingerprint.key', `cannot create the fingerprint key in ${workspaceDir}`)
  return fp
}
