import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {findingKey} from '../src/detect/finding.js'
import {loadIncident} from '../src/incident/incident.js'
import {appendEvents, type NewEvent} from '../src/incident/log.js'
import type {IncidentRef} from '../src/incident/workspace.js'
import {analyseExposure, type ExposureAnalysis} from '../src/timeline/exposure.js'
import {exportTimeline, lifecycleCsv} from '../src/timeline/export.js'
import {renderChartSvg} from '../src/timeline/svg.js'
import {buildTimeline} from '../src/timeline/timeline.js'
import {tempDir} from './helpers/cli.js'
import {admittedSigner, gitFinding, openTestIncident} from './helpers/incident.js'

// A constructed incident whose every answer was worked out by hand, below.
//
//   08:00  exposure began (stated when the incident was opened)
//   08:45  key A used from outside (CloudTrail ev-1); 09:10 again (ev-2)
//   09:00  database URL B committed (after the exposure began: exposed from its commit)
//   10:00  incident opened; A, B, C recorded (detected)
//   10:20  A revoked (credential.revoked, applied)
//   10:30  CloudTrail searched for A, from 08:00
//   10:40  GitHub audit log searched for token C, from 08:00: no use
//   11:00  A verified dead by its issuer
//   12:00  B's rotation item ticked by ana
//   13:00  now; C still not revoked
const T = (hhmm: string) => new Date(`2026-11-22T${hhmm}:00.000Z`)
const iso = (hhmm: string) => T(hhmm).toISOString()
const MIN = 60_000
const A = gitFinding('AKIA-secret-A', {class: 'aws-access-key', risk: 'critical', keyId: 'AKIAAAAAAAAAAAAAAAAA', rotation: 'aws-access-key', path: 'deploy/a.sh'})
const B = gitFinding('postgres://b', {path: 'config/b.env', date: iso('09:00')})
const C = gitFinding('ghp_C', {class: 'github-token', risk: 'high', rotation: 'github-token', path: '.ci.env'})

let tmp: ReturnType<typeof tempDir>
let ref: IncidentRef
let a: ExposureAnalysis

// Each responder writes signed with a key the commander admitted at 10:00: an
// unsigned event is not the responder's (the chain of custody) and changes nothing.
const at = async (hhmm: string, actor: string, batch: NewEvent[]) => appendEvents(ref.logPath, await admittedSigner(ref, actor, () => T('10:00')), batch, () => T(hhmm))

beforeAll(async () => {
  tmp = tempDir()
  ref = (await openTestIncident(join(tmp.dir, 'ws'), {kind: 'git-leak', exposedAt: T('08:00'), now: T('10:00'), findings: [A, B, C]})).ref
  await at('10:20', 'bob', [{type: 'credential.revoked', data: {fingerprint: A.fingerprint, finding: findingKey(A), class: A.class, where: 'deploy/a.sh', action: 'iam:DeleteAccessKey', applied: true, result: 'deleted'}}])
  await at('10:30', 'logs', [
    {type: 'evidence.found', data: {source: 'cloudtrail', summary: 'ListBuckets', at: iso('08:45'), suspicious: true, reasons: ['new source IP'], ref: {eventId: 'ev-1', accessKeyId: A.keyId, leakedKey: A.keyId}}},
    {type: 'evidence.found', data: {source: 'cloudtrail', summary: 'GetObject', at: iso('09:10'), suspicious: true, reasons: ['new source IP'], ref: {eventId: 'ev-2', accessKeyId: A.keyId, leakedKey: A.keyId}}},
    {type: 'evidence.found', data: {source: 'cloudtrail', summary: 'USED after the exposure', at: iso('08:45'), suspicious: true, ref: {kind: 'summary', keys: [{accessKeyId: A.keyId}], exposedAt: iso('08:00')}}},
  ])
  await at('10:40', 'logs', [{type: 'evidence.found', data: {source: 'github', summary: 'no action of the token', suspicious: false, ref: {kind: 'token-use-summary', exposedAt: iso('08:00'), tokens: [{fingerprint: C.fingerprint}]}}}])
  await at('11:00', 'verifier', [{type: 'verification.recorded', data: {fingerprint: A.fingerprint, finding: findingKey(A), class: A.class, where: 'deploy/a.sh', verifier: 'issuer', state: 'revoked', checkedAt: iso('11:00'), via: 'sts:GetCallerIdentity', detail: 'InvalidClientTokenId'}}])
  const {state} = loadIncident(ref)
  const itemB = [...state.items.values()].find((i) => i.findings?.includes(findingKey(B)) && i.procedure)!
  await at('12:00', 'ana', [{type: 'item.ticked', data: {item: itemB.id}}])
  const {state: s, events} = loadIncident(ref)
  a = analyseExposure(s, events, T('13:00'))
})
afterAll(() => tmp.cleanup())

