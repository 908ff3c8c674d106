import {loadIncident} from '../incident/incident.js'
import type {EvidenceCollector, EvidenceOutcome} from '../triage/evidence.js'
import {registerCollector} from '../triage/evidence.js'
import {evidenceEvents as cloudtrailEvidence, SOURCE as CLOUDTRAIL} from './cloudtrail/evidence.js'
import {ACCESS_KEY_ID, investigateCloudTrail} from './cloudtrail/investigate.js'
import {resolveToken} from './github/client.js'
import {evidenceEvents as githubEvidence, SOURCE as GITHUB, tokenUseEvidence} from './github/evidence.js'
import {investigateGitHub} from './github/investigate.js'
import {investigateTokenUse, leakedTokens} from './github/token-use.js'

// The logs commands as evidence collectors for the triage (src/triage/evidence.ts):
// importing this module registers them. Each returns the same evidence the
// command records, and says plainly when it could not run here.

const seen = (ref: Parameters<typeof loadIncident>[0], source: string, key: 'eventId' | 'id') =>
  new Set(
    loadIncident(ref)
      .state.evidence.filter((e) => e.source === source && typeof e.ref?.[key] === 'string')
      .map((e) => e.ref![key] as string),
  )

export const cloudtrailCollector: EvidenceCollector = {
  id: 'cloudtrail',
  title: 'CloudTrail: use of the leaked AWS keys since the exposure',
  appliesTo: (findings) => findings.some((f) => f.class === 'aws-access-key' && !!f.keyId),
  manual: (ctx) => `leakctl logs cloudtrail ${[...new Set(ctx.findings.filter((f) => f.class === 'aws-access-key' && f.keyId).map((f) => `--access-key-id ${f.keyId}`))].join(' ')} --incident ${ctx.incident.id}`,
  async collect(ctx): Promise<EvidenceOutcome> {
    const keys = [...new Set(ctx.findings.filter((f) => f.class === 'aws-access-key' && f.keyId && ACCESS_KEY_ID.test(f.keyId)).map((f) => f.keyId!))]
    if (!keys.length) return {status: 'skipped', summary: 'no AWS access key id among the findings', events: []}
    const homeRegion = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'
    const r = await investigateCloudTrail({keys, since: ctx.exposedAt, source: {kind: 'api', homeRegion, baselineMs: 7 * 86_400_000, maxPivots: 100}})
    if (r.fatal) return {status: 'skipped', summary: `${r.fatal}; run \`${cloudtrailCollector.manual(ctx)}\` where AWS credentials are available`, events: []}
    const ev = cloudtrailEvidence(r, seen(ctx.incident, CLOUDTRAIL, 'eventId'))
    const status = r.verdict.status === 'used-after-exposure' || r.verdict.suspicious > 0 ? 'fail' : r.partial ? 'partial' : 'pass'
    return {status, summary: r.verdict.text, events: ev.events as EvidenceOutcome['events']}
  },
}

export const githubCollector: EvidenceCollector = {
  id: 'github',
  title: 'GitHub: clones, forks, audit log and secret-scanning alerts',
  appliesTo: () => true,
  manual: (ctx) => `leakctl logs github${ctx.github ? ` --repo ${ctx.github}` : ` --org ${ctx.githubOrg ?? '<org>'}`} --incident ${ctx.incident.id}`,
  async collect(ctx): Promise<EvidenceOutcome> {
    const m = ctx.github ? /^([^/]+)\/([^/]+)$/.exec(ctx.github) : null
    const baseUrl = process.env.GITHUB_API_URL ?? 'https://api.github.com'
    const host = new URL(baseUrl).hostname
    const token = () => resolveToken(process.env, host === 'api.github.com' ? undefined : host)
    if (!m) {
      // No repository (an etcd leak): what the leaked tokens did, from the organisation's audit log.
      const tokens = leakedTokens(ctx.findings)
      if (!tokens.length) return {status: 'skipped', summary: 'no GitHub repository known (no GitHub remote) and no leaked GitHub token', events: []}
      if (!ctx.githubOrg) return {status: 'skipped', summary: `the organisation of the ${tokens.length} leaked GitHub token(s) is not known: run \`${githubCollector.manual(ctx)}\` with it`, events: []}
      const r = await investigateTokenUse({org: ctx.githubOrg, tokens, since: ctx.exposedAt, token: token(), baseUrl, maxWaitSeconds: 120})
      if (r.fatal) return {status: 'skipped', summary: `${r.fatal}; run \`${githubCollector.manual(ctx)}\` where GitHub is reachable`, events: []}
      const ev = tokenUseEvidence(r, seen(ctx.incident, GITHUB, 'id'))
      const status = r.verdict.status === 'used-after-exposure' ? 'fail' : r.verdict.status === 'unknown' ? 'skipped' : r.missing.length ? 'partial' : 'pass'
      return {status, summary: r.verdict.text, events: ev.events as EvidenceOutcome['events']}
    }
    const r = await investigateGitHub({owner: m[1]!, name: m[2]!, since: ctx.exposedAt, token: token(), baseUrl, maxWaitSeconds: 120})
    if (r.fatal) return {status: 'skipped', summary: `${r.fatal}; run \`${githubCollector.manual(ctx)}\` where GitHub is reachable`, events: []}
    const ev = githubEvidence(r, seen(ctx.incident, GITHUB, 'id'))
    const status = r.verdict.status === 'copied-after-exposure' || r.verdict.status === 'exposed' ? 'fail' : r.partial ? 'partial' : 'pass'
    return {status, summary: r.verdict.text, events: ev.events as EvidenceOutcome['events']}
  },
}

registerCollector(cloudtrailCollector)
registerCollector(githubCollector)
