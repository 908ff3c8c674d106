import type {RawGitHub} from './collect.js'
import type {GitHubEvent, GitHubResult, GitHubVerdict, Traffic} from './report.js'

// Judging what GitHub said: after the exposure, every copy (a clone, a fork,
// a download) is a copy of the secret outside the owner's control; a valid
// secret in an alert and a push-protection bypass say the leak is live. Pure.

const COPY_ACTIONS = new Set(['git.clone', 'git.fetch', 'repo.download_zip'])

const dayOf = (iso: string) => iso.slice(0, 10)

function trafficOf(raw: RawGitHub['clones'], since: number | null): Traffic | null {
  if (!raw) return null
  // Traffic is per UTC day: the exposure day counts as after (part of it is).
  const sinceDay = since === null ? null : dayOf(new Date(since).toISOString())
  return {count: raw.count, uniques: raw.uniques, days: raw.days.map((d) => ({...d, afterExposure: sinceDay === null || dayOf(d.timestamp) >= sinceDay}))}
}

export function judgeGitHub(raw: RawGitHub, o: {repo: string; since: number | null; token: GitHubResult['token']}): GitHubResult {
  const since = o.since
  const after = (iso: string) => since === null || Date.parse(iso) >= since
  const events: GitHubEvent[] = []
  const clones = trafficOf(raw.clones, since)
  const views = trafficOf(raw.views, since)

  for (const d of clones?.days ?? []) {
    if (d.count === 0) continue
    events.push({
      id: `clones:${dayOf(d.timestamp)}`,
      at: d.timestamp,
      kind: 'clones',
      actor: null,
      summary: `${d.count} clone(s), ${d.uniques} unique, on ${dayOf(d.timestamp)}`,
      afterExposure: d.afterExposure,
      suspicious: d.afterExposure,
      reasons: d.afterExposure ? [`cloned ${d.count} time(s) by ${d.uniques} unique cloner(s) on or after the exposure day: each clone holds the secret`] : [],
    })
  }
  const forks = raw.forks.map((f) => ({...f, afterExposure: after(f.createdAt)}))
  for (const f of forks) {
    events.push({
      id: `fork:${f.fullName}`,
      at: f.createdAt,
      kind: 'fork',
      actor: f.owner,
      summary: `forked to ${f.fullName}`,
      afterExposure: f.afterExposure,
      suspicious: f.afterExposure,
      reasons: f.afterExposure ? ['forked after the exposure: the fork keeps the secret in its history whatever happens to this repository'] : [],
    })
  }
  for (const a of raw.alerts) {
    const reasons: string[] = []
    if (a.validity === 'active') reasons.push('GitHub checked the secret with its provider: it is still valid')
    if (a.publiclyLeaked) reasons.push('GitHub saw this secret leaked publicly')
    if (a.state === 'open') reasons.push('the alert is still open')
    events.push({
      id: `alert:${a.number}`,
      at: a.createdAt,
      kind: 'secret-alert',
      actor: null,
      summary: `secret scanning alert #${a.number}: ${a.secretType} (${a.state}, validity ${a.validity ?? 'unknown'})${a.firstLocation?.path ? ` first at ${a.firstLocation.path}:${a.firstLocation.line ?? '?'}` : ''}`,
      afterExposure: after(a.createdAt),
      suspicious: a.validity === 'active' || (a.state === 'open' && !!a.publiclyLeaked),
      reasons,
    })
    if (a.pushProtectionBypassed) {
      events.push({
        id: `bypass:${a.number}`,
        at: a.bypassedAt ?? a.createdAt,
        kind: 'push-protection-bypass',
        actor: a.bypassedBy,
        summary: `push protection bypassed for ${a.secretType} (alert #${a.number})`,
        afterExposure: after(a.bypassedAt ?? a.createdAt),
        suspicious: true,
        reasons: [`${a.bypassedBy ?? 'someone'} pushed the secret past push protection`],
      })
    }
  }
  for (const e of raw.repoEvents) {
    const isAfter = after(e.createdAt)
    const reasons: string[] = []
    let kind: GitHubEvent['kind'] = 'repo-event'
    if (e.type === 'PublicEvent') {
      kind = 'visibility'
      reasons.push('the repository became public: the exposure starts here')
    }
    if (e.type === 'ForkEvent' && isAfter) reasons.push('forked after the exposure')
    // ForkEvents duplicate the forks listing; keep one.
    if (e.type === 'ForkEvent' && events.some((x) => x.kind === 'fork' && e.detail.endsWith(x.summary.replace('forked to ', '')))) continue
    events.push({id: `event:${e.id}`, at: e.createdAt, kind, actor: e.actor, summary: `${e.actor ?? 'someone'} ${e.detail}`, afterExposure: isAfter, suspicious: reasons.length > 0, reasons})
  }
  for (const x of raw.audit) {
    const isAfter = after(x.at)
    const reasons: string[] = []
    if (COPY_ACTIONS.has(x.action) && isAfter) reasons.push(`${x.action} after the exposure${x.actor ? ` by ${x.actor}` : ' (anonymous)'}${x.country ? ` from ${x.country}` : ''}`)
    if (/^repo\.access$|visibility/.test(x.action)) reasons.push(`${x.action}: repository visibility changed`)
    if (/push_protection.*bypass/.test(x.action)) reasons.push(`${x.action}${x.actor ? ` by ${x.actor}` : ''}`)
    events.push({id: `audit:${x.id}`, at: x.at, kind: 'audit-log', actor: x.actor, summary: `${x.action}${x.actor ? ` by ${x.actor}` : ''}${x.transport ? ` over ${x.transport}` : ''}`, afterExposure: isAfter, suspicious: reasons.length > 0, reasons})
  }
  events.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id))

  const verdict = verdictOf(raw, clones, forks.filter((f) => f.afterExposure).length, events, since)
  return {
    repo: o.repo,
    exposedAt: since === null ? null : new Date(since).toISOString(),
    verdict,
    partial: raw.missing.length > 0,
    missing: raw.missing,
    repository: raw.repository,
    clones,
    views,
    forks,
    alerts: raw.alerts,
    events,
    token: o.token,
    requests: raw.requests,
    rateLimit: raw.rateLimit,
    fatal: raw.fatal,
  }
}

