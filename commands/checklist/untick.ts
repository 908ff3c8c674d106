import {idsArg, ItemCommand, noteFlag} from '../../cli/item-command.js'

export default class ChecklistUntick extends ItemCommand {
  static override summary = 'Reopen checklist items'
  static override examples = ['<%= config.bin %> <%= command.id %> rotate-high.3 --note "old key still active"']
  static override args = idsArg
  static override strict = false
  static override flags = {...ItemCommand.flags, note: noteFlag}

  async run() {
    const {argv, flags} = await this.parse(ChecklistUntick)
    return this.act(argv as string[], flags, {type: 'untick', note: flags.note}, 'Reopened')
  }
}
