import {randomBytes} from 'node:crypto'
import {closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, writeSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import {dependencyError, inputError} from '../errors.js'
import {loadVendored} from '../vendored.js'
import {type EventData, type EventType, type IncidentEvent, parseEvent, validateData} from './events.js'
import {signEvent, type Signer} from './signing.js'
import {extendValidated, recordValidated, validatedPrefix} from './validated.js'

// An incident is one append-only JSON-lines file. Appends take an exclusive
// lock (several responders' processes may write at once), are written in one
// write(2) per batch and fsync'ed before the caller reports success.

type Ulidx = typeof import('#ulidx')

/** What writing needs, loaded with the first append: a command that only reads starts without them. */
let writing: {lock: typeof import('#proper-lockfile').lock; ulid: ReturnType<Ulidx['monotonicFactory']>; decodeTime: Ulidx['decodeTime']} | undefined
function loadWriting(): NonNullable<typeof writing> {
  if (!writing) {
    const {lock} = loadVendored<typeof import('#proper-lockfile')>('#proper-lockfile', 'proper-lockfile')
    const ulidx = loadVendored<Ulidx>('#ulidx', 'ulidx')
    // ulidx's own choice, a byte over 255, from node:crypto: its default reaches for Web Crypto, ~2 ms to load.
    writing = {lock, ulid: ulidx.monotonicFactory(() => randomBytes(1)[0]! / 0xff), decodeTime: ulidx.decodeTime}
  }
  return writing
}

export interface NewEvent<T extends EventType = EventType> {
  type: T
  data: EventData<T>
  /** Signs this one event instead of the batch's author (the commander admitting a key created here). */
  signer?: Signer
}

export interface ReadResult {
  events: IncidentEvent[]
  warnings: string[]
  /** Bytes of the file consumed (complete lines); read again from here to tail. */
  offset: number
}

const LOCK_OPTIONS = {
  realpath: false,
  stale: 10_000,
  update: 2_000,
  retries: {retries: 400, factor: 1.3, minTimeout: 5, maxTimeout: 60, randomize: true},
}

/** Reads every complete event. A torn last line is a warning; a bad line before it is corruption (exit 2). */
export function readLog(path: string, fromOffset = 0): ReadResult {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw inputError('log.missing', `no event log at ${path}`)
    throw error
  }
  try {
    return parseLines(readFrom(fd, fromOffset), path, fromOffset)
  } finally {
    closeSync(fd)
  }
}

function parseLines(buf: Buffer, path: string, baseOffset: number): ReadResult {
  // Reading from the start: the prefix validated before is parsed, not validated again (validated.ts).
  const trusted = baseOffset === 0 ? validatedPrefix(path, buf) : 0
  /** End of the leading lines that are valid events exactly as validation returns them; -1: not tracked. */
  let clean = baseOffset === 0 ? 0 : -1
  const events: IncidentEvent[] = []
  const warnings: string[] = []
  const unknownTypes = new Map<string, number>()
  const lastNl = buf.lastIndexOf(0x0a)
  const complete = lastNl < 0 ? 0 : lastNl + 1
  if (complete < buf.length) {
    warnings.push(`${basename(path)}: ignored a torn last line (${buf.length - complete} bytes, an interrupted write); every complete event is intact`)
  }
  let start = 0
  let lineNo = baseOffset === 0 ? 1 : Number.NaN
  while (start < complete) {
    const end = buf.indexOf(0x0a, start)
    const text = buf.toString('utf8', start, end)
    const where = Number.isNaN(lineNo) ? `byte ${baseOffset + start}` : `line ${lineNo}`
    if (text.trim() !== '') {
      let raw: unknown
      try {
        raw = JSON.parse(text)
      } catch {
        throw inputError('log.corrupt', `${path}: ${where} is not valid JSON; the log is damaged (nothing was changed; restore that line or move the file aside)`)
      }
      if (end < trusted) {
        events.push(raw as IncidentEvent)
        if (clean === start) clean = end + 1
        start = end + 1
        lineNo++
        continue
      }
      const parsed = parseEvent(raw)
      if (parsed.ok) {
        events.push(parsed.event)
        // Only a line that validation returns unchanged may be read without it next time.
        if (clean === start && JSON.stringify(parsed.event) === text) clean = end + 1
      } else if ('unknownType' in parsed) unknownTypes.set(parsed.unknownType, (unknownTypes.get(parsed.unknownType) ?? 0) + 1)
      // Whole JSON that is not a valid event (written before validation was this strict, or by hand):
      // skipped with a warning, so one bad event never stops the others or a read.
      else warnings.push(`${basename(path)}: ${where} skipped, not a valid event (${parsed.error})${actorOf(raw)}`)
    }
    start = end + 1
    lineNo++
  }
  for (const [type, n] of unknownTypes) warnings.push(`skipped ${n} event(s) of unknown type ${type} (written by a newer leakctl?)`)
  if (clean > trusted) recordValidated(path, buf, clean)
  return {events, warnings, offset: baseOffset + complete}
}

