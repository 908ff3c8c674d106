import {createHash} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import lockfile from 'proper-lockfile'

import {dependencyError, inputError} from '../errors.js'
import {type IncidentEvent, parseEvent} from '../incident/events.js'
import {agreeOnKey, type SharedFile} from '../fingerprint/share.js'
import {importEvents, readLog} from '../incident/log.js'
import {createIncidentDir, type IncidentRef, listIncidents, type Workspace} from '../incident/workspace.js'
import {safeUrl} from '../text/url.js'
import {gitMessage, runGit} from './git.js'
import {DEFAULT_BRANCH, type LastSync, readMarker, writeMarker} from './marker.js'

// Sharing an incident through a git remote the team already has. Each event
// is its own file, incidents/<id>/events/<event id>.json, on a branch of its
// own (leakctl/incidents): two responders never write the same path, so a
// push can only be refused because the branch moved, never conflict. Sync =
// fetch, import the events this machine lacks (by id, through the locked
// append, ids/times/actors kept), commit the ones the remote lacks on top of
// the remote's tip, push; refused -> fetch again and redo. The fold orders
// events by id, so the order they arrive in does not matter.

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/
const INCIDENT_ID = /^inc-\d{8}-\d{6}-[a-z0-9]{4}$/
const REMOTE_REF = 'refs/leakctl/remote'
const OUT_REF = 'refs/leakctl/out'
const MAX_ATTEMPTS = 8

export interface SyncOptions {
  ws: Workspace
  /** The local incident; null to join `incident` from the remote into this workspace. */
  ref: IncidentRef | null
  /** With ref null: the incident id on the remote (a unique prefix or suffix is enough). */
  incident?: string
  remote: string
  branch?: string
  actor: string
  now?: () => Date
  progress?: (text: string) => void
}

export interface SyncResult {
  incident: string
  /** The remote, credentials removed. */
  remote: string
  branch: string
  joined: boolean
  imported: number
  pushed: number
  localEvents: number
  remoteEvents: number
  /** Fetch-and-push rounds (more than 1: another responder pushed meanwhile). */
  attempts: number
  commit: string | null
  at: string
  warnings: string[]
}

export function eventPath(incident: string, id: string): string {
  return `incidents/${incident}/events/${id}.json`
}

/** A bare repository under the workspace (0700), one per remote: never the user's own repository. */
export async function cacheRepo(ws: Workspace, remote: string): Promise<string> {
  const dir = join(ws.dir, 'sync', `${createHash('sha256').update(remote).digest('hex').slice(0, 16)}.git`)
  if (!existsSync(join(dir, 'HEAD'))) {
    mkdirSync(join(ws.dir, 'sync'), {recursive: true, mode: 0o700})
    const r = await runGit(null, ['init', '--bare', '--quiet', dir], {timeoutMs: 30_000})
    if (r.code !== 0) throw dependencyError('sync.cache', `cannot create the sync cache ${dir}: ${gitMessage(r.stderr)}`)
    chmodSync(dir, 0o700)
    await runGit(dir, ['config', 'gc.auto', '0'])
  }
  return dir
}

