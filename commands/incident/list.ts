import {BaseCommand} from '../../cli/base.js'
import {table} from '../../cli/render/text.js'
import {isLeakctlError} from '../../src/errors.js'
import {loadIncident} from '../../src/incident/snapshot.js'
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
    const incidents = []
    const damaged: {id: string; error: string}[] = []
    for (const ref of listIncidents(ws)) {
      // One damaged incident is named, never a reason not to list the others.
      let loaded
      try {
        loaded = loadIncident(ref)
      } catch (error) {
        if (!isLeakctlError(error)) throw error
        damaged.push({id: ref.id, error: error.message})
        await this.warnLine(`${ref.id}: not listed: ${error.message}`)
        continue
      }
      const {state, warnings} = loaded
      await this.warnAll(warnings.map((w) => `${ref.id}: ${w}`))
      const p = progress(state, now)
      incidents.push({id: state.id, title: state.title, kind: state.kind, commander: state.commander, openedAt: state.openedAt, exposedAt: state.exposedAt, findings: state.findings.length, checklist: p, unverified: state.unverified.length})
    }
    if (incidents.length === 0 && damaged.length === 0) this.print(`No incidents in ${ws.dir}.`)
    else
      this.print(
        table(
          incidents.map((i) => [i.id, i.kind, i.openedAt.slice(0, 16).replace('T', ' ') + 'Z', `${i.checklist.done}/${i.checklist.total}${i.checklist.overdue ? ` (${i.checklist.overdue} overdue)` : ''}`, safeLine(i.title)]),
          ['ID', 'KIND', 'OPENED', 'DONE', 'TITLE'],
        ),
      )
    if (damaged.length) this.print(`\n${damaged.length} damaged incident(s) not listed: ${damaged.map((d) => d.id).join(', ')} (see the warnings above)`)
    return {workspace: ws.dir, incidents, damaged}
  }
}
