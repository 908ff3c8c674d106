import {execFileSync} from 'node:child_process'
import {appendFileSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {Browser, Page} from 'playwright-core'
import {decodeTime, ulid} from 'ulidx'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openDenseIncident} from '../bench/lib.js'
import {findingKey} from '../src/detect/finding.js'
import {actOnItems, loadIncident, recordEvents} from '../src/incident/incident.js'
import {appendEvents} from '../src/incident/log.js'
import {findIncident, openWorkspace} from '../src/incident/workspace.js'
import {mermaidText} from '../src/timeline/mermaid.js'
import {launchChromium} from './helpers/chromium.js'
import {json, leakctl, leakctlAsync, ROOT, tempDir} from './helpers/cli.js'
import {admittedSigner, gitFinding, openTestIncident} from './helpers/incident.js'

// The post-mortem's picture in real Chromium: the sample incidents (git and
// etcd, triaged by the CLI), a constructed one with fixed times (the README's
// screenshot), and one of 10,000 events. The SVG's lanes and marks are read
// from the DOM, the screenshot must not be blank, the page prints to PDF; the
// Markdown's Mermaid block is checked against Mermaid's gantt grammar.

const HOSTILE_TIME = '2026-11-22 11:30 ("><meta http-equiv=refresh content="0;url=http://127.0.0.1:9/">)'
const HOSTILE_ACTOR = 'mallory"><img src=x onerror=alert(1)>'

let tmp: ReturnType<typeof tempDir>
let browser: Browser
const ws = (name: string) => join(tmp.dir, name)
const envOf = (name: string) => ({LEAKCTL_WORKSPACE: ws(name), LEAKCTL_ACTOR: 'ana'})