/** Fetches the branch; null when the remote does not have it yet. */
async function fetchTip(cache: string, remote: string, branch: string): Promise<string | null> {
  const r = await runGit(cache, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', remote, `+refs/heads/${branch}:${REMOTE_REF}`])
  if (r.code !== 0) {
    if (/couldn't find remote ref/i.test(r.stderr)) {
      await runGit(cache, ['update-ref', '-d', REMOTE_REF])
      return null
    }
    throw dependencyError('sync.fetch', `cannot fetch ${safeUrl(remote)}: ${gitMessage(r.stderr)}`)
  }
  const head = await runGit(cache, ['rev-parse', '--verify', '--quiet', REMOTE_REF])
  return head.code === 0 ? head.stdout.toString('utf8').trim() : null
}

/** Event ids of one incident on the remote tip. */
async function remoteEventIds(cache: string, tip: string, incident: string): Promise<Set<string>> {
  const r = await runGit(cache, ['ls-tree', '-r', '--name-only', '-z', tip, '--', `incidents/${incident}/events/`], {timeoutMs: 60_000})
  if (r.code !== 0) throw dependencyError('sync.read', `cannot list the remote's events: ${gitMessage(r.stderr)}`)
  const ids = new Set<string>()
  for (const path of r.stdout.toString('utf8').split('\0')) {
    const m = /\/events\/([^/]+)\.json$/.exec(path)
    if (m && ULID.test(m[1]!)) ids.add(m[1]!)
  }
  return ids
}

/** Incident ids present on the remote tip. */
export async function remoteIncidents(cache: string, tip: string): Promise<string[]> {
  const r = await runGit(cache, ['ls-tree', '--name-only', '-z', tip, '--', 'incidents/'], {timeoutMs: 60_000})
  if (r.code !== 0) return []
  return r.stdout
    .toString('utf8')
    .split('\0')
    .map((p) => p.replace(/^incidents\//, ''))
    .filter((id) => INCIDENT_ID.test(id))
}

/** Reads and validates remote event files; a bad one is a warning, never imported. */
async function readRemoteEvents(cache: string, tip: string, incident: string, ids: string[], warnings: string[]): Promise<IncidentEvent[]> {
  if (ids.length === 0) return []
  const r = await runGit(cache, ['cat-file', '--batch'], {input: ids.map((id) => `${tip}:${eventPath(incident, id)}\n`).join(''), timeoutMs: 300_000})
  if (r.code !== 0) throw dependencyError('sync.read', `cannot read the remote's events: ${gitMessage(r.stderr)}`)
  const out = r.stdout
  const events: IncidentEvent[] = []
  let pos = 0
  for (const id of ids) {
    const nl = out.indexOf(0x0a, pos)
    if (nl < 0) break
    const header = out.toString('utf8', pos, nl)
    pos = nl + 1
    const m = /^[0-9a-f]+ blob (\d+)$/.exec(header)
    if (!m) {
      warnings.push(`remote event ${id}: not a readable file (${header.split(' ').at(-1)}); skipped`)
      continue
    }
    const size = Number(m[1])
    const text = out.toString('utf8', pos, pos + size)
    pos += size + 1
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch {
      warnings.push(`remote event ${id}: not valid JSON; skipped`)
      continue
    }
    const parsed = parseEvent(raw)
    if (!parsed.ok) {
      warnings.push(`remote event ${id}: ${'error' in parsed ? parsed.error : `unknown type ${parsed.unknownType} (written by a newer leakctl?)`}; skipped`)
      continue
    }
    if (parsed.event.id !== id) {
      warnings.push(`remote event ${id}: its file holds event ${parsed.event.id}; skipped`)
      continue
    }
    events.push(parsed.event)
  }
  return events
}

/** One commit on top of `tip` adding a file per event, written by git fast-import (one process for any number). */
async function commitEvents(cache: string, tip: string | null, incident: string, events: IncidentEvent[], actor: string, now: Date, files: SharedFile[] = []): Promise<string> {
  await runGit(cache, ['update-ref', '-d', OUT_REF])
  const who = actor.replace(/[<>\n\r]/g, '').trim() || 'leakctl'
  const message = `leakctl sync: ${incident}, ${events.length} event${events.length === 1 ? '' : 's'} from ${who}\n`
  const chunks: Buffer[] = []
  const push = (s: string | Buffer) => chunks.push(typeof s === 'string' ? Buffer.from(s, 'utf8') : s)
  push(`commit ${OUT_REF}\ncommitter ${who} <leakctl@localhost> ${Math.floor(now.getTime() / 1000)} +0000\n`)
  push(`data ${Buffer.byteLength(message)}\n${message}`)
  if (tip) push(`from ${tip}\n`)
  for (const e of events) {
    const body = Buffer.from(JSON.stringify(e) + '\n', 'utf8')
    push(`M 100644 inline ${eventPath(incident, e.id)}\ndata ${body.length}\n`)
    push(body)
    push('\n')
  }
  for (const f of files) {
    push(`M 100644 inline ${f.path}\ndata ${f.body.length}\n`)
    push(f.body)
    push('\n')
  }
  const r = await runGit(cache, ['fast-import', '--quiet', '--force', '--date-format=raw'], {input: Buffer.concat(chunks), timeoutMs: 300_000})
  if (r.code !== 0) throw dependencyError('sync.commit', `cannot write the sync commit: ${gitMessage(r.stderr)}`)
  const sha = await runGit(cache, ['rev-parse', '--verify', OUT_REF])
  return sha.stdout.toString('utf8').trim()
}

type PushOutcome = {ok: true} | {ok: false; retry: boolean; message: string}

async function pushCommit(cache: string, remote: string, branch: string, commit: string): Promise<PushOutcome> {
  const r = await runGit(cache, ['push', '--quiet', '--porcelain', '--', remote, `${commit}:refs/heads/${branch}`])
  if (r.code === 0) return {ok: true}
  const all = `${r.stdout.toString('utf8')}\n${r.stderr}`
  // The branch moved under us (another responder pushed first): fetch and redo.
  const retry = /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|stale info|incorrect old value|reference already exists|\[remote rejected\].*(lock|failed)/i.test(all)
  return {ok: false, retry, message: gitMessage(r.stderr || all)}
}

function resolveRemoteIncident(wanted: string, available: string[], remote: string): string {
  if (available.includes(wanted)) return wanted
  const matches = available.filter((id) => id.startsWith(wanted) || id.endsWith(wanted))
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) throw inputError('sync.ambiguous', `incident "${wanted}" matches ${matches.length} incidents on ${safeUrl(remote)}: ${matches.join(', ')}`)
  throw inputError(
    'sync.unknown-incident',
    `no incident "${wanted}" on ${safeUrl(remote)}${available.length ? ` (it has: ${available.slice(0, 10).join(', ')}${available.length > 10 ? ', …' : ''})` : ' (nothing was shared there yet)'}`,
  )
}

/**
 * Brings the local incident and the remote to the same set of events. With
 * `ref` null, joins the remote incident into the workspace (an empty one is fine).
 */
export async function syncIncident(o: SyncOptions): Promise<SyncResult> {
  const branch = o.branch ?? DEFAULT_BRANCH
  if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('..') || branch.startsWith('/') || branch.endsWith('/')) throw inputError('sync.branch', `not a usable branch name: ${branch}`)
  const now = o.now ?? (() => new Date())
  const say = o.progress ?? (() => {})
  const cache = await cacheRepo(o.ws, o.remote)
  let release: () => Promise<void>
  try {
    release = await lockfile.lock(cache, {realpath: false, stale: 120_000, update: 10_000, retries: {retries: 200, factor: 1.2, minTimeout: 20, maxTimeout: 1000}})
  } catch {
    throw dependencyError('sync.locked', `another leakctl sync of this workspace is running (${cache}); try again`)
  }
  const warnings: string[] = []
  let ref = o.ref
  let createdHere = false
  try {
    let imported = 0
    let attempts = 0
    for (;;) {
      attempts++
      say(`fetching ${safeUrl(o.remote)} ${branch}`)
      const tip = await fetchTip(cache, o.remote, branch)
      // The fingerprint key travels with the incident (src/fingerprint/share.ts): before any join, so joined findings match.
      const keyFile = await agreeOnKey({ws: o.ws, cache, tip, remote: safeUrl(o.remote)})
      if (!ref) {
        const available = tip ? await remoteIncidents(cache, tip) : []
        const id = resolveRemoteIncident(o.incident ?? '', available, o.remote)
        if (listIncidents(o.ws).some((r) => r.id === id)) throw inputError('sync.exists', `incident ${id} is already in ${o.ws.dir}; run leakctl incident sync --incident ${id}`)
        ref = createIncidentDir(o.ws, id)
        createdHere = true
      }
      const incident = ref.id
      const remoteIds = tip ? await remoteEventIds(cache, tip, incident) : new Set<string>()
      const local = readLog(ref.logPath)
      if (attempts === 1) warnings.push(...local.warnings)
      const known = {ids: new Set(local.events.map((e) => e.id)), offset: local.offset}
      const missing = [...remoteIds].filter((id) => !known.ids.has(id)).sort()
      if (missing.length) {
        say(`importing ${missing.length} event(s)`)
        const incoming = await readRemoteEvents(cache, tip!, incident, missing, warnings)
        const res = await importEvents(ref.logPath, incoming, known)
        imported += res.events.length
        warnings.push(...res.warnings)
      }
      // What the log holds now: what was read, plus what was imported or appended meanwhile.
      const everything = [...local.events, ...readLog(ref.logPath, local.offset).events]
      if (createdHere && !everything.some((e) => e.type === 'incident.opened')) {
        throw inputError('sync.incomplete', `the remote's copy of ${incident} has no incident.opened event; nothing was joined`)
      }
      // Everything local the remote lacks: our own new events and events imported earlier from elsewhere alike.
      const toPush = everything.filter((e) => !remoteIds.has(e.id))
      const finish = (commit: string | null, pushed: number): SyncResult => {
        const last: LastSync = {at: now().toISOString(), by: o.actor, imported, pushed, remoteEvents: remoteIds.size + pushed, commit}
        writeMarker(ref!, {remote: o.remote, branch, last})
        return {incident, remote: safeUrl(o.remote), branch, joined: createdHere, imported, pushed, localEvents: new Set(everything.map((e) => e.id)).size, remoteEvents: last.remoteEvents, attempts, commit, at: last.at, warnings}
      }
      if (toPush.length === 0 && !keyFile) return finish(tip, 0)
      say(`pushing ${toPush.length} event(s)`)
      const commit = await commitEvents(cache, tip, incident, toPush, o.actor, now(), keyFile ? [keyFile] : [])
      const pushed = await pushCommit(cache, o.remote, branch, commit)
      if (pushed.ok) return finish(commit, toPush.length)
      if (!pushed.retry) throw dependencyError('sync.push', `cannot push to ${safeUrl(o.remote)}: ${pushed.message}`)
      if (attempts >= MAX_ATTEMPTS) throw dependencyError('sync.busy', `the remote branch ${branch} kept moving (${attempts} attempts); run leakctl incident sync again`)
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 120 * attempts))
    }
  } catch (error) {
    // A join that failed leaves no half incident behind.
    if (createdHere && ref) rmSync(ref.dir, {recursive: true, force: true})
    throw error
  } finally {
    await release()
  }
}

/** Reads the incident's sync settings, or says how to share it. */
export function sharedRemote(ref: IncidentRef): {remote: string; branch: string} {
  const m = readMarker(ref)
  if (!m) throw inputError('sync.not-shared', `incident ${ref.id} is not shared; share it first: leakctl incident share --remote GIT_URL`)
  return {remote: m.remote, branch: m.branch}
}
