import {closeSync, openSync, readdirSync, readSync, statSync, createReadStream} from 'node:fs'
import {join, relative, sep} from 'node:path'
import {createGunzip} from 'node:zlib'

import {inputError} from '../../errors.js'
import type {Pivots} from './pivots.js'
import {KNOWN_EVENT_VERSIONS, normalize, PUBLIC_EXPOSURE_CALLS, rawAccessKeyId, rawUserName, type TrailEvent, unwrap} from './record.js'
import type {Collected, Missing} from './report.js'
import {RecordSplitter} from './split.js'
import {count} from '../../text/count.js'

// CloudTrail log files on disk, as delivered to S3
// (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<id>.json.gz,
// organisation trails with an <org-id> level above the account), plain or
// gzipped, {"Records": [...]}, bare arrays or JSON lines. Streamed: memory
// holds the events of the followed keys, not the files.

export interface FileProblem {
  file: string
  kind: 'truncated' | 'corrupt' | 'not-json' | 'bad-record' | 'missing-fields' | 'unknown-version' | 'unreadable' | 'oversized'
  message: string
  /** Records affected, when it is about records. */
  count?: number
}

export interface FileScanStats {
  files: number
  skippedFiles: number
  records: number
  /** Bytes read from disk (compressed where the files are). */
  bytesRead: number
  /** Bytes of JSON decoded. */
  bytesDecoded: number
  /** Files read again to catch events of pivots found late. */
  rescannedFiles: number
  accounts: string[]
  firstEventTime: string | null
  lastEventTime: string | null
}

export interface FileScanResult {
  events: TrailEvent[]
  problems: FileProblem[]
  partial: boolean
  stats: FileScanStats
}

export interface FileScanOptions {
  path: string
  pivots: Pivots
  /** Exposure time in ms; pivots minted before it are the owner's and are not followed. */
  since: number | null
  onProgress?: (p: {file: string; files: number; totalFiles: number; records: number; bytesRead: number}) => void
}

const LOG_FILE = /\.(json|jsonl|ndjson)(\.gz)?$|\.gz$/i
const SKIP_DIRS = new Set(['CloudTrail-Digest', 'CloudTrail-Insight'])
const NAME_TIME = /_(\d{8}T\d{4})Z_/

/** Log files under a directory (or the one file given), in delivery-time order. */
export function listLogFiles(path: string): {files: string[]; skipped: number} {
  let st
  try {
    st = statSync(path)
  } catch {
    throw inputError('logs.missing', `--logs-dir ${path}: no such file or directory`)
  }
  if (st.isFile()) return {files: [path], skipped: 0}
  const files: string[] = []
  let skipped = 0
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, {withFileTypes: true})) {
      if (d.name.startsWith('.')) continue
      const p = join(dir, d.name)
      if (d.isDirectory()) {
        if (SKIP_DIRS.has(d.name)) skipped++
        else walk(p)
      } else if (d.isFile() && LOG_FILE.test(d.name)) files.push(p)
      else skipped++
    }
  }
  walk(path)
  const key = (f: string) => `${NAME_TIME.exec(f)?.[1] ?? ''}\u0000${f}`
  files.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
  return {files, skipped}
}

interface FileTimes {
  min: string | null
  max: string | null
}

interface Collector {
  events: Map<string, TrailEvent>
  /** Events of principals not followed (yet) that mint keys or create users: the pivot graph's edges. */
  edges: TrailEvent[]
  /** Key-management and quarantine events, kept whatever the caller: filtered at the end. */
  aside: TrailEvent[]
  /** When (file index) each key or user began to be followed. */
  followedFrom: Map<string, number>
  problems: Map<string, FileProblem>
  partial: boolean
  accounts: Set<string>
}

const GZIP = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b

/**
 * A delivered CloudTrail file holds minutes of one region's events: megabytes. A gzip
 * file inflating past this (a bomb: 1 MB of gzip makes 1 GB) is read up to the bound
 * and the rest skipped, reported; the records are streamed either way, so memory stays flat.
 */
