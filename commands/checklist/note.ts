import * as Args from '#oclif/args'

import {ItemCommand} from '../../cli/item-command.js'

export default class ChecklistNote extends ItemCommand {
  static override summary = 'Add a note to a checklist item (credentials pasted by mistake are redacted)'
  static override examples = ['<%= config.bin %> <%= command.id %> rotate-high.3 "waiting for DBA approval"']
  static override args = {id: Args.string({required: true, description: 'Checklist item id'}), text: Args.string({required: true, description: 'The note'})}

  async run() {
    const {args, flags} = await this.parse(ChecklistNote)
    return this.act([args.id], flags, {type: 'note', text: args.text}, 'Noted')
  }
}
