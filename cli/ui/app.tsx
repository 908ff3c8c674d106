import {Box, type Key, useApp, useInput, useStdout} from 'ink'
import React, {useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState} from 'react'

import {type ChecklistEntry, checklistView, itemSteps} from '../../src/incident/checklist.js'
import type {IncidentEvent} from '../../src/incident/events.js'
import type {ItemAction} from '../../src/incident/incident.js'
import type {CatchUp, LiveIncident} from '../../src/incident/live.js'
import {timeZero} from '../../src/incident/state.js'
import {AUDIENCES, type Audience, draftMessage, messageSent} from '../../src/report/message.js'
import type {SyncMarker} from '../../src/sync/marker.js'
import type {SyncResult} from '../../src/sync/sync.js'
import type {CopyOutcome} from './clipboard.js'
import {wrap} from './format.js'
import {Line, type Seg} from './line.js'
import {detailLines, type Filters, Header, HELP, ItemLine, PhaseLine, Rule, type SyncDisplay} from './parts.js'
import {buildRows, moveCursor, nearestItem, phaseOf, scrollWindow} from './rows.js'

// `leakctl checklist` on a terminal. It renders view models from src/ (the
// same checklistView as the plain listing) and records every change through
// the same incident operations as `leakctl checklist tick|note|assign`, so
// each keypress that changes something is an event with its actor and time.
// Another responder's change arrives through LiveIncident's tail of the log.

export interface ChecklistAppProps {
  live: LiveIncident
  actor: string
  /** Terminal size; defaults to the stdout's, then 80x24. */
  columns?: number
  rows?: number
  initialFilters?: Partial<Filters>
  now?: () => Date
  /** Where the incident is shared (null: not shared); read once a second. */
  syncStatus?: () => SyncMarker | null
  /** Runs `incident sync` (the s key, and every syncEveryMs). */
  sync?: () => Promise<SyncResult>
  syncEveryMs?: number
  /** Copies text to the clipboard (the c key; c on the drafted update, M). */
  copy?: (text: string) => CopyOutcome
  /** Lines copied without a confirmed clipboard (commands, a drafted update): the caller prints them on exit. */
  onUnconfirmedCopy?: (lines: string[]) => void
  /** Poll interval of the log tail (fs.watch reports sooner). */
  pollMs?: number
}

type Mode =
  | {kind: 'list'}
  | {kind: 'help'}
  | {kind: 'input'; purpose: 'note' | 'assign' | 'filter'; target: string | null; text: string}
  | {kind: 'confirm'; prompt: string; ids: string[]; action: ItemAction}
  | {kind: 'message'; audience: Audience}

interface Message {
  text: string
  tone: 'info' | 'ok' | 'error'
  at: number
}

const HEADER_LINES = 2
const FOOTER_LINES = 1
const DETAIL_LINES = 3
const MESSAGE_MS = 6000

