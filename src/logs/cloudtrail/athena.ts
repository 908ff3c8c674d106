import {AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand} from '@aws-sdk/client-athena'
import {defaultProvider} from '@aws-sdk/credential-provider-node'

import {querySql, tableDdl} from './athena-sql.js'
import {classifyAwsError} from './aws-errors.js'
import type {Pivots} from './pivots.js'
import {normalize, type TrailEvent} from './record.js'
import type {Collected, Missing} from './report.js'

// Runs the Athena queries (athena-sql.ts writes them): creates the table when
// asked, queries the leaked keys, then what they minted or created, round
// after round, and hands the rows over as CloudTrail records.

export interface AthenaOptions {
  pivots: Pivots
  since: number | null
  baselineMs: number
  until?: number
  database: string
  table: string
  workgroup: string
  /** s3:// prefix for query results (when the workgroup has none). */
  output?: string
  /** When given, the table is created first (IF NOT EXISTS) with partition projection. */
  location?: string
  regions?: string[]
  profile?: string
  homeRegion: string
  maxPivots: number
  pollMs?: number
  timeoutMs?: number
  onProgress?: (text: string) => void
}

/** One result row back into the shape of a CloudTrail record. */
function rowToRecord(row: Record<string, string | undefined>): Record<string, unknown> {
  const json = (s: string | undefined) => {
    if (!s) return null
    try {
      return JSON.parse(s)
    } catch {
      return null
    }
  }
  return {
    eventID: row.eventid,
    eventTime: row.eventtime,
    eventName: row.eventname,
    eventSource: row.eventsource,
    awsRegion: row.awsregion,
    sourceIPAddress: row.sourceipaddress,
    userAgent: row.useragent,
    errorCode: row.errorcode,
    eventVersion: row.eventversion,
    userIdentity: {type: row['useridentity.type'], arn: row['useridentity.arn'], accessKeyId: row['useridentity.accesskeyid'], userName: row['useridentity.username'], accountId: row['useridentity.accountid']},
    requestParameters: json(row.requestparameters),
    responseElements: json(row.responseelements),
    additionalEventData: json(row.additionaleventdata),
    recipientAccountId: row.recipientaccountid,
  }
}

