import {type Finding, findingWhere, RISK_ORDER, RISKS} from '../detect/finding.js'
import type {IncidentEvent} from '../incident/events.js'
import {checklistView, type ChecklistEntry} from '../incident/checklist.js'
import {findingsByRisk, type IncidentState, timeZero} from '../incident/state.js'
import {formatDuration, formatRelative} from '../time/duration.js'
import {analyseExposure} from '../timeline/exposure.js'
import {mapStrings, people} from '../timeline/people.js'
import {buildTimeline} from '../timeline/timeline.js'
import {instant} from '../timeline/when.js'
import {verificationBlocks} from '../verify/report.js'
import type {Block, Document, Inline} from './document.js'
import {exposureBlocks} from './exposure.js'

// The post-mortem draft: everything in it is a fold of the incident's events.
// Facts first (verdict, inventory, evidence, who did what when, what is open,
// the timeline), then the questions only people can answer, left blank.

const MAX_LISTED_FINDINGS = 50
const MAX_LISTED_EVIDENCE = 100

/** Minutes, UTC; only a canonical time reaches the page (the text of a time is outside input). */
const utc = (iso: string) => `${(instant(iso) ?? 'invalid time').slice(0, 16).replace('T', ' ')}Z`

export interface ReportOptions {
  /** Replace people's names by roles (commander, responder N, commit author N). */
  redactPeople?: boolean
  /** Whether an event's signature verified; entries and marks resting on a false one are marked. */
  verified?: (e: IncidentEvent) => boolean | undefined
}

