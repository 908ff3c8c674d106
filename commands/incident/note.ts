import * as Args from '#oclif/args'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {recordEvents} from '../../src/incident/incident.js'

export default class IncidentNote extends BaseCommand {
  static override summary = 'Add a note to the incident timeline (credentials pasted by mistake are redacted)'
  static override examples = ['<%= config.bin %> <%= command.id %> "Bucket made private by S3 team"', '<%= config.bin %> <%= command.id %> "Stakeholders notified" --by ana']
  static override args = {text: Args.string({required: true, description: 'The note'})}
  static override flags = {...incidentFlags}

  async run() {
    const {args, flags} = await this.parse(IncidentNote)
    const ref = this.incident(flags)
    const {events, warnings} = await recordEvents(ref, this.actor(flags.by), [{type: 'incident.noted', data: {text: args.text}}])
    await this.warnAll(warnings)
    this.print(`Noted on ${ref.id}.`)
    return {incident: ref.id, events}
  }
}
