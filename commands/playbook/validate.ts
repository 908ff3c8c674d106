import * as Args from '#oclif/args'

import {BaseCommand} from '../../cli/base.js'
import {loadPlaybook, loadProcedure, loadProcedures} from '../../src/playbook/load.js'

export default class PlaybookValidate extends BaseCommand {
  static override summary = 'Check a playbook (or a rotation procedure) file; problems are reported as file:line:column'
  static override examples = ['<%= config.bin %> <%= command.id %> ./my-playbook.yaml', '<%= config.bin %> <%= command.id %> playbooks/rotations/aws-access-key.yaml']
  static override args = {files: Args.string({required: true, description: 'YAML file(s)'})}
  static override strict = false

  async run() {
    const {argv} = await this.parse(PlaybookValidate)
    const procedures = loadProcedures()
    const results = (argv as string[]).map((file) => {
      const text = file.includes('/rotations/') ? 'procedure' : 'playbook'
      if (text === 'procedure') {
        const p = loadProcedure(file).value
        return {file, type: text, id: p.id, steps: p.steps.length}
      }
      const p = loadPlaybook(file, procedures).value
      return {file, type: text, id: p.name, steps: p.phases.reduce((n, ph) => n + ph.steps.length, 0)}
    })
    for (const r of results) this.print(`ok  ${r.file}  (${r.type} ${r.id}, ${r.steps} steps)`)
    return {valid: true, files: results}
  }
}