export function ChecklistApp(props: ChecklistAppProps) {
  const {live, actor} = props
  const {exit} = useApp()
  const {stdout} = useStdout()
  const now = props.now ?? (() => new Date())
  const [size, setSize] = useState({columns: props.columns ?? stdout?.columns ?? 80, rows: props.rows ?? stdout?.rows ?? 24})
  const [version, setVersion] = useState(live.version)
  const [nowMs, setNowMs] = useState(() => now().getTime())
  const [filters, setFilters] = useState<Filters>({open: false, mine: false, text: '', ...props.initialFilters})
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set())
  const [mode, setMode] = useState<Mode>({kind: 'list'})
  const [detailOpen, setDetailOpen] = useState(false)
  const [message, setMessage] = useState<Message | null>(null)
  const [sync, setSync] = useState<SyncDisplay>(() => syncDisplay(props.syncStatus))
  // The cursor is an item id (it follows its item through updates), with the row index as a fallback.
  const cursorId = useRef<string | null>(null)
  const cursorHint = useRef(0)
  const [, redraw] = useReducer((n: number) => n + 1, 0)
  const keyQueue = useRef<[string, Key][]>([])
  const topRef = useRef(0)
  const syncing = useRef(false)

  const say = useCallback((text: string, tone: Message['tone'] = 'info') => setMessage({text, tone, at: Date.now()}), [])

  // Terminal resizes.
  useEffect(() => {
    if (props.columns !== undefined || !stdout) return
    const onResize = () => setSize({columns: stdout.columns ?? 80, rows: stdout.rows ?? 24})
    stdout.on('resize', onResize)
    return () => void stdout.off('resize', onResize)
  }, [stdout, props.columns])

  // Other responders: the log is tailed, new events folded in, the screen redrawn.
  useEffect(
    () =>
      live.subscribe((c: CatchUp) => {
        setVersion(live.version)
        const theirs = c.events.filter((e) => !live.isOwn(e.id) && !CUSTODY_BOOKKEEPING.has(e.type))
        if (theirs.length) say(describe(theirs), 'info')
      }, props.pollMs ?? 500),
    [live, props.pollMs, say],
  )

  // The clock: countdowns, "synced 2m ago", expiring messages.
  useEffect(() => {
    const t = setInterval(() => {
      setNowMs(now().getTime())
      if (props.syncStatus && !syncing.current) setSync((s) => (s.state === 'failed' ? s : syncDisplay(props.syncStatus)))
    }, 1000)
    return () => clearInterval(t)
  }, [props.syncStatus])

  const runSync = useCallback(async () => {
    if (!props.sync || syncing.current) return
    syncing.current = true
    setSync({state: 'running'})
    try {
      const r = await props.sync()
      say(`synced with ${r.remote}: ${r.imported} in, ${r.pushed} out`, 'ok')
      setSync(syncDisplay(props.syncStatus))
    } catch (error) {
      const text = (error as Error).message.split('\n')[0] ?? 'sync failed'
      say(`sync failed: ${text}`, 'error')
      setSync({state: 'failed', message: text})
    } finally {
      syncing.current = false
    }
  }, [props.sync, props.syncStatus, say])

  useEffect(() => {
    if (!props.sync || !props.syncEveryMs) return
    const t = setInterval(() => void runSync(), props.syncEveryMs)
    return () => clearInterval(t)
  }, [props.sync, props.syncEveryMs, runSync])

  // The view is recomputed when the incident, the filters or a deadline changes, not on every keypress.
  const [viewEpoch, setViewEpoch] = useState(() => now().getTime())
  const view = useMemo(
    () => checklistView(live.state, new Date(viewEpoch), {open: filters.open, owner: filters.mine ? actor : undefined, text: filters.text || undefined}),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [version, filters, viewEpoch, actor],
  )
  const nextDeadline = useMemo(() => nextDue(view.phases.flatMap((p) => p.items), viewEpoch), [view, viewEpoch])
  useEffect(() => {
    if (nextDeadline !== null && nowMs >= nextDeadline) setViewEpoch(nowMs)
  }, [nowMs, nextDeadline])

  const filtering = filters.open || filters.mine || filters.text !== ''
  const {rows, index} = useMemo(() => buildRows(view, expanded, filtering), [view, expanded, filtering])

  // The cursor follows its item (by id) through updates; when the item goes (ticked under "only open"), the row that took its place.
  const cursor = cursorId.current !== null && index.has(cursorId.current) ? index.get(cursorId.current)! : nearestItem(rows, cursorHint.current)
  cursorHint.current = Math.max(0, cursor)
  const selectedRow = cursor >= 0 ? rows[cursor] : undefined
  const selected = selectedRow?.kind === 'item' ? selectedRow : null
  if (selected) cursorId.current = selected.key

  const width = size.columns
  const height = Math.max(8, size.rows - 1) // one line short of the screen: ink redraws a full-height frame from scratch
  const detailHeight = detailOpen ? Math.max(DETAIL_LINES, Math.floor((height - HEADER_LINES - FOOTER_LINES) / 2)) : DETAIL_LINES
  const listHeight = Math.max(1, height - HEADER_LINES - 1 - detailHeight - FOOTER_LINES)
  const win = scrollWindow(rows, cursor, topRef.current, listHeight)
  topRef.current = win.top

  const select = (i: number) => {
    const r = rows[i]
    if (r && r.kind === 'item' && i !== cursor) {
      cursorId.current = r.key
      cursorHint.current = i
      redraw()
    }
  }

  const act = async (ids: string[], action: ItemAction, done: string) => {
    try {
      const res = await live.act(actor, ids, action)
      say(`${done} (${res.events.length} event${res.events.length === 1 ? '' : 's'} as ${actor})`, 'ok')
    } catch (error) {
      say(`not recorded: ${(error as Error).message.split('\n')[0]}`, 'error')
    }
  }

  const toggle = (e: ChecklistEntry) => {
    const item = live.state.items.get(e.id)
    if (!item) return
    if (item.children.length === 0) {
      void act([e.id], {type: e.status === 'done' ? 'untick' : 'tick'}, `${e.status === 'done' ? 'reopened' : 'ticked'} ${e.id}`)
      return
    }
    const reopen = e.status === 'done'
    const n = item.children.filter((c) => live.state.items.get(c)?.done === reopen).length
    if (n === 0) return
    setMode({kind: 'confirm', prompt: `${reopen ? 'Reopen all' : 'Tick the'} ${n} ${reopen ? '' : 'open '}member${n === 1 ? '' : 's'} of ${e.id}? y/N`, ids: [e.id], action: {type: reopen ? 'untick' : 'tick'}})
  }

  /** Copies lines: `what` names them in the confirmation (`short` where it is long); without a confirmed clipboard they are printed on exit too. */
  const copyLines = (lines: string[], what: string, short = what) => {
    if (!props.copy) {
      props.onUnconfirmedCopy?.(lines)
      return say(`${what} will be printed when you quit`)
    }
    const outcome = props.copy(lines.join('\n') + '\n')
    if (outcome.via === 'tool') say(`copied ${what} (${outcome.tool})`, 'ok')
    else {
      props.onUnconfirmedCopy?.(lines)
      say(`sent ${short} to the terminal clipboard (OSC 52); printed on exit too`, 'ok')
    }
  }

  const copySelected = (e: ChecklistEntry) => {
    const item = live.state.items.get(e.id)
    const commands = [...e.commands, ...(item ? itemSteps(live.state, item).flatMap((s) => s.commands) : [])]
    if (commands.length === 0) return say(`${e.id} has no commands to copy`)
    copyLines(commands, `${commands.length} command(s) of ${e.id}`, `${commands.length} command(s)`)
  }

  /** The update drafted from the incident's facts as they are now (src/report/message.ts, as `incident message`). */
  const draft = (audience: Audience) => draftMessage(live.state, audience, new Date(nowMs))

  const markSent = async (audience: Audience) => {
    try {
      const res = await live.record(actor, [messageSent(audience, draft(audience))])
      say(`recorded on the timeline: update sent to ${audience} (${res.events.length} event${res.events.length === 1 ? '' : 's'} as ${actor})`, 'ok')
    } catch (error) {
      say(`not recorded: ${(error as Error).message.split('\n')[0]}`, 'error')
    }
  }

  const handleKey = (input: string, key: Key): void => {
    if (key.ctrl && input === 'c') return exit()
    if (mode.kind === 'help') return setMode({kind: 'list'})
    if (mode.kind === 'message') {
      const {audience} = mode
      if (key.tab) return setMode({kind: 'message', audience: AUDIENCES[(AUDIENCES.indexOf(audience) + 1) % AUDIENCES.length]!})
      const picked = ['1', '2', '3'].indexOf(input)
      if (picked >= 0) return setMode({kind: 'message', audience: AUDIENCES[picked]!})
      if (input === 'c') return copyLines(draft(audience).split('\n'), `the update for ${audience}`)
      if (input === 'S') {
        setMode({kind: 'list'})
        return void markSent(audience)
      }
      if (key.escape || input === 'q' || input === 'M') return setMode({kind: 'list'})
      return
    }
    if (mode.kind === 'confirm') {
      setMode({kind: 'list'})
      if (input === 'y' || input === 'Y') void act(mode.ids, mode.action, `${mode.action.type === 'tick' ? 'ticked' : 'reopened'} the members of ${mode.ids[0]}`)
      else say('nothing changed')
      return
    }
    if (mode.kind === 'input') {
      if (key.escape) {
        if (mode.purpose === 'filter') setFilters((f) => ({...f, text: ''}))
        return setMode({kind: 'list'})
      }
      if (key.return) {
        setMode({kind: 'list'})
        const text = mode.text.trim()
        if (mode.purpose === 'note' && mode.target) {
          if (text) void act([mode.target], {type: 'note', text}, `noted on ${mode.target}`)
          else say('empty note: nothing recorded')
        } else if (mode.purpose === 'assign' && mode.target) {
          const owner = text || actor
          void act([mode.target], {type: 'assign', owner}, `assigned ${mode.target} to ${owner}`)
        }
        return
      }
      let text = mode.text
      if (key.backspace || key.delete) text = [...text].slice(0, -1).join('')
      else if (!key.ctrl && !key.meta && input) text += input.replace(/[\u0000-\u001f\u007f]/g, '')
      else return
      setMode({...mode, text})
      if (mode.purpose === 'filter') setFilters((f) => ({...f, text}))
      return
    }
    // List mode.
    const page = Math.max(1, listHeight - 2)
        if (key.downArrow || input === 'j') return select(moveCursor(rows, cursor, 1))
    if (key.upArrow || input === 'k') return select(moveCursor(rows, cursor, -1))
    if (key.pageDown || (key.ctrl && input === 'd')) return select(moveCursor(rows, cursor, page))
    if (key.pageUp || (key.ctrl && input === 'u')) return select(moveCursor(rows, cursor, -page))
    if (key.home || input === 'g') return select(nearestItem(rows, 0))
    if (key.end || input === 'G') return select(lastItem(rows))
    if (input === 'q') return exit()
    if (input === '?') return setMode({kind: 'help'})
    if (input === 'M') return setMode({kind: 'message', audience: 'stakeholders'})
    if (input === 'o') return setFilters((f) => ({...f, open: !f.open}))
    if (input === 'm') return setFilters((f) => ({...f, mine: !f.mine}))
    if (input === '/') return setMode({kind: 'input', purpose: 'filter', target: null, text: filters.text})
    if (input === 's') {
      if (!props.sync) return say('not shared: leakctl incident share --remote GIT_URL')
      return void runSync()
    }
    if (key.escape) {
      if (detailOpen) return setDetailOpen(false)
      if (filtering) return setFilters({open: false, mine: false, text: ''})
      return
    }
    if (!selected) return
    const e = selected.entry
    if (input === ' ') return toggle(e)
    if (key.return) {
      if (e.members.length) {
        const next = new Set(expanded)
        if (next.has(e.id)) next.delete(e.id)
        else next.add(e.id)
        return setExpanded(next)
      }
      return setDetailOpen((d) => !d)
    }
    if (input === 'n') return setMode({kind: 'input', purpose: 'note', target: e.id, text: ''})
    if (input === 'a') return setMode({kind: 'input', purpose: 'assign', target: e.id, text: ''})
    if (input === 'c') return copySelected(e)
  }

  // Keys typed faster than a frame (or pasted) arrive as one string. They are
  // handled one at a time, each against the screen the previous one left: the
  // next key waits for the commit (a layout effect), then for a timer.
  const nextKey = () => {
    const k = keyQueue.current.shift()
    if (!k) return
    if (mode.kind === 'input' && k[0].length === 1 && isPlain(k[1])) {
      // Typing into a prompt: take the whole run of text at once.
      let text = k[0]
      while (keyQueue.current.length && keyQueue.current[0]![0].length === 1 && isPlain(keyQueue.current[0]![1])) text += keyQueue.current.shift()![0]
      handleKey(text, k[1])
    } else handleKey(k[0], k[1])
    if (keyQueue.current.length) redraw() // a commit even when the key changed nothing
  }
  // ink re-subscribes a changed input handler in an effect, which may run after
  // the next key: the handler it holds is stable and calls this render's one.
  const latestNextKey = useRef(nextKey)
  latestNextKey.current = nextKey
  const keyTimer = useRef(false)
  const onInput = useCallback((input: string, key: Key) => {
    const idle = keyQueue.current.length === 0 && !keyTimer.current
    keyQueue.current.push(...splitKeys(input, key))
    if (idle) latestNextKey.current()
  }, [])
  useInput(onInput)
  useLayoutEffect(() => {
    if (keyQueue.current.length === 0 || keyTimer.current) return
    keyTimer.current = true
    setTimeout(() => {
      keyTimer.current = false
      latestNextKey.current()
    }, 0)
  })

  const nowIso = new Date(nowMs).toISOString()
  const lines: React.ReactNode[] = []
  if (mode.kind === 'help') {
    lines.push(<Line key="h" width={width} left={[{text: 'Keys', bold: true}]} right={[{text: 'any key closes this', dim: true}]} />)
    for (const [k, what] of HELP) lines.push(<Line key={k} width={width} left={[{text: `  ${k.padEnd(10)}`, color: 'cyan'}, {text: what}]} />)
    lines.push(<Line key="h2" width={width} left={[{text: `Every change is an event in the incident log, recorded as ${actor}.`, dim: true}]} />)
  } else if (mode.kind === 'message') {
    const tabs: Seg[] = AUDIENCES.map((a, i): Seg => (a === mode.audience ? {text: ` [${i + 1} ${a}]`, bold: true, color: 'cyan'} : {text: `  ${i + 1} ${a} `, dim: true}))
    lines.push(<Line key="mh" width={width} left={[{text: 'Update', bold: true}, ...tabs]} right={[{text: 'from the incident’s facts, now', dim: true}]} />)
    wrap(draft(mode.audience), width - 2).forEach((l, i) => lines.push(<Line key={`m${i}`} width={width} left={[{text: `  ${l}`}]} />))
  } else if (rows.length === 0) {
    lines.push(<Line key="empty" width={width} left={[{text: filtering ? '  No items match the filters (esc clears them).' : '  The checklist is empty.', dim: true}]} />)
  } else {
    for (let i = 0; i < listHeight; i++) {
      const at = win.top + i
      if (i === 0 && win.sticky) {
        const phase = view.phases.find((p) => p.id === phaseOf(rows[at]!))
        if (phase) lines.push(<PhaseLine key="sticky" phase={phase} width={width} nowMs={nowMs} nowIso={nowIso} sticky />)
        continue
      }
      const r = rows[at]
      if (!r) break
      if (r.kind === 'phase') lines.push(<PhaseLine key={r.key} phase={r.phase} width={width} nowMs={nowMs} nowIso={nowIso} sticky={false} />)
      else lines.push(<ItemLine key={r.key} row={r} width={width} selected={at === cursor} expanded={expanded.has(r.key)} nowIso={nowIso} />)
    }
  }
  while (lines.length < listHeight) lines.push(<Line key={`pad${lines.length}`} width={width} left={[]} />)
  lines.length = Math.min(lines.length, listHeight)

  const item = selected ? live.state.items.get(selected.entry.id) : undefined
  const steps = detailOpen && item ? itemSteps(live.state, item) : []
  const detail = detailLines(selected?.entry ?? null, steps, detailHeight, nowMs, nowIso, detailOpen)
  while (detail.length < detailHeight) detail.push([])
  const position = cursor >= 0 ? `${countItemsUpTo(rows, cursor)}/${countItems(rows)}` : ''

  return (
    <Box flexDirection="column" width={width}>
      <Header view={view} width={width} nowMs={nowMs} filters={filters} sync={sync} zero={timeZero(live.state)} />
      {lines}
      <Rule width={width} label={position} />
      {detail.map((segs, i) => (
        <Line key={`d${i}`} width={width} left={segs} />
      ))}
      <Footer mode={mode} message={message} width={width} actor={actor} nowMs={Date.now()} />
    </Box>
  )
}

