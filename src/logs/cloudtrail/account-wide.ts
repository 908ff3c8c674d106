import {CloudTrailClient, LookupEventsCommand} from '@aws-sdk/client-cloudtrail'
import {defaultProvider} from '@aws-sdk/credential-provider-node'

import {classifyAwsError} from './aws-errors.js'
import {exposureRef} from './evidence.js'
import {Pacer} from './api.js'
import {normalize, PUBLIC_EXPOSURE_CALLS, publicTarget, type TrailEvent} from './record.js'
import type {EventData} from '../../incident/events.js'
import type {Missing} from './report.js'

// Account-wide mode: whatever leaked (a database password, a token), did
// anyone gain a foothold in the AWS account since the exposure? No access key
// is needed: LookupEvents by event name, for the calls that create access or
// persistence. IAM and console sign-in events are recorded in us-east-1 (the
// home region by default); other regions can be added with --region.

/** Calls that create users, keys, logins or grant permissions, console sign-ins, and buckets made public. */
export const ACCOUNT_CHANGE_EVENTS = [
  'CreateUser',
  'CreateAccessKey',
  'CreateLoginProfile',
  'UpdateLoginProfile',
  'AttachUserPolicy',
  'AttachRolePolicy',
  'AttachGroupPolicy',
  'PutUserPolicy',
  'PutRolePolicy',
  'PutGroupPolicy',
  'AddUserToGroup',
  'CreateRole',
  'UpdateAssumeRolePolicy',
  'DeactivateMFADevice',
  'StopLogging',
  'DeleteTrail',
  'ConsoleLogin',
  // Buckets opened to everyone (management events; PutObjectAcl is a data event LookupEvents does not hold).
  'PutBucketPolicy',
  'PutBucketAcl',
  'DeleteBucketPublicAccessBlock',
  'PutBucketPublicAccessBlock',
  'DeleteAccountPublicAccessBlock',
  'PutAccountPublicAccessBlock',
] as const

export interface AccountWideOptions {
  since: Date
  until?: Date
  regions: string[]
  profile?: string
  /** How far before `since` to read ConsoleLogin, to learn the usual source addresses. */
  baselineMs: number
  rate?: number
  onProgress?: (text: string) => void
}

export interface AccountChange {
  event: TrailEvent
  /** Why it is shown: every change since the exposure, and sign-ins from an address not seen before it. */
  reason: string
}

export interface AccountWideResult {
  since: string
  changes: AccountChange[]
  /** ConsoleLogin events from addresses the baseline already had (not listed as changes). */
  knownSignIns: number
  searched: string
  missing: Missing[]
  /** AWS could not be queried at all (no or expired credentials): the message. */
  fatal: string | null
}

export async function accountWide(o: AccountWideOptions): Promise<AccountWideResult> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const credentials = defaultProvider(o.profile ? {profile: o.profile} : {})
  const missing: Missing[] = []
  const events: TrailEvent[] = []
  let fatal: string | null = null
  const until = o.until ?? new Date()
  const start = new Date(o.since.getTime() - o.baselineMs)
  for (const region of o.regions) {
    if (fatal) break
    const client = new CloudTrailClient({region, credentials, retryMode: 'standard', ...(process.env.AWS_MAX_ATTEMPTS ? {} : {maxAttempts: 8})})
    const pacer = new Pacer(1000 / (o.rate ?? 2))
    for (const name of ACCOUNT_CHANGE_EVENTS) {
      if (fatal) break
      o.onProgress?.(`cloudtrail: LookupEvents ${name} in ${region}`)
      let token: string | undefined
      try {
        do {
          await pacer.take()
          const r = await client.send(
            new LookupEventsCommand({LookupAttributes: [{AttributeKey: 'EventName', AttributeValue: name}], StartTime: name === 'ConsoleLogin' ? start : o.since, EndTime: until, MaxResults: 50, NextToken: token}),
          )
          for (const ev of r.Events ?? []) {
            let raw: unknown
            try {
              raw = JSON.parse(ev.CloudTrailEvent ?? '')
            } catch {
              missing.push({what: `event ${ev.EventId ?? '?'} in ${region}`, reason: 'CloudTrailEvent is not JSON'})
              continue
            }
            const n = normalize(raw)
            if (n.event) events.push({...n.event, origin: region})
          }
          token = r.NextToken
        } while (token)
      } catch (error) {
        const f = classifyAwsError(error, `cloudtrail LookupEvents ${name} in ${region}`)
        if (f.fatal) fatal = f.message
        missing.push({what: `${name} in ${region}`, reason: f.message})
      }
    }
  }
  return {since: o.since.toISOString(), ...judge(events, o.since.getTime()), searched: `${ACCOUNT_CHANGE_EVENTS.length} event names in ${o.regions.join(', ')}`, missing, fatal}
}

/** Pure: every change after the exposure; a sign-in only when its address is new since the baseline. */
export function judge(events: readonly TrailEvent[], sinceMs: number): {changes: AccountChange[]; knownSignIns: number} {
  const seen = new Set(events.filter((e) => Date.parse(e.eventTime) < sinceMs && e.eventName === 'ConsoleLogin' && !e.errorCode).map((e) => e.sourceIp))
  const changes: AccountChange[] = []
  let knownSignIns = 0
  const unique = new Map(events.map((e) => [e.eventId, e]))
  for (const e of [...unique.values()].sort((a, b) => a.eventTime.localeCompare(b.eventTime))) {
    if (Date.parse(e.eventTime) < sinceMs) continue
    if (e.eventName === 'ConsoleLogin') {
      if (seen.has(e.sourceIp)) knownSignIns++
      else changes.push({event: e, reason: `console sign-in from ${e.sourceIp}, an address not seen before the exposure${e.mfaUsed === false ? ', without MFA' : ''}`})
      continue
    }
    // A bucket policy or ACL for the account's own use is routine; only one opened to everyone is a change to report.
    if (PUBLIC_EXPOSURE_CALLS.has(e.eventName) && !e.errorCode) {
      if (e.madePublic) changes.push({event: e, reason: `${e.eventName} made ${publicTarget(e.madePublic)} public`})
      continue
    }
    changes.push({event: e, reason: e.errorCode ? `${e.eventName} attempted (${e.errorCode})` : `${e.eventName} since the exposure`})
  }
  return {changes, knownSignIns}
}

/** One evidence.found event per change not already on the timeline (by CloudTrail event id). */
export function accountEvidence(r: AccountWideResult, seen: ReadonlySet<string>): {type: 'evidence.found'; data: EventData<'evidence.found'>}[] {
  return r.changes
    .filter((c) => !seen.has(c.event.eventId))
    .map((c) => ({
      type: 'evidence.found' as const,
      data: {
        source: ACCOUNT_SOURCE,
        summary: `${c.event.eventName} by ${c.event.principal ?? c.event.userName ?? 'unknown'} from ${c.event.sourceIp}${c.event.target ? ` on ${c.event.target}` : ''}`,
        at: c.event.eventTime,
        suspicious: true,
        reasons: [c.reason],
        ref: {eventId: c.event.eventId, region: c.event.region, ...exposureRef(c.event.madePublic)},
      },
    }))
}

export const ACCOUNT_SOURCE = 'cloudtrail-account'
