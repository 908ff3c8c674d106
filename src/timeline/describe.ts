import {findingWhere} from '../detect/finding.js'
import type {IncidentEvent} from '../incident/events.js'

// One sentence per event, shared by the timeline, the report and the checklist's activity line.

export type Category = 'incident' | 'finding' | 'check' | 'evidence' | 'action'

export function categoryOf(e: IncidentEvent): Category {
  switch (e.type) {
    case 'incident.opened':
    case 'incident.noted':
    case 'checklist.items.added':
      return 'incident'
    case 'finding.recorded':
      return 'finding'
    case 'check.completed':
      return 'check'
    case 'evidence.found':
      return 'evidence'
    default:
      return 'action'
  }
}

export function describeEvent(e: IncidentEvent, title: (itemId: string) => string | undefined = () => undefined): string {
  const item = (id: string) => {
    const t = title(id)
    return t ? `${id} "${t}"` : id
  }
  switch (e.type) {
    case 'incident.opened':
      return `Incident opened: "${e.data.title}" (${e.data.kind}, playbook ${e.data.playbook.name} v${e.data.playbook.version}, commander ${e.data.commander})${e.data.exposedAt ? `; exposed since ${e.data.exposedAt}` : ''}`
    case 'incident.noted':
      return `Note: ${e.data.text}`
    case 'checklist.items.added':
      return `Checklist: ${e.data.items.length} item(s) added${e.data.phases.length ? ` in ${e.data.phases.length} phase(s)` : ''}`
    case 'finding.recorded': {
      const f = e.data.finding
      return `Finding (${f.risk}): ${f.class} at ${findingWhere(f)} [${f.preview}]`
    }
    case 'check.completed':
      return `Check ${e.data.check}: ${e.data.status.toUpperCase()}: ${e.data.summary}`
    case 'evidence.found':
      return `Evidence from ${e.data.source}${e.data.suspicious ? ' (SUSPICIOUS)' : ''}: ${e.data.summary}${e.data.reasons?.length ? ` (${e.data.reasons.join('; ')})` : ''}`
    case 'item.ticked':
      return `Done: ${item(e.data.item)}${e.data.note ? ` (${e.data.note})` : ''}`
    case 'item.unticked':
      return `Reopened: ${item(e.data.item)}${e.data.note ? ` (${e.data.note})` : ''}`
    case 'item.noted':
      return `Note on ${item(e.data.item)}: ${e.data.text}`
    case 'item.assigned':
      return `${item(e.data.item)} assigned to ${e.data.owner}`
    case 'verification.recorded':
      return `Verified (${e.data.verifier}): ${e.data.class} at ${e.data.where} is ${e.data.state.toUpperCase()} (${e.data.detail})`
    case 'responder.joined':
      return `${e.data.name} asked to join with signing key ${e.data.key}`
    case 'responder.admitted':
      return `${e.data.name} admitted with signing key ${e.data.key}`
    case 'credential.revoked':
      return `${e.data.applied ? 'Revoked' : 'Revocation planned'}: ${e.data.class} at ${e.data.where}: ${e.data.action} (${e.data.result})`
  }
}
