import {createHash} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {dependencyError, inputError} from '../errors.js'
import {agreeOnKey, type SharedFile} from '../fingerprint/share.js'
import type {IncidentEvent} from '../incident/events.js'
import {appendEvents, importEvents, readLog} from '../incident/log.js'
import {type Quarantined, recordQuarantine} from '../incident/quarantine.js'
import {loadSigner} from '../incident/signing.js'
import {foldIncident} from '../incident/state.js'
import {createIncidentDir, type IncidentRef, listIncidents, type Workspace, workspaceOf} from '../incident/workspace.js'
import {safeLine} from '../text/terminal.js'
import {safeUrl} from '../text/url.js'
import {loadVendored} from '../vendored.js'
import {gitMessage, runGit} from './git.js'
import {admitRemoteEvent, MAX_EVENT_BYTES} from './import.js'
import {DEFAULT_BRANCH, type LastSync, readMarker, withoutCredentials, writeMarker} from './marker.js'

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
  /** Joining: the commander's signing key, as the commander gave it (picks the opening when the remote holds several). */
  commanderKey?: string
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
  /** Remote event files refused (invalid, oversized, forged signature, a second opening). */
  quarantined: Quarantined[]
  /** Joining a signed incident: the key this responder asked to be admitted with. */
  joinRequest: {name: string; key: string} | null
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

/** An event file of the remote tip: its blob and size, known before anything is read. */
interface RemoteEventFile {
  id: string
  path: string
  blob: string
  size: number
}

/**
 * The incident's files on the remote tip, from the tree alone (ls-tree -l:
 * blob and size, nothing read). Event files are returned by id; any other
 * file under incidents/<id>/ lands in `others`, left to whoever owns it.
 */
