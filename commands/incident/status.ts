import * as Args from '#oclif/args'

import {BaseCommand} from '../../cli/base.js'
import {summarizeIncident} from '../../cli/render/incident.js'
import {loadIncident} from '../../src/incident/incident.js'
import {findIncident} from '../../src/incident/workspace.js'

export default class IncidentStatus extends BaseCommand {
  static override summary = 'Show where an incident stands: findings, evidence, checklist progress'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> inc-20261122-091400-k3f9 --json']
  static override args = {id: Args.string({description: 'Incident id or a unique part of it (default: the most recent)'})}

  async run() {
    const {args, flags} = await this.parse(IncidentStatus)
    const ws = this.workspace(flags.workspace)
    const {state, warnings} = loadIncident(findIncident(ws, args.id))
    await this.warnAll(warnings)
    const s = summarizeIncident(state, new Date(), ws.dir)
    this.print(s.text)
    return s.json
  }
}
