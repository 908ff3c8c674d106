import {closeSync, fsyncSync, openSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

// The event log as a file: its name and its creation. Apart from reading and
// writing events (log.ts, which loads the event schemas and zod), so that
// finding or creating a workspace, which every command does, loads neither.

export const LOG_FILE = 'events.jsonl'
export const logPath = (incidentDir: string): string => join(incidentDir, LOG_FILE)

/** Creates an empty log (0600) and makes its directory entry durable. */
export function createLog(path: string): void {
  writeFileSync(path, '', {mode: 0o600, flag: 'wx'})
  const dirFd = openSync(dirname(path), 'r')
  try {
    fsyncSync(dirFd)
  } finally {
    closeSync(dirFd)
  }
}
