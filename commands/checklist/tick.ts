import {idsArg, ItemCommand, noteFlag} from '../../cli/item-command.js'

export default class ChecklistTick extends ItemCommand {
  static override summary = 'Mark checklist items done (a grouped item: all its open members)'
  static override examples = ['<%= config.bin %> <%= command.id %> check-encryption', '<%= config.bin %> <%= command.id %> rotate-high.3 rotate-high.4 --note "rotated in Vault" --by ana']
  static override args = idsArg
  static override strict = false
  static override flags = {...ItemCommand.flags, note: noteFlag}

  async run() {
    const {argv, flags} = await this.parse(ChecklistTick)
    return this.act(argv as string[], flags, {type: 'tick', note: flags.note}, 'Ticked')
  }
}
