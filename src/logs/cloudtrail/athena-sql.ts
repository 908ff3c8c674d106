import {inputError} from '../../errors.js'
import {DEFAULT_REGIONS} from './regions.js'

// At scale: organisations whose trails hold billions of events query them
// with Athena over the trail's S3 table. This module writes the table
// definition (AWS's documented CloudTrail table, with partition projection)
// and the queries; athena.ts runs them. No SDK here: --athena-print-sql
// needs none.

export interface AthenaSqlOptions {
  database: string
  table: string
  /** s3://bucket/AWSLogs/<account>/CloudTrail/ (or with the <org-id> level): where the trail writes. */
  location?: string
  regions?: string[]
  /** First day the projection covers. */
  startDate: Date
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/
const KEY_ID = /^[A-Z0-9]{16,128}$/

export function checkAthenaNames(o: {database: string; table: string; location?: string}): void {
  if (!IDENT.test(o.database)) throw inputError('athena.database', `--athena-database "${o.database}": letters, digits and _ only`)
  if (!IDENT.test(o.table)) throw inputError('athena.table', `--athena-table "${o.table}": letters, digits and _ only`)
  if (o.location !== undefined && !/^s3:\/\/[a-z0-9.-]{3,63}\/[^'\s]*$/.test(o.location)) throw inputError('athena.location', `--athena-location "${o.location}": expected s3://bucket/AWSLogs/<account>/CloudTrail/`)
}

const day = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '/')
const quote = (s: string) => `'${s.replaceAll("'", "''")}'`

/** The CloudTrail table, as AWS documents it, with partition projection over region and day. */
export function tableDdl(o: AthenaSqlOptions): string {
  checkAthenaNames(o)
  const location = (o.location ?? 's3://<bucket>/AWSLogs/<account-id>/CloudTrail/').replace(/\/?$/, '/')
  const regions = (o.regions?.length ? o.regions : DEFAULT_REGIONS).join(',')
  return `CREATE EXTERNAL TABLE IF NOT EXISTS ${o.database}.${o.table} (
    eventversion STRING,
    useridentity STRUCT<
        type: STRING,
        principalid: STRING,
        arn: STRING,
        accountid: STRING,
        invokedby: STRING,
        accesskeyid: STRING,
        username: STRING,
        onbehalfof: STRUCT<userid: STRING, identitystorearn: STRING>,
        sessioncontext: STRUCT<
            attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>,
            sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, username: STRING>,
            ec2roledelivery: STRING,
            webidfederationdata: STRUCT<federatedprovider: STRING, attributes: MAP<STRING,STRING>>
        >
    >,
    eventtime STRING,
    eventsource STRING,
    eventname STRING,
    awsregion STRING,
    sourceipaddress STRING,
    useragent STRING,
    errorcode STRING,
    errormessage STRING,
    requestparameters STRING,
    responseelements STRING,
    additionaleventdata STRING,
    requestid STRING,
    eventid STRING,
    readonly STRING,
    resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
    eventtype STRING,
    apiversion STRING,
    recipientaccountid STRING,
    serviceeventdetails STRING,
    sharedeventid STRING,
    vpcendpointid STRING,
    vpcendpointaccountid STRING,
    eventcategory STRING,
    addendum STRUCT<reason: STRING, updatedfields: STRING, originalrequestid: STRING, originaleventid: STRING>,
    sessioncredentialfromconsole STRING,
    edgedevicedetails STRING,
    tlsdetails STRUCT<tlsversion: STRING, ciphersuite: STRING, clientprovidedhostheader: STRING>
)
PARTITIONED BY (region STRING, \`timestamp\` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION ${quote(location)}
TBLPROPERTIES (
    'projection.enabled'='true',
    'projection.region.type'='enum',
    'projection.region.values'=${quote(regions)},
    'projection.timestamp.type'='date',
    'projection.timestamp.format'='yyyy/MM/dd',
    'projection.timestamp.interval'='1',
    'projection.timestamp.interval.unit'='DAYS',
    'projection.timestamp.range'=${quote(`${day(o.startDate)},NOW`)},
    'storage.location.template'=${quote(`${location}\${region}/\${timestamp}`)}
)`
}

export interface QuerySqlOptions {
  database: string
  table: string
  keys: string[]
  users: string[]
  from: Date
  until?: Date
  /** Include the IAM calls on keys and users (disabling, quarantine) whoever made them. */
  containment: boolean
  /** The table is partitioned by `timestamp` (yyyy/MM/dd): prune by day. */
  projected: boolean
}

export const QUERY_COLUMNS = [
  'eventid', 'eventtime', 'eventname', 'eventsource', 'awsregion', 'sourceipaddress', 'useragent', 'errorcode', 'eventversion',
  'useridentity.type', 'useridentity.arn', 'useridentity.accesskeyid', 'useridentity.username', 'useridentity.accountid',
  'requestparameters', 'responseelements', 'additionaleventdata', 'recipientaccountid',
] as const

export function querySql(o: QuerySqlOptions): string {
  checkAthenaNames(o)
  for (const k of o.keys) if (!KEY_ID.test(k)) throw inputError('athena.key', `not an access key id: ${k}`)
  const who: string[] = []
  if (o.keys.length) who.push(`useridentity.accesskeyid IN (${o.keys.map(quote).join(', ')})`)
  if (o.users.length) who.push(`(useridentity.type = 'IAMUser' AND useridentity.username IN (${o.users.map(quote).join(', ')}))`)
  if (o.containment) who.push(`(eventsource = 'iam.amazonaws.com' AND eventname IN ('UpdateAccessKey', 'DeleteAccessKey', 'AttachUserPolicy'))`)
  const where = [`eventtime >= ${quote(o.from.toISOString().replace(/\.\d{3}Z$/, 'Z'))}`]
  if (o.until) where.push(`eventtime <= ${quote(o.until.toISOString().replace(/\.\d{3}Z$/, 'Z'))}`)
  if (o.projected) where.push(`"timestamp" >= ${quote(day(o.from))}`)
  where.push(`(${who.join('\n       OR ')})`)
  return `SELECT ${QUERY_COLUMNS.map((c) => (c.includes('.') ? `${c} AS "${c}"` : c)).join(', ')}
FROM ${o.database}.${o.table}
WHERE ${where.join('\n  AND ')}
ORDER BY eventtime`
}

