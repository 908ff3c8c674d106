import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

// A local stand-in for the AWS endpoints leakctl calls, speaking each
// service's wire protocol so the real SDK clients run unmodified against it:
// CloudTrail and Athena (JSON 1.1, X-Amz-Target), IAM and STS (query
// protocol, XML), EC2 (EC2 query protocol, XML). The region and service of a
// request come from its SigV4 credential scope, as AWS reads them. Faults on
// demand: throttling, an opt-in region not enabled, expired credentials,
// denied calls. IAM UpdateAccessKey and STS calls signed with a leaked key
// (verify issuer, revoke).

type Rec = Record<string, any>

export interface FakeAwsOptions {
  records: Rec[]
  account: string
  /** Regions DescribeRegions returns. */
  enabledRegions: string[]
  /** LookupEvents page size (AWS: up to 50; small here to force pagination). */
  pageSize?: number
  /** Throttle the first N LookupEvents requests of a region (Infinity: always). */
  throttle?: Record<string, number>
  /** Regions whose CloudTrail endpoint rejects the credentials (an opt-in region not enabled). */
  disabledRegions?: string[]
  /** Every call fails with the expired-token error of its protocol. */
  expired?: boolean
  denyDescribeRegions?: boolean
  /** IAM GetAccessKeyLastUsed answers; UpdateAccessKey changes a key's status; STS signed with one of these keys answers as its user. */
  lastUsed?: Record<string, {user: string; date?: string; service?: string; region?: string; status?: string}>
  /** Account that owns each key (GetAccessKeyInfo); default: `account`. */
  keyAccounts?: Record<string, string>
  /** Athena result page size, and whether queries fail. */
  athenaPageSize?: number
  athenaFail?: string
}

export interface RequestLog {
  service: string
  region: string
  action: string
  at: number
  body: any
}

export interface FakeAws {
  url: string
  log: RequestLog[]
  queries: string[]
  close: () => Promise<void>
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function scope(req: IncomingMessage): {region: string; service: string} {
  const auth = String(req.headers.authorization ?? '')
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth)
  return {region: m?.[1] ?? 'unknown', service: m?.[2] ?? 'unknown'}
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let b = ''
    req.on('data', (d) => (b += d))
    req.on('end', () => resolve(b))
  })
}

function json11(res: ServerResponse, status: number, body: unknown, errorType?: string) {
  res.writeHead(status, {'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-1', ...(errorType ? {'x-amzn-errortype': errorType} : {})})
  res.end(JSON.stringify(body))
}

function queryError(res: ServerResponse, status: number, code: string, message: string, ns: string) {
  res.writeHead(status, {'content-type': 'text/xml'})
  res.end(`<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`)
}

function ec2Error(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, {'content-type': 'text/xml'})
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>req-1</RequestID></Response>`)
}

function queryOk(res: ServerResponse, action: string, ns: string, inner: string) {
  res.writeHead(200, {'content-type': 'text/xml'})
  res.end(`<${action}Response xmlns="${ns}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${action}Response>`)
}

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/'
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/'
const QUERY_COLUMNS = ['eventid', 'eventtime', 'eventname', 'eventsource', 'awsregion', 'sourceipaddress', 'useragent', 'errorcode', 'eventversion', 'useridentity.type', 'useridentity.arn', 'useridentity.accesskeyid', 'useridentity.username', 'useridentity.accountid', 'requestparameters', 'responseelements', 'additionaleventdata', 'recipientaccountid']