export const MAX_GZIP_OUTPUT_BYTES = 1024 * 1024 * 1024

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r')
  try {
    const b = Buffer.alloc(2)
    return GZIP(b.subarray(0, readSync(fd, b, 0, 2, 0)))
  } finally {
    closeSync(fd)
  }
}

/** Streams one file's records to `onRecord`; returns bytes read and problems (never throws for bad data). */
async function readFile(file: string, onRecord: (text: string) => void, problem: (p: Omit<FileProblem, 'file'>) => void, maxGzipOutput = MAX_GZIP_OUTPUT_BYTES): Promise<{bytesRead: number; bytesDecoded: number}> {
  const splitter = new RecordSplitter(onRecord, (p) => problem({kind: p.kind === 'truncated' || p.kind === 'oversized' ? p.kind : 'not-json', message: p.message}))
  let bytesRead = 0
  let gz: boolean
  try {
    gz = isGzip(file)
  } catch (error) {
    problem({kind: 'unreadable', message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`})
    return {bytesRead: 0, bytesDecoded: 0}
  }
  const source = createReadStream(file, {highWaterMark: 1 << 20})
  source.on('data', (c) => (bytesRead += c.length))
  const stream = gz ? source.pipe(createGunzip({chunkSize: 1 << 18})) : source
  if (gz) source.on('error', (e) => stream.destroy(e))
  try {
    let cut = false
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (gz && splitter.stats.bytes + chunk.length > maxGzipOutput) {
        cut = true
        break // ends the iteration and destroys the streams: nothing more is inflated
      }
      splitter.push(chunk)
    }
    if (cut) source.destroy()
    if (cut) problem({kind: 'oversized', message: `gzip data decompresses to more than ${maxGzipOutput / 1024 / 1024} MiB (a decompression bomb?): ${splitter.stats.records} record(s) read, the rest skipped`})
    else splitter.end()
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    if (gz && (e.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e.message))) {
      problem({kind: 'truncated', message: `gzip data ends early (truncated file): ${splitter.stats.records} record(s) read before the cut`})
    } else if (gz && e.code && e.code.startsWith('Z_')) {
      problem({kind: 'corrupt', message: `corrupt gzip data (${e.code}) after ${splitter.stats.records} record(s)`})
    } else {
      problem({kind: 'unreadable', message: `cannot read: ${e.code ?? e.message}`})
    }
  }
  return {bytesRead, bytesDecoded: splitter.stats.bytes}
}

export async function scanLogFiles(o: FileScanOptions): Promise<FileScanResult> {
  const {files, skipped} = listLogFiles(o.path)
  const root = statSync(o.path).isDirectory() ? o.path : join(o.path, '..')
  const rel = (f: string) => relative(root, f).split(sep).join('/') || f
  const c: Collector = {events: new Map(), edges: [], aside: [], followedFrom: new Map(), problems: new Map(), partial: false, accounts: new Set()}
  for (const k of o.pivots.keys.keys()) c.followedFrom.set(k, -1)
  const times: FileTimes[] = []
  const stats: FileScanStats = {files: files.length, skippedFiles: skipped, records: 0, bytesRead: 0, bytesDecoded: 0, rescannedFiles: 0, accounts: [], firstEventTime: null, lastEventTime: null}

  const addProblem = (file: string, p: Omit<FileProblem, 'file'>, partial = true) => {
    const key = `${file}\u0000${p.kind}\u0000${p.message}`
    const seen = c.problems.get(key)
    if (seen) seen.count = (seen.count ?? 1) + (p.count ?? 1)
    else c.problems.set(key, {file, ...p, count: p.count ?? 1})
    if (partial) c.partial = true
  }

  const keep = (e: TrailEvent, fileIndex: number) => {
    if (c.events.has(e.eventId)) return
    c.events.set(e.eventId, e)
    const learned = o.pivots.learn(e, o.since)
    for (const k of learned.keys) c.followedFrom.set(k.accessKeyId, fileIndex)
    for (const u of learned.users) c.followedFrom.set(`user:${u.userName}`, fileIndex)
  }

  /** One record: the hot path. Only records of followed principals (and pivot edges) are normalized. */
  const onRecord = (file: string, fileIndex: number, t: FileTimes, only: Set<string> | null) => (text: string) => {
    stats.records++
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch {
      addProblem(rel(file), {kind: 'bad-record', message: 'a record that is not valid JSON was skipped'})
      return
    }
    if (raw !== null && typeof raw === 'object' && 'CloudTrailEvent' in raw) raw = unwrap(raw)
    const r = raw as {eventTime?: unknown; eventVersion?: unknown; eventName?: unknown; eventSource?: unknown; recipientAccountId?: unknown; responseElements?: {credentials?: unknown} | null; requestParameters?: unknown}
    if (typeof r !== 'object' || r === null) {
      addProblem(rel(file), {kind: 'bad-record', message: 'a record that is not a JSON object was skipped'})
      return
    }
    const time = typeof r.eventTime === 'string' ? r.eventTime : null
    if (only === null) {
      // Checks every record once (not again on a rescan): a record we cannot read may be one of ours.
      if (!time || typeof r.eventName !== 'string' || typeof r.eventSource !== 'string') {
        const fields = [!time && 'eventTime', typeof r.eventName !== 'string' && 'eventName', typeof r.eventSource !== 'string' && 'eventSource'].filter(Boolean)
        addProblem(rel(file), {kind: 'missing-fields', message: `record(s) without ${fields.join(', ')} skipped`})
        return
      }
      if (typeof r.eventVersion !== 'string' || !KNOWN_EVENT_VERSIONS.has(r.eventVersion)) {
        addProblem(rel(file), {kind: 'unknown-version', message: `record(s) with ${typeof r.eventVersion === 'string' ? `unknown eventVersion ${r.eventVersion}` : 'no eventVersion'}: read by field name, fields may have moved`})
      }
      if (typeof r.recipientAccountId === 'string') c.accounts.add(r.recipientAccountId)
      if (!t.min || time < t.min) t.min = time
      if (!t.max || time > t.max) t.max = time
    } else if (!time) return
    const key = rawAccessKeyId(r)
    const user = rawUserName(r)
    const watch = only ?? null
    const followed = watch ? (key !== undefined && watch.has(key)) || (user !== undefined && watch.has(`user:${user}`)) : (key !== undefined && o.pivots.keys.has(key)) || (user !== undefined && o.pivots.users.has(user))
    const name = r.eventName as string
    const mints = key !== undefined && ((r.responseElements && typeof r.responseElements === 'object' && r.responseElements.credentials) || name === 'CreateAccessKey' || name === 'CreateUser')
    // Buckets opened to everyone are kept whoever did it: that is how a backup leaks.
    const aside = only === null && (name === 'UpdateAccessKey' || name === 'DeleteAccessKey' || PUBLIC_EXPOSURE_CALLS.has(name) || (name.startsWith('Attach') && name.endsWith('Policy') && JSON.stringify(r.requestParameters ?? '').includes('AWSCompromisedKeyQuarantine')))
    if (!followed && !mints && !aside) return
    const n = normalize(r)
    if (!n.event) return
    n.event.origin = rel(file)
    if (followed) {
      for (const p of n.problems) if (p.kind === 'missing-fields') addProblem(rel(file), {kind: 'missing-fields', message: `record(s) of a followed key without ${p.fields.join(', ')}`})
      keep(n.event, fileIndex)
    } else if (mints && only === null) c.edges.push(n.event)
    if (aside) c.aside.push(n.event)
  }

  const pass = async (indexes: number[], only: (i: number) => Set<string> | null) => {
    let done = 0
    for (const i of indexes) {
      const file = files[i]!
      const t = times[i] ?? (times[i] = {min: null, max: null})
      const r = await readFile(file, onRecord(file, i, t, only(i)), (p) => addProblem(rel(file), p))
      stats.bytesRead += r.bytesRead
      stats.bytesDecoded += r.bytesDecoded
      done++
      o.onProgress?.({file: rel(file), files: done, totalFiles: indexes.length, records: stats.records, bytesRead: stats.bytesRead})
    }
  }

  await pass(files.map((_, i) => i), () => null)

  // Close the pivot graph over edges seen before their caller was followed.
  for (let changed = true; changed; ) {
    changed = false
    for (const e of c.edges) {
      if (c.events.has(e.eventId) || !o.pivots.follows(e)) continue
      keep(e, files.length)
      changed = true
    }
  }

  // Keys and users followed late: read again the earlier files that may hold their events.
  const late = [...c.followedFrom.entries()].filter(([, from]) => from >= 0)
  if (late.length) {
    const perFile = new Map<number, Set<string>>()
    for (const [id, from] of late) {
      const since = id.startsWith('user:') ? o.pivots.users.get(id.slice(5))?.at : o.pivots.keys.get(id)?.origin.kind !== 'leaked' ? (o.pivots.keys.get(id)!.origin as {at: string}).at : undefined
      for (let i = 0; i <= Math.min(from, files.length - 1); i++) {
        const t = times[i]
        if (since && t?.max && t.max < since) continue
        let s = perFile.get(i)
        if (!s) perFile.set(i, (s = new Set()))
        s.add(id)
      }
    }
    const indexes = [...perFile.keys()].sort((a, b) => a - b)
    stats.rescannedFiles = indexes.length
    const before = stats.records
    await pass(indexes, (i) => perFile.get(i)!)
    stats.records = before
  }

  // Aside events: responders disabling followed keys, AWS quarantining their owners, buckets made public.
  const owners = new Set([...c.events.values()].filter((e) => e.accessKeyId && o.pivots.keys.get(e.accessKeyId)?.origin.kind === 'leaked' && e.userName).map((e) => e.userName!))
  for (const e of c.aside) {
    if (c.events.has(e.eventId)) continue
    const onKey = e.keyActedOn && o.pivots.keys.has(e.keyActedOn)
    const quarantine = e.policyArn && /AWSCompromisedKeyQuarantine/.test(e.policyArn) && (!e.target || owners.has(e.target) || owners.size === 0)
    if (onKey || quarantine || e.madePublic) c.events.set(e.eventId, e)
  }

  for (const t of times) {
    if (t?.min && (!stats.firstEventTime || t.min < stats.firstEventTime)) stats.firstEventTime = t.min
    if (t?.max && (!stats.lastEventTime || t.max > stats.lastEventTime)) stats.lastEventTime = t.max
  }
  stats.accounts = [...c.accounts].sort()
  return {events: [...c.events.values()], problems: [...c.problems.values()], partial: c.partial, stats}
}

/** The log-file source, in the shape every source hands over. */
export async function collectFromFiles(o: FileScanOptions): Promise<Collected> {
  const r = await scanLogFiles(o)
  const missing: Missing[] = r.problems
    .map((p) => ({what: `file ${p.file}`, reason: `${p.message}${p.count && p.count > 1 ? ` (${p.count}×)` : ''}`}))
  const n = count
  return {
    source: 'files',
    events: r.events,
    missing,
    partial: r.partial,
    lastUsed: [],
    searched: `${n(r.stats.files)} file(s), ${n(r.stats.records)} records${r.stats.firstEventTime ? ` from ${r.stats.firstEventTime} to ${r.stats.lastEventTime}` : ''}`,
    warnings: missing.map((m) => `${m.what}: ${m.reason}`),
    accounts: r.stats.accounts,
    stats: {...r.stats},
  }
}
