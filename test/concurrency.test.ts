import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {json, leakctl, leakctlAsync, tempDir} from './helpers/cli.js'

// Several responders' processes write one incident at once: no event may be
// lost or interleaved.
let tmp: ReturnType<typeof tempDir>
let env: Record<string, string>
let logPath: string

beforeAll(() => {
  tmp = tempDir()
  env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws')}
  const pb = join(tmp.dir, 'twenty.yaml')
  const steps = Array.from({length: 20}, (_, i) => `      - id: step-${i + 1}\n        title: Step ${i + 1}\n`).join('')
  writeFileSync(pb, `name: twenty\ntitle: Twenty\nversion: 1\nphases:\n  - id: p\n    title: P\n    window: 0-1h\n    steps:\n${steps}`)
  const id = json(leakctl(['incident', 'open', '--title', 'concurrency', '--playbook', pb, '--json'], {env})).incident.id as string
  logPath = join(env.LEAKCTL_WORKSPACE!, 'incidents', id, 'events.jsonl')
})
afterAll(() => tmp.cleanup())

describe('concurrent writers', () => {
  it('20 processes ticking at once: all 20 events are there, each line whole', {timeout: 240_000}, async () => {
    const runs = await Promise.all(Array.from({length: 20}, (_, i) => leakctlAsync(['checklist', 'tick', `step-${i + 1}`, '--by', `responder-${i + 1}`], {env})))
    for (const r of runs) expect(r.code, r.stderr).toBe(0)
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n')
    const events = lines.map((l) => JSON.parse(l) as {id: string; type: string; actor: string; data: {item: string}})
    const ticks = events.filter((e) => e.type === 'item.ticked')
    expect(ticks).toHaveLength(20)
    expect(new Set(ticks.map((e) => e.data.item)).size).toBe(20)
    expect(new Set(ticks.map((e) => e.actor)).size).toBe(20)
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length)
    const view = json(leakctl(['checklist', '--json'], {env}))
    expect(view.progress).toMatchObject({done: 20, total: 20})
  })

  it('20 processes noting the same item at once: 20 notes, none lost', {timeout: 240_000}, async () => {
    const runs = await Promise.all(Array.from({length: 20}, (_, i) => leakctlAsync(['checklist', 'note', 'step-1', `note number ${i + 1}`], {env})))
    for (const r of runs) expect(r.code, r.stderr).toBe(0)
    const view = json(leakctl(['checklist', '--json'], {env}))
    const item = view.phases[0].items.find((i: {id: string}) => i.id === 'step-1')
    expect(item.notes.map((n: {text: string}) => n.text).sort()).toEqual(Array.from({length: 20}, (_, i) => `note number ${i + 1}`).sort())
  })
})