function verdictOf(raw: RawGitHub, clones: Traffic | null, forksAfter: number, events: GitHubEvent[], since: number | null): GitHubVerdict {
  const clonesAfter = clones ? clones.days.filter((d) => d.afterExposure).reduce((n, d) => n + d.count, 0) : null
  const uniquesAfter = clones ? clones.days.filter((d) => d.afterExposure).reduce((n, d) => n + d.uniques, 0) : null
  const auditCopies = events.filter((e) => e.kind === 'audit-log' && e.suspicious && /git\.clone|git\.fetch|download_zip/.test(e.summary)).length
  const activeSecrets = raw.alerts.filter((a) => a.validity === 'active').length
  const bypasses = raw.alerts.filter((a) => a.pushProtectionBypassed).length
  const facts: string[] = []
  if (clonesAfter !== null) facts.push(`${clonesAfter} clone(s)${uniquesAfter ? ` (up to ${uniquesAfter} unique per day)` : ''} since the exposure day`)
  if (auditCopies) facts.push(`${auditCopies} clone/fetch/download(s) in the audit log`)
  if (forksAfter) facts.push(`${forksAfter} fork(s) after the exposure`)
  if (raw.alerts.length) facts.push(`secret scanning: ${raw.alerts.length} alert(s)${activeSecrets ? `, ${activeSecrets} still valid` : ''}`)
  if (bypasses) facts.push(`${bypasses} push-protection bypass(es)`)
  const isPublic = raw.repository ? !raw.repository.private : null
  const copied = (clonesAfter ?? 0) > 0 || forksAfter > 0 || auditCopies > 0
  let status: GitHubVerdict['status']
  let head: string
  if (copied) {
    status = 'copied-after-exposure'
    head = 'COPIED AFTER EXPOSURE'
  } else if (isPublic && clonesAfter === null && auditCopies === 0) {
    // Public, and the clone counts are out of reach: anyone may have cloned it.
    status = 'exposed'
    head = 'PUBLIC, CLONES NOT VISIBLE'
  } else if (raw.fatal || (raw.repository === null && clonesAfter === null)) {
    status = 'unknown'
    head = 'UNKNOWN'
  } else {
    status = 'no-copies-seen'
    head = 'NO COPIES SEEN AFTER EXPOSURE'
  }
  if (isPublic !== null) facts.unshift(isPublic ? 'public repository' : `${raw.repository!.visibility} repository`)
  if (since === null) facts.push('no exposure time: everything counts as after')
  if (raw.missing.length && status !== 'copied-after-exposure') facts.push(`partial: ${raw.missing.length} endpoint(s) could not be read`)
  return {status, text: `${head} — ${facts.join(', ') || 'nothing could be read'}`, clonesAfterExposure: clonesAfter, forksAfterExposure: forksAfter, activeSecrets, bypasses}
}