function actorOf(raw: unknown): string {
  const actor = (raw as {actor?: unknown} | null)?.actor
  return typeof actor === 'string' ? `; it names ${JSON.stringify(actor.slice(0, 80))} as its author` : ''
}

export interface AppendResult {
  events: IncidentEvent[]
  warnings: string[]
}

/**
 * Appends events durably. A torn tail left by a crashed writer is moved to
 * `<log>.torn-<time>` first, so it can neither corrupt nor swallow the new line.
 */
export async function appendEvents(path: string, author: string | Signer, batch: NewEvent[], now: () => Date = () => new Date(), opts: AppendOptions = {}): Promise<AppendResult> {
  if (batch.length === 0) return {events: [], warnings: []}
  const {ulid, decodeTime} = loadWriting()
  return withLockedLog(path, (fd) => {
    const at = now()
    const time = at.toISOString()
    const seed = idSeedTime(at.getTime(), opts.after, decodeTime)
    const seqs = new SequenceCounter(path, fd)
    const events = batch.map((e) => {
      const signer = e.signer ?? (typeof author === 'string' ? undefined : author)
      const event = {id: ulid(seed), time, actor: signer ? signer.actor : (author as string), type: e.type, data: validateData(e.type, e.data)} as IncidentEvent
      if (!signer) return event
      return signEvent(signer, {...event, seq: seqs.next(signer.key)}) as IncidentEvent
    })
    // The counters move first: a crash between the two leaves a gap (a false alarm verify explains), never a reused number.
    seqs.save()
    const start = fstatSync(fd).size
    writeEvents(fd, events)
    recordOwnLines(path, fd, start)
    return events
  })
}

/**
 * Our own lines just written (from `start`), checked as a read checks them, join the validation
 * record when it covered everything before them: the next command (the checklist after a tick)
 * then reads the whole log without loading the schemas. When others' lines came in between and no
 * read has validated them yet, the record is left as it is and the next read validates them all.
 */
function recordOwnLines(path: string, fd: number, start: number): void {
  // A speed-up only: the events are durable already, so nothing here may fail the append.
  try {
    const buf = readFrom(fd, start)
    let at = 0
    while (at < buf.length) {
      const end = buf.indexOf(0x0a, at)
      if (end < 0) break
      const text = buf.toString('utf8', at, end)
      const parsed = parseEvent(JSON.parse(text))
      if (!parsed.ok || JSON.stringify(parsed.event) !== text) break
      at = end + 1
    }
    if (at > 0) extendValidated(path, start, buf.subarray(0, at))
  } catch {
    // the next read validates these lines
  }
}

/**
 * Each signing key's running count of events in this incident, kept beside
 * the log (seq.json) and only changed under the log's lock. Missing (an old
 * incident, a copied folder): counted once from the log itself.
 */
class SequenceCounter {
  private file: string
  private counts: Record<string, number> | undefined
  private changed = false

  constructor(
    logFile: string,
    private fd: number,
  ) {
    this.file = join(dirname(logFile), SEQ_FILE)
  }

  next(key: string): number {
    this.counts ??= this.load()
    if (this.counts[key] === undefined) this.counts[key] = this.countInLog(key)
    this.changed = true
    return (this.counts[key] = this.counts[key]! + 1)
  }

