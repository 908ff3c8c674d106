import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {findIncident, newIncidentId, openWorkspace} from '../src/incident/workspace.js'
import {openTestIncident} from './helpers/incident.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

describe('incident ids: the most recent incident is the one opened last', () => {
  it('eight incidents opened in the same second: each in turn is the default incident', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-ids-'))
    dirs.push(dir)
    const now = new Date('2026-12-04T13:50:07.250Z')
    for (let i = 0; i < 8; i++) {
      const {ref} = await openTestIncident(dir, {now, title: `incident ${i}`})
      expect(ref.id).toMatch(/^inc-20261204-135007-[0-9a-z]{4}$/)
      expect(findIncident(openWorkspace(dir, false)).id).toBe(ref.id)
    }
  })

  it('a new id sorts after every id of its second, whatever suffix the dice gave', () => {
    const now = new Date('2026-12-04T13:50:07Z')
    const stamp = 'inc-20261204-135007-'
    for (const latest of ['zzzy', 'zzz9', '9zzz', '0000', 'k3f9']) {
      for (let i = 0; i < 50; i++) {
        const id = newIncidentId(now, [`${stamp}0001`, `${stamp}${latest}`, 'inc-20261204-135008-0000'])
        expect(id > `${stamp}${latest}`, `after ${latest}: ${id}`).toBe(true)
        expect(id.startsWith(stamp)).toBe(true)
      }
    }
    expect(newIncidentId(now, [`${stamp}k3f9`, `${stamp}k3fz`]) > `${stamp}k3fz`).toBe(true)
  })
})