export async function startFakeAws(o: FakeAwsOptions): Promise<FakeAws> {
  const log: RequestLog[] = []
  const queries: string[] = []
  const throttled = new Map<string, number>()
  const athena = new Map<string, {sql: string; polls: number; rows: string[][]}>()
  const pages = new Map<string, Rec[]>()
  let nextId = 0

  const lookup = (region: string, body: Rec): Rec[] => {
    const attr = body.LookupAttributes?.[0] ?? {}
    const start = body.StartTime ? Number(body.StartTime) * 1000 : 0
    const end = body.EndTime ? Number(body.EndTime) * 1000 : Infinity
    return o.records
      .filter((r) => r.awsRegion === region)
      .filter((r) => {
        const t = Date.parse(r.eventTime)
        return t >= start && t <= end
      })
      .filter((r) => {
        switch (attr.AttributeKey) {
          case 'AccessKeyId':
            return r.userIdentity?.accessKeyId === attr.AttributeValue
          case 'Username':
            return r.userIdentity?.userName === attr.AttributeValue
          case 'EventName':
            return r.eventName === attr.AttributeValue
          default:
            return false
        }
      })
      .sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime))
  }

  const athenaRows = (sql: string): string[][] => {
    const list = (re: RegExp) => [...(re.exec(sql)?.[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1]!)
    const keys = list(/useridentity\.accesskeyid IN \(([^)]*)\)/)
    const users = list(/useridentity\.username IN \(([^)]*)\)/)
    const containment = /eventname IN \('UpdateAccessKey', 'DeleteAccessKey', 'AttachUserPolicy'\)/.test(sql)
    const from = /eventtime >= '([^']+)'/.exec(sql)?.[1]
    return o.records
      .filter((r) => !from || r.eventTime >= from)
      .filter((r) => keys.includes(r.userIdentity?.accessKeyId) || (r.userIdentity?.type === 'IAMUser' && users.includes(r.userIdentity?.userName)) || (containment && r.eventSource === 'iam.amazonaws.com' && ['UpdateAccessKey', 'DeleteAccessKey', 'AttachUserPolicy'].includes(r.eventName)))
      .sort((a, b) => a.eventTime.localeCompare(b.eventTime))
      .map((r) => [r.eventID, r.eventTime, r.eventName, r.eventSource, r.awsRegion, r.sourceIPAddress, r.userAgent, r.errorCode, r.eventVersion, r.userIdentity?.type, r.userIdentity?.arn, r.userIdentity?.accessKeyId, r.userIdentity?.userName, r.userIdentity?.accountId, r.requestParameters ? JSON.stringify(r.requestParameters) : undefined, r.responseElements ? JSON.stringify(r.responseElements) : undefined, r.additionalEventData ? JSON.stringify(r.additionalEventData) : undefined, r.recipientAccountId])
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req)
    const {region, service} = scope(req)
    const target = String(req.headers['x-amz-target'] ?? '')
    const form = new URLSearchParams(body)
    const action = target ? target.split('.').pop()! : (form.get('Action') ?? '?')
    const parsed = target ? (body ? JSON.parse(body) : {}) : Object.fromEntries(form)
    log.push({service, region, action, at: Date.now(), body: parsed})

    if (o.expired) {
      if (service === 'cloudtrail' || service === 'athena') return json11(res, 400, {__type: 'ExpiredTokenException', message: 'The security token included in the request is expired'}, 'ExpiredTokenException')
      if (service === 'ec2') return ec2Error(res, 400, 'RequestExpired', 'Request has expired.')
      return queryError(res, 403, 'ExpiredToken', 'The security token included in the request is expired', service === 'iam' ? IAM_NS : STS_NS)
    }

    switch (service) {
      case 'sts': {
        if (action === 'GetCallerIdentity') {
          // Signed with one of the keys in lastUsed (a leaked key, verify issuer --use-leaked-key): that key's user, or refused when it is not Active.
          const signer = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? ''
          const k = o.lastUsed?.[signer]
          if (k && k.status === 'Inactive') return queryError(res, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.', STS_NS)
          if (k) return queryOk(res, action, STS_NS, `<Arn>arn:aws:iam::${o.account}:user/${k.user}</Arn><UserId>AIDA${k.user.toUpperCase()}</UserId><Account>${o.account}</Account>`)
          return queryOk(res, action, STS_NS, `<Arn>arn:aws:iam::${o.account}:user/responder</Arn><UserId>AIDARESPONDER</UserId><Account>${o.account}</Account>`)
        }
        if (action === 'GetAccessKeyInfo') return queryOk(res, action, STS_NS, `<Account>${o.keyAccounts?.[form.get('AccessKeyId')!] ?? o.account}</Account>`)
        return queryError(res, 400, 'InvalidAction', action, STS_NS)
      }
      case 'iam': {
        if (action === 'GetAccessKeyLastUsed') {
          const k = o.lastUsed?.[form.get('AccessKeyId')!]
          if (!k) return queryError(res, 404, 'NoSuchEntity', 'The Access Key with id was not found.', IAM_NS)
          const used = k.date ? `<LastUsedDate>${k.date}</LastUsedDate><ServiceName>${k.service}</ServiceName><Region>${k.region}</Region>` : '<ServiceName>N/A</ServiceName><Region>N/A</Region>'
          return queryOk(res, action, IAM_NS, `<UserName>${k.user}</UserName><AccessKeyLastUsed>${used}</AccessKeyLastUsed>`)
        }
        if (action === 'ListAccessKeys') {
          const user = form.get('UserName')
          const members = Object.entries(o.lastUsed ?? {})
            .filter(([, v]) => v.user === user)
            .map(([id, v]) => `<member><UserName>${user}</UserName><AccessKeyId>${id}</AccessKeyId><Status>${v.status ?? 'Active'}</Status><CreateDate>2025-01-01T00:00:00Z</CreateDate></member>`)
          return queryOk(res, action, IAM_NS, `<AccessKeyMetadata>${members.join('')}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`)
        }
        if (action === 'UpdateAccessKey') {
          const k = o.lastUsed?.[form.get('AccessKeyId')!]
          if (!k || k.user !== form.get('UserName')) return queryError(res, 404, 'NoSuchEntity', 'The Access Key with id was not found.', IAM_NS)
          k.status = form.get('Status') ?? k.status
          res.writeHead(200, {'content-type': 'text/xml'})
          return res.end(`<UpdateAccessKeyResponse xmlns="${IAM_NS}"><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></UpdateAccessKeyResponse>`)
        }
        return queryError(res, 400, 'InvalidAction', action, IAM_NS)
      }
      case 'ec2': {
        if (action !== 'DescribeRegions') return ec2Error(res, 400, 'InvalidAction', action)
        if (o.denyDescribeRegions) return ec2Error(res, 403, 'UnauthorizedOperation', 'You are not authorized to perform this operation.')
        res.writeHead(200, {'content-type': 'text/xml'})
        return res.end(`<?xml version="1.0" encoding="UTF-8"?><DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId><regionInfo>${o.enabledRegions.map((r) => `<item><regionName>${r}</regionName><regionEndpoint>ec2.${r}.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>`).join('')}</regionInfo></DescribeRegionsResponse>`)
      }
      case 'cloudtrail': {
        if (action !== 'LookupEvents') return json11(res, 400, {__type: 'InvalidAction', message: action}, 'InvalidAction')
        if (o.disabledRegions?.includes(region)) return json11(res, 400, {__type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.'}, 'UnrecognizedClientException')
        const n = throttled.get(region) ?? 0
        if (n < (o.throttle?.[region] ?? 0)) {
          throttled.set(region, n + 1)
          return json11(res, 400, {__type: 'ThrottlingException', message: 'Rate exceeded'}, 'ThrottlingException')
        }
        const size = Math.min(parsed.MaxResults ?? 50, o.pageSize ?? 50)
        let all: Rec[]
        if (parsed.NextToken) {
          all = pages.get(parsed.NextToken) ?? []
          if (!pages.has(parsed.NextToken)) return json11(res, 400, {__type: 'InvalidNextTokenException', message: 'bad token'}, 'InvalidNextTokenException')
        } else all = lookup(region, parsed)
        const page = all.slice(0, size)
        const rest = all.slice(size)
        let token: string | undefined
        if (rest.length) {
          token = `tok-${nextId++}`
          pages.set(token, rest)
        }
        return json11(res, 200, {
          Events: page.map((r) => ({EventId: r.eventID, EventName: r.eventName, ReadOnly: String(r.readOnly), AccessKeyId: r.userIdentity?.accessKeyId, EventTime: Date.parse(r.eventTime) / 1000, EventSource: r.eventSource, Username: r.userIdentity?.userName, Resources: [], CloudTrailEvent: JSON.stringify(r)})),
          ...(token ? {NextToken: token} : {}),
        })
      }
      case 'athena': {
        if (action === 'StartQueryExecution') {
          const id = `q-${nextId++}`
          queries.push(parsed.QueryString)
          athena.set(id, {sql: parsed.QueryString, polls: 0, rows: /^\s*CREATE/i.test(parsed.QueryString) ? [] : athenaRows(parsed.QueryString)})
          return json11(res, 200, {QueryExecutionId: id})
        }
        const q = athena.get(parsed.QueryExecutionId)
        if (!q) return json11(res, 400, {__type: 'InvalidRequestException', Message: 'no such query'}, 'InvalidRequestException')
        if (action === 'GetQueryExecution') {
          q.polls++
          const state = q.polls < 2 ? 'RUNNING' : o.athenaFail ? 'FAILED' : 'SUCCEEDED'
          return json11(res, 200, {QueryExecution: {QueryExecutionId: parsed.QueryExecutionId, Query: q.sql, Status: {State: state, ...(state === 'FAILED' ? {StateChangeReason: o.athenaFail} : {})}, Statistics: {DataScannedInBytes: 1_500_000}}})
        }
        if (action === 'GetQueryResults') {
          const size = o.athenaPageSize ?? 1000
          const offset = parsed.NextToken ? Number(parsed.NextToken) : 0
          const header = offset === 0 ? [{Data: QUERY_COLUMNS.map((c) => ({VarCharValue: c}))}] : []
          const rows = q.rows.slice(offset, offset + size - header.length)
          const next = offset + rows.length < q.rows.length ? String(offset + rows.length) : undefined
          return json11(res, 200, {
            ResultSet: {Rows: [...header, ...rows.map((r) => ({Data: r.map((v) => (v === undefined || v === null ? {} : {VarCharValue: String(v)}))}))], ResultSetMetadata: {ColumnInfo: QUERY_COLUMNS.map((c) => ({Name: c, Type: 'varchar'}))}},
            ...(next ? {NextToken: next} : {}),
          })
        }
        return json11(res, 400, {__type: 'InvalidAction', message: action}, 'InvalidAction')
      }
    }
    res.writeHead(400)
    res.end('unknown service')
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      res.writeHead(500)
      res.end(String(e))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    queries,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    }),
  }
}

/** The environment that points the real AWS SDK (in the CLI) at the stand-in, with no config file or profile of the machine. */
export function fakeAwsEnv(url: string, dir: string, secret: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'AKIAQX4RESPONDER0001',
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: `${dir}/no-config`,
    AWS_SHARED_CREDENTIALS_FILE: `${dir}/no-credentials`,
    AWS_PROFILE: undefined,
    AWS_SESSION_TOKEN: undefined,
    ...extra,
  }
}