  save(): void {
    if (!this.changed || !this.counts) return
    const tmp = `${this.file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(this.counts) + '\n', {mode: 0o600})
    renameSync(tmp, this.file)
  }

  private load(): Record<string, number> {
    try {
      const doc = JSON.parse(readFileSync(this.file, 'utf8')) as unknown
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) return Object.fromEntries(Object.entries(doc).filter(([, n]) => Number.isSafeInteger(n) && (n as number) >= 0)) as Record<string, number>
    } catch {
      // absent or damaged: recounted from the log
    }
    return {}
  }

  private countInLog(key: string): number {
    let max = 0
    for (const e of parseLines(readFrom(this.fd, 0), this.file, 0).events) if (e.key === key && e.seq !== undefined && e.seq > max) max = e.seq
    return max
  }
}

export const SEQ_FILE = 'seq.json'

export interface AppendOptions {
  /**
   * The newest event id the caller has seen (its fold). New ids sort after it
   * even when this machine's clock is behind the one that wrote it, so an
   * action is always ordered after what its actor saw (events from machines
   * with skewed clocks meet in one log through incident sync).
   */
  after?: string
}

/** The ULID time of new events: now, or just after `after` when that is later (a clock behind another machine's). */
function idSeedTime(nowMs: number, after: string | undefined, decodeTime: (id: string) => number): number {
  if (!after) return nowMs
  try {
    return Math.max(nowMs, decodeTime(after) + 1)
  } catch {
    return nowMs
  }
}

/** What a caller has already read of a log: the ids in it, up to `offset`. */
export interface KnownEvents {
  ids: Set<string>
  offset: number
}

/**
 * Appends events formed elsewhere (another responder's machine) as they are:
 * their own ids, times and actors. The fold orders events by id, so where they
 * land in the file does not matter. Under the lock, the log is read from
 * `known.offset` first, so an event another importer wrote meanwhile is not
 * written twice; `known` is updated to the end of the log. The caller has
 * validated `incoming` (parseEvent, signatures): this only de-duplicates.
 */
export async function importEvents(path: string, incoming: readonly IncidentEvent[], known: KnownEvents): Promise<AppendResult> {
  if (incoming.length === 0) return {events: [], warnings: []}
  return withLockedLog(path, (fd) => {
    const since = parseLines(readFrom(fd, known.offset), path, known.offset)
    for (const e of since.events) known.ids.add(e.id)
    const events: IncidentEvent[] = []
    for (const e of incoming) {
      if (known.ids.has(e.id)) continue
      known.ids.add(e.id)
      events.push(e)
    }
    const end = writeEvents(fd, events)
    known.offset = end
    return events
  })
}

/** Runs `write` with the log locked and opened for appending (a torn tail repaired first). */
async function withLockedLog(path: string, write: (fd: number) => IncidentEvent[]): Promise<AppendResult> {
  const warnings: string[] = []
  let release: (() => Promise<void>) | undefined
  const {lock} = loadWriting()
  try {
    release = await lock(path, LOCK_OPTIONS)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ELOCKED') throw dependencyError('log.locked', `${path} stayed locked by another leakctl process; try again`)
    throw error
  }
  try {
    const fd = openSync(path, 'a+', 0o600)
    try {
      const torn = repairTornTail(fd, path)
      if (torn) warnings.push(torn)
      return {events: write(fd), warnings}
    } finally {
      closeSync(fd)
    }
  } finally {
    await release()
  }
}

/** One write(2) loop and an fsync for the whole batch; returns the log's size after it. */
function writeEvents(fd: number, events: IncidentEvent[]): number {
  if (events.length) {
    const bytes = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8')
    let written = 0
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written)
    fsyncSync(fd)
  }
  return fstatSync(fd).size
}

function readFrom(fd: number, fromOffset: number): Buffer {
  const size = fstatSync(fd).size
  const length = Math.max(0, size - fromOffset)
  const buf = Buffer.allocUnsafe(length)
  let got = 0
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, fromOffset + got)
    if (n === 0) break
    got += n
  }
  return buf.subarray(0, got)
}

function repairTornTail(fd: number, path: string): string | undefined {
  const size = fstatSync(fd).size
  if (size === 0) return undefined
  const last = Buffer.alloc(1)
  readSync(fd, last, 0, 1, size - 1)
  if (last[0] === 0x0a) return undefined
  // Walk back to the last newline; the bytes after it never completed.
  const chunk = Buffer.alloc(64 * 1024)
  let pos = size
  let keep = 0
  while (pos > 0) {
    const len = Math.min(chunk.length, pos)
    pos -= len
    readSync(fd, chunk, 0, len, pos)
    const nl = chunk.subarray(0, len).lastIndexOf(0x0a)
    if (nl >= 0) {
      keep = pos + nl + 1
      break
    }
  }
  const tornLen = size - keep
  const torn = Buffer.alloc(tornLen)
  readSync(fd, torn, 0, tornLen, keep)
  const aside = `${path}.torn-${new Date().toISOString().replace(/[:.]/g, '')}`
  writeFileSync(aside, torn, {mode: 0o600, flag: 'wx'})
  ftruncateSync(fd, keep)
  fsyncSync(fd)
  return `recovered the event log: a torn last line (${tornLen} bytes from an interrupted write) was moved to ${basename(aside)}`
}

export function logSize(path: string): number {
  return statSync(path).size
}

export {createLog, LOG_FILE, logPath} from './log-file.js'
