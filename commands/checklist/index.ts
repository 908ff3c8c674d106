import {Flags} from '@oclif/core'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {renderChecklist} from '../../cli/render/checklist.js'
import {checklistView} from '../../src/incident/checklist.js'
import {loadIncident} from '../../src/incident/incident.js'

export default class Checklist extends BaseCommand {
  static override summary = 'Show the remediation checklist, grouped by phase, with owners, due times and overdue marks'
  static override description = `Due times show in UTC with your local time beside them.
Without a terminal (or with --plain or --json) it prints the list; tick items with "leakctl checklist tick ID".`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'Only what is still open and mine, with the commands to run', command: '<%= config.bin %> <%= command.id %> --open --mine --verbose'},
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
  }

  async run() {
    const {flags} = await this.parse(Checklist)
    const ref = this.incident(flags)
    const {state, warnings} = loadIncident(ref)
    this.warnAll(warnings)
    const owner = flags.owner ?? (flags.mine ? this.actor(flags.by) : undefined)
    const view = checklistView(state, new Date(), {open: flags.open, owner, text: flags.filter, phase: flags.phase, withSteps: flags.verbose})
    this.print(renderChecklist(view, {members: flags.members, verbose: flags.verbose}))
    return view
  }
}
