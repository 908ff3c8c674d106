import {statSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {actOnItems, loadIncident, recordEvents} from '../src/incident/incident.js'
import type {IncidentRef} from '../src/incident/workspace.js'
import {csvCell, exportTimeline} from '../src/timeline/export.js'
import {buildTimeline} from '../src/timeline/timeline.js'
import {json, leakctl, tempDir} from './helpers/cli.js'
import {gitFinding, openTestIncident} from './helpers/incident.js'

let tmp: ReturnType<typeof tempDir>
let ref: IncidentRef
const exposedAt = new Date('2026-11-22T08:00:00Z')
const openedAt = new Date('2026-11-22T09:30:00Z')

beforeAll(async () => {
  tmp = tempDir()
  const opened = await openTestIncident(join(tmp.dir, 'ws'), {kind: 'git-leak', exposedAt, now: openedAt, findings: [gitFinding('postgres://app:s3cr3t@db/prod')]})
  ref = opened.ref
  await recordEvents(ref, 'logs', [
    {type: 'evidence.found', data: {source: 'cloudtrail', summary: 'GetCallerIdentity from 185.220.101.47', at: '2026-11-22T08:21:00Z', suspicious: true, reasons: ['reconnaissance', 'new source IP']}},
  ])
  await actOnItems(ref, 'ana', ['confirm-leak'], {type: 'tick', note: 'first commit a1b2, pushed 22:10'})
})
afterAll(() => tmp.cleanup())

describe('timeline', () => {
  it('places each event when it happened, relative to the exposure', () => {
    const {state, events} = loadIncident(ref)
    const t = buildTimeline(state, events)
    expect(t.zero).toEqual({time: exposedAt.toISOString(), label: 'exposure'})
    const texts = t.entries.map((e) => `${e.relative} ${e.type}`)
    // The leaked commit (its author date) comes before the exposure; evidence at its CloudTrail time.
    expect(texts[0]).toBe('T-09:50 finding.recorded')
    expect(texts[1]).toBe('T+00:21 evidence.found')
    expect(texts).toContain('T+01:30 incident.opened')
    const times = t.entries.map((e) => e.happenedAt)
    expect([...times].sort()).toEqual(times)
  })

  it('filters with --since/--until', () => {
    const {state, events} = loadIncident(ref)
    const t = buildTimeline(state, events, {since: new Date('2026-11-22T08:00:00Z'), until: new Date('2026-11-22T09:00:00Z')})
    expect(t.entries.map((e) => e.type)).toEqual(['evidence.found'])
  })

  it('exports md, json, csv and html with the same entries', () => {
    const {state, events} = loadIncident(ref)
    const t = buildTimeline(state, events)
    const md = exportTimeline(t, 'md')
    expect(md).toMatch(/\| 2026-11-22 08:21:00Z \| T\+00:21 \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \| logs \| Evidence from cloudtrail \(SUSPICIOUS\): GetCallerIdentity/)
    const j = JSON.parse(exportTimeline(t, 'json'))
    expect(j.entries).toHaveLength(t.entries.length)
    for (const e of j.entries) expect(Object.keys(e)).toEqual(expect.arrayContaining(['happenedAt', 'learnedAt', 'source']))
    expect(j.entries.find((e: {type: string}) => e.type === 'evidence.found')).toMatchObject({happenedAt: '2026-11-22T08:21:00.000Z', source: expect.stringMatching(/^event [0-9A-Z]{26}$/)})
    const csv = exportTimeline(t, 'csv').trimEnd().split('\r\n')
    expect(csv[0]).toBe('happenedAt,relative,learnedAt,source,actor,type,category,text,event_ids')
    expect(csv).toHaveLength(t.entries.length + 1)
    const html = exportTimeline(t, 'html')
    expect(html).toContain('<tr class="evidence">')
    expect(html).not.toMatch(/<script|<link|https?:\/\//)
  })

  it('neutralises spreadsheet formulas in CSV cells', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a,b')).toBe('"a,b"')
  })

  it('leakctl timeline export writes files 0600 and prints JSON with --json', () => {
    const env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws')}
    const out = join(tmp.dir, 'timeline.csv')
    const r = leakctl(['timeline', 'export', '--format', 'csv', '--out', out], {env})
    expect(r.code).toBe(0)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const j = json(leakctl(['timeline', 'export', '--json', '--since', '2026-11-22T08:00:00Z'], {env}))
    expect(j.entries.filter((e: {category: string}) => e.category !== 'milestone')[0].type).toBe('evidence.found')
    expect(j.entries[0]).toMatchObject({type: 'milestone.exposed', happenedAt: '2026-11-22T08:00:00.000Z', learnedAt: '2026-11-22T09:30:00.000Z'})
    expect(j.exposure.durations.timeToDetectMs).toBe(90 * 60_000)
    expect(leakctl(['timeline', 'export', '--format', 'pdf'], {env}).code).toBe(2)
    expect(leakctl(['timeline', 'export', '--since', 'last week'], {env}).code).toBe(2)
  })
})

describe('timeline at scale', () => {
  it('folds a batch of many findings into one entry for md/html, and lists every one for csv/json', async () => {
    const big = tempDir()
    try {
      const findings = Array.from({length: 300}, (_, i) => gitFinding(`secret-${i}`, {path: `f${i}.env`}))
      const {ref: r} = await openTestIncident(join(big.dir, 'ws'), {kind: 'git-leak', findings})
      const {state, events} = loadIncident(r)
      const collapsed = buildTimeline(state, events, {collapseFindingsAbove: 20})
      const bulk = collapsed.entries.filter((e) => e.type === 'finding.recorded')
      expect(bulk).toHaveLength(1)
      expect(bulk[0]!.count).toBe(300)
      expect(bulk[0]!.text).toMatch(/^300 findings recorded \(300 high\)/)
      const full = buildTimeline(state, events)
      expect(full.entries.filter((e) => e.type === 'finding.recorded')).toHaveLength(300)
    } finally {
      big.cleanup()
    }
  })
})