beforeAll(async () => {
  tmp = tempDir('leakctl-report-chart-')
  // git: the sample repository, triaged; then a use of its AWS key, its revocation and verification, a tick.
  execFileSync('bash', [join(ROOT, 'fixtures', 'git', 'make-sample-repo.sh'), join(tmp.dir, 'git')])
  const g = await leakctlAsync(['triage', 'git-leak', '--repo', join(tmp.dir, 'git', 'repo'), '--replacements-dir', tmp.dir], {env: envOf('ws-git')})
  expect(g.code, g.stderr).toBe(1)
  const gitRef = findIncident(openWorkspace(ws('ws-git'), false))
  const aws = loadIncident(gitRef).state.findings.find((f) => f.class === 'aws-access-key')!
  await recordEvents(gitRef, 'logs', [
    {type: 'evidence.found', data: {source: 'cloudtrail', summary: 'GetCallerIdentity', at: '2026-11-21T23:05:00Z', suspicious: true, reasons: ['reconnaissance'], ref: {eventId: 'ct-1', accessKeyId: aws.keyId, leakedKey: aws.keyId}}},
    {type: 'evidence.found', data: {source: 'cloudtrail', summary: 'CreateUser backdoor', at: '2026-11-22T01:40:00Z', suspicious: true, reasons: ['persistence'], ref: {eventId: 'ct-2', accessKeyId: aws.keyId, leakedKey: aws.keyId}}},
    {type: 'credential.revoked', data: {fingerprint: aws.fingerprint, finding: findingKey(aws), class: aws.class, where: 'deploy/push.sh', action: 'iam:UpdateAccessKey Inactive', applied: true, result: 'done'}},
  ])
  await actOnItems(gitRef, 'bob', ['confirm-leak'], {type: 'tick'})

  // etcd: the sample snapshot, triaged with a stated exposure.
  const e = await leakctlAsync(['triage', 'etcd-leak', '--snapshot', join(ROOT, 'fixtures', 'etcd', 'sample.db'), '--encryption-config', join(ROOT, 'fixtures', 'etcd', 'sample-encryption-config.yaml'), '--exposed-at', '2026-11-21T18:00:00Z'], {env: envOf('ws-etcd')})
  expect([0, 1]).toContain(e.code)

  // Fixed times, for the README: opened 10:00, exposure 08:00, uses, revocations, overdue deadlines; and a hostile line.
  const T = (hhmm: string) => new Date(`2026-11-22T${hhmm}:00.000Z`)
  const A = gitFinding('AKIA-demo', {class: 'aws-access-key', risk: 'critical', keyId: 'AKIAQ3LMZ7TR4NBX2KDW', rotation: 'aws-access-key', path: 'deploy/push.sh', line: 3, date: '2026-11-21T21:58:00Z'})
  const B = gitFinding('ghp-demo', {class: 'github-token', risk: 'high', rotation: 'github-token', path: '.ci.env', line: 1, date: '2026-11-21T22:05:00Z'})
  const C = gitFinding('pg-demo', {path: 'config/production.env', line: 2, date: '2026-11-21T21:58:00Z'})
  const {ref} = await openTestIncident(ws('ws-fixed'), {kind: 'git-leak', title: 'Payments repository leaked credentials', exposedAt: T('08:00'), now: T('10:00'), findings: [A, B, C], actor: 'ana', commander: 'ana'})
  // The responders sign with keys the commander admitted (unsigned events would not count as theirs).
  const at = async (hhmm: string, actor: string, batch: Parameters<typeof appendEvents>[2]) => appendEvents(ref.logPath, await admittedSigner(ref, actor, () => T('10:00')), batch, () => T(hhmm))
  await at('10:25', 'logs', [
    ...['08:40', '08:41', '08:52', '09:15', '09:47'].map((t, i) => ({type: 'evidence.found' as const, data: {source: 'cloudtrail', summary: 'ListBuckets', at: T(t).toISOString(), suspicious: true, reasons: ['new source IP'], ref: {eventId: `fx-${i}`, accessKeyId: A.keyId, leakedKey: A.keyId}}})),
    {type: 'evidence.found', data: {source: 'github', summary: 'acme/payments: cloned 4 times', at: T('09:05').toISOString(), suspicious: true, reasons: ['clone after the exposure'], ref: {id: 'acme/payments#clones:1', kind: 'clones'}}},
  ])
  await at('10:20', 'bob', [{type: 'credential.revoked', data: {fingerprint: A.fingerprint, finding: findingKey(A), class: A.class, where: 'deploy/push.sh', action: 'iam:DeleteAccessKey', applied: true, result: 'deleted'}}])
  await at('11:10', 'bob', [{type: 'credential.revoked', data: {fingerprint: B.fingerprint, finding: findingKey(B), class: B.class, where: '.ci.env', action: 'DELETE /applications/{client_id}/token', applied: true, result: 'revoked'}}])
  await at('10:50', 'verifier', [{type: 'verification.recorded', data: {fingerprint: A.fingerprint, finding: findingKey(A), class: A.class, where: 'deploy/push.sh', verifier: 'issuer', state: 'revoked', checkedAt: T('10:50').toISOString(), via: 'sts:GetCallerIdentity', detail: 'InvalidClientTokenId'}}])
  const itemC = [...loadIncident(ref).state.items.values()].find((i) => i.findings?.includes(findingKey(C)) && i.procedure)!
  await at('11:40', 'bob', [{type: 'item.ticked', data: {item: itemC.id}}, {type: 'incident.noted', data: {text: 'bob rotated the database password with the DBA'}}])
  // Lines written by hand (or by a hostile sync peer). An actor and a note that are markup: a valid event,
  // unsigned, so shown as unverified. A time Date.parse accepts around markup: not a canonical time, so the
  // line is skipped with a warning when read (event validation, issue 13).
  const id = decodeTime(loadIncident(ref).state.lastEventId)
  appendFileSync(ref.logPath, JSON.stringify({id: ulid(id + 1), time: T('11:30').toISOString(), actor: HOSTILE_ACTOR, type: 'incident.noted', data: {text: '<script>alert(2)</script> ]]> --> \u001b[2J\u001b]52;c;aGk=\u0007 note'}}) + '\n')
  appendFileSync(ref.logPath, JSON.stringify({id: ulid(id + 2), time: HOSTILE_TIME, actor: 'mallory', type: 'incident.noted', data: {text: 'a hostile time'}}) + '\n')

  // 10,000 events over three days.
  const dense = await openDenseIncident(ws('ws-dense'), {now: new Date()})
  expect(loadIncident(dense.ref).events).toHaveLength(10_000)

  browser = await launchChromium()
}, 240_000)

afterAll(async () => {
  await browser?.close()
  tmp?.cleanup()
})

/** Writes the HTML report of a workspace's incident and opens it; fails on any request that leaves the file or any dialog. */
async function openReport(name: string, extra: string[] = []): Promise<{page: Page; path: string; requests: string[]; dialogs: number[]}> {
  const path = join(tmp.dir, `${name}.html`)
  const r = leakctl(['report', '--format', 'html', '--out', path, ...extra], {env: envOf(name)})
  expect(r.code, r.stderr).toBe(0)
  const page = await browser.newPage({viewport: {width: 1280, height: 900}})
  const requests: string[] = []
  const dialogs: number[] = []
  page.on('request', (q) => (q.url().startsWith('file://') ? undefined : requests.push(q.url())))
  page.on('dialog', async (d) => {
    dialogs.push(1)
    await d.dismiss()
  })
  await page.goto(`file://${path}`)
  return {page, path, requests, dialogs}
}