export async function collectFromAthena(o: AthenaOptions): Promise<Collected> {
  // The SDK warns on Node 20 about releases from 2027; leakctl pins its version, and a
  // paragraph on stderr in the middle of an incident is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const missing: Missing[] = []
  const warnings: string[] = []
  const events = new Map<string, TrailEvent>()
  const stats = {queries: 0, rows: 0, dataScannedBytes: 0, rounds: 0, pivotsNotFollowed: 0}
  const client = new AthenaClient({region: o.homeRegion, credentials: defaultProvider(o.profile ? {profile: o.profile} : {}), retryMode: 'standard', ...(process.env.AWS_MAX_ATTEMPTS ? {} : {maxAttempts: 8})})
  const from = new Date((o.since ?? Date.now()) - o.baselineMs)
  const result = (partial: boolean, fatal?: Collected['fatal']): Collected => ({
    source: 'athena',
    events: [...events.values()],
    missing,
    partial,
    lastUsed: [],
    searched: `Athena table ${o.database}.${o.table} from ${from.toISOString()} (${stats.queries} quer${stats.queries === 1 ? 'y' : 'ies'}, ${(stats.dataScannedBytes / 1e9).toFixed(2)} GB scanned)`,
    warnings,
    accounts: [...new Set([...events.values()].map((e) => e.account).filter((a): a is string => !!a))],
    stats,
    ...(fatal ? {fatal} : {}),
  })

  const run = async (sql: string, what: string): Promise<Record<string, string | undefined>[]> => {
    stats.queries++
    o.onProgress?.(`athena: ${what}`)
    const start = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: {Database: o.database},
        WorkGroup: o.workgroup,
        ...(o.output ? {ResultConfiguration: {OutputLocation: o.output}} : {}),
      }),
    )
    const id = start.QueryExecutionId!
    const deadline = Date.now() + (o.timeoutMs ?? 30 * 60_000)
    let wait = o.pollMs ?? 1000
    for (;;) {
      const q = await client.send(new GetQueryExecutionCommand({QueryExecutionId: id}))
      const state = q.QueryExecution?.Status?.State
      if (state === 'SUCCEEDED') {
        stats.dataScannedBytes += q.QueryExecution?.Statistics?.DataScannedInBytes ?? 0
        break
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw Object.assign(new Error(`Athena query ${id} ${state}: ${q.QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`), {name: 'AthenaQueryFailed'})
      }
      if (Date.now() > deadline) throw Object.assign(new Error(`Athena query ${id} still ${state} after the timeout`), {name: 'AthenaQueryTimeout'})
      o.onProgress?.(`athena: ${what}: ${state ?? 'waiting'}`)
      await new Promise((r) => setTimeout(r, wait))
      wait = Math.min(wait * 1.5, 5000)
    }
    const rows: Record<string, string | undefined>[] = []
    let token: string | undefined
    let columns: string[] | undefined
    let first = true
    do {
      const page = await client.send(new GetQueryResultsCommand({QueryExecutionId: id, NextToken: token, MaxResults: 1000}))
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((c) => c.Name ?? c.Label ?? '')
      const data = page.ResultSet?.Rows ?? []
      // The first row of the first page repeats the column names.
      for (const [i, r] of data.entries()) {
        if (first && i === 0) continue
        const values = r.Data ?? []
        rows.push(Object.fromEntries((columns ?? []).map((c, j) => [c, values[j]?.VarCharValue])))
      }
      first = false
      token = page.NextToken
      o.onProgress?.(`athena: ${what}: ${rows.length} rows`)
    } while (token)
    stats.rows += rows.length
    return rows
  }

  try {
    if (o.location) await run(tableDdl({database: o.database, table: o.table, location: o.location, regions: o.regions, startDate: from}), `CREATE TABLE ${o.database}.${o.table}`)
    let keys = o.pivots.seeds
    let users: string[] = []
    let containment = true
    let followed = 0
    while (keys.length || users.length) {
      stats.rounds++
      const rows = await run(querySql({database: o.database, table: o.table, keys, users, from, until: o.until ? new Date(o.until) : undefined, containment, projected: !!o.location}), `round ${stats.rounds}: ${keys.length} key(s), ${users.length} user(s)`)
      containment = false
      const fresh: TrailEvent[] = []
      for (const row of rows) {
        const n = normalize(rowToRecord(row))
        if (!n.event) {
          missing.push({what: `row ${row.eventid ?? '?'}`, reason: 'lacks eventTime, eventName or eventSource'})
          continue
        }
        if (events.has(n.event.eventId)) continue
        n.event.origin = 'athena'
        events.set(n.event.eventId, n.event)
        fresh.push(n.event)
      }
      keys = []
      users = []
      for (const e of fresh.sort((a, b) => a.eventTime.localeCompare(b.eventTime))) {
        const learned = o.pivots.learn(e, o.since)
        for (const k of learned.keys) {
          if (followed++ < o.maxPivots) keys.push(k.accessKeyId)
          else stats.pivotsNotFollowed++
        }
        for (const u of learned.users) {
          if (followed++ < o.maxPivots) users.push(u.userName)
          else stats.pivotsNotFollowed++
        }
      }
    }
  } catch (error) {
    const name = (error as Error).name
    if (name === 'AthenaQueryFailed' || name === 'AthenaQueryTimeout') {
      missing.push({what: 'Athena', reason: (error as Error).message})
      return result(true)
    }
    const f = classifyAwsError(error, 'athena')
    missing.push({what: 'Athena', reason: f.message})
    return result(true, f.fatal ? f : undefined)
  }
  if (stats.pivotsNotFollowed) missing.push({what: `${stats.pivotsNotFollowed} pivot(s)`, reason: `not followed: more than --max-pivots ${o.maxPivots}`})
  // Keep the containment rows that concern the followed keys and their owners only.
  const owners = new Set([...events.values()].filter((e) => e.accessKeyId && o.pivots.keys.get(e.accessKeyId)?.origin.kind === 'leaked' && e.userName).map((e) => e.userName!))
  for (const [id, e] of events) {
    if (o.pivots.follows(e)) continue
    const relevant = (e.keyActedOn && o.pivots.keys.has(e.keyActedOn)) || (e.policyArn && /AWSCompromisedKeyQuarantine/.test(e.policyArn) && (!e.target || owners.has(e.target)))
    if (!relevant) events.delete(id)
  }
  return result(missing.length > 0)
}
