import {statSync} from 'node:fs'

import {render} from 'ink'
import React from 'react'

import type {LiveIncident} from '../../src/incident/live.js'
import type {Workspace} from '../../src/incident/workspace.js'
import {markerPath, readMarker, type SyncMarker} from '../../src/sync/marker.js'
import {syncIncident} from '../../src/sync/sync.js'
import {ChecklistApp} from './app.js'
import {copyText} from './clipboard.js'
import type {Filters} from './parts.js'

// Starts the full-screen checklist on the terminal and restores it on exit,
// whatever happens: the alternate screen keeps the responder's scrollback
// clean, and commands copied without a confirmed clipboard are printed after.

export interface RunOptions {
  ws: Workspace
  live: LiveIncident
  actor: string
  filters: Partial<Filters>
  syncEveryMs?: number
}

const ENTER_ALT = '\x1b[?1049h\x1b[H'
const LEAVE_ALT = '\x1b[?1049l'

export async function runChecklistApp(o: RunOptions): Promise<void> {
  const stdout = process.stdout
  const unconfirmed: string[][] = []
  let inAlt = true
  const leave = () => {
    if (inAlt) stdout.write(LEAVE_ALT)
    inAlt = false
  }
  process.once('exit', leave)
  stdout.write(ENTER_ALT)
  try {
    const status = markerReader(o.live)
    const instance = render(
      <ChecklistApp
        live={o.live}
        actor={o.actor}
        initialFilters={o.filters}
        syncStatus={status}
        sync={() => {
          const m = status()
          if (!m) return Promise.reject(new Error('not shared: leakctl incident share --remote GIT_URL'))
          return syncIncident({ws: o.ws, ref: o.live.ref, remote: m.remote, branch: m.branch, actor: o.actor})
        }}
        syncEveryMs={o.syncEveryMs}
        copy={(text) => copyText(text, {write: (d) => stdout.write(d)})}
        onUnconfirmedCopy={(c) => unconfirmed.push(c)}
      />,
      {exitOnCtrlC: false, patchConsole: true, maxFps: 30},
    )
    await instance.waitUntilExit()
    instance.cleanup()
  } finally {
    leave()
    process.off('exit', leave)
  }
  if (unconfirmed.length) {
    stdout.write('Commands you copied:\n')
    for (const c of unconfirmed) stdout.write(c.join('\n') + '\n')
  }
}

/** The sync marker, re-read only when its file changes (the app asks once a second). */
function markerReader(live: LiveIncident): () => SyncMarker | null {
  let mtime = -1
  let cached: SyncMarker | null = null
  return () => {
    const st = statSync(markerPath(live.ref), {throwIfNoEntry: false})
    const m = st ? st.mtimeMs : 0
    if (m !== mtime) {
      cached = st ? readMarker(live.ref) : null
      mtime = m
    }
    return cached
  }
}
