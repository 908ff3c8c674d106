import * as Flags from '#oclif/flags'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {renderSync} from '../../cli/render/sync.js'
import {inputError, isLeakctlError} from '../../src/errors.js'
import {findIncident, type IncidentRef, listIncidents} from '../../src/incident/workspace.js'
import {readMarker} from '../../src/sync/marker.js'
import {sharedRemote, syncIncident} from '../../src/sync/sync.js'

export default class IncidentSync extends BaseCommand {
  static override summary = 'Exchange an incident’s events with its git remote: pull what others did, push what you did'
  static override description = `Fetches the remote branch, imports the events this machine does not have (by id, keeping their times and
actors), pushes the ones the remote lacks, and retries when another responder pushed first. Joins an incident
opened on another machine when --incident names one this workspace does not have (an empty workspace is fine).`
  static override examples = [
    {description: 'Keep the current incident in step with its remote', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Join an incident opened on another machine', command: '<%= config.bin %> <%= command.id %> --remote git@github.com:acme/ir-incidents.git --incident inc-20261122-091400-k3f9'},
    '<%= config.bin %> <%= command.id %> --incident k3f9 --json',
  ]
  static override flags = {
    ...incidentFlags,
    remote: Flags.string({description: 'Git URL or path (default: where the incident was shared)'}),
    branch: Flags.string({description: 'Branch the incident events live on (default: the shared one, else leakctl/incidents)'}),
    'commander-key': Flags.string({description: "Joining: the commander's signing key as they gave it (incident share prints it); picks the true opening if the remote holds several"}),
  }

  async run() {
    const {flags} = await this.parse(IncidentSync)
    const ws = this.workspace(flags.workspace, flags.remote !== undefined)
    let ref: IncidentRef | null = null
    try {
      ref = findIncident(ws, flags.incident)
    } catch (error) {
      const joinable = flags.remote && flags.incident && isLeakctlError(error) && error.code === 'incident.unknown'
      const none = isLeakctlError(error) && error.code === 'incident.none'
      if (none && flags.remote && !flags.incident) throw inputError('sync.which', `no incident in ${ws.dir} yet: name the one to join with --incident ID`)
      if (!joinable && !(none && flags.remote && flags.incident)) throw error
    }
    const shared = ref ? readMarker(ref) : null
    const remote = flags.remote ?? (ref ? sharedRemote(ref).remote : '')
    const branch = flags.branch ?? shared?.branch
    const r = await syncIncident({ws, ref, incident: flags.incident, remote, branch, commanderKey: flags['commander-key'], actor: this.actor(flags.by), progress: process.stderr.isTTY ? (t) => this.progress(t) : undefined})
    this.progressDone()
    await this.warnAll(r.warnings)
    this.print(() => renderSync(r, r.joined ? 'Joined' : 'Synced'))
    if (r.joined) this.print(`Next: leakctl checklist --incident ${r.incident}`)
    if (!ref && listIncidents(ws).length > 1) this.print(`(other commands act on the most recent incident; pass --incident ${r.incident.slice(-4)})`)
    return r
  }
}
