import {dependencyError, inputError} from '../errors.js'
import {listIncidents, type Workspace} from '../incident/workspace.js'
import {gitMessage, runGit} from '../sync/git.js'
import {Fingerprinter, keyText, parseKeyText, readWorkspaceKey, workspaceFingerprinter, writeWorkspaceKey} from './key.js'

// The fingerprint key travels with `incident share` to the team, and only
// there: one file at the root of the shared branch, beside incidents/. A
// responder who joins gets the key before the first event, so the findings
// they add match the team's. Two workspaces with incidents of their own never
// mix keys: fingerprints made with one would silently never match the other's,
// so sync refuses instead. The remote is the team's private repository
// (the one the events already go to); no export, report or output holds the key.

export const REMOTE_KEY_PATH = 'fingerprint.key'

/** A file for the sync commit to add (the workspace's key, when the remote has none yet). */
export interface SharedFile {
  path: string
  body: Buffer
}

/**
 * Agrees on the key with the remote tip: adopts the remote's (a workspace
 * without incidents), keeps ours (the same key), or returns our key to push
 * (the remote has none yet). Refuses a different key when this workspace
 * already has incidents.
 */
export async function agreeOnKey(o: {ws: Workspace; cache: string; tip: string | null; remote: string}): Promise<SharedFile | null> {
  const remote = o.tip ? await readRemoteKey(o.cache, o.tip) : null
  if (!remote) {
    const ours = workspaceFingerprinter(o.ws.dir)
    return {path: REMOTE_KEY_PATH, body: Buffer.from(keyText(ours), 'utf8')}
  }
  const ours = readWorkspaceKey(o.ws.dir)
  if (ours?.sameKey(remote)) return null
  const incidents = listIncidents(o.ws)
  if (ours && incidents.length > 0) {
    throw inputError(
      'sync.key-mismatch',
      `${o.remote} was shared from another workspace, with another fingerprint key: the findings of the ${incidents.length} incident(s) in ${o.ws.dir} would never match the team's. Join from a workspace of its own (leakctl incident sync --workspace DIR --remote URL --incident ID) and open the team's next incidents there, so they share its key`,
    )
  }
  // No incident here was fingerprinted with our key (or there is no key yet): take the team's.
  writeWorkspaceKey(o.ws.dir, remote, true)
  return null
}

async function readRemoteKey(cache: string, tip: string): Promise<Fingerprinter | null> {
  const r = await runGit(cache, ['cat-file', '-p', `${tip}:${REMOTE_KEY_PATH}`], {timeoutMs: 60_000})
  if (r.code !== 0) {
    if (/does not exist|not a valid object|Not a valid object name|path '.*' does not exist/i.test(r.stderr)) return null
    throw dependencyError('sync.read', `cannot read the remote's fingerprint key: ${gitMessage(r.stderr)}`)
  }
  // The remote is outside input: anything but a key is refused, never used.
  const key = r.stdout.byteLength <= 200 ? parseKeyText(r.stdout.toString('utf8')) : null
  if (!key) throw inputError('sync.key-invalid', `the remote's ${REMOTE_KEY_PATH} is not a leakctl fingerprint key (64 hex digits); remove it from the shared branch or share to another remote`)
  return new Fingerprinter(key)
}