function Footer({mode, message, width, actor, nowMs}: {mode: Mode; message: Message | null; width: number; actor: string; nowMs: number}) {
  if (mode.kind === 'input') {
    const label = mode.purpose === 'note' ? `note on ${mode.target}: ` : mode.purpose === 'assign' ? `assign ${mode.target} to (enter: ${actor}): ` : 'filter: '
    return <Line width={width} left={[{text: label, color: 'cyan', bold: true}, {text: mode.text}, {text: '█'}]} right={[{text: mode.purpose === 'filter' ? 'enter keeps · esc clears' : 'enter saves · esc cancels', dim: true}]} />
  }
  if (mode.kind === 'confirm') return <Line width={width} left={[{text: mode.prompt, color: 'yellow', bold: true}]} />
  if (mode.kind === 'message' && !(message && nowMs - message.at < MESSAGE_MS)) {
    return <Line width={width} left={[{text: 'tab/1-3 audience · c copy · S mark it sent (timeline) · esc close', dim: true}]} />
  }
  if (message && nowMs - message.at < MESSAGE_MS) {
    const seg: Seg = {text: message.text, color: message.tone === 'error' ? 'red' : message.tone === 'ok' ? 'green' : 'cyan', bold: message.tone === 'error'}
    return <Line width={width} left={[seg]} right={[{text: '? help', dim: true}]} />
  }
  return <Line width={width} left={[{text: 'space tick · enter expand · n note · a assign · / filter · o open · m mine · c copy · M update · s sync · q quit', dim: true}]} right={[{text: '? help', dim: true}]} />
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
}

