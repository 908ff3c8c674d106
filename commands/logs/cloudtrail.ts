import * as Flags from '#oclif/flags'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {renderAccountWide, renderCloudTrail} from '../../cli/render/logs.js'
import {EXIT, inputError, isLeakctlError} from '../../src/errors.js'
import {loadIncident, recordEvents} from '../../src/incident/incident.js'
import type {IncidentRef} from '../../src/incident/workspace.js'
import {checkAthenaNames, querySql, tableDdl} from '../../src/logs/cloudtrail/athena-sql.js'
import {evidenceEvents, SOURCE} from '../../src/logs/cloudtrail/evidence.js'
import {checkKeyIds, incidentExposure, incidentKeyIds, investigateCloudTrail, type Source} from '../../src/logs/cloudtrail/investigate.js'
import {parseDuration} from '../../src/time/duration.js'
import {parseInstant} from '../../src/time/instant.js'

export default class LogsCloudTrail extends BaseCommand {
  static override summary = 'Was a leaked AWS key used? CloudTrail evidence, judged, onto the incident timeline'
  static override description = `Collects every CloudTrail event of the leaked access keys — from the API (LookupEvents in every enabled region, IAM last-used), from log files as delivered to S3 (--logs-dir), or from Athena (--athena) — follows the temporary keys and users they minted or created, and judges each event against the key's use before the exposure.

Exit codes: 0 not used after the exposure; 1 used after the exposure or suspicious; 2 bad input (also: log files that could not all be read, nothing found in the rest); 3 AWS could not be queried (no or expired credentials, unreachable, regions missing; nothing found in the rest).`
  static override examples = [
    '<%= config.bin %> <%= command.id %>                                    # keys and exposure time from the current incident',
    '<%= config.bin %> <%= command.id %> --access-key-id AKIAQX4LEAKED7EXAMPL --since 2026-03-02T10:00:00Z',
    '<%= config.bin %> <%= command.id %> --access-key-id AKIAQX4LEAKED7EXAMPL --since 2026-03-02T10:00:00Z --logs-dir ./s3-export/AWSLogs',
    '<%= config.bin %> <%= command.id %> --profile security-audit --region us-east-1 --region eu-west-1 --json',
    '<%= config.bin %> <%= command.id %> --athena --athena-table cloudtrail_logs --athena-output s3://athena-results/leakctl/',
    '<%= config.bin %> <%= command.id %> --athena-print-sql --athena-location s3://trail-bucket/AWSLogs/111122223333/CloudTrail/ --access-key-id AKIAQX4LEAKED7EXAMPL --since 2026-03-02',
  ]
  static override flags = {
    ...incidentFlags,
    'access-key-id': Flags.string({char: 'k', multiple: true, description: 'Leaked access key id (repeatable). Default: the aws-access-key findings of the incident'}),
    since: Flags.string({description: 'Exposure time: events before it are the baseline, after it are judged. Default: the incident\'s exposed-at'}),
    until: Flags.string({description: 'Read events up to this time (default: now)'}),
    'logs-dir': Flags.string({description: 'Read CloudTrail log files (S3 layout, .json or .json.gz, JSON lines, bare arrays) instead of the API', exclusive: ['athena']}),
    athena: Flags.boolean({description: 'Query the trail\'s Athena table instead of the API (for trails of billions of events)'}),
    'athena-print-sql': Flags.boolean({description: 'Print the Athena table definition and query, run nothing'}),
    'athena-database': Flags.string({default: 'default', description: 'Athena database of the CloudTrail table'}),
    'athena-table': Flags.string({default: 'cloudtrail_logs', description: 'Athena CloudTrail table'}),
    'athena-workgroup': Flags.string({default: 'primary', description: 'Athena workgroup'}),
    'athena-output': Flags.string({description: 'S3 location for query results (when the workgroup has none)'}),
    'athena-location': Flags.string({description: 'Create the table first (IF NOT EXISTS, partition projection) over this trail prefix: s3://bucket/AWSLogs/<account>/CloudTrail/'}),
    region: Flags.string({multiple: true, description: 'Only these regions (default: every enabled region, from EC2 DescribeRegions); the first is also where STS, IAM and Athena are called'}),
    profile: Flags.string({description: 'AWS profile (default: the standard credential chain: environment, AWS_PROFILE, SSO, instance role)'}),
    baseline: Flags.string({default: '7d', description: 'How long before the exposure to read, to learn the key\'s usual sources (API and Athena)'}),
    'max-pivots': Flags.integer({default: 100, min: 0, description: 'Temporary keys and created users followed at most (each costs a LookupEvents per region)'}),
    all: Flags.boolean({description: 'List every event, not only the suspicious ones'}),
    'no-record': Flags.boolean({description: 'Do not record evidence on the incident'}),
    'account-wide': Flags.boolean({description: 'No key needed: every user, access key, login profile, policy, trust-policy change and console sign-in from a new address in the account since --since (or the incident\'s exposure); for leaks of anything, not only AWS keys', exclusive: ['access-key-id', 'logs-dir', 'athena', 'athena-print-sql']}),
  }