/** Distinct colours and the share of non-white pixels of a PNG, counted by Chromium itself (no decoder needed). */
async function pixelVariety(png: Buffer): Promise<{colors: number; inked: number}> {
  const page = await browser.newPage()
  try {
    await page.setContent('<canvas id="c"></canvas>')
    return await page.evaluate(async (b64) => {
      const img = new Image()
      img.src = `data:image/png;base64,${b64}`
      await img.decode()
      const c = document.getElementById('c') as HTMLCanvasElement
      c.width = img.width
      c.height = img.height
      const ctx = c.getContext('2d')!
      ctx.drawImage(img, 0, 0)
      const d = ctx.getImageData(0, 0, c.width, c.height).data
      const colors = new Set<number>()
      let inked = 0
      for (let i = 0; i < d.length; i += 4) {
        colors.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!)
        if (d[i]! < 240 || d[i + 1]! < 240 || d[i + 2]! < 240) inked++
      }
      return {colors: colors.size, inked: inked / (d.length / 4)}
    }, png.toString('base64'))
  } finally {
    await page.close()
  }
}

const lanes = (page: Page, kind: string) => page.locator(`svg.exposure-chart g.lane.${kind}`)

describe('the exposure window in Chromium', () => {
  it('git sample: a lane per critical/high credential, the outside uses and the revocation of the AWS key, a milestone lane; every mark has its text', async () => {
    const {page, requests, dialogs} = await openReport('ws-git')
    try {
      await expect(lanes(page, 'credential').count()).resolves.toBe(3)
      await expect(lanes(page, 'milestones').count()).resolves.toBe(1)
      const awsLane = lanes(page, 'credential').filter({has: page.locator('text.lane-label', {hasText: 'aws-access-key'})})
      await expect(awsLane.locator('g.mark.use').count()).resolves.toBe(2)
      await expect(awsLane.locator('g.mark.revoked').count()).resolves.toBe(1)
      await expect(awsLane.locator('g.bar.exposed:not(.ongoing)').count()).resolves.toBe(1)
      // The two others are still exposed.
      await expect(page.locator('svg.exposure-chart g.bar.exposed.ongoing').count()).resolves.toBe(2)
      const titles = await page.locator('svg.exposure-chart g.mark').evaluateAll((gs) => gs.map((g) => [g.querySelector('title')?.textContent ?? '', g.getAttribute('aria-label') ?? '']))
      expect(titles.length).toBeGreaterThanOrEqual(5)
      for (const [title, aria] of titles) {
        expect(title).not.toBe('')
        expect(aria).toBe(title)
      }
      expect(titles.map(([t]) => t)).toContain('Outside use at 2026-11-21 23:05Z (CloudTrail eventId ct-1)')
      const box = await page.locator('svg.exposure-chart').boundingBox()
      expect(box!.width).toBeGreaterThan(600)
      expect(box!.height).toBeGreaterThan(120)
      await expect(page.locator('h2').allInnerTexts()).resolves.toContain('Exposure window')
      await expect(page.locator('table').filter({hasText: 'Time to detect'}).innerText()).resolves.toMatch(/Time to detect[^\n]*\t2026-11-21 22:10Z/)
      expect(requests).toEqual([])
      expect(dialogs).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('etcd sample: Secrets at their creation time, one lane per critical/high credential (capped, "N more"), and it prints', async () => {
    const {page} = await openReport('ws-etcd')
    try {
      const life = json(leakctl(['timeline', 'export', '--json'], {env: envOf('ws-etcd')})).exposure.credentials as {risk: string; introduced: {source: string} | null}[]
      const shown = life.filter((c) => c.risk === 'critical' || c.risk === 'high').length
      expect(shown).toBeGreaterThan(0)
      await expect(lanes(page, 'credential').count()).resolves.toBe(Math.min(12, shown))
      if (shown > 12) await expect(page.locator('svg.exposure-chart g.lane.more').textContent()).resolves.toContain(`${shown - 12} more`)
      expect(life.some((c) => /creationTimestamp/.test(c.introduced?.source ?? ''))).toBe(true)
      await page.emulateMedia({media: 'print'})
      const pdf = await page.pdf({format: 'A4', landscape: true})
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
      expect(pdf.length).toBeGreaterThan(20_000)
    } finally {
      await page.close()
    }
  })

  it('fixed-time incident: grouped uses, revocation, verified dead, overdue deadlines in red; hostile times and actors stay text; the screenshot is not blank', async () => {
    const {page, path, requests, dialogs} = await openReport('ws-fixed')
    try {
      const html = readFileSync(path, 'utf8')
      expect(html).not.toMatch(/<meta http-equiv="?refresh/i)
      expect(html).not.toContain('<img src=x')
      expect(html).not.toContain('<script>')
      await expect(page.locator('meta[http-equiv="refresh"], img, script').count()).resolves.toBe(0)
      await expect(page.locator('body').innerText()).resolves.toContain(HOSTILE_ACTOR)
      await expect(page.locator('body').innerText()).resolves.toContain('<script>alert(2)</script> ]]> -->')
      expect(html).not.toContain('a hostile time')
      expect(leakctl(['report', '--format', 'html'], {env: envOf('ws-fixed')}).stderr).toMatch(/skipped, not a valid event \(time: .*; it names "mallory" as its author/)
      const aLane = lanes(page, 'credential').first()
      await expect(aLane.locator('text.lane-label').textContent()).resolves.toMatch(/^critical aws-access-key/)
      // Five uses 08:40-09:47 over a ~4 h window grouped by 5 minutes: 08:40 and 08:41 share a bucket.
      const uses = await aLane.locator('g.mark.use').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))))
      expect(uses.reduce((a, b) => a + b, 0)).toBe(5)
      expect(Math.max(...uses)).toBe(2)
      await expect(aLane.locator('g.mark.dead title').textContent()).resolves.toMatch(/^Verified dead at 2026-11-22 10:50Z/)
      await expect(lanes(page, 'outside').locator('g.mark.use').count()).resolves.toBe(1)
      const overdue = page.locator('svg.exposure-chart g.deadline.overdue')
      await expect(overdue.count()).resolves.toBeGreaterThan(0)
      await expect(overdue.first().locator('line').evaluate((l) => getComputedStyle(l).stroke)).resolves.toBe('rgb(209, 36, 47)')
      const milestones = await lanes(page, 'milestones').locator('g.mark.milestone title').allTextContents()
      expect(milestones.join('\n')).toMatch(/Contained: the last critical credential revoked at 2026-11-22 10:20Z/)
      expect(requests).toEqual([])
      expect(dialogs).toEqual([])

      const shot = await page.locator('figure.chart').screenshot()
      const v = await pixelVariety(shot)
      expect(v.colors).toBeGreaterThan(8)
      expect(v.inked).toBeGreaterThan(0.03)
      writeFileSync(join(tmp.dir, 'exposure-window.png'), shot)
      if (process.env.LEAKCTL_UPDATE_DOCS) writeFileSync(join(ROOT, 'docs', 'report-exposure-window.png'), shot)
      const pdf = await page.pdf({format: 'A4'})
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    } finally {
      await page.close()
    }
  })

  it('10,000 events: uses grouped by hour, 12 lanes then "188 more", readable and printable', async () => {
    const t0 = performance.now()
    const {page, requests} = await openReport('ws-dense')
    const ms = performance.now() - t0
    try {
      await expect(lanes(page, 'credential').count()).resolves.toBe(12)
      await expect(page.locator('svg.exposure-chart g.lane.more').textContent()).resolves.toContain('188 more')
      const counts = await page.locator('svg.exposure-chart g.mark.use').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))))
      expect(Math.max(...counts)).toBeGreaterThan(1)
      // Few enough marks to read: at most one per bucket per lane.
      expect(counts.length).toBeLessThanOrEqual(12 * 130)
      await expect(page.locator('svg.exposure-chart desc').textContent()).resolves.toContain('grouped by hour')
      await expect(page.locator('svg.exposure-chart g.deadline.overdue').count()).resolves.toBeGreaterThan(0)
      const v = await pixelVariety(await page.locator('figure.chart').screenshot())
      expect(v.colors).toBeGreaterThan(8)
      const pdf = await page.pdf({format: 'A4'})
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
      expect(requests).toEqual([])
      expect(ms).toBeLessThan(60_000)
    } finally {
      await page.close()
    }
  }, 180_000)
})

