import {type FSWatcher, statSync, watch} from 'node:fs'

import type {IncidentEvent} from './events.js'
import {appendAs, type ItemAction, loadIncident, planItemActions, scrubAction} from './incident.js'
import {type NewEvent, readLog} from './log.js'
import {applyEvent, foldIncident, type IncidentState} from './state.js'
import type {IncidentRef} from './workspace.js'

// An incident kept up to date while it is shown: the log is read once, then
// tailed from the last offset (fs.watch, with a poll as a fallback for file
// systems that do not report changes). Only new events are folded in, so a
// keypress or another responder's tick costs the new bytes, not the log.

export interface CatchUp {
  /** Events read since the last catch-up (in file order). */
  events: IncidentEvent[]
  /** True when the state was rebuilt (events arrived out of id order, or the log was replaced). */
  refolded: boolean
}

export class LiveIncident {
  state: IncidentState
  /** Bumped whenever `state` changes; views memoise on it. */
  version = 0
  /** Bytes of the log read after the first load (what tailing costs; a keypress adds nothing). */
  bytesRead = 0
  private events: IncidentEvent[]
  private ids: Set<string>
  private offset: number
  private lastId: string
  private listeners = new Set<(c: CatchUp) => void>()
  private watcher: FSWatcher | undefined
  private timer: NodeJS.Timeout | undefined
  private pending: NodeJS.Timeout | undefined
  /** Ids of the events this process recorded (to tell others' changes apart). */
  private own = new Set<string>()

  constructor(
    readonly ref: IncidentRef,
    snapshot: {events: IncidentEvent[]; offset: number; state: IncidentState},
  ) {
    this.state = snapshot.state
    this.events = snapshot.events
    this.offset = snapshot.offset
    this.ids = new Set(snapshot.events.map((e) => e.id))
    this.lastId = maxId(snapshot.events)
  }

  static open(ref: IncidentRef): {live: LiveIncident; warnings: string[]} {
    const snap = loadIncident(ref)
    return {live: new LiveIncident(ref, snap), warnings: snap.warnings}
  }

  /** Bytes of the log folded so far. */
  get bytes(): number {
    return this.offset
  }

  /**
   * Reads what was appended since the last call and folds it in. Events newer
   * than everything seen (the usual case) are applied one by one; an older one
   * (imported by `incident sync` from another machine) rebuilds the state from
   * the events in memory, because the fold is in id order.
   */
  catchUp(): CatchUp {
    let size: number
    try {
      size = statSync(this.ref.logPath).size
    } catch {
      return {events: [], refolded: false}
    }
    if (size === this.offset) return {events: [], refolded: false}
    if (size < this.offset) return this.reload()
    const read = readLog(this.ref.logPath, this.offset)
    this.bytesRead += read.offset - this.offset
    this.offset = read.offset
    const fresh = read.events.filter((e) => !this.ids.has(e.id))
    if (fresh.length === 0) return {events: [], refolded: false}
    for (const e of fresh) {
      this.ids.add(e.id)
      this.events.push(e)
    }
    let refolded = false
    // An admission changes which earlier events count: fold again, as for an older event.
    if (fresh.some((e) => e.id < this.lastId || e.type === 'responder.admitted' || e.type === 'incident.opened')) {
      this.state = foldIncident(this.events)
      refolded = true
    } else {
      for (const e of [...fresh].sort((a, b) => (a.id < b.id ? -1 : 1))) applyEvent(this.state, e)
    }
    this.lastId = maxId(fresh, this.lastId)
    this.version++
    const c = {events: fresh, refolded}
    for (const l of this.listeners) l(c)
    return c
  }

  /** The log shrank or was replaced: start over. */
  private reload(): CatchUp {
    const snap = loadIncident(this.ref)
    this.state = snap.state
    this.events = snap.events
    this.offset = snap.offset
    this.bytesRead += snap.offset
    this.ids = new Set(snap.events.map((e) => e.id))
    this.lastId = maxId(snap.events)
    this.version++
    const c = {events: [], refolded: true}
    for (const l of this.listeners) l(c)
    return c
  }

  /**
   * Records an action as the plain commands do (same planning, same locked
   * append), then folds in whatever the log gained, others' events included.
   */
  async act(actor: string, ids: string[], action: ItemAction): Promise<{events: IncidentEvent[]; warnings: string[]}> {
    const clean = await scrubAction(action)
    return this.record(actor, planItemActions(this.state, ids, clean))
  }

  /** Records events as `actor` (a note, an update sent), then folds in what the log gained. */
  async record(actor: string, batch: NewEvent[]): Promise<{events: IncidentEvent[]; warnings: string[]}> {
    const res = await appendAs(this.ref, {...this.state, lastEventId: this.lastId}, actor, batch)
    for (const e of res.events) this.own.add(e.id)
    this.catchUp()
    return res
  }

  /** Whether this process recorded the event (through `act`). */
  isOwn(id: string): boolean {
    return this.own.has(id)
  }

  /** Calls `listener` after each change; starts watching on the first listener. */
  subscribe(listener: (c: CatchUp) => void, pollMs = 500): () => void {
    this.listeners.add(listener)
    if (this.listeners.size === 1) this.start(pollMs)
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0) this.stop()
    }
  }

  private start(pollMs: number): void {
    const check = () => {
      try {
        this.catchUp()
      } catch {
        // A half-written or damaged log is reported by the next full read; a live view keeps going.
      }
    }
    try {
      this.watcher = watch(this.ref.logPath, {persistent: false}, () => {
        // Coalesce the bursts of events one append produces.
        if (!this.pending) this.pending = setTimeout(() => ((this.pending = undefined), check()), 15)
      })
      this.watcher.on('error', () => this.watcher?.close())
    } catch {
      this.watcher = undefined
    }
    this.timer = setInterval(check, pollMs)
    this.timer.unref()
    check()
  }

  private stop(): void {
    this.watcher?.close()
    this.watcher = undefined
    if (this.timer) clearInterval(this.timer)
    if (this.pending) clearTimeout(this.pending)
    this.timer = this.pending = undefined
  }
}

function maxId(events: readonly IncidentEvent[], from = ''): string {
  let m = from
  for (const e of events) if (e.id > m) m = e.id
  return m
}