async function remoteTree(cache: string, tip: string, incident: string): Promise<{events: Map<string, RemoteEventFile>; others: string[]}> {
  const r = await runGit(cache, ['ls-tree', '-r', '-l', '-z', tip, '--', `incidents/${incident}/`], {timeoutMs: 60_000})
  if (r.code !== 0) throw dependencyError('sync.read', `cannot list the remote's events: ${gitMessage(r.stderr)}`)
  const events = new Map<string, RemoteEventFile>()
  const others: string[] = []
  for (const entry of r.stdout.toString('utf8').split('\0')) {
    const m = /^\d+ (\w+) ([0-9a-f]+) +(\d+|-)\t(.+)$/s.exec(entry)
    if (!m) continue
    const [, type, blob, size, path] = m as unknown as [string, string, string, string, string]
    const ev = /^incidents\/[^/]+\/events\/([^/]+)\.json$/.exec(path)
    if (type === 'blob' && ev && ULID.test(ev[1]!)) events.set(ev[1]!, {id: ev[1]!, path, blob, size: Number(size)})
    else others.push(path)
  }
  return {events, others}
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

/** Reads at most this much of the remote per git call: memory stays flat whatever the remote holds. */
const READ_CHUNK_BYTES = 64 * 1024 * 1024

/**
 * Reads and checks remote event files (admitRemoteEvent). Files over
 * MAX_EVENT_BYTES are refused from their size in the tree, never read; the
 * rest are read in chunks of bounded size. What fails is returned as
 * quarantined, with the commit author who added it.
 */
async function readRemoteEvents(cache: string, tip: string, incident: string, files: RemoteEventFile[]): Promise<{events: IncidentEvent[]; quarantined: Quarantined[]; redacted: {id: string; actor: string}[]}> {
  const events: IncidentEvent[] = []
  const failed: {file: RemoteEventFile; reason: string; actor?: string}[] = []
  const redacted: {id: string; actor: string}[] = []
  const readable: RemoteEventFile[] = []
  for (const f of files) {
    if (f.size > MAX_EVENT_BYTES) failed.push({file: f, reason: `${(f.size / 1048576).toFixed(0)} MB, over the ${MAX_EVENT_BYTES / 1048576} MB an event may take (not read)`})
    else readable.push(f)
  }
  const nowMs = Date.now()
  for (let i = 0; i < readable.length; ) {
    const chunk: RemoteEventFile[] = []
    let bytes = 0
    while (i < readable.length && (chunk.length === 0 || bytes + readable[i]!.size <= READ_CHUNK_BYTES)) {
      bytes += readable[i]!.size
      chunk.push(readable[i++]!)
    }
    const r = await runGit(cache, ['cat-file', '--batch'], {input: chunk.map((f) => `${f.blob}\n`).join(''), timeoutMs: 300_000})
    if (r.code !== 0) throw dependencyError('sync.read', `cannot read the remote's events: ${gitMessage(r.stderr)}`)
    const out = r.stdout
    let pos = 0
    for (const f of chunk) {
      const nl = out.indexOf(0x0a, pos)
      if (nl < 0) break
      const header = out.toString('utf8', pos, nl)
      pos = nl + 1
      const m = /^[0-9a-f]+ blob (\d+)$/.exec(header)
      if (!m) {
        failed.push({file: f, reason: 'not a readable file'})
        continue
      }
      const size = Number(m[1])
      const text = out.toString('utf8', pos, pos + size)
      pos += size + 1
      const admitted = admitRemoteEvent(text, f.id, incident, nowMs)
      if (!admitted.ok) {
        failed.push({file: f, reason: admitted.reason, actor: admitted.actor})
        continue
      }
      if (admitted.redacted) redacted.push({id: f.id, actor: admitted.event.actor})
      events.push(admitted.event)
    }
  }
  const quarantined: Quarantined[] = []
  for (const [n, x] of failed.entries()) {
    // Who pushed it (git's record), beside whom it claims; looked up for the first few only.
    const pusher = n < 20 ? await addedBy(cache, tip, x.file.path) : 'not looked up'
    const author = x.actor !== undefined ? `${pusher}; it claims ${JSON.stringify(x.actor.slice(0, 80))}` : pusher
    quarantined.push({id: x.file.id, file: x.file.path, author, reason: x.reason})
  }
  return {events, quarantined, redacted}
}

/** The author of the commit that added `path` on the branch. */
async function addedBy(cache: string, tip: string, path: string): Promise<string> {
  const r = await runGit(cache, ['log', '-1', '--diff-filter=A', '--format=%an <%ae>', tip, '--', path], {timeoutMs: 60_000})
  const who = r.code === 0 ? r.stdout.toString('utf8').trim() : ''
  return who ? `pushed by ${who}` : 'pusher unknown'
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
 * `ref` null, joins the remote incident into the workspace (an empty one is
 * fine) and records the joiner's signing key as a join request.
 */
export async function syncIncident(o: SyncOptions): Promise<SyncResult> {
  const branch = o.branch ?? DEFAULT_BRANCH
  if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('..') || branch.startsWith('/') || branch.endsWith('/')) throw inputError('sync.branch', `not a usable branch name: ${branch}`)
  const now = o.now ?? (() => new Date())
  const say = o.progress ?? (() => {})
  const shown = safeUrl(o.remote)
  const cache = await cacheRepo(o.ws, withoutCredentials(o.remote))
  let release: () => Promise<void>
  try {
    release = await loadVendored<typeof import('#proper-lockfile')>('#proper-lockfile', 'proper-lockfile').lock(cache, {realpath: false, stale: 120_000, update: 10_000, retries: {retries: 200, factor: 1.2, minTimeout: 20, maxTimeout: 1000}})
  } catch {
    throw dependencyError('sync.locked', `another leakctl sync of this workspace is running (${cache}); try again`)
  }
  const warnings: string[] = []
  const quarantined: Quarantined[] = []
  let ref = o.ref
  let createdHere = false
  let joinRequest: {name: string; key: string} | null = null
  try {
    let imported = 0
    let attempts = 0
    for (;;) {
      attempts++
      say(`fetching ${shown} ${branch}`)
      const tip = await fetchTip(cache, o.remote, branch)
      // The fingerprint key travels with the incident (src/fingerprint/share.ts): before any join, so joined findings match.
      const keyFile = await agreeOnKey({ws: o.ws, cache, tip, remote: shown})
      if (!ref) {
        const available = tip ? await remoteIncidents(cache, tip) : []
        const id = resolveRemoteIncident(o.incident ?? '', available, o.remote)
        if (listIncidents(o.ws).some((r) => r.id === id)) throw inputError('sync.exists', `incident ${id} is already in ${o.ws.dir}; run leakctl incident sync --incident ${id}`)
        ref = createIncidentDir(o.ws, id)
        createdHere = true
      }
      const incident = ref.id
      // Files of the incident that are not events (tree.others) are not imported here.
      const tree = tip ? await remoteTree(cache, tip, incident) : {events: new Map<string, RemoteEventFile>(), others: []}
      const remoteIds = new Set(tree.events.keys())
      const local = readLog(ref.logPath)
      if (attempts === 1) warnings.push(...local.warnings)
      const known = {ids: new Set(local.events.map((e) => e.id)), offset: local.offset}
      const missing = [...tree.events.values()].filter((f) => !known.ids.has(f.id)).sort((a, b) => (a.id < b.id ? -1 : 1))
      if (missing.length) {
        say(`importing ${missing.length} event(s)`)
        const read = await readRemoteEvents(cache, tip!, incident, missing)
        const incoming = oneOpening(incident, read.events, local.events, o.commanderKey, read.quarantined, o.remote)
        for (const q of read.quarantined) if (!quarantined.some((x) => x.id === q.id)) quarantined.push(q)
        for (const r of read.redacted) warnings.push(`remote event ${r.id} by ${safeLine(r.actor)}: a credential in its text was redacted on import; kept, unverified`)
        const res = await importEvents(ref.logPath, incoming, known)
        imported += res.events.length
        warnings.push(...res.warnings)
      }
      let everything = [...local.events, ...readLog(ref.logPath, local.offset).events]
      if (createdHere && !everything.some((e) => e.type === 'incident.opened')) {
        throw inputError('sync.incomplete', `the remote's copy of ${incident} has no valid incident.opened event; nothing was joined`)
      }
      if (createdHere && !joinRequest) joinRequest = await askToJoin(ref, o.actor, everything)
      if (joinRequest) everything = [...local.events, ...readLog(ref.logPath, local.offset).events]
      // Everything local the remote lacks: our own new events and events imported earlier from elsewhere alike.
      const toPush = everything.filter((e) => !remoteIds.has(e.id))
      const finish = (commit: string | null, pushed: number): SyncResult => {
        const at = now().toISOString()
        recordQuarantine(ref!, quarantined, at)
        const last: LastSync = {at, by: o.actor, imported, pushed, remoteEvents: remoteIds.size + pushed, commit}
        // The remote as git needs it again, without a token: git's credential helpers keep those.
        writeMarker(ref!, {remote: withoutCredentials(o.remote), branch, last})
        for (const q of quarantined) warnings.push(`remote event ${q.id} quarantined (${q.file}, ${safeLine(q.author)}): ${safeLine(q.reason)}`)
        return {incident, remote: shown, branch, joined: createdHere, imported, pushed, localEvents: new Set(everything.map((e) => e.id)).size, remoteEvents: last.remoteEvents, attempts, commit, at, quarantined, joinRequest, warnings}
      }
      if (toPush.length === 0 && !keyFile) return finish(tip, 0)
      say(`pushing ${toPush.length} event(s)`)
      const commit = await commitEvents(cache, tip, incident, toPush, o.actor, now(), keyFile ? [keyFile] : [])
      const pushed = await pushCommit(cache, o.remote, branch, commit)
      if (pushed.ok) return finish(commit, toPush.length)
      if (!pushed.retry) throw dependencyError('sync.push', `cannot push to ${shown}: ${pushed.message}`)
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

/**
 * An incident has exactly one opening. Joining, it is the remote's only one,
 * or the one signed by the commander key the joiner was given; any other
 * opening (a forged copy with a lower id, say) is quarantined, never imported.
 * The opening is imported first: the fold takes the first one in the log.
 */
function oneOpening(incident: string, incoming: IncidentEvent[], local: IncidentEvent[], commanderKey: string | undefined, quarantined: Quarantined[], remote: string): IncidentEvent[] {
  const openings = incoming.filter((e) => e.type === 'incident.opened')
  if (openings.length === 0) return incoming
  const ours = local.find((e) => e.type === 'incident.opened')
  let chosen: IncidentEvent | undefined
  if (!ours) {
    const candidates = commanderKey ? openings.filter((e) => e.key === commanderKey) : openings
    if (candidates.length === 1) chosen = candidates[0]
    else if (commanderKey) throw inputError('sync.opening', `no opening on ${safeUrl(remote)} is signed by commander key ${commanderKey}; nothing was joined`)
    else {
      const list = openings.map((e) => `${e.id} by ${safeLine(e.actor)} (key ${e.key ?? 'none'})`).join('; ')
      throw inputError('sync.openings', `the remote holds ${openings.length} openings of this incident (${list}): ask the commander for their key and join with --commander-key KEY`)
    }
  }
  for (const e of openings) {
    if (e === chosen) continue
    quarantined.push({id: e.id, file: eventPath(incident, e.id), author: `it claims ${JSON.stringify(e.actor.slice(0, 80))}`, reason: `a second incident.opened (this incident was opened by event ${ours?.id ?? chosen?.id})`})
  }
  const rest = incoming.filter((e) => e.type !== 'incident.opened')
  return chosen ? [chosen, ...rest] : rest
}

/** A joiner's signing key, recorded as a request the commander approves with `incident admit`. */
async function askToJoin(ref: IncidentRef, actor: string, events: IncidentEvent[]): Promise<{name: string; key: string} | null> {
  const state = foldIncident(events)
  if (state.trust.mode !== 'signed') return null
  const signer = loadSigner(workspaceOf(ref), actor)
  if (state.trust.admitted.has(signer.key)) return null
  await appendEvents(ref.logPath, signer, [{type: 'responder.joined', data: {name: actor, key: signer.key}}], undefined, {after: state.lastEventId})
  return {name: actor, key: signer.key}
}

/** Reads the incident's sync settings, or says how to share it. */
export function sharedRemote(ref: IncidentRef): {remote: string; branch: string} {
  const m = readMarker(ref)
  if (!m) throw inputError('sync.not-shared', `incident ${ref.id} is not shared; share it first: leakctl incident share --remote GIT_URL`)
  return {remote: m.remote, branch: m.branch}
}