/** Mermaid's gantt grammar, the parts we emit: a header, sections, tasks `name :tags, id, start, end|duration`, comments. */
function checkGantt(block: string): string[] {
  const problems: string[] = []
  const lines = block.split('\n')
  if (lines[0] !== 'gantt') problems.push('first line is not "gantt"')
  const ids = new Set<string>()
  for (const raw of lines.slice(1)) {
    const line = raw.trim()
    if (/^(title|dateFormat|axisFormat) \S/.test(line) || line.startsWith('%%')) continue
    if (line.startsWith('section ')) {
      if (/[:#;]/.test(line)) problems.push(`section with a reserved character: ${line}`)
      continue
    }
    const m = /^([^:#;]+?) :((?:(?:crit|active|done|milestone), )*)(m\d+), (\d{4}-\d\d-\d\d \d\d:\d\d), (\d{4}-\d\d-\d\d \d\d:\d\d|\d+m)$/.exec(line)
    if (!m) {
      problems.push(`not a task: ${line}`)
      continue
    }
    if (ids.has(m[3]!)) problems.push(`duplicate id ${m[3]}`)
    ids.add(m[3]!)
    const start = Date.parse(`${m[4]!.replace(' ', 'T')}:00Z`)
    if (Number.isNaN(start)) problems.push(`bad start: ${line}`)
    if (/^\d{4}/.test(m[5]!) && Date.parse(`${m[5]!.replace(' ', 'T')}:00Z`) < start) problems.push(`ends before it starts: ${line}`)
    if (m[2]!.includes('milestone') && m[5] !== '0m') problems.push(`milestone with a duration: ${line}`)
  }
  return problems
}

describe('the Markdown picture: a Mermaid gantt', () => {
  it('the report and the timeline carry a gantt block that follows the grammar, and the durations table', () => {
    for (const args of [['report'], ['timeline', 'export', '--format', 'md']]) {
      const r = leakctl(args, {env: envOf('ws-fixed')})
      expect(r.code, r.stderr).toBe(0)
      const blocks = [...r.stdout.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!)
      expect(blocks).toHaveLength(1)
      expect(checkGantt(blocks[0]!)).toEqual([])
      expect(blocks[0]).toMatch(/^ {4}exposed :crit, m\d+, 2026-11-22 08:00, 2026-11-22 10:20$/m)
      expect(r.stdout).toMatch(/\| Time to detect \(exposed before the response began\) \| 2026-11-22 08:00Z \| 2026-11-22 10:00Z \| 2h \|/)
      expect(r.stdout).toMatch(/\| Time to contain \(the last critical credential revoked\) \| 2026-11-22 10:00Z \| 2026-11-22 10:20Z \| 20m \|/)
      expect(r.stdout).not.toContain(HOSTILE_TIME)
      expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/)
    }
  })

  it('task names from outside cannot break the block', () => {
    const names = ['a: b', 'x # y', 'p; q', 'line\nbreak', '```', 'section evil', '%% comment', 'click m1 call alert()', '<b>bold</b>']
    for (const n of names) {
      const t = mermaidText(n)
      expect(t).not.toMatch(/[:#;\n`<>%]/)
      expect(t).not.toMatch(/^(section|click)\b/)
    }
    expect(checkGantt(['gantt', ...names.map((n, i) => `    ${mermaidText(n)} :milestone, m${i}, 2026-11-22 10:00, 0m`)].join('\n'))).toEqual([])
  })
})

describe('blameless exports', () => {
  it('--redact-people shows roles, in the actor columns and in notes\' text', () => {
    const plain = leakctl(['report'], {env: envOf('ws-fixed')}).stdout
    expect(plain).toContain('bob rotated the database password')
    expect(plain).toMatch(/ana \(commander\)/)
    const r = leakctl(['report', '--redact-people'], {env: envOf('ws-fixed')})
    expect(r.code, r.stderr).toBe(0)
    for (const name of ['bob', 'ana', 'dev@example.com']) expect(r.stdout).not.toMatch(new RegExp(`\\b${name.replace('.', '\\.')}\\b`))
    expect(r.stdout).toMatch(/\(git-leak\), commander commander\. Opened/)
    expect(r.stdout).toMatch(/responder \d rotated the database password/)
    const csv = leakctl(['timeline', 'export', '--format', 'csv', '--redact-people'], {env: envOf('ws-fixed')}).stdout
    expect(csv).not.toMatch(/\bbob\b/)
    expect(csv.split('\r\n')[0]).toBe('happenedAt,relative,learnedAt,source,actor,type,category,text,event_ids')
  })
})
