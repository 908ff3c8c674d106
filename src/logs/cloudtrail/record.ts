// One CloudTrail record, reduced to the facts an investigation needs. The
// reduction is value-free by construction: request parameters and response
// elements are read field by field (a new key id, a user name, a policy ARN),
// never copied, so session tokens and anything else a record may carry cannot
// reach an output or the incident log.

/** eventVersion values whose record layout we know (the CloudTrail record contents reference). */
export const KNOWN_EVENT_VERSIONS = new Set(['1.0', '1.01', '1.02', '1.03', '1.04', '1.05', '1.06', '1.07', '1.08', '1.09', '1.10', '1.11'])

export interface TrailEvent {
  eventId: string
  eventTime: string
  eventName: string
  eventSource: string
  region: string
  sourceIp: string
  userAgent: string
  /** The access key that signed the call (userIdentity.accessKeyId), if any. */
  accessKeyId: string | null
  eventVersion: string
  errorCode: string | null
  identityType: string | null
  /** The principal: IAM user name, or role session ARN. */
  principal: string | null
  userName: string | null
  account: string | null
  /** A temporary key this call minted (GetSessionToken, AssumeRole*, GetFederationToken responses). */
  issuedKeyId?: string
  issuedKeyExpires?: string
  /** CreateUser: the new user; CreateAccessKey: the new key and its user. */
  createdUser?: string
  createdKeyId?: string
  /** Policy attachments and inline policies. */
  policyArn?: string
  adminPolicy?: boolean
  /** The user, role or group a policy or login profile call acts on. */
  target?: string
  /** UpdateAccessKey / DeleteAccessKey: the key acted on and the new status. */
  keyActedOn?: string
  keyStatus?: string
  instanceType?: string
  instanceCount?: number
  /** ConsoleLogin: whether MFA was used. */
  mfaUsed?: boolean
  /** Security-group ingress opened to the world, snapshot/AMI shared publicly or with another account. */
  opensToWorld?: boolean
  sharedWith?: string
  /** An S3 call that made a bucket or an object reachable by anyone (see madePublicBy). */
  madePublic?: MadePublic
  /** Where the record came from: `file:line`-like for files, `region` for the API. */
  origin?: string
}

export interface MadePublic {
  bucket: string
  /** The object key, for PutObjectAcl. */
  object?: string
  /** What opened it: a policy allowing Principal "*", an ACL grant or canned ACL for everyone, the public access block lifted. */
  how: 'policy' | 'acl-grant' | 'canned-acl' | 'public-access-block'
}

export type RecordProblem = {kind: 'missing-fields'; fields: string[]} | {kind: 'unknown-version'; version: string}

