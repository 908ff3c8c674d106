import {join} from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {actOnItems, recordEvents} from '../src/incident/incident.js'
import {launchChromium} from './helpers/chromium.js'
import {json, leakctl, tempDir} from './helpers/cli.js'
import {gitFinding, openTestIncident} from './helpers/incident.js'

let tmp: ReturnType<typeof tempDir>
let env: Record<string, string>

beforeAll(async () => {
  tmp = tempDir()
  const ws = join(tmp.dir, 'ws')
  env = {LEAKCTL_WORKSPACE: ws}
  const opened = new Date(Date.now() - 2 * 3600_000)
  const {ref} = await openTestIncident(ws, {
    kind: 'git-leak',
    title: 'DB password pushed to GitHub',
    exposedAt: new Date(opened.getTime() - 3600_000),
    now: opened,
    findings: [gitFinding('pw-1'), gitFinding('AKIA-secret', {class: 'aws-access-key', risk: 'critical', keyId: 'AKIAQQQQQQQQQQQQQQQQ', rotation: 'aws-access-key', path: 'deploy/aws.env'})],
  })
  await recordEvents(ref, 'ci', [
    {type: 'evidence.found', data: {source: 'cloudtrail', summary: 'CreateUser "backup-admin" by AKIAQQQQQQQQQQQQQQQQ from 185.220.101.47', at: new Date(opened.getTime() - 1800_000).toISOString(), suspicious: true, reasons: ['persistence', 'new source IP']}},
    {type: 'check.completed', data: {check: 'scan-git', status: 'fail', summary: '2 secrets exposed in 2 places; pushed to github.com/acme/api'}},
  ])
  await actOnItems(ref, 'ana', ['confirm-leak'], {type: 'tick'})
  await actOnItems(ref, 'ana', ['collaborators'], {type: 'assign', owner: 'bob'})
})
afterAll(() => tmp.cleanup())

describe('leakctl report', () => {
  it('reads like a post-mortem draft: summary, inventory, evidence, who did what, what is open, timeline, questions', () => {
    const r = leakctl(['report'], {env})
    expect(r.code).toBe(0)
    const md = r.stdout
    const sections = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1])
    expect(sections).toEqual(['Summary', 'Exposure window', 'Inventory by risk', 'Evidence of use', 'What was done, by whom, when', 'Still open', 'Timeline', 'For the team to write'])
    expect(md).toMatch(/Exposure: 2 credential finding\(s\): \*\*1 critical\*\*, \*\*1 high\*\*/)
    expect(md).toMatch(/\*\*Evidence of use: 1 suspicious event\(s\)\*\*/)
    expect(md).toMatch(/Check scan-git: \*\*FAIL\*\* — 2 secrets exposed/)
    expect(md).toMatch(/\| T\+00:30 \| cloudtrail \| \*\*CreateUser "backup-admin"/)
    // Ticked two hours after opening, due 5 minutes after: late.
    expect(md).toMatch(/\| ana \| confirm-leak: .* \| \*\*late by 1h5\dm\*\* \|/)
    expect(md).toMatch(/\| collaborators: .* \| bob \|/)
    expect(md).toMatch(/### Root cause: how did the secret get exposed\?/)
  })

  it('--json returns the document; --format html is one self-contained page that Chromium renders', async () => {
    expect(json(leakctl(['report', '--json'], {env})).document.blocks.length).toBeGreaterThan(20)
    const out = join(tmp.dir, 'report.html')
    expect(leakctl(['report', '--format', 'html', '--out', out], {env}).code).toBe(0)
    let browser: Browser | undefined
    try {
      browser = await launchChromium()
      const page = await browser.newPage()
      const external: string[] = []
      page.on('request', (req) => (req.url().startsWith('file://') ? undefined : external.push(req.url())))
      await page.goto(`file://${out}`)
      expect(await page.locator('h2').allInnerTexts()).toContain('Evidence of use')
      expect(await page.locator('span.critical').first().innerText()).toMatch(/critical|Evidence of use/)
      expect(external).toEqual([])
    } finally {
      await browser?.close()
    }
  })
})
