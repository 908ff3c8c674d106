import {appendFileSync, chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {appendEvents, createLog, readLog} from '../src/incident/log.js'
import {VALIDATED_FILE} from '../src/incident/validated.js'
import {tempDir} from './helpers/cli.js'

let tmp: ReturnType<typeof tempDir>
let log: string
beforeEach(() => {
  tmp = tempDir()
  log = join(tmp.dir, 'events.jsonl')
  createLog(log)
})
afterEach(() => tmp.cleanup())

const note = (text: string) => ({type: 'incident.noted' as const, data: {text}})

describe('event log', () => {
  it('appends events with sortable unique ids, UTC times and the actor; files are 0600', async () => {
    const a = await appendEvents(log, 'ana', [note('one'), note('two')])
    const b = await appendEvents(log, 'bob', [note('three')])
    const {events, warnings} = readLog(log)
    expect(warnings).toEqual([])
    expect(events.map((e) => e.data)).toEqual([{text: 'one'}, {text: 'two'}, {text: 'three'}])
    expect(events.map((e) => e.actor)).toEqual(['ana', 'ana', 'bob'])
    const ids = [...a.events, ...b.events].map((e) => e.id)
    expect(new Set(ids).size).toBe(3)
    expect([...ids].sort()).toEqual(ids)
    expect(events[0]!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(statSync(log).mode & 0o777).toBe(0o600)
  })

  it('refuses to record an event whose data does not fit its type', async () => {
    await expect(appendEvents(log, 'ana', [{type: 'item.ticked', data: {nope: 1} as never}])).rejects.toThrow()
    expect(readFileSync(log, 'utf8')).toBe('')
  })

  it('a torn last line is a warning on read and costs only that line', async () => {
    await appendEvents(log, 'ana', [note('kept-1'), note('kept-2')])
    appendFileSync(log, '{"id":"01JTORN","time":"2026-11-22T1') // kill -9 mid-write
    const r = readLog(log)
    expect(r.events.map((e) => (e.data as {text: string}).text)).toEqual(['kept-1', 'kept-2'])
    expect(r.warnings.join()).toMatch(/torn last line/)
  })

  it('the next append moves the torn tail aside, and nothing recorded is lost', async () => {
    await appendEvents(log, 'ana', [note('kept-1')])
    appendFileSync(log, '{"id":"01JTORN","ti')
    const res = await appendEvents(log, 'bob', [note('after')])
    expect(res.warnings.join()).toMatch(/moved to events\.jsonl\.torn-/)
    const r = readLog(log)
    expect(r.warnings).toEqual([])
    expect(r.events.map((e) => (e.data as {text: string}).text)).toEqual(['kept-1', 'after'])
    const aside = readdirSync(tmp.dir).find((f) => f.startsWith('events.jsonl.torn-'))!
    expect(readFileSync(join(tmp.dir, aside), 'utf8')).toBe('{"id":"01JTORN","ti')
  })

  it('a corrupted line in the middle is an input error (exit 2) and changes nothing', async () => {
    await appendEvents(log, 'ana', [note('a'), note('b'), note('c')])
    const lines = readFileSync(log, 'utf8').split('\n')
    lines[1] = lines[1]!.slice(0, 30) // half a line, then the next one
    writeFileSync(log, lines.join('\n'))
    const before = readFileSync(log)
    let err: (Error & {exitCode?: number}) | undefined
    try {
      readLog(log)
    } catch (error) {
      err = error as Error
    }
    expect(err?.exitCode).toBe(2)
    expect(err?.message).toMatch(/line 2 is not (valid JSON|a valid event)/)
    expect(readFileSync(log).equals(before)).toBe(true)
  })

  it('skips events of unknown types with a warning (a newer leakctl wrote them)', async () => {
    await appendEvents(log, 'ana', [note('a')])
    appendFileSync(log, JSON.stringify({id: '01KZZZZZZZZZZZZZZZZZZZZZZZ', time: '2026-11-22T12:00:00.000Z', actor: 'x', type: 'future.thing', data: {}}) + '\n')
    const r = readLog(log)
    expect(r.events).toHaveLength(1)
    expect(r.warnings.join()).toMatch(/unknown type future\.thing/)
  })

  it("an event typed like one of Object's own properties is an unknown type, not a crash", async () => {
    await appendEvents(log, 'ana', [note('one')])
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      appendFileSync(log, JSON.stringify({id: '01KZZZZZZZZZZZZZZZZZZZZZZX', time: '2026-11-22T12:00:00.000Z', actor: 'x', type, data: {}}) + '\n')
    }
    const r = readLog(log)
    expect(r.events.map((e) => e.type)).toEqual(['incident.noted'])
    expect(r.warnings.join('\n')).toMatch(/unknown type constructor/)
    expect(r.warnings.join('\n')).toMatch(/unknown type toString/)
  })

  it('tails from an offset: only new events are read', async () => {
    await appendEvents(log, 'ana', [note('a')])
    const first = readLog(log)
    await appendEvents(log, 'ana', [note('b')])
    const next = readLog(log, first.offset)
    expect(next.events.map((e) => (e.data as {text: string}).text)).toEqual(['b'])
  })
})

// The validation record (src/incident/validated.ts): a read skips validating what an earlier read
// validated, and must return exactly what validating everything returns.
describe('the validation record', () => {
  const record = () => join(tmp.dir, VALIDATED_FILE)
  /** What a read returns with no record at all: every line validated. */
  const fresh = () => {
    const saved = existsSync(record()) ? readFileSync(record()) : undefined
    rmSync(record(), {force: true})
    const r = readLog(log)
    if (saved) writeFileSync(record(), saved)
    else rmSync(record(), {force: true})
    return r
  }

  it('covers the whole log after a read (0600), and a read through it returns what validation returns', async () => {
    await appendEvents(log, 'ana', [note('one'), note('two')])
    const first = readLog(log)
    const rec = JSON.parse(readFileSync(record(), 'utf8')) as {bytes: number; sha256: string; schema: string}
    expect(rec.bytes).toBe(statSync(log).size)
    expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(statSync(record()).mode & 0o777).toBe(0o600)
    expect(readLog(log)).toEqual(first)
    // New events: the record grows over them on the next read.
    await appendEvents(log, 'bob', [note('three')])
    const third = readLog(log)
    expect(third).toEqual(fresh())
    expect(third.events.map((e) => (e.data as {text: string}).text)).toEqual(['one', 'two', 'three'])
    expect((JSON.parse(readFileSync(record(), 'utf8')) as {bytes: number}).bytes).toBe(statSync(log).size)
  })

  it("an append extends the record over its own lines, so the next read validates nothing", async () => {
    await appendEvents(log, 'ana', [note('one'), note('two')])
    const size = () => statSync(log).size
    const bytes = () => (JSON.parse(readFileSync(record(), 'utf8')) as {bytes: number}).bytes
    // No read in between: the writer recorded what it wrote.
    expect(bytes()).toBe(size())
    await appendEvents(log, 'bob', [note('three')])
    expect(bytes()).toBe(size())
    expect(readLog(log)).toEqual(fresh())
    expect(readLog(log).events.map((e) => (e.data as {text: string}).text)).toEqual(['one', 'two', 'three'])
  })

  it('a record whose hash does not match what it claims to cover is not extended by an append', async () => {
    await appendEvents(log, 'ana', [note('one')])
    const rec = JSON.parse(readFileSync(record(), 'utf8')) as {bytes: number; sha256: string; schema: string}
    const forged = JSON.stringify({...rec, sha256: 'f'.repeat(64)})
    writeFileSync(record(), forged)
    await appendEvents(log, 'bob', [note('two')])
    expect(readFileSync(record(), 'utf8')).toBe(forged)
    expect(readLog(log)).toEqual(fresh())
  })

  it("another writer's lines that no read has validated stop the append from extending the record", async () => {
    await appendEvents(log, 'ana', [note('one')])
    const firstLine = statSync(log).size
    // A valid event and a broken one appended by something else (a copied log, an older leakctl).
    const [line] = readFileSync(log, 'utf8').split('\n')
    appendFileSync(log, JSON.stringify({...(JSON.parse(line!) as Record<string, unknown>), id: '01KZZZZZZZZZZZZZZZZZZZZZZX', data: {text: 'two'}}) + '\n')
    appendFileSync(log, JSON.stringify({id: '01KZZZZZZZZZZZZZZZZZZZZZZZ', time: '2026-11-22T12:00:00.000Z', actor: 'x', type: 'incident.noted', data: {text: 5}}) + '\n')
    await appendEvents(log, 'bob', [note('three')])
    expect((JSON.parse(readFileSync(record(), 'utf8')) as {bytes: number}).bytes).toBe(firstLine)
    const r = readLog(log)
    expect(r.events.map((e) => (e.data as {text: string}).text)).toEqual(['one', 'two', 'three'])
    expect(r.warnings.join()).toMatch(/line 3 skipped, not a valid event/)
    expect(r).toEqual(fresh())
  })

  it('an edited line under the record: the hash no longer matches, and the line is refused as without a record', async () => {
    await appendEvents(log, 'ana', [note('one'), note('two')])
    readLog(log)
    const lines = readFileSync(log, 'utf8').split('\n')
    // Still JSON, no longer an event: the actor is gone.
    const edited = JSON.parse(lines[0]!) as Record<string, unknown>
    delete edited.actor
    lines[0] = JSON.stringify(edited)
    writeFileSync(log, lines.join('\n'))
    const r = readLog(log)
    expect(r.events.map((e) => (e.data as {text: string}).text)).toEqual(['two'])
    expect(r.warnings.join()).toMatch(/line 1 skipped, not a valid event/)
    expect(r).toEqual(fresh())
  })

  it('a record from other schema code, or not a record at all, is ignored', async () => {
    await appendEvents(log, 'ana', [note('one')])
    appendFileSync(log, JSON.stringify({id: '01KZZZZZZZZZZZZZZZZZZZZZZZ', time: '2026-11-22T12:00:00.000Z', actor: 'x', type: 'incident.noted', data: {text: 5}}) + '\n')
    const size = statSync(log).size
    const {createHash} = await import('node:crypto')
    const sha256 = createHash('sha256').update(readFileSync(log)).digest('hex')
    for (const forged of [JSON.stringify({schema: 'f'.repeat(64), bytes: size, sha256}), '{"bytes": 1e400}', 'not json', JSON.stringify({bytes: size - 3, sha256})]) {
      writeFileSync(record(), forged)
      const r = readLog(log)
      expect(r.events).toHaveLength(1)
      expect(r.warnings.join()).toMatch(/line 2 skipped, not a valid event/)
    }
  })

  it('stops before a line that validation changes, so that line is validated on every read', async () => {
    await appendEvents(log, 'ana', [note('one')])
    const firstLine = statSync(log).size
    // A field no schema knows: validation drops it, so the line as written is not what a read returns.
    const [line] = readFileSync(log, 'utf8').split('\n')
    const extra = {...(JSON.parse(line!) as Record<string, unknown>), id: '01KZZZZZZZZZZZZZZZZZZZZZZY', data: {text: 'two', extra: true}}
    appendFileSync(log, JSON.stringify(extra) + '\n')
    await appendEvents(log, 'ana', [note('three')])
    const r = readLog(log)
    expect(r.events.map((e) => e.data)).toEqual([{text: 'one'}, {text: 'two'}, {text: 'three'}])
    expect((JSON.parse(readFileSync(record(), 'utf8')) as {bytes: number}).bytes).toBe(firstLine)
    expect(readLog(log)).toEqual(r)
  })

  it('an incident that cannot be written to is still read', async () => {
    await appendEvents(log, 'ana', [note('one')])
    chmodSync(tmp.dir, 0o500)
    try {
      const r = readLog(log)
      expect(r.events).toHaveLength(1)
      expect(r.warnings).toEqual([])
    } finally {
      chmodSync(tmp.dir, 0o700)
    }
    // As root the folder stays writable; either way nothing half-written is left.
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