export interface Normalized {
  event: TrailEvent | null
  problems: RecordProblem[]
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

const AWS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{12,124}$/

/** The access key id that signed a raw record, without normalizing it (the hot path of a file scan). */
export function rawAccessKeyId(raw: unknown): string | undefined {
  if (!isObj(raw)) return undefined
  const id = raw.userIdentity
  return isObj(id) ? str(id.accessKeyId) : undefined
}

export function rawUserName(raw: unknown): string | undefined {
  if (!isObj(raw)) return undefined
  const id = raw.userIdentity
  return isObj(id) && id.type === 'IAMUser' ? str(id.userName) : undefined
}

/** `aws cloudtrail lookup-events` output wraps each record as a string in CloudTrailEvent. */
export function unwrap(raw: unknown): unknown {
  if (isObj(raw) && typeof raw.CloudTrailEvent === 'string') {
    try {
      return JSON.parse(raw.CloudTrailEvent)
    } catch {
      return raw
    }
  }
  return raw
}

/** Reduces a raw record. `event` is null when the record lacks what identifies an event. */
export function normalize(raw: unknown): Normalized {
  const problems: RecordProblem[] = []
  if (!isObj(raw)) return {event: null, problems: [{kind: 'missing-fields', fields: ['(not an object)']}]}
  const missing: string[] = []
  const eventTime = str(raw.eventTime)
  const eventName = str(raw.eventName)
  const eventSource = str(raw.eventSource)
  const eventId = str(raw.eventID)
  const version = str(raw.eventVersion)
  if (!eventTime || Number.isNaN(Date.parse(eventTime))) missing.push('eventTime')
  if (!eventName) missing.push('eventName')
  if (!eventSource) missing.push('eventSource')
  if (!eventId) missing.push('eventID')
  if (!version) missing.push('eventVersion')
  const identity = isObj(raw.userIdentity) ? raw.userIdentity : undefined
  if (!identity) missing.push('userIdentity')
  if (!str(raw.sourceIPAddress)) missing.push('sourceIPAddress')
  if (missing.length) problems.push({kind: 'missing-fields', fields: missing})
  if (version && !KNOWN_EVENT_VERSIONS.has(version)) problems.push({kind: 'unknown-version', version})
  if (!eventTime || Number.isNaN(Date.parse(eventTime)) || !eventName || !eventSource) return {event: null, problems}

  const session = identity && isObj(identity.sessionContext) ? identity.sessionContext : undefined
  const issuer = session && isObj(session.sessionIssuer) ? session.sessionIssuer : undefined
  const event: TrailEvent = {
    eventId: eventId ?? `missing-id:${eventSource}:${eventName}:${eventTime}`,
    eventTime: new Date(eventTime).toISOString(),
    eventName,
    eventSource,
    region: str(raw.awsRegion) ?? '',
    sourceIp: str(raw.sourceIPAddress) ?? '',
    userAgent: str(raw.userAgent) ?? '',
    accessKeyId: identity ? (str(identity.accessKeyId) ?? null) : null,
    eventVersion: version ?? '',
    errorCode: str(raw.errorCode) ?? null,
    identityType: identity ? (str(identity.type) ?? null) : null,
    principal: identity ? (str(identity.arn) ?? str(identity.userName) ?? str(identity.invokedBy) ?? null) : null,
    userName: identity ? (str(identity.userName) ?? (issuer ? str(issuer.userName) : undefined) ?? null) : null,
    account: str(raw.recipientAccountId) ?? (identity ? str(identity.accountId) : undefined) ?? null,
  }
  readFacts(event, raw)
  return {event, problems}
}

const ADMIN_POLICY = /(^|\/)(AdministratorAccess|IAMFullAccess|PowerUserAccess)$/
const QUARANTINE_POLICY = /AWSCompromisedKeyQuarantine/

export function isQuarantinePolicy(arn: string | undefined): boolean {
  return !!arn && QUARANTINE_POLICY.test(arn)
}

/** The value-free facts of the request and response that the rules and the pivots read. */
function readFacts(e: TrailEvent, raw: Obj): void {
  const req = isObj(raw.requestParameters) ? raw.requestParameters : {}
  const res = isObj(raw.responseElements) ? raw.responseElements : {}
  const creds = isObj(res.credentials) ? res.credentials : undefined
  if (creds) {
    const id = str(creds.accessKeyId)
    if (id && AWS_KEY_ID.test(id)) e.issuedKeyId = id
    const exp = creds.expiration
    const when = typeof exp === 'number' ? new Date(exp) : typeof exp === 'string' ? parseLooseTime(exp) : undefined
    if (when && !Number.isNaN(when.getTime())) e.issuedKeyExpires = when.toISOString()
  }
  if (e.eventSource === 's3.amazonaws.com' && !e.errorCode) {
    const opened = madePublicBy(e.eventName, req)
    if (opened) e.madePublic = opened
  }
  switch (e.eventName) {
    case 'CreateUser': {
      const user = isObj(res.user) ? str(res.user.userName) : undefined
      const name = user ?? str(req.userName)
      if (name && !e.errorCode) e.createdUser = name
      break
    }
    case 'CreateAccessKey': {
      const key = isObj(res.accessKey) ? res.accessKey : undefined
      const id = key ? str(key.accessKeyId) : undefined
      if (id && AWS_KEY_ID.test(id)) e.createdKeyId = id
      e.target = (key ? str(key.userName) : undefined) ?? str(req.userName) ?? e.userName ?? undefined
      break
    }
    case 'UpdateAccessKey':
    case 'DeleteAccessKey':
      e.keyActedOn = str(req.accessKeyId)
      e.keyStatus = e.eventName === 'DeleteAccessKey' ? 'Deleted' : str(req.status)
      e.target = str(req.userName)
      break
    case 'AttachUserPolicy':
    case 'AttachRolePolicy':
    case 'AttachGroupPolicy':
      e.policyArn = str(req.policyArn)
      e.adminPolicy = !!e.policyArn && ADMIN_POLICY.test(e.policyArn)
      e.target = str(req.userName) ?? str(req.roleName) ?? str(req.groupName)
      break
    case 'PutUserPolicy':
    case 'PutRolePolicy':
    case 'PutGroupPolicy':
    case 'CreatePolicyVersion':
    case 'CreatePolicy':
      e.adminPolicy = grantsEverything(req.policyDocument)
      e.target = str(req.userName) ?? str(req.roleName) ?? str(req.groupName) ?? str(req.policyArn) ?? str(req.policyName)
      break
    case 'CreateLoginProfile':
    case 'UpdateLoginProfile':
    case 'DeleteLoginProfile':
    case 'AddUserToGroup':
      e.target = str(req.userName)
      break
    case 'ConsoleLogin': {
      const extra = isObj(raw.additionalEventData) ? raw.additionalEventData : {}
      if (extra.MFAUsed === 'No') e.mfaUsed = false
      else if (extra.MFAUsed === 'Yes') e.mfaUsed = true
      break
    }
    case 'RunInstances': {
      e.instanceType = str(req.instanceType)
      const items = isObj(res.instancesSet) && Array.isArray(res.instancesSet.items) ? res.instancesSet.items : undefined
      const max = typeof req.maxCount === 'number' ? req.maxCount : undefined
      e.instanceCount = items ? items.length : max
      break
    }
    case 'AuthorizeSecurityGroupIngress':
      // Any prefix of length 0 is the whole internet (0.0.0.0/0, ::/0, even an anonymised x.y.z.w/0).
      e.opensToWorld = /"[0-9a-f.:]+\/0"/i.test(JSON.stringify(req))
      break
    case 'ModifySnapshotAttribute':
    case 'ModifyImageAttribute':
    case 'ModifyDBSnapshotAttribute': {
      const text = JSON.stringify(req)
      const group = /"group"\s*:\s*"all"/i.test(text) || /"valuesToAdd"\s*:\s*\[\s*"all"/i.test(text)
      const account = /"userId"\s*:\s*"(\d{12})"/.exec(text) ?? /"valuesToAdd"\s*:\s*\[\s*"(\d{12})"/.exec(text)
      if (group) e.sharedWith = 'everyone'
      else if (account) e.sharedWith = `account ${account[1]}`
      break
    }
  }
}

/** S3 calls that can open a bucket or an object to everyone (DeleteBucketPolicy cannot: it only takes grants away). */
export const PUBLIC_EXPOSURE_CALLS = new Set([
  'PutBucketPolicy',
  'PutBucketAcl',
  'PutObjectAcl',
  'DeleteBucketPublicAccessBlock',
  'PutBucketPublicAccessBlock',
  'DeleteAccountPublicAccessBlock',
  'PutAccountPublicAccessBlock',
  // Older and generic spellings some tools log.
  'DeletePublicAccessBlock',
  'PutPublicAccessBlock',
])

const EVERYONE_GROUPS = /^https?:\/\/acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)$/
const PUBLIC_CANNED = new Set(['public-read', 'public-read-write', 'authenticated-read'])
const BLOCK_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets']

/** What was opened, as a responder writes it: s3://bucket/key, s3://bucket, or every bucket of the account. */
export function publicTarget(m: MadePublic): string {
  if (m.bucket === '*') return 'every bucket of the account (public access block)'
  return `s3://${m.bucket}${m.object ? `/${m.object}` : ''}${m.how === 'public-access-block' ? ' (its public access block lifted)' : ''}`
}

/** Whether a successful S3 call's request made a bucket or object public, and how (pure, value-free). */
export function madePublicBy(eventName: string, req: Obj): MadePublic | undefined {
  if (!PUBLIC_EXPOSURE_CALLS.has(eventName)) return undefined
  // Account-level calls carry no bucket: '*' stands for every bucket of the account.
  const bucket = str(req.bucketName) ?? (eventName.includes('Account') ? '*' : undefined)
  if (!bucket) return undefined
  // An object key is anyone's text: no control characters, bounded.
  const key = eventName === 'PutObjectAcl' ? str(req.key)?.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 256) : undefined
  const at = (how: MadePublic['how']): MadePublic => ({bucket: bucket.slice(0, 63), ...(key ? {object: key} : {}), how})
  switch (eventName) {
    case 'PutBucketPolicy':
      return policyAllowsEveryone(req.bucketPolicy ?? req.policy) ? at('policy') : undefined
    case 'PutBucketAcl':
    case 'PutObjectAcl': {
      const canned = ([] as unknown[]).concat(req['x-amz-acl'] ?? req.acl ?? [])
      if (canned.some((c) => typeof c === 'string' && PUBLIC_CANNED.has(c))) return at('canned-acl')
      return grantsEveryone(req) ? at('acl-grant') : undefined
    }
    default: {
      if (eventName.startsWith('Delete')) return at('public-access-block')
      const conf = isObj(req.PublicAccessBlockConfiguration) ? req.PublicAccessBlockConfiguration : req
      return BLOCK_FLAGS.some((f) => conf[f] === false || conf[f] === 'false') ? at('public-access-block') : undefined
    }
  }
}

/** A bucket policy (an object in CloudTrail, a JSON string in some exports) with an Allow to Principal "*" or {"AWS": "*"}. */
function policyAllowsEveryone(doc: unknown): boolean {
  let policy = doc
  if (typeof doc === 'string') {
    try {
      policy = JSON.parse(doc)
    } catch {
      return false
    }
  }
  if (!isObj(policy)) return false
  const statements = ([] as unknown[]).concat(policy.Statement ?? [])
  return statements.some((s) => {
    if (!isObj(s) || s.Effect !== 'Allow') return false
    const p = s.Principal
    if (p === '*') return true
    return isObj(p) && ([] as unknown[]).concat(p.AWS ?? []).includes('*')
  })
}

/** An ACL grant (header form x-amz-grant-*: uri="…", or the AccessControlPolicy body) to AllUsers or AuthenticatedUsers. */
function grantsEveryone(req: Obj): boolean {
  const found = (v: unknown, depth: number): boolean => {
    if (depth > 8) return false
    if (typeof v === 'string') return v.split(',').some((part) => EVERYONE_GROUPS.test(part.trim().replace(/^uri=/, '').replaceAll('"', '')))
    if (Array.isArray(v)) return v.some((x) => found(x, depth + 1))
    return isObj(v) && Object.values(v).some((x) => found(x, depth + 1))
  }
  return found(req, 0)
}

/** An inline policy document allowing "*" on "*" (as a JSON string in requestParameters). */
function grantsEverything(doc: unknown): boolean {
  if (typeof doc !== 'string') return false
  try {
    const parsed = JSON.parse(doc) as {Statement?: unknown}
    const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]
    return statements.some((s) => {
      if (!isObj(s) || s.Effect !== 'Allow') return false
      const actions = ([] as unknown[]).concat(s.Action ?? [])
      const resources = ([] as unknown[]).concat(s.Resource ?? [])
      return actions.some((a) => a === '*' || a === 'iam:*') && resources.includes('*')
    })
  } catch {
    return /"Action"\s*:\s*"\*"/.test(doc) && /"Resource"\s*:\s*"\*"/.test(doc)
  }
}

/** CloudTrail writes credential expirations as "Jul 10, 2023, 6:18:41 PM" (UTC) or ISO. */
function parseLooseTime(text: string): Date | undefined {
  const iso = Date.parse(text)
  if (/[zZ]|[+-]\d\d:?\d\d$/.test(text) && !Number.isNaN(iso)) return new Date(iso)
  const utc = Date.parse(`${text} UTC`)
  if (!Number.isNaN(utc)) return new Date(utc)
  return Number.isNaN(iso) ? undefined : new Date(iso)
}
