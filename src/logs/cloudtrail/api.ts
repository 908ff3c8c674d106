import {CloudTrailClient, LookupEventsCommand, type LookupAttributeKey} from '@aws-sdk/client-cloudtrail'
import {DescribeRegionsCommand, EC2Client} from '@aws-sdk/client-ec2'
import {GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand} from '@aws-sdk/client-iam'
import {GetAccessKeyInfoCommand, GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {defaultProvider} from '@aws-sdk/credential-provider-node'

import {type AwsFailure, classifyAwsError} from './aws-errors.js'
import {DEFAULT_REGIONS} from './regions.js'
import type {Pivots} from './pivots.js'
import {normalize, type TrailEvent} from './record.js'
import type {Collected, Missing} from './report.js'
import type {KeyLastUsed} from './verdict.js'

// The CloudTrail API: LookupEvents by AccessKeyId in every enabled region
// (IAM and STS calls land in us-east-1, the rest where they were made), every
// page, at most 2 requests per second per region (CloudTrail's documented
// limit), retried with backoff when throttled; IAM's last-used answer and the
// key's owner first. Pivots (keys minted or created, users created) are
// queried in further rounds. Endpoints follow the standard AWS configuration,
// including AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>.

/** LookupEvents keeps 90 days of management events. */
const LOOKUP_RETENTION_MS = 90 * 86_400_000

export interface ApiOptions {
  pivots: Pivots
  since: number | null
  /** How far before the exposure to read, to learn the key's usual sources. */
  baselineMs: number
  until?: number
  /** Only these regions (skips DescribeRegions). */
  regions?: string[]
  profile?: string
  /** Region for STS, IAM and EC2 calls. */
  homeRegion: string
  /** Pivot keys and users followed at most (each costs a query per region). */
  maxPivots: number
  /** Requests per second per region for LookupEvents (CloudTrail's limit is 2). */
  rate?: number
  onProgress?: (text: string) => void
  now?: () => number
}

/** Spaces requests to one region: at most `rate` per second, across every attempt. */
export class Pacer {
  private next = 0
  constructor(private readonly intervalMs: number) {}
  async take(): Promise<void> {
    const now = Date.now()
    const at = Math.max(now, this.next)
    this.next = at + this.intervalMs
    if (at > now) await new Promise((r) => setTimeout(r, at - now))
  }
}

interface Query {
  attr: LookupAttributeKey
  value: string
  start: number
}

function sdkConfig(o: ApiOptions, region: string, credentials: ReturnType<typeof defaultProvider>) {
  // AWS_MAX_ATTEMPTS (standard AWS configuration) wins; otherwise 8 attempts with the SDK's
  // standard backoff (exponential with jitter, longer for throttling errors).
  return {region, credentials, retryMode: 'standard', ...(process.env.AWS_MAX_ATTEMPTS ? {} : {maxAttempts: 8})}
}

export async function collectFromApi(o: ApiOptions): Promise<Collected> {
  // The SDK warns on Node 20 about releases from 2027; leakctl pins its version, and a
  // paragraph on stderr in the middle of an incident is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const now = o.now?.() ?? Date.now()
  const missing: Missing[] = []
  const warnings: string[] = []
  const lastUsed: KeyLastUsed[] = []
  const events = new Map<string, TrailEvent>()
  const stats = {requests: 0, pages: 0, regions: 0, rounds: 0, pivotsNotFollowed: 0}
  const credentials = defaultProvider(o.profile ? {profile: o.profile} : {})
  const result = (partial: boolean, searched: string, accounts: string[] = []): Collected => ({
    source: 'api',
    events: [...events.values()],
    missing,
    partial,
    lastUsed,
    searched,
    warnings,
    accounts,
    stats,
  })
  const fail = (f: AwsFailure, what: string) => {
    missing.push({what, reason: f.message})
    return f
  }

  // Who are we? A failure here (no credentials, expired, unreachable) ends the run.
  const sts = new STSClient(sdkConfig(o, o.homeRegion, credentials))
  let account: string | undefined
  try {
    o.onProgress?.('sts: GetCallerIdentity')
    account = (await sts.send(new GetCallerIdentityCommand({}))).Account
  } catch (error) {
    const f = fail(classifyAwsError(error, 'sts GetCallerIdentity'), 'AWS')
    if (f.fatal) return {...result(true, 'nothing: AWS could not be queried'), fatal: f}
  }

  // IAM first: one call says whether and when the key was last used, and by whom it is owned.
  const iam = new IAMClient(sdkConfig(o, o.homeRegion, credentials))
  for (const key of o.pivots.seeds) {
    try {
      const info = await sts.send(new GetAccessKeyInfoCommand({AccessKeyId: key}))
      if (account && info.Account && info.Account !== account) {
        warnings.push(`${key} belongs to account ${info.Account}, but these credentials are for account ${account}: its CloudTrail is in ${info.Account}`)
        missing.push({what: `account ${info.Account}`, reason: `${key} belongs to it; run with credentials for that account`})
      }
    } catch (error) {
      const f = classifyAwsError(error, `sts GetAccessKeyInfo ${key}`)
      if (f.fatal) return {...result(true, 'nothing: AWS could not be queried'), fatal: fail(f, 'AWS')}
      warnings.push(f.message)
    }
    const entry: KeyLastUsed = {accessKeyId: key, lastUsedAt: null, service: null, region: null, owner: null, status: null}
    try {
      o.onProgress?.(`iam: GetAccessKeyLastUsed ${key}`)
      const r = await iam.send(new GetAccessKeyLastUsedCommand({AccessKeyId: key}))
      entry.owner = r.UserName ?? null
      const lu = r.AccessKeyLastUsed
      entry.lastUsedAt = lu?.LastUsedDate ? lu.LastUsedDate.toISOString() : null
      entry.service = lu?.ServiceName && lu.ServiceName !== 'N/A' ? lu.ServiceName : null
      entry.region = lu?.Region && lu.Region !== 'N/A' ? lu.Region : null
      if (entry.owner) {
        const keys = await iam.send(new ListAccessKeysCommand({UserName: entry.owner}))
        entry.status = keys.AccessKeyMetadata?.find((k) => k.AccessKeyId === key)?.Status ?? null
        const others = (keys.AccessKeyMetadata ?? []).filter((k) => k.AccessKeyId !== key)
        if (others.length) warnings.push(`${entry.owner} has ${others.length} other access key(s): ${others.map((k) => `${k.AccessKeyId} (${k.Status})`).join(', ')}`)
      }
    } catch (error) {
      const f = classifyAwsError(error, `iam GetAccessKeyLastUsed/ListAccessKeys ${key}`)
      if (f.fatal) return {...result(true, 'nothing: AWS could not be queried'), fatal: fail(f, 'AWS')}
      missing.push({what: `IAM last-used of ${key}`, reason: f.kind === 'not-found' ? 'the key is not in this account (or was deleted)' : f.message})
    }
    lastUsed.push(entry)
  }

  // Every enabled region: the attacker chooses where to call from.
  let regions = o.regions
  if (!regions?.length) {
    try {
      o.onProgress?.('ec2: DescribeRegions')
      const ec2 = new EC2Client(sdkConfig(o, o.homeRegion, credentials))
      const r = await ec2.send(new DescribeRegionsCommand({AllRegions: false}))
      regions = (r.Regions ?? []).filter((x) => x.OptInStatus !== 'not-opted-in').map((x) => x.RegionName!).filter(Boolean)
    } catch (error) {
      const f = classifyAwsError(error, 'ec2 DescribeRegions')
      if (f.fatal) return {...result(true, 'nothing: AWS could not be queried'), fatal: fail(f, 'AWS')}
      regions = DEFAULT_REGIONS
      missing.push({what: 'opt-in regions', reason: `could not list the enabled regions (${f.code}); searched the ${DEFAULT_REGIONS.length} regions enabled by default only`})
    }
  }
  regions = [...new Set(regions)].sort((a, b) => (a === 'us-east-1' ? -1 : b === 'us-east-1' ? 1 : a.localeCompare(b)))
  stats.regions = regions.length

  const from = (o.since ?? now) - o.baselineMs
  if (now - from > LOOKUP_RETENTION_MS) {
    missing.push({what: `events before ${new Date(now - LOOKUP_RETENTION_MS).toISOString()}`, reason: 'LookupEvents keeps 90 days; read older events with --logs-dir or --athena'})
  }
  const until = o.until ?? now
  // 10% under the limit: AWS counts arrivals, and a request waits a little between our pacer and the wire.
  const interval = (1000 / (o.rate ?? 2)) * 1.1
  const clients = new Map<string, CloudTrailClient>()
  const dead = new Map<string, AwsFailure>()
  let fatal: AwsFailure | undefined
  const client = (region: string) => {
    let c = clients.get(region)
    if (!c) {
      c = new CloudTrailClient(sdkConfig(o, region, credentials))
      const pacer = new Pacer(interval)
      // Inside the retry loop: every attempt, retries included, waits its turn.
      c.middlewareStack.add(
        (next) => async (args) => {
          await pacer.take()
          stats.requests++
          return next(args)
        },
        {step: 'finalizeRequest', priority: 'low', name: 'leakctlRegionPacer'},
      )
      clients.set(region, c)
    }
    return c
  }

  const lookup = async (region: string, q: Query): Promise<void> => {
    if (dead.has(region) || fatal) return
    let token: string | undefined
    let pages = 0
    do {
      try {
        const r = await client(region).send(
          new LookupEventsCommand({
            LookupAttributes: [{AttributeKey: q.attr, AttributeValue: q.value}],
            StartTime: new Date(Math.max(q.start, now - LOOKUP_RETENTION_MS)),
            EndTime: new Date(until),
            MaxResults: 50,
            NextToken: token,
          }),
        )
        pages++
        stats.pages++
        for (const ev of r.Events ?? []) {
          if (!ev.CloudTrailEvent) continue
          let raw: unknown
          try {
            raw = JSON.parse(ev.CloudTrailEvent)
          } catch {
            missing.push({what: `event ${ev.EventId ?? '?'} in ${region}`, reason: 'CloudTrailEvent is not JSON'})
            continue
          }
          const n = normalize(raw)
          if (!n.event) {
            missing.push({what: `event ${ev.EventId ?? '?'} in ${region}`, reason: 'the record lacks eventTime, eventName or eventSource'})
            continue
          }
          n.event.origin = region
          if (!events.has(n.event.eventId)) events.set(n.event.eventId, n.event)
        }
        token = r.NextToken
      } catch (error) {
        const f = classifyAwsError(error, `cloudtrail LookupEvents in ${region}`)
        if (f.fatal) fatal = f
        else if (f.kind === 'region-disabled' || f.kind === 'access-denied') dead.set(region, f)
        missing.push({what: `region ${region}`, reason: `${f.message}${pages ? ` (after ${pages} page(s) of ${q.attr} ${q.value})` : ` (${q.attr} ${q.value})`}`})
        return
      }
    } while (token)
  }

  const runRound = async (queries: Query[]) => {
    stats.rounds++
    let done = 0
    await Promise.all(
      regions!.map(async (region) => {
        for (const q of queries) {
          await lookup(region, q)
          done++
          o.onProgress?.(`cloudtrail: round ${stats.rounds}, ${done}/${queries.length * regions!.length} lookups, ${events.size} events`)
        }
      }),
    )
  }

  // Round 1: the leaked keys. Then what they minted or created, until nothing new turns up.
  let queries: Query[] = o.pivots.seeds.map((k) => ({attr: 'AccessKeyId', value: k, start: from}))
  let followed = 0
  const learnedIds = new Set<string>()
  while (queries.length && !fatal) {
    await runRound(queries)
    queries = []
    const sorted = [...events.values()].sort((a, b) => a.eventTime.localeCompare(b.eventTime))
    for (const e of sorted) {
      if (learnedIds.has(e.eventId)) continue
      if (!o.pivots.follows(e)) continue
      learnedIds.add(e.eventId)
      const learned = o.pivots.learn(e, o.since)
      for (const k of learned.keys) {
        if (followed >= o.maxPivots) {
          stats.pivotsNotFollowed++
          continue
        }
        followed++
        queries.push({attr: 'AccessKeyId', value: k.accessKeyId, start: Date.parse(k.origin.kind === 'leaked' ? new Date(from).toISOString() : k.origin.at)})
      }
      for (const u of learned.users) {
        if (followed >= o.maxPivots) {
          stats.pivotsNotFollowed++
          continue
        }
        followed++
        queries.push({attr: 'Username', value: u.userName, start: Date.parse(u.at)})
      }
    }
  }
  if (stats.pivotsNotFollowed) missing.push({what: `${stats.pivotsNotFollowed} pivot(s)`, reason: `not followed: more than --max-pivots ${o.maxPivots}`})

  // Containment and responders: key disabled or deleted, AWS's quarantine policy (IAM calls: us-east-1).
  if (!fatal && !dead.has('us-east-1')) {
    const before = new Set(events.keys())
    for (const name of ['UpdateAccessKey', 'DeleteAccessKey', 'AttachUserPolicy']) await lookup('us-east-1', {attr: 'EventName', value: name, start: from})
    const owners = new Set(lastUsed.map((l) => l.owner).filter(Boolean))
    for (const [id, e] of events) {
      if (before.has(id)) continue
      const relevant = (e.keyActedOn && o.pivots.keys.has(e.keyActedOn)) || (e.policyArn && /AWSCompromisedKeyQuarantine/.test(e.policyArn) && (!e.target || owners.has(e.target)))
      if (!relevant) events.delete(id)
    }
  }

  const searched = `${regions.length} region(s), ${stats.pages} page(s) of LookupEvents`
  if (fatal) return {...result(true, searched, account ? [account] : []), fatal}
  return result(missing.length > 0, searched, account ? [account] : [])
}
