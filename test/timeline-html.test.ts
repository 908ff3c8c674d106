import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {recordEvents} from '../src/incident/incident.js'
import {launchChromium} from './helpers/chromium.js'
import {leakctl, tempDir} from './helpers/cli.js'
import {gitFinding, openTestIncident} from './helpers/incident.js'

// The HTML timeline in real Chromium: self-contained (no request leaves the
// page), every entry rendered, readable on screen and printed.
let tmp: ReturnType<typeof tempDir>
let browser: Browser
let htmlPath: string

beforeAll(async () => {
  tmp = tempDir()
  const ws = join(tmp.dir, 'ws')
  const {ref} = await openTestIncident(ws, {kind: 'git-leak', title: 'DB password <script>alert(1)</script> on GitHub', exposedAt: new Date('2026-11-22T08:00:00Z'), findings: [gitFinding('postgres://app:pw@db/x')]})
  await recordEvents(ref, 'logs', [{type: 'evidence.found', data: {source: 'cloudtrail', summary: 'CreateUser backdoor from 185.220.101.47', at: '2026-11-22T08:40:00Z', suspicious: true, reasons: ['persistence']}}])
  htmlPath = join(tmp.dir, 'timeline.html')
  const r = leakctl(['timeline', 'export', '--format', 'html', '--out', htmlPath], {env: {LEAKCTL_WORKSPACE: ws}})
  expect(r.code, r.stderr).toBe(0)
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  tmp.cleanup()
})

describe('HTML timeline in Chromium', () => {
  it('renders every entry without a single network request, and escapes user text', async () => {
    const page = await browser.newPage({viewport: {width: 1200, height: 800}})
    const requests: string[] = []
    page.on('request', (r) => {
      if (!r.url().startsWith('file://')) requests.push(r.url())
    })
    let dialogs = 0
    page.on('dialog', async (d) => {
      dialogs++
      await d.dismiss()
    })
    await page.goto(`file://${htmlPath}`)
    const rows = await page.locator('table.entries tbody tr').count()
    const entries = (readFileSync(htmlPath, 'utf8').match(/<tr class=/g) ?? []).length
    expect(rows).toBe(entries)
    expect(rows).toBeGreaterThanOrEqual(4)
    await expect(page.locator('h1').innerText()).resolves.toContain('<script>alert(1)</script>')
    await expect(page.locator('tr.evidence').first().innerText()).resolves.toContain('CreateUser backdoor')
    const bg = await page.locator('tr.evidence td').first().evaluate((el) => getComputedStyle(el).backgroundColor)
    expect(bg).toBe('rgb(255, 248, 197)')
    expect(dialogs).toBe(0)
    expect(requests).toEqual([])
    const shot = await page.screenshot({fullPage: true})
    expect(shot.subarray(1, 4).toString()).toBe('PNG')
    writeFileSync(join(tmp.dir, 'timeline.png'), shot)
    if (process.env.LEAKCTL_KEEP_SCREENSHOT) writeFileSync(process.env.LEAKCTL_KEEP_SCREENSHOT, shot)
    await page.close()
  })

  it('prints: the print stylesheet applies and a PDF comes out', async () => {
    const page = await browser.newPage()
    await page.goto(`file://${htmlPath}`)
    await page.emulateMedia({media: 'print'})
    const border = await page.locator('tr.evidence td').first().evaluate((el) => getComputedStyle(el).borderLeftStyle)
    expect(border).toBe('solid')
    const pdf = await page.pdf({format: 'A4'})
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdf.length).toBeGreaterThan(5000)
    await page.close()
  })
})