export function buildReport(state: IncidentState, events: IncidentEvent[], now: Date, o: ReportOptions = {}): Document {
  const zero = timeZero(state)
  const zeroMs = Date.parse(zero.time)
  const who = people(state, events, {redact: o.redactPeople ?? false})
  const byId = o.verified ? new Map(events.map((e) => [e.id, e])) : null
  const verifiedEvent = byId ? (id: string) => (byId.has(id) ? o.verified!(byId.get(id)!) : undefined) : undefined
  const exposure = analyseExposure(state, events, now, {verified: verifiedEvent})
  const d = exposure.durations
  const view = checklistView(state, now)
  const risks = findingsByRisk(state.findings)
  const blocks: Block[] = []
  const h = (level: 1 | 2 | 3, text: string) => blocks.push({type: 'heading', level, text})
  const p = (...text: Inline[]) => blocks.push({type: 'paragraph', text})

  h(1, `Post-mortem draft: ${state.title}`)
  p(`Incident ${state.id} (${state.kind}), commander ${who.label(state.commander)}. Opened ${utc(state.openedAt)}`, state.exposedAt ? `; exposed since ${utc(state.exposedAt)} (${formatDuration(Date.parse(state.openedAt) - Date.parse(state.exposedAt))} before the response began)` : '; exposure start not recorded', `. Draft generated ${utc(now.toISOString())} from ${state.events} events.`)

  h(2, 'Summary')
  const suspicious = state.evidence.filter((e) => e.suspicious)
  const overall = view.progress
  blocks.push({
    type: 'list',
    items: [
      [`Exposure: ${state.findings.length} credential finding(s): `, ...riskInlines(risks)],
      [suspicious.length ? {risk: 'critical', text: `Evidence of use: ${suspicious.length} suspicious event(s)`} : state.evidence.length ? `Evidence reviewed: ${state.evidence.length} event(s), none suspicious` : 'Evidence of use: not collected yet'],
      [`Remediation: ${overall.done} of ${overall.total} checklist items done`, ...(overall.overdue ? [', ', {risk: 'high', text: `${overall.overdue} overdue`}] : [])],
      [
        `Key durations: detected ${d.timeToDetectMs === null ? '(exposure start unknown)' : `${formatDuration(d.timeToDetectMs)} after the exposure began`}; `,
        ...(d.containedAt
          ? [`contained ${formatDuration(d.timeToContainMs!)} after detection; `]
          : d.containRisk
            ? [{risk: 'high', text: `not contained yet (${exposure.credentials.filter((c) => c.risk === d.containRisk && !c.revoked).length} ${d.containRisk} credential(s) not revoked)`}, '; ']
            : ['no critical or high credential to contain; ']),
        d.remediatedAt ? `remediated ${formatDuration(d.timeToRemediateMs!)} after detection` : `remediation open (${d.open.items} item(s))`,
        d.unknowns.length ? `; ${d.unknowns.length} thing(s) still unknown (see Exposure window)` : '',
      ],
      ...state.checks.slice(-5).map((c): Inline[] => [`Check ${c.check}: `, {risk: c.status === 'pass' ? 'low' : 'high', text: c.status.toUpperCase()}, ` — ${c.summary}`]),
    ],
  })

  h(2, 'Exposure window')
  blocks.push(...exposureBlocks(exposure))

  h(2, 'Inventory by risk')
  if (state.findings.length === 0) p('No findings recorded on this incident (record a scan with leakctl incident add-findings or a triage).')
  else {
    blocks.push({type: 'table', head: ['Risk', 'Class', 'Count'], rows: classCounts(state.findings)})
    const sorted = [...state.findings].sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || a.class.localeCompare(b.class))
    blocks.push({
      type: 'table',
      head: ['Risk', 'Class', 'Where', 'Preview', 'Fingerprint', 'Why'],
      rows: sorted.slice(0, MAX_LISTED_FINDINGS).map((f) => [{risk: f.risk, text: f.risk}, f.class, findingWhere(f), {code: f.preview}, {code: f.fingerprint.slice(0, 19)}, f.reason]),
    })
    if (sorted.length > MAX_LISTED_FINDINGS) p(`… and ${sorted.length - MAX_LISTED_FINDINGS} more (leakctl timeline export --format csv lists every one).`)
  }

  h(2, 'Evidence of use')
  if (state.evidence.length === 0) p('None recorded.')
  else
    blocks.push({
      type: 'table',
      head: ['When (UTC)', 'T±', 'Source', 'What', 'Why suspicious'],
      rows: [...state.evidence]
        .sort((a, b) => (a.at ?? a.time).localeCompare(b.at ?? b.time))
        .slice(0, MAX_LISTED_EVIDENCE)
        .map((e) => [utc(e.at ?? e.time), formatRelative(Date.parse(e.at ?? e.time) - zeroMs), e.source, e.suspicious ? {risk: 'critical', text: e.summary} : e.summary, (e.reasons ?? []).join('; ')]),
    })

  if (state.evidence.length > MAX_LISTED_EVIDENCE) p(`… and ${state.evidence.length - MAX_LISTED_EVIDENCE} more, grouped by hour in the timeline below (leakctl timeline export --format csv lists every one).`)

  blocks.push(...verificationBlocks(state))

  h(2, 'What was done, by whom, when')
  const done = leaves(view.phases.flatMap((ph) => ph.items)).filter((e) => e.status === 'done').sort((a, b) => a.doneAt!.localeCompare(b.doneAt!))
  if (done.length === 0) p('Nothing ticked yet.')
  else
    blocks.push({
      type: 'table',
      head: ['Done (UTC)', 'T±', 'Who', 'Item', 'Due', 'On time'],
      rows: done.map((e) => [utc(e.doneAt!), formatRelative(Date.parse(e.doneAt!) - zeroMs), who.label(e.doneBy ?? ''), `${e.id}: ${e.title}`, e.due ? utc(e.due) : '—', e.due ? (e.doneAt! <= e.due ? 'yes' : {risk: 'high', text: `late by ${formatDuration(Date.parse(e.doneAt!) - Date.parse(e.due))}`}) : '—']),
    })

  h(2, 'Still open')
  const open = view.phases.flatMap((ph) => ph.items.filter((e) => e.status !== 'done').map((e) => ({ph, e})))
  if (open.length === 0) p('Every checklist item is done.')
  else
    blocks.push({
      type: 'table',
      head: ['Phase', 'Item', 'Owner', 'Due', 'Status'],
      rows: open.map(({ph, e}) => [ph.title, `${e.id}: ${e.title}${e.members.length ? ` (${e.membersDone}/${e.members.length} done)` : ''}`, e.owner ? who.label(e.owner) : 'unassigned', e.due ? utc(e.due) : '—', e.status === 'overdue' ? {risk: 'high', text: 'OVERDUE'} : e.gap ? `manual: ${e.gap}` : 'open']),
    })

  h(2, 'Timeline')
  const t = buildTimeline(state, events, {collapseFindingsAbove: 20, groupEvidenceAbove: 200, milestones: exposure.milestones, actorLabel: who.label, verified: o.verified})
  p(`Each entry at the time it happened; relative times count from the ${t.zero.label} (${utc(t.zero.time)}). "Learned" is when leakctl recorded it.`)
  blocks.push({
    type: 'table',
    head: ['Time (UTC)', 'T±', 'Learned (UTC)', 'Who', 'What', 'Source'],
    rows: t.entries.map((e) => [utc(e.happenedAt), e.relative, e.learnedAt === e.happenedAt ? '' : utc(e.learnedAt), e.actor, e.verified === false ? `${e.text} (unverified)` : e.text, e.source]),
  })

  h(2, 'For the team to write')
  for (const q of [
    'Root cause: how did the secret get exposed?',
    'Detection: how and when did we find out? What would have found it sooner?',
    'Why did the existing safeguards (encryption at rest, pre-commit hooks, bucket policies) not stop it?',
    'Impact: what could an attacker do with what was exposed, and what did they do?',
    'What went well; what went badly',
    'Action items, each with an owner and a date',
  ]) {
    h(3, q)
    p('_…_')
  }
  const doc = {title: `Post-mortem draft: ${state.title}`, blocks}
  return who.redacting ? mapStrings(doc, who.text) : doc
}

function riskInlines(r: Record<(typeof RISKS)[number], number>): Inline[] {
  return RISKS.flatMap((risk, i) => [{risk, text: `${r[risk]} ${risk}`}, i < RISKS.length - 1 ? ', ' : ''])
}

function classCounts(findings: Finding[]): Inline[][] {
  const counts = new Map<string, {risk: Finding['risk']; cls: string; n: number}>()
  for (const f of findings) {
    const k = `${f.risk}|${f.class}`
    const c = counts.get(k) ?? {risk: f.risk, cls: f.class, n: 0}
    c.n++
    counts.set(k, c)
  }
  return [...counts.values()].sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || b.n - a.n).map((c) => [{risk: c.risk, text: c.risk}, c.cls, String(c.n)])
}

function leaves(entries: ChecklistEntry[]): ChecklistEntry[] {
  return entries.flatMap((e) => (e.members.length ? e.members : [e]))
}
