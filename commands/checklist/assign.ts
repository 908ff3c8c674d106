import * as Args from '#oclif/args'

import {ItemCommand} from '../../cli/item-command.js'

export default class ChecklistAssign extends ItemCommand {
  static override summary = 'Take or give ownership of a checklist item'
  static override examples = [
    {description: 'Take it yourself', command: '<%= config.bin %> <%= command.id %> rotate-high.3'},
    '<%= config.bin %> <%= command.id %> rotate-high.3 ana',
  ]
  static override args = {id: Args.string({required: true, description: 'Checklist item id'}), owner: Args.string({description: 'New owner (default: me)'})}

  async run() {
    const {args, flags} = await this.parse(ChecklistAssign)
    const owner = args.owner ?? this.actor(flags.by)
    return this.act([args.id], flags, {type: 'assign', owner}, `Assigned to ${owner}:`)
  }
}
