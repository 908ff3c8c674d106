import {BaseCommand} from '../../cli/base.js'
import {table} from '../../cli/render/text.js'
import {loadBuiltins} from '../../src/playbook/builtins.js'

export default class PlaybookList extends BaseCommand {
  static override summary = 'List the built-in playbooks and rotation procedures'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run() {
    await this.parse(PlaybookList)
    const builtins = await loadBuiltins()
    const playbooks = builtins.playbooks.map(({value: p, file}) => ({name: p.name, title: p.title, version: p.version, kind: p.kind ?? null, phases: p.phases.length, steps: p.phases.reduce((n, ph) => n + ph.steps.length, 0), file}))
    const rotations = [...builtins.procedures.values()].map((p) => ({id: p.id, title: p.title, classes: p.classes}))
    this.print(table(playbooks.map((p) => [p.name, `v${p.version}`, `${p.phases} phases, ${p.steps} steps`, p.title]), ['PLAYBOOK', 'VERSION', 'SIZE', 'TITLE']))
    this.print('')
    this.print(table(rotations.map((r) => [r.id, r.classes.join(', '), r.title]), ['ROTATION', 'CLASSES', 'TITLE']))
    return {playbooks, rotations}
  }
}
