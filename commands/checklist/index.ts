import * as Flags from '#oclif/flags'
import chalk from 'chalk'

import {BaseCommand, incidentFlags, noColor} from '../../cli/base.js'
import {renderChecklist} from '../../cli/render/checklist.js'
import {utcAndLocal} from '../../cli/render/text.js'
import {inputError} from '../../src/errors.js'
import {checklistView} from '../../src/incident/checklist.js'
import {loadIncident} from '../../src/incident/incident.js'
import {readMarker} from '../../src/sync/marker.js'
import {safeUrl} from '../../src/text/url.js'
import {parseDuration} from '../../src/time/duration.js'

export default class Checklist extends BaseCommand {
  static override summary = 'The remediation checklist: a live full-screen checklist on a terminal, the plain list otherwise'
  static override description = `On a terminal it opens the interactive checklist: arrows or j/k move, space ticks, enter expands a group,
n notes, a assigns, / filters, o only open, m only mine, c copies the item's commands, s syncs, ? help, q quits.
Other responders' changes (another terminal, or "leakctl incident sync" from another machine) show within a second.
Due times show in UTC with your local time beside them.
Without a terminal (or with --plain or --json) it prints the list; tick items with "leakctl checklist tick ID".`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'Only what is still open and mine, with the commands to run', command: '<%= config.bin %> <%= command.id %> --open --mine --verbose --plain'},
    {description: 'A shared incident, synced with its remote every minute while the checklist is open', command: '<%= config.bin %> <%= command.id %> --sync-every 1m'},
    '<%= config.bin %> <%= command.id %> --incident k3f9 --json',
  ]
  static override flags = {
    ...incidentFlags,
    open: Flags.boolean({description: 'Only items not done'}),
    mine: Flags.boolean({description: 'Only items assigned to me (see --by)'}),
    owner: Flags.string({description: 'Only items assigned to this person'}),
    filter: Flags.string({description: 'Only items whose id, title or notes contain this text'}),
    phase: Flags.string({description: 'Only this phase (its id)'}),
    verbose: Flags.boolean({char: 'v', description: 'Show each item’s commands, its rotation procedure’s steps and every note (also in --json)'}),
    members: Flags.integer({default: 5, min: 0, description: 'Members of a grouped item to list'}),
    plain: Flags.boolean({description: 'Print the list even on a terminal'}),
    'sync-every': Flags.string({description: 'Interactive: sync a shared incident with its remote this often (e.g. 30s, 2m)'}),
  }

  async run() {
    const {flags} = await this.parse(Checklist)
    const syncEveryMs = flags['sync-every'] ? parseDuration(flags['sync-every'], '--sync-every') : undefined
    if (syncEveryMs !== undefined && syncEveryMs < 5000) throw inputError('sync.interval', `--sync-every ${flags['sync-every']} is too often; 5s at least`)
    const ref = this.incident(flags)
    // The app needs keys (a terminal on stdin) and a screen (one on stdout).
    const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true && !this.jsonEnabled() && !flags.plain
    if (interactive) {
      // React picks its build when first loaded: the production one, unless a developer asked otherwise.
      process.env.NODE_ENV ??= 'production'
      // supports-color turns colour off on a terminal when CI is set; the app needs only the 16 basic
      // colours, which every terminal but a dumb one shows. NO_COLOR was already applied by the base.
      if (chalk.level === 0 && !noColor() && process.env.TERM !== 'dumb') chalk.level = 1
      const [{LiveIncident}, {runChecklistApp}] = await Promise.all([import('../../src/incident/live.js'), importOutsideCi(() => import('../../cli/ui/run.js'))])
      const {live, warnings} = LiveIncident.open(ref)
      await this.warnAll(warnings)
      const actor = this.actor(flags.by)
      await runChecklistApp({ws: this.workspace(flags.workspace), live, actor, filters: {open: flags.open, mine: flags.mine, text: flags.filter ?? ''}, syncEveryMs})
      return
    }
    const {state, warnings} = loadIncident(ref)
    await this.warnAll(warnings)
    const owner = flags.owner ?? (flags.mine ? this.actor(flags.by) : undefined)
    const view = checklistView(state, new Date(), {open: flags.open, owner, text: flags.filter, phase: flags.phase, withSteps: flags.verbose})
    const marker = readMarker(ref)
    const sync = marker ? {remote: safeUrl(marker.remote), branch: marker.branch, last: marker.last ?? null} : null
    this.print(() => renderChecklist(view, {members: flags.members, verbose: flags.verbose}))
    if (sync) this.print(() => chalk.dim(`\nShared with ${sync.remote} (${sync.branch}); ${sync.last ? `last synced ${utcAndLocal(sync.last.at)} by ${sync.last.by}` : 'never synced'}. leakctl incident sync brings it up to date.`))
    return {...view, sync}
  }
}

/**
 * ink decides once, when first loaded, whether it runs in CI (CI or CONTINUOUS_INTEGRATION set) and
 * then draws nothing until exit. A terminal on both ends means someone is watching, so hide those
 * variables while ink loads and put them back for anything we start later.
 */
async function importOutsideCi<T>(load: () => Promise<T>): Promise<T> {
  const saved = {CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION}
  delete process.env.CI
  delete process.env.CONTINUOUS_INTEGRATION
  try {
    return await load()
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v
  }
}
