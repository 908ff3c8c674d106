import {inputError} from '../errors.js'
import type {IncidentEvent} from './events.js'
import {readLog} from './log.js'
import {foldIncident, type IncidentState} from './state.js'
import type {IncidentRef} from './workspace.js'

// Reading an incident: its log, validated, folded into the state. Apart from
// the operations that write (incident.ts), which load the playbook
// instantiation and the note scrubber (the detection engine): a command that
// only reads starts without them (docs/performance.md, start-up).

export interface IncidentSnapshot {
  state: IncidentState
  events: IncidentEvent[]
  warnings: string[]
  offset: number
}

export function loadIncident(ref: IncidentRef): IncidentSnapshot {
  const {events, warnings, offset} = readLog(ref.logPath)
  if (events.length === 0 || !events.some((e) => e.type === 'incident.opened')) {
    throw inputError('log.corrupt', `${ref.logPath}: the event log has no incident.opened event; it is not a leakctl incident`)
  }
  return {state: foldIncident(events), events, warnings, offset}
}
