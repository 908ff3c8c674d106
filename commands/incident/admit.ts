import * as Args from '#oclif/args'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {admitResponder} from '../../src/incident/incident.js'

export default class IncidentAdmit extends BaseCommand {
  static override summary = "Commander only: admit a responder's signing key, so their events count"
  static override description = `Events are signed by their author's key. Only events signed by the commander's key (fixed by the opening) or a
key the commander admitted are applied; others show as unverified. A responder who joins with incident sync
asks to join with their key: admit them by name. Or pass the key they gave you (leakctl incident verify lists keys).`
  static override examples = [
    {description: 'Admit the key bob asked to join with', command: '<%= config.bin %> <%= command.id %> bob'},
    '<%= config.bin %> <%= command.id %> carol 3q2-7wEQ1mlkmBJ8BQGLwGm1gD2Py6FUlUFK5MUNbvE --json',
  ]
  static override args = {
    name: Args.string({required: true, description: 'The responder, as their events name them'}),
    key: Args.string({description: 'Their public signing key (default: the one they asked to join with)'}),
  }
  static override flags = {...incidentFlags}

  async run() {
    const {args, flags} = await this.parse(IncidentAdmit)
    const ref = this.incident(flags)
    const res = await admitResponder(ref, this.actor(flags.by), args.name, args.key)
    await this.warnAll(res.warnings)
    this.print(`Admitted ${args.name} (key ${res.key}) to ${ref.id}; their events now count. Sync to share it: leakctl incident sync`)
    return {incident: ref.id, name: args.name, key: res.key, events: res.events}
  }
}
