import * as Flags from '#oclif/flags'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {renderSync} from '../../cli/render/sync.js'
import {loadIncident} from '../../src/incident/incident.js'
import {DEFAULT_BRANCH} from '../../src/sync/marker.js'
import {shQuote} from '../../src/text/shell.js'
import {syncIncident} from '../../src/sync/sync.js'

export default class IncidentShare extends BaseCommand {
  static override summary = 'Share an incident through a git remote, so responders on other machines can join it'
  static override description = `Pushes the incident's events to a branch of their own on the remote (default ${DEFAULT_BRANCH}), one file per event
(incidents/<id>/events/<event id>.json), so responders who sync at the same time never conflict. Use a repository
your team can already reach (a private one: the events name what leaked and where, never the values).
Others join with: leakctl incident sync --remote GIT_URL --incident ID`
  static override examples = [
    {description: 'Share the current incident', command: '<%= config.bin %> <%= command.id %> --remote git@github.com:acme/ir-incidents.git'},
    {description: 'A local bare repository or a network share works too', command: '<%= config.bin %> <%= command.id %> --remote /srv/git/ir.git --incident k3f9 --json'},
  ]
  static override flags = {
    ...incidentFlags,
    remote: Flags.string({required: true, description: 'Git URL or path of the remote the team shares'}),
    branch: Flags.string({default: DEFAULT_BRANCH, description: 'Branch the incident events live on'}),
  }

  async run() {
    const {flags} = await this.parse(IncidentShare)
    const ws = this.workspace(flags.workspace)
    const ref = this.incident(flags)
    const r = await syncIncident({ws, ref, remote: flags.remote, branch: flags.branch, actor: this.actor(flags.by), progress: process.stderr.isTTY ? (t) => this.progress(t) : undefined})
    this.progressDone()
    await this.warnAll(r.warnings)
    this.print(() => renderSync(r, 'Shared'))
    const {state} = loadIncident(ref)
    const key = state.trust.commanderKey
    this.print(`Teammates join with:  leakctl incident sync --remote ${shQuote(r.remote)} --incident ${r.incident}${key ? ` --commander-key ${key}` : ''}\nKeep in step with:    leakctl incident sync`)
    if (key) this.print('Admit each one when they have joined:  leakctl incident admit NAME')
    return {...r, commanderKey: key}
  }
}
