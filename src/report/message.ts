import {classInfo} from '../detect/classes.js'
import {findingKey} from '../detect/finding.js'
import type {NewEvent} from '../incident/log.js'
import {isDone, type IncidentState} from '../incident/state.js'
import {safeLine} from '../text/terminal.js'

// The update a responder sends while the incident runs, drafted from the
// incident's own facts: what leaked and how much, how much is rotated, what
// the evidence of use says, when the next update comes. Three audiences,
// three levels of detail; never a value, only classes and counts.

export const AUDIENCES = ['stakeholders', 'exec', 'customers'] as const
export type Audience = (typeof AUDIENCES)[number]

/** Hours until the next update, per audience. */
const NEXT_UPDATE_H: Record<Audience, number> = {stakeholders: 1, exec: 2, customers: 24}

export interface MessageFacts {
  credentials: number
  byClass: [string, number][]
  /** Credentials whose rotate/revoke items are all done. */
  rotated: number
  suspicious: number
  evidenceChecks: string[]
  nextUpdate: string
}

export function messageFacts(state: IncidentState, now: Date, audience: Audience): MessageFacts {
  const byClass = new Map<string, number>()
  for (const f of state.findings) {
    const title = classInfo(f.class).title
    byClass.set(title, (byClass.get(title) ?? 0) + 1)
  }
  let rotated = 0
  for (const f of state.findings) {
    const items = [...state.items.values()].filter((i) => i.procedure && i.findings?.includes(findingKey(f)))
    if (items.length && items.every((i) => isDone(state, i))) rotated++
  }
  return {
    credentials: state.findings.length,
    byClass: [...byClass].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    rotated,
    suspicious: state.evidence.filter((e) => e.suspicious).length,
    evidenceChecks: [...new Set(state.checks.filter((c) => c.check.startsWith('evidence-') || c.check.startsWith('logs-')).map((c) => c.check))],
    nextUpdate: new Date(now.getTime() + NEXT_UPDATE_H[audience] * 3600_000).toISOString().slice(0, 16).replace('T', ' ') + 'Z',
  }
}

export function draftMessage(state: IncidentState, audience: Audience, now: Date): string {
  const f = messageFacts(state, now, audience)
  const title = safeLine(state.title)
  const what = f.byClass.map(([c, n]) => `${n} ${c}${n > 1 ? 's' : ''}`).join(', ') || 'credentials still being inventoried'
  const use = f.suspicious
    ? `${f.suspicious} suspicious use(s) of the exposed credentials found; we treat them as compromised.`
    : f.evidenceChecks.length
      ? 'No evidence of use found so far in the logs checked; the review continues.'
      : 'The review of the logs for use of the exposed credentials is under way; no result yet.'
  const since = state.exposedAt ? ` since ${state.exposedAt.slice(0, 16).replace('T', ' ')}Z` : ''
  switch (audience) {
    case 'exec':
      return [
        `Subject: [Security incident ${state.id}] ${title}: status`,
        '',
        `What happened: ${f.credentials} credential(s) were exposed${since}.`,
        `Status: ${f.rotated} of ${f.credentials} revoked or rotated.`,
        `Evidence of misuse: ${f.suspicious ? `yes (${f.suspicious})` : 'none found yet'}.`,
        `Next update: ${f.nextUpdate}.`,
      ].join('\n')
    case 'customers':
      return [
        `Subject: Security notice`,
        '',
        `We identified that some of our internal credentials were exposed${since}. We revoked or replaced them as our first action and are reviewing our systems for any unauthorized access.`,
        f.suspicious
          ? 'We found signs of unauthorized use and are assessing their impact; we will contact affected customers directly.'
          : 'We have found no evidence that customer data was accessed. We will update you if that changes.',
        `Next update: by ${f.nextUpdate}.`,
      ].join('\n')
    case 'stakeholders':
      return [
        `Subject: [${state.id}] ${title}: update`,
        '',
        `What leaked: ${what} (${f.credentials} in all)${since}.`,
        `Revoked or rotated: ${f.rotated} of ${f.credentials}; the rest are in progress (leakctl checklist).`,
        `Evidence of use: ${use}`,
        `Incident commander: ${safeLine(state.commander)}. Next update: ${f.nextUpdate}.`,
      ].join('\n')
  }
}

/** What the timeline records when a drafted update went out: its audience and subject, never its body. */
export function messageSent(audience: Audience, text: string): NewEvent<'incident.noted'> {
  const subject = text.split('\n')[0]!.replace(/^Subject: /, '')
  return {type: 'incident.noted', data: {text: `Update sent to ${audience}: ${subject}`}}
}
