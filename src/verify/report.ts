import {findingWhere} from '../detect/finding.js'
import type {IncidentState} from '../incident/state.js'
import type {Block} from '../report/document.js'
import {safeLine} from '../text/terminal.js'
import {itemFollow} from './follow.js'

// The verifications in the post-mortem draft: each credential's latest state
// and its blast radius (what consumes it), and the checklist items whose tick
// the evidence contradicts. Blocks the report inserts where it wants them.

export function verificationBlocks(state: IncidentState): Block[] {
  if (state.follow.latest.size === 0) return []
  const rows = [...state.follow.latest.entries()].map(([key, seen]) => {
    const f = state.findingIndex.get(key)
    const consumers = seen.consumers.map((c) => `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`)
    return [f ? {risk: f.risk, text: f.risk} : '', safeLine(f ? `${f.class} ${findingWhere(f)}` : key), seen.state === 'current' || seen.state === 'live' ? {risk: 'critical', text: seen.state.toUpperCase()} : seen.state, seen.checkedAt.slice(0, 16).replace('T', ' ') + 'Z', consumers.length ? safeLine(consumers.join(', ')) : '—']
  })
  const blocks: Block[] = [
    {type: 'heading', level: 2, text: 'Is the leaked value still in use? (verifications and blast radius)'},
    {type: 'table', head: ['Risk', 'Credential', 'State', 'Checked (UTC)', 'Consumers (restart after rotating)'], rows},
  ]
  const flagged = [...state.items.values()].map((i) => ({i, w: itemFollow(state, i).warning})).filter((x) => x.w)
  if (flagged.length) blocks.push({type: 'list', items: flagged.map(({i, w}) => [{risk: 'high', text: safeLine(`${i.id}: ${w}`)}])})
  return blocks
}
