import chalk from 'chalk'

import type {SyncResult} from '../../src/sync/sync.js'

/** What a sync did, in one or two lines. */
export function renderSync(r: SyncResult, verb: string): string {
  const lines = [
    `${verb} ${chalk.bold(r.incident)} with ${r.remote} (${r.branch}): ${r.imported} event${r.imported === 1 ? '' : 's'} in, ${r.pushed} out; ${r.localEvents} here, ${r.remoteEvents} there.`,
  ]
  if (r.attempts > 1) lines.push(chalk.dim(`The branch moved while pushing (another responder synced); fetched again and pushed after ${r.attempts} rounds.`))
  return lines.join('\n')
}
