import * as Flags from '#oclif/flags'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {loadIncident, recordEvents} from '../../src/incident/incident.js'
import {AUDIENCES, type Audience, draftMessage, messageFacts, messageSent} from '../../src/report/message.js'

export default class IncidentMessage extends BaseCommand {
  static override summary = 'Draft the update for stakeholders, executives or customers from the incident\'s facts'
  static override description = 'What leaked (classes and counts, never values), how much is revoked or rotated, what the evidence of use says, and the next update time. Print it, copy it, send it; --sent records on the timeline that it went out.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --audience stakeholders',
    '<%= config.bin %> <%= command.id %> --audience exec --sent',
    '<%= config.bin %> <%= command.id %> --audience customers --json',
  ]

  static override flags = {
    ...incidentFlags,
    audience: Flags.string({options: [...AUDIENCES], default: 'stakeholders', description: 'Who reads it: stakeholders (engineering and owners), exec (four lines), customers (external wording)'}),
    sent: Flags.boolean({description: 'Record on the timeline that this update was sent'}),
  }

  async run() {
    const {flags} = await this.parse(IncidentMessage)
    const audience = flags.audience as Audience
    const ref = this.incident(flags)
    const {state, warnings} = loadIncident(ref)
    await this.warnAll(warnings)
    const now = new Date()
    const text = draftMessage(state, audience, now)
    this.print(text)
    if (flags.sent) {
      const res = await recordEvents(ref, this.actor(flags.by), [messageSent(audience, text)])
      await this.warnAll(res.warnings)
    }
    return {incident: ref.id, audience, text, facts: messageFacts(state, now, audience), sent: flags.sent}
  }
}
