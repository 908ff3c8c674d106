import * as Args from '#oclif/args'
import chalk from 'chalk'

import {BaseCommand} from '../../cli/base.js'
import {loadProcedures, resolvePlaybook} from '../../src/playbook/load.js'

export default class PlaybookShow extends BaseCommand {
  static override summary = 'Show a playbook’s phases and steps'
  static override examples = ['<%= config.bin %> <%= command.id %> etcd-leak', '<%= config.bin %> <%= command.id %> ./my-playbook.yaml --json']
  static override args = {playbook: Args.string({required: true, description: 'Built-in playbook name or a file'})}

  async run() {
    const {args} = await this.parse(PlaybookShow)
    loadProcedures()
    const {value: pb, file} = resolvePlaybook(args.playbook)
    const out = [`${chalk.bold(pb.title)} (${pb.name} v${pb.version})  ${chalk.dim(file)}`]
    if (pb.description) out.push(pb.description.trim())
    for (const ph of pb.phases) {
      out.push('', `${chalk.bold.underline(ph.title)} ${chalk.dim(`(${ph.window})`)}`)
      for (const s of ph.steps) {
        const each = s.forEach ? chalk.dim(` [one per finding${s.forEach.group ? ', grouped' : ''}${s.forEach.rotation ? ', with its rotation procedure' : ''}]`) : ''
        out.push(`  - ${chalk.bold(s.id)}  ${s.title}${each}`)
      }
    }
    this.print(out.join('\n'))
    return {file, playbook: pb}
  }
}