  async run() {
    const {flags} = await this.parse(LogsCloudTrail)
    const now = new Date()

    if (flags['account-wide']) return this.accountWide(flags, now)

    // Keys and exposure: from the flags, else from the incident.
    let ref: IncidentRef | undefined
    let keys = flags['access-key-id'] ?? []
    let since = flags.since ? parseInstant(flags.since, '--since', now) : null
    if (flags.incident || keys.length === 0) {
      try {
        ref = this.incident(flags)
      } catch (error) {
        if (keys.length === 0 && isLeakctlError(error) && error.code === 'workspace.missing') {
          throw inputError('logs.no-keys', 'no access key id: pass --access-key-id AKIA..., or run inside an incident workspace whose findings hold aws-access-key findings')
        }
        throw error
      }
      const {state, warnings} = loadIncident(ref)
      await this.warnAll(warnings)
      if (keys.length === 0) {
        keys = incidentKeyIds(state)
        if (keys.length === 0) throw inputError('logs.no-keys', `incident ${state.id} has no aws-access-key finding with a key id; pass --access-key-id AKIA...`)
      }
      since ??= incidentExposure(state, keys)
    }
    keys = checkKeyIds(keys)
    const until = flags.until ? parseInstant(flags.until, '--until', now).getTime() : undefined
    const baselineMs = parseDuration(flags.baseline, '--baseline')
    const homeRegion = flags.region?.[0] ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'

    if (flags['athena-print-sql']) {
      checkAthenaNames({database: flags['athena-database'], table: flags['athena-table'], location: flags['athena-location']})
      const from = new Date((since ?? now).getTime() - baselineMs)
      const ddl = tableDdl({database: flags['athena-database'], table: flags['athena-table'], location: flags['athena-location'], regions: flags.region, startDate: from})
      const sql = querySql({database: flags['athena-database'], table: flags['athena-table'], keys, users: [], from, until: until ? new Date(until) : undefined, containment: true, projected: true})
      this.print(`-- The CloudTrail table (AWS's documented definition, partition projection by region and day)\n${ddl};\n\n-- Round 1: the leaked keys; leakctl runs further rounds for the keys and users they mint or create.\n${sql};`)
      return {ddl, sql, keys, exposedAt: since?.toISOString() ?? null}
    }

    let source: Source
    if (flags['logs-dir']) source = {kind: 'files', path: flags['logs-dir']}
    else if (flags.athena) {
      checkAthenaNames({database: flags['athena-database'], table: flags['athena-table'], location: flags['athena-location']})
      source = {kind: 'athena', database: flags['athena-database'], table: flags['athena-table'], workgroup: flags['athena-workgroup'], output: flags['athena-output'], location: flags['athena-location'], regions: flags.region, profile: flags.profile, homeRegion, baselineMs, maxPivots: flags['max-pivots'], until}
    } else source = {kind: 'api', regions: flags.region, profile: flags.profile, homeRegion, baselineMs, maxPivots: flags['max-pivots'], until}

    // Progress at most every 0.1 s on a terminal, every 2 s otherwise: a plain line per file would flood a CI log.
    let last = 0
    const onProgress = (t: string) => {
      const now = Date.now()
      if (now - last < (process.stderr.isTTY ? 100 : 2000)) return
      last = now
      this.progress(t)
    }
    const result = await investigateCloudTrail({keys, since, source, onProgress})
    this.progressDone()
    await this.warnAll(result.warnings)

    let recorded: {incident: string; events: number; skipped: number} | undefined
    if (ref && !flags['no-record'] && !result.fatal) {
      const {state} = loadIncident(ref)
      const seen = new Set(state.evidence.filter((e) => e.source === SOURCE && e.ref && typeof e.ref.eventId === 'string').map((e) => e.ref!.eventId as string))
      const ev = evidenceEvents(result, seen)
      const res = await recordEvents(ref, this.actor(flags.by), ev.events)
      await this.warnAll(res.warnings)
      recorded = {incident: ref.id, events: res.events.length, skipped: ev.skipped}
    }

    this.print(() => renderCloudTrail(result, {all: flags.all}))
    if (recorded) this.print(`\n${recorded.incident}: ${recorded.events} evidence event(s) recorded${recorded.skipped ? ` (${recorded.skipped} already on the timeline)` : ''}.`)

    if (result.verdict.status === 'used-after-exposure' || result.verdict.suspicious > 0) this.needsAction()
    else if (result.fatal || (result.partial && source.kind !== 'files')) {
      process.exitCode = EXIT.dependency
      await this.errorLine(result.fatal ?? `AWS could not be read completely: ${result.missing.map((m) => `${m.what}: ${m.reason}`).slice(0, 3).join('; ')}`)
    } else if (result.partial) {
      process.exitCode = EXIT.input
      await this.errorLine(`some log files could not be read completely (${result.missing.length}); no use found in the rest`)
    }
    return {...result, recorded: recorded ?? null}
  }
  private async accountWide(flags: {since?: string; incident?: string; workspace?: string; region?: string[]; profile?: string; baseline: string; 'no-record'?: boolean; by?: string}, now: Date) {
    let ref: IncidentRef | undefined
    let since = flags.since ? parseInstant(flags.since, '--since', now) : null
    if (!since || flags.incident) {
      ref = this.incident(flags)
      const {state} = loadIncident(ref)
      since ??= state.exposedAt ? new Date(state.exposedAt) : new Date(state.openedAt)
    }
    const homeRegion = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'
    // The AWS SDK loads only for the account-wide sweep (docs/performance.md).
    const {ACCOUNT_SOURCE, accountEvidence, accountWide} = await import('../../src/logs/cloudtrail/account-wide.js')
    const result = await accountWide({since, regions: flags.region ?? [homeRegion], profile: flags.profile, baselineMs: parseDuration(flags.baseline, '--baseline'), onProgress: (t) => this.progress(t)})
    this.progressDone()
    if (result.fatal) {
      process.exitCode = EXIT.dependency
      process.stderr.write(`error: ${result.fatal}\n`)
      return {...result, recorded: null}
    }
    let recorded: number | null = null
    if (ref && !flags['no-record']) {
      const {state} = loadIncident(ref)
      const seen = new Set(state.evidence.filter((e) => e.source === ACCOUNT_SOURCE && typeof e.ref?.eventId === 'string').map((e) => e.ref!.eventId as string))
      const res = await recordEvents(ref, this.actor(flags.by), accountEvidence(result, seen))
      await this.warnAll(res.warnings)
      recorded = res.events.length
    }
    this.print(() => renderAccountWide(result))
    if (ref && recorded !== null) this.print(`\n${ref.id}: ${recorded} evidence event(s) recorded.`)
    if (result.changes.length) this.needsAction()
    else if (result.missing.length) {
      process.exitCode = EXIT.dependency
      process.stderr.write(`error: CloudTrail could not be read completely: ${result.missing.slice(0, 3).map((m) => `${m.what}: ${m.reason}`).join('; ')}\n`)
    }
    return {...result, recorded}
  }
}
