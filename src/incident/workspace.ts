import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

import {fromSystemError, inputError} from '../errors.js'
import {createLog, LOG_FILE} from './log-file.js'
import {codeUnitOrder} from '../text/order.js'

// The workspace: ./.leakctl by default. One folder per incident, each with its
// event log. Folders 0700, files 0600: an incident names what leaked and where.

export interface Workspace {
  dir: string
  incidentsDir: string
}

export function resolveWorkspaceDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, flag ?? env.LEAKCTL_WORKSPACE ?? '.leakctl')
}

/** Opens the workspace, creating it when `create` is set; an unusable path is an input error (exit 2). */
export function openWorkspace(dir: string, create: boolean): Workspace {
  const ws = {dir, incidentsDir: join(dir, 'incidents')}
  if (!existsSync(ws.incidentsDir)) {
    if (!create) throw inputError('workspace.missing', `no leakctl workspace at ${dir}; open an incident first (leakctl incident open) or pass --workspace`)
    try {
      mkdirSync(ws.incidentsDir, {recursive: true, mode: 0o700})
      // Keep incident files out of the repository being investigated.
      const ignore = join(dir, '.gitignore')
      if (!existsSync(ignore)) writeFileSync(ignore, '# leakctl incident workspace: never commit it\n*\n', {mode: 0o600})
    } catch (error) {
      throw workspaceError(dir, error)
    }
  } else if (!statSync(ws.incidentsDir).isDirectory()) {
    throw inputError('workspace.invalid', `${ws.incidentsDir} is not a directory`)
  }
  return ws
}

export function workspaceError(dir: string, error: unknown): Error {
  const sys = fromSystemError(error)
  if (sys) return inputError('workspace.unwritable', `workspace ${dir} is not writable: ${sys.message}`)
  return error as Error
}

export interface IncidentRef {
  id: string
  dir: string
  logPath: string
}

const ID_PATTERN = /^inc-\d{8}-\d{6}-[a-z0-9]{4}$/

/** The suffix's alphabet, in the order ids sort (code units: digits before letters). */
const SUFFIX_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/**
 * `inc-20261122-091400-k3f9`: sorts by opening time, short enough to type a prefix of. Among `existing` ids
 * of the same second the new one sorts last, so "the most recent incident" is the one opened last, not
 * whichever random suffix sorts highest.
 */
export function newIncidentId(now: Date, existing: readonly string[] = []): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  const prefix = `inc-${stamp}-`
  const latest = existing.filter((id) => id.startsWith(prefix)).sort(codeUnitOrder).at(-1)
  const random = [...randomBytes(4)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('')
  if (!latest || prefix + random > latest) return prefix + random
  return prefix + nextSuffix(latest.slice(prefix.length))
}

/** The suffix after `s`, counting in SUFFIX_ALPHABET (`k3f9` -> `k3fa`); `zzzz` stays, as 32^4 incidents in one second do not happen. */
function nextSuffix(s: string): string {
  const digits = [...s].map((c) => SUFFIX_ALPHABET.indexOf(c))
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < SUFFIX_ALPHABET.length - 1) {
      digits[i]!++
      return digits.map((d) => SUFFIX_ALPHABET[d]).join('')
    }
    digits[i] = 0
  }
  return s
}

/** The workspace an incident belongs to (its keys, its sync cache). */
export const workspaceOf = (ref: IncidentRef): string => dirname(dirname(ref.dir))

export function createIncidentDir(ws: Workspace, id: string): IncidentRef {
  const dir = join(ws.incidentsDir, id)
  try {
    mkdirSync(dir, {mode: 0o700})
    const ref = {id, dir, logPath: join(dir, LOG_FILE)}
    createLog(ref.logPath)
    return ref
  } catch (error) {
    throw workspaceError(ws.dir, error)
  }
}

export function listIncidents(ws: Workspace): IncidentRef[] {
  return readdirSync(ws.incidentsDir, {withFileTypes: true})
    .filter((d) => d.isDirectory() && ID_PATTERN.test(d.name) && existsSync(join(ws.incidentsDir, d.name, LOG_FILE)))
    .map((d) => ({id: d.name, dir: join(ws.incidentsDir, d.name), logPath: join(ws.incidentsDir, d.name, LOG_FILE)}))
    .sort((a, b) => codeUnitOrder(a.id, b.id))
}

/** The incident named by `id` (a unique prefix is enough), else the most recent one. */
export function findIncident(ws: Workspace, id?: string): IncidentRef {
  const all = listIncidents(ws)
  if (all.length === 0) throw inputError('incident.none', `no incident in ${ws.dir}; open one with: leakctl incident open --title "..." --kind etcd-leak`)
  if (!id) return all.at(-1)!
  const exact = all.find((r) => r.id === id)
  if (exact) return exact
  const matches = all.filter((r) => r.id.startsWith(id) || r.id.endsWith(id))
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) throw inputError('incident.ambiguous', `incident id "${id}" matches ${matches.length} incidents: ${matches.map((m) => m.id).join(', ')}`)
  throw inputError('incident.unknown', `no incident "${id}" in ${ws.dir} (leakctl incident list shows them)`)
}
