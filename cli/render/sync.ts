import chalk from 'chalk'

import type {SyncResult} from '../../src/sync/sync.js'
import {shQuote} from '../../src/text/shell.js'
import {safeLine} from '../../src/text/terminal.js'

/** What a sync did, in one or two lines. */
export function renderSync(r: SyncResult, verb: string): string {
  const lines = [
    `${verb} ${chalk.bold(r.incident)} with ${r.remote} (${r.branch}): ${r.imported} event${r.imported === 1 ? '' : 's'} in, ${r.pushed} out; ${r.localEvents} here, ${r.remoteEvents} there.`,
  ]
  if (r.quarantined.length) lines.push(`${r.quarantined.length} remote event file(s) quarantined, not imported (see the warnings; leakctl incident verify lists them).`)
  if (r.joinRequest) lines.push(`You asked to join as ${safeLine(r.joinRequest.name)} with signing key ${r.joinRequest.key}; until the commander runs  leakctl incident admit ${shQuote(r.joinRequest.name)}  and syncs, your actions show as unverified.`)
  if (r.attempts > 1) lines.push(chalk.dim(`The branch moved while pushing (another responder synced); fetched again and pushed after ${r.attempts} rounds.`))
  return lines.join('\n')
}