describe('credential lifecycles, by hand', () => {
  const byFp = (fp: string) => a.credentials.find((c) => c.fingerprint === fp)!

  it('A (critical): exposed 08:00, used 08:45 and 09:10, detected 10:00, revoked 10:20, verified dead 11:00', () => {
    const c = byFp(A.fingerprint)
    expect(c.introduced).toMatchObject({happenedAt: '2026-11-21T22:10:00.000Z', learnedAt: iso('10:00'), source: expect.stringMatching(/^commit aaaaaaaaaaaa \(deploy\/a\.sh:3\)$/)})
    expect(c.exposed).toMatchObject({happenedAt: iso('08:00'), learnedAt: iso('10:00'), basis: 'stated by tester when the incident was opened'})
    expect(c.use.status).toBe('seen')
    expect(c.use.count).toBe(2)
    expect(c.use.first).toMatchObject({happenedAt: iso('08:45'), learnedAt: iso('10:30'), source: 'CloudTrail eventId ev-1', event: expect.stringMatching(/^[0-9A-Z]{26}$/)})
    expect(c.use.last!.source).toBe('CloudTrail eventId ev-2')
    expect(c.detected.happenedAt).toBe(iso('10:00'))
    expect(c.revoked).toMatchObject({happenedAt: iso('10:20'), source: expect.stringMatching(/^credential\.revoked .*iam:DeleteAccessKey$/)})
    expect(c.verifiedDead).toMatchObject({happenedAt: iso('11:00'), learnedAt: iso('11:00')})
    // 10:00 - 08:00; 10:20 - 10:00; 10:20 - 08:00.
    expect(c.durations).toEqual({exposedBeforeDetectionMs: 120 * MIN, detectionToRevocationMs: 20 * MIN, totalExposureMs: 140 * MIN, exposureOngoing: false})
  })

  it('B (high): committed after the exposure began, so exposed from its commit; no logs for it; revoked by a tick at 12:00', () => {
    const c = byFp(B.fingerprint)
    expect(c.exposed).toMatchObject({happenedAt: iso('09:00'), basis: expect.stringMatching(/^its commit, after the exposure began/)})
    expect(c.use.status).toBe('not-collected')
    expect(c.revoked).toMatchObject({happenedAt: iso('12:00'), source: expect.stringMatching(/ticked by ana$/)})
    expect(c.verifiedDead).toBeNull()
    // 10:00 - 09:00; 12:00 - 10:00; 12:00 - 09:00.
    expect(c.durations).toEqual({exposedBeforeDetectionMs: 60 * MIN, detectionToRevocationMs: 120 * MIN, totalExposureMs: 180 * MIN, exposureOngoing: false})
  })

  it('C (high): no use in the audit log covering 08:00-10:40; not revoked, so exposed until now (13:00)', () => {
    const c = byFp(C.fingerprint)
    expect(c.use).toMatchObject({status: 'none-seen', count: 0, coverage: {from: iso('08:00'), to: iso('10:40')}})
    expect(c.revoked).toBeNull()
    expect(c.durations).toEqual({exposedBeforeDetectionMs: 120 * MIN, detectionToRevocationMs: null, totalExposureMs: 300 * MIN, exposureOngoing: true})
  })

  it('the key durations: detect 2h, first revocation 20m, contained (the only critical dead) 20m, not remediated; the unknowns said', () => {
    const d = a.durations
    expect(d).toMatchObject({exposureStart: iso('08:00'), detectedAt: iso('10:00'), timeToDetectMs: 120 * MIN, firstRevokedAt: iso('10:20'), detectionToFirstRevocationMs: 20 * MIN, containRisk: 'critical', containedAt: iso('10:20'), timeToContainMs: 20 * MIN, remediatedAt: null, timeToRemediateMs: null})
    expect(d.open.credentials).toBe(1)
    expect(d.unknowns).toEqual([
      'Whether 1 credential(s) were used by someone else: no logs were collected for them',
      'Whether 1 revoked credential(s) are really dead: not verified (leakctl verify cluster / verify issuer)',
    ])
    expect(a.milestones.map((m) => [m.kind, m.at.happenedAt])).toEqual([
      ['exposed', iso('08:00')],
      ['first-use', iso('08:45')],
      ['last-use', iso('09:10')],
      ['detected', iso('10:00')],
      ['first-revocation', iso('10:20')],
      ['contained', iso('10:20')],
    ])
  })

  it('the picture: lanes for A, B, C and the milestones; both uses of A in the chart, its revocation and verification', () => {
    expect(a.chart.lanes.map((l) => l.kind)).toEqual(['credential', 'credential', 'credential', 'milestones'])
    const laneA = a.chart.lanes[0]!
    expect(laneA.label).toMatch(/^critical aws-access-key/)
    expect(laneA.bar).toMatchObject({from: iso('08:00'), to: iso('10:20'), ongoing: false})
    expect(laneA.marks.filter((m) => m.kind === 'use').reduce((n, m) => n + m.count, 0)).toBe(2)
    expect(laneA.marks.map((m) => m.kind)).toEqual(expect.arrayContaining(['revoked', 'dead']))
    const laneC = a.chart.lanes.find((l) => l.label.includes('github-token'))!
    expect(laneC.bar).toMatchObject({to: iso('13:00'), ongoing: true})
    // The phase deadlines from 10:00: hour-0 ends at 10:05 and is overdue at 13:00 (items open).
    expect(a.chart.deadlines[0]).toMatchObject({at: iso('10:05'), overdue: true})
  })

  it('the timeline carries happenedAt, learnedAt and source per entry, and the milestones among the events', () => {
    const {state, events} = loadIncident(ref)
    const t = buildTimeline(state, events, {milestones: a.milestones})
    const use = t.entries.find((e) => e.type === 'evidence.found' && e.source === 'CloudTrail eventId ev-1')!
    expect(use).toMatchObject({happenedAt: iso('08:45'), learnedAt: iso('10:30'), type: 'evidence.found'})
    const found = t.entries.find((e) => e.type === 'finding.recorded' && e.source === 'commit aaaaaaaaaaaa' && e.happenedAt === iso('09:00'))
    expect(found?.learnedAt).toBe(iso('10:00'))
    expect(t.entries.filter((e) => e.category === 'milestone').map((e) => e.type)).toContain('milestone.contained')
    const times = t.entries.map((e) => e.happenedAt)
    expect([...times].sort()).toEqual(times)
  })

  it('a signature check, when given, marks what rests on an unverified event', () => {
    const {state, events} = loadIncident(ref)
    const revokedId = events.find((e) => e.type === 'credential.revoked')!.id
    const checked = analyseExposure(state, events, T('13:00'), {verified: (id) => id !== revokedId})
    const marks = checked.chart.lanes[0]!.marks
    expect(marks.find((m) => m.kind === 'revoked')).toMatchObject({verified: false, label: expect.stringMatching(/\(unverified\)$/)})
    expect(marks.find((m) => m.kind === 'dead')!.verified).toBe(true)
    const t = buildTimeline(state, events, {verified: (e) => e.id !== revokedId})
    expect(t.entries.find((e) => e.type === 'credential.revoked')!.verified).toBe(false)
    expect(exportTimeline(t, 'md')).toMatch(/Revoked: aws-access-key .* \*\*\(unverified\)\*\* \|/)
    // Not asked: no mark either way.
    expect(a.chart.lanes[0]!.marks.every((m) => m.verified === undefined)).toBe(true)
  })

  it('a repository made public (GitHub PublicEvent) is a fact at its own time, and a milestone', () => {
    const {state, events} = loadIncident(ref)
    const publicEvent = {id: '01KZZZZZZZZZZZZZZZZZZZZZZZ', time: iso('10:45'), actor: 'logs', type: 'evidence.found' as const, data: {source: 'github', summary: 'acme/api: dev made the repository public', at: iso('07:30'), suspicious: true, reasons: ['the repository became public: the exposure starts here'], ref: {id: 'acme/api#event:99', kind: 'visibility'}}}
    const b = analyseExposure(state, [...events, publicEvent], T('13:00'))
    expect(b.facts.madePublic).toEqual([{happenedAt: iso('07:30'), learnedAt: iso('10:45'), source: 'github acme/api#event:99', event: publicEvent.id, what: 'repository'}])
    expect(b.milestones.map((m) => m.kind)).toContain('made-public')
    // Earlier than the stated exposure: A's exposure now starts when the repository became public.
    expect(b.credentials.find((c) => c.fingerprint === A.fingerprint)!.exposed).toMatchObject({happenedAt: iso('07:30'), basis: 'the repository made public (GitHub)'})
    // Not an outside use of any credential.
    expect(b.facts.outsideActivity).toEqual([])
  })

  it('the SVG escapes every outside string, in text and in attributes', () => {
    const evil = `x"><script>alert(1)</script><meta http-equiv="refresh" content="0">'&`
    const svg = renderChartSvg({
      ...a.chart,
      lanes: a.chart.lanes.map((l) => ({...l, id: evil, label: `${l.label} ${evil}`, marks: l.marks.map((m) => ({...m, label: evil})), bar: l.bar && {...l.bar, label: evil}})),
      deadlines: a.chart.deadlines.map((d) => ({...d, label: evil})),
    })
    expect(svg).not.toMatch(/<script|<meta|content="0"/)
    expect(svg).toContain('x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;')
    // Every attribute value is quoted and free of a raw quote: the markup parses back to the same elements.
    expect(svg.match(/<g class="mark /g)!.length).toBe(a.chart.lanes.reduce((n, l) => n + l.marks.length, 0))
  })

  it('the credentials CSV: one row per credential with each step and the durations in seconds', () => {
    const rows = lifecycleCsv(a.credentials).trimEnd().split('\r\n')
    expect(rows).toHaveLength(4)
    const head = rows[0]!.split(',')
    const rowA = rows.find((r) => r.startsWith(A.fingerprint))!.split(',')
    const col = (name: string) => rowA[head.indexOf(name)]
    expect(col('revoked_happenedAt')).toBe(iso('10:20'))
    expect(col('first_use_source')).toBe('CloudTrail eventId ev-1')
    expect(col('total_exposure_s')).toBe(String(140 * 60))
  })
})
