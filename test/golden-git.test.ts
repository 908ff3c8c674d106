import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {buildCases, goldenPath, goldenWorkspace, scanJson} from '../scripts/golden-git.js'

// `scan git --json` is byte for byte what it was before the speed work
// (test/golden/git, written by scripts/golden-git.ts from the unoptimised
// code): on a first scan, on a second scan in the same workspace (what an
// earlier run left behind must not change an answer), and with detection on
// the main thread. Only stats.ms and the temporary folder are normalised.

let tmp: string
let cases: ReturnType<typeof buildCases>

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'leakctl-golden-'))
  cases = buildCases(tmp)
}, 120_000)
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

const names = ['sample', 'story', 'story-stash', 'story-uncommitted', 'history', 'history-branch', 'history-path', 'history-since', 'history-max-commits', 'odd', 'bulk', 'bulk-branch']

describe('scan git --json matches the golden outputs', () => {
  it('the generator builds exactly the cases this test checks', () => {
    expect(cases.map((c) => c.name)).toEqual(names)
  })

  it.each(names)('%s: first scan, then a second in the same workspace', (name) => {
    const c = cases.find((x) => x.name === name)!
    const golden = readFileSync(goldenPath(name), 'utf8')
    const ws = goldenWorkspace(join(tmp, `ws-${name}`))
    const first = scanJson(c, ws, tmp)
    expect(first.code, first.stderr).toBe(1)
    expect(`${first.text.trimEnd()}\n`).toBe(golden)
    const second = scanJson(c, ws, tmp)
    expect(second.code, second.stderr).toBe(1)
    expect(`${second.text.trimEnd()}\n`).toBe(golden)
  })

  it('bulk, with detection on the main thread', () => {
    const c = cases.find((x) => x.name === 'bulk')!
    const r = scanJson(c, goldenWorkspace(join(tmp, 'ws-bulk-inline')), tmp, {LEAKCTL_NO_WORKERS: '1'})
    expect(`${r.text.trimEnd()}\n`).toBe(readFileSync(goldenPath('bulk'), 'utf8'))
  })
})
