import * as Args from '#oclif/args'
import * as Flags from '#oclif/flags'

import {actOnItems, type ItemAction} from '../src/incident/incident.js'
import {progress} from '../src/incident/state.js'
import {BaseCommand, incidentFlags} from './base.js'

/** tick, untick, note and assign differ only in the action they record. */
export abstract class ItemCommand extends BaseCommand {
  static override flags = {...incidentFlags}

  protected async act(ids: string[], flags: {workspace?: string; incident?: string; by?: string}, action: ItemAction, verb: string) {
    const ref = this.incident(flags)
    const {events, warnings, state} = await actOnItems(ref, this.actor(flags.by), ids, action)
    await this.warnAll(warnings)
    const p = progress(state, new Date())
    this.print(`${verb} ${ids.join(', ')} (${events.length} event${events.length === 1 ? '' : 's'}). ${state.id}: ${p.done}/${p.total} done${p.overdue ? `, ${p.overdue} overdue` : ''}.`)
    return {incident: state.id, events, progress: p}
  }
}

export const idsArg = {ids: Args.string({required: true, description: 'Checklist item id(s)'})}

export const noteFlag = Flags.string({char: 'm', description: 'A note recorded with the change'})
