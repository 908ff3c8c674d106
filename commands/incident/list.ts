import {BaseCommand} from '../../cli/base.js'
import {table} from '../../cli/render/text.js'
import {loadIncident} from '../../src/incident/incident.js'
import {progress} from '../../src/incident/state.js'
import {listIncidents} from '../../src/incident/workspace.js'
import {safeLine} from '../../src/text/terminal.js'

export default class IncidentList extends BaseCommand {
  static override summary = 'List the incidents in the workspace, newest last'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --workspace /srv/ir/.leakctl --json']

  async run() {
    const {flags} = await this.parse(IncidentList)
    const ws = this.workspace(flags.workspace)
    const now = new Date()
    const incidents = listIncidents(ws).map((ref) => {
      const {state, warnings} = loadIncident(ref)
      this.warnAll(warnings.map((w) => `${ref.id}: ${w}`))
      const p = progress(state, now)
      return {id: state.id, title: state.title, kind: state.kind, commander: state.commander, openedAt: state.openedAt, exposedAt: state.exposedAt, findings: state.findings.length, checklist: p}
    })
    if (incidents.length === 0) this.print(`No incidents in ${ws.dir}.`)
    else
      this.print(
        table(
          incidents.map((i) => [i.id, i.kind, i.openedAt.slice(0, 16).replace('T', ' ') + 'Z', `${i.checklist.done}/${i.checklist.total}${i.checklist.overdue ? ` (${i.checklist.overdue} overdue)` : ''}`, safeLine(i.title)]),
          ['ID', 'KIND', 'OPENED', 'DONE', 'TITLE'],
        ),
      )
    return {workspace: ws.dir, incidents}
  }
}
