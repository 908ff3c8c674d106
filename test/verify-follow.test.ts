import {describe, expect, it} from 'vitest'

import {findingKey, type Finding} from '../src/detect/finding.js'
import {recordEvents} from '../src/incident/incident.js'
import {readLog} from '../src/incident/log.js'
import {foldIncident} from '../src/incident/state.js'
import {buildReport} from '../src/report/report.js'
import {toMarkdown} from '../src/report/document.js'
import {itemFollow, VERIFY_ACTOR} from '../src/verify/follow.js'
import {tempDir} from './helpers/cli.js'
import {gitFinding, openTestIncident} from './helpers/incident.js'

// The checklist follows verification events whoever writes them: `verify
// issuer` (live / revoked / expired) is followed like `verify cluster`.

const issuerEvent = (f: Finding, state: 'live' | 'revoked' | 'expired' | 'unknown') => ({
  type: 'verification.recorded' as const,
  data: {fingerprint: f.fingerprint, finding: findingKey(f), class: f.class, where: 'config/production.env:3', verifier: 'issuer' as const, state, checkedAt: new Date().toISOString(), via: 'GET /user', detail: `token is ${state}`},
})

describe('issuer verifications', () => {
  it('revoked ticks the revoke item as leakctl verify; live again re-opens it; a person\'s tick while live is flagged, in the report too', async () => {
    const tmp = tempDir('leakctl-follow-')
    try {
      const f = gitFinding('ghp_followTestToken000000000000000000000', {class: 'github-token', risk: 'critical', rotation: 'github-token'})
      const {ref} = await openTestIncident(tmp.dir, {kind: 'git-leak', findings: [f]})
      const fold = () => foldIncident(readLog(ref.logPath).events)
      const item = () => [...fold().items.values()].find((i) => i.findings?.includes(findingKey(f)) && !i.id.includes('evidence'))!
      expect(item().done).toBe(false)

      await recordEvents(ref, 'alice', [issuerEvent(f, 'unknown')])
      expect(item().done).toBe(false)
      const [revoked] = (await recordEvents(ref, 'alice', [issuerEvent(f, 'revoked')])).events
      expect(item()).toMatchObject({done: true, doneBy: VERIFY_ACTOR})
      let st = fold()
      expect(itemFollow(st, item())).toEqual({evidence: revoked!.id})

      await recordEvents(ref, 'alice', [issuerEvent(f, 'live')])
      st = fold()
      expect(item().done).toBe(false)
      expect(itemFollow(st, item()).warning).toMatch(/^re-opened: config\/production\.env:3 serves the leaked value again \(live at /)

      await recordEvents(ref, 'bob', [{type: 'item.ticked', data: {item: item().id}}])
      st = fold()
      expect(item()).toMatchObject({done: true, doneBy: 'bob'})
      expect(itemFollow(st, item()).warning).toMatch(/^ticked, but the leaked value is still served \(live at /)
      const md = toMarkdown(buildReport(st, readLog(ref.logPath).events, new Date()))
      expect(md).toMatch(/ticked, but the leaked value is still served/)
      expect(md).toMatch(/Is the leaked value still in use\?/)

      await recordEvents(ref, 'alice', [issuerEvent(f, 'expired')])
      st = fold()
      expect(itemFollow(st, item())).toEqual({})
    } finally {
      tmp.cleanup()
    }
  })

  it('the triage\'s own checks tick their items as leakctl, with the check event as evidence', async () => {
    const tmp = tempDir('leakctl-follow-')
    try {
      const {ref} = await openTestIncident(tmp.dir, {kind: 'etcd-leak'})
      // alice is admitted automatically in the commander's workspace: the batch also returns that admission.
      const {events} = await recordEvents(ref, 'alice', [
        {type: 'check.completed', data: {check: 'scan-etcd', status: 'fail', summary: '20 of 31 Secrets are readable'}},
        {type: 'check.completed', data: {check: 'encryption-at-rest', status: 'skipped', summary: 'not checked'}},
      ])
      const scan = events.find((e) => e.type === 'check.completed' && e.data.check === 'scan-etcd')
      const st = foldIncident(readLog(ref.logPath).events)
      for (const id of ['read-snapshot', 'quantify-exposure']) {
        expect(st.items.get(id)).toMatchObject({done: true, doneBy: 'leakctl'})
        expect(itemFollow(st, st.items.get(id)!)).toEqual({evidence: scan!.id})
      }
      // Skipped: the check did not run, its item stays for a person.
      expect(st.items.get('check-encryption-config')!.done).toBe(false)
    } finally {
      tmp.cleanup()
    }
  })
})