const isPlain = (k: Key) => !Object.entries(k).some(([name, on]) => on === true && name !== 'shift')

/** One key per character of a multi-character input (enter and backspace included). */
export function splitKeys(input: string, key: Key): [string, Key][] {
  if (input.length <= 1 || input.startsWith('\x1b') || !isPlain(key)) return [[input, key]]
  return [...input].map((c): [string, Key] =>
    c === '\r' || c === '\n' ? ['', {...NO_KEY, return: true}] : c === '\x7f' || c === '\b' ? ['', {...NO_KEY, backspace: true}] : c === '\t' ? ['', {...NO_KEY, tab: true}] : [c, {...NO_KEY, shift: c !== c.toLowerCase()}],
  )
}

function syncDisplay(status: (() => SyncMarker | null) | undefined): SyncDisplay {
  if (!status) return {state: 'off'}
  try {
    const m = status()
    return m ? {state: 'idle', marker: m} : {state: 'off'}
  } catch (error) {
    return {state: 'failed', message: (error as Error).message}
  }
}

/** The earliest deadline after `fromMs` among items not done: when the view must be recomputed. */
function nextDue(entries: ChecklistEntry[], fromMs: number): number | null {
  let next: number | null = null
  const visit = (e: ChecklistEntry) => {
    if (e.status === 'open' && e.due) {
      const t = Date.parse(e.due)
      if (t > fromMs && (next === null || t < next)) next = t
    }
  }
  for (const e of entries) {
    visit(e)
    for (const m of e.members) visit(m)
  }
  return next
}

