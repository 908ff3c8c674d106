import {createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify} from 'node:crypto'
import {chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {inputError} from '../errors.js'

// Chain of custody. Each responder signs every event they write with an
// ed25519 key of their own, created on first use in the workspace (0600).
// The signature covers a canonical serialization of the event without its
// `sig`, so any change to a signed event (its actor, time, data, or its place
// in its author's sequence) breaks it. Node's own ed25519 is used: verifying
// 50,000 events must take a second, not a minute.

export interface Signer {
  actor: string
  /** The public key, raw 32 bytes base64url: the id events and admissions name. */
  key: string
  privateKey: KeyObject
}

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const DOMAIN = 'leakctl-event-v1\n'

/** A file name for any actor name: fixed length, nothing a path could trip on. */
const fileNameOf = (actor: string): string => createHash('sha256').update(actor, 'utf8').digest('hex').slice(0, 24)

export const keysDir = (workspaceDir: string): string => join(workspaceDir, 'keys')

/** The actor's signer in this workspace, created (0600, folder 0700) the first time they act. */
export function loadSigner(workspaceDir: string, actor: string): Signer {
  const dir = keysDir(workspaceDir)
  const file = join(dir, `${fileNameOf(actor)}.key`)
  const existing = readKeyFile(file)
  if (existing) return existing
  mkdirSync(dir, {recursive: true, mode: 0o700})
  chmodSync(dir, 0o700)
  const {privateKey} = generateKeyPairSync('ed25519')
  const pem = privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
  try {
    // wx: two first uses at once keep one key (the loser reads the winner's).
    writeFileSync(file, JSON.stringify({actor, privateKey: pem}) + '\n', {mode: 0o600, flag: 'wx'})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const made = readKeyFile(file)
  if (!made) throw inputError('keys.unreadable', `cannot read the signing key ${file}`)
  return made
}

/** Every signer whose private key this workspace holds (the commander's, when it was opened here). */
export function localSigners(workspaceDir: string): Signer[] {
  let names: string[]
  try {
    names = readdirSync(keysDir(workspaceDir)).filter((n) => n.endsWith('.key'))
  } catch {
    return []
  }
  return names.map((n) => readKeyFile(join(keysDir(workspaceDir), n))).filter((s): s is Signer => s !== null)
}

function readKeyFile(file: string): Signer | null {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  try {
    const doc = JSON.parse(text) as {actor: string; privateKey: string}
    const privateKey = createPrivateKey(doc.privateKey)
    return {actor: doc.actor, key: publicKeyOf(privateKey), privateKey}
  } catch {
    // A half-written file from a first use racing this one: treat as absent only if empty.
    if (text.trim() === '') return null
    throw inputError('keys.corrupt', `${file} is not a leakctl signing key; move it aside`)
  }
}

function publicKeyOf(privateKey: KeyObject): string {
  const der = createPublicKey(privateKey).export({type: 'spki', format: 'der'})
  return Buffer.from(der.subarray(der.length - 32)).toString('base64url')
}

function publicKeyObject(key: string): KeyObject | null {
  const raw = Buffer.from(key, 'base64url')
  if (raw.length !== 32) return null
  try {
    return createPublicKey({key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki'})
  } catch {
    return null
  }
}

/** JSON with keys sorted at every level and undefined members left out: the same bytes on every machine. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null'
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`
  const keys = Object.keys(v)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`
}

/** The bytes a signature covers: the event without `sig`, canonical. */
export function signedBytes(event: object): Buffer {
  const {sig: _sig, ...rest} = event as {sig?: string}
  return Buffer.from(DOMAIN + canonicalJson(rest), 'utf8')
}

/** Signs `event` as `signer`: key, seq and sig come last, in the order parseEvent writes them, so a copy is byte for byte the same. */
export function signEvent<T extends {seq?: number; key?: string; sig?: string}>(signer: Signer, event: T): Omit<T, 'key' | 'seq' | 'sig'> & {key: string; seq: number; sig: string} {
  const {key: _key, seq, sig: _sig, ...body} = event
  if (seq === undefined) throw new Error('signEvent: the event needs its sequence number')
  const unsigned = {...body, key: signer.key, seq}
  const sig = sign(null, signedBytes(unsigned), signer.privateKey).toString('base64url')
  return {...unsigned, sig}
}

/** Whether `event.sig` is a valid signature by `event.key` over the rest of it. */
export function signatureValid(event: {key?: string; sig?: string}): boolean {
  if (!event.key || !event.sig) return false
  const pub = publicKeyObject(event.key)
  if (!pub) return false
  try {
    return verify(null, signedBytes(event), pub, Buffer.from(event.sig, 'base64url'))
  } catch {
    return false
  }
}