function lastItem(rows: ReturnType<typeof buildRows>['rows']): number {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i]!.kind === 'item') return i
  return -1
}

function countItems(rows: ReturnType<typeof buildRows>['rows']): number {
  let n = 0
  for (const r of rows) if (r.kind === 'item') n++
  return n
}

function countItemsUpTo(rows: ReturnType<typeof buildRows>['rows'], at: number): number {
  let n = 0
  for (let i = 0; i <= at; i++) if (rows[i]!.kind === 'item') n++
  return n
}

/**
 * Events the chain of custody records on its own (a second actor's first
 * event brings an automatic admission): the activity line tells what a
 * person did, so these are left out of it.
 */
const CUSTODY_BOOKKEEPING: ReadonlySet<string> = new Set(['responder.joined', 'responder.admitted'])

/** "bob ticked read-snapshot", or a count when several changes arrive at once. */
export function describe(events: IncidentEvent[]): string {
  if (events.length === 1) {
    const e = events[0]!
    switch (e.type) {
      case 'item.ticked':
        return `${e.actor} ticked ${e.data.item}`
      case 'item.unticked':
        return `${e.actor} reopened ${e.data.item}`
      case 'item.noted':
        return `${e.actor} noted on ${e.data.item}`
      case 'item.assigned':
        return `${e.actor} assigned ${e.data.item} to ${e.data.owner}`
      default:
        return `${e.actor}: ${e.type}`
    }
  }
  const actors = [...new Set(events.map((e) => e.actor))]
  return `${events.length} changes from ${actors.slice(0, 3).join(', ')}${actors.length > 3 ? '…' : ''}`
}
