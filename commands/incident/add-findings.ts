import {readFileSync} from 'node:fs'

import * as Args from '#oclif/args'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {findingSchema} from '../../src/detect/finding.js'
import {fromSystemError, inputError} from '../../src/errors.js'
import {etcdFindings, type EtcdScanResult} from '../../src/etcd/scan.js'
import {zodMessage} from '../../src/incident/events.js'
import {recordFindings} from '../../src/incident/incident.js'

export default class IncidentAddFindings extends BaseCommand {
  static override summary = 'Record findings (the --json output of a scan) on the incident and expand its checklist'
  static override description = 'Reads a JSON document with a top-level "findings" array (as `leakctl scan ... --json` writes) from FILE or standard input. Findings already recorded are skipped; new ones get their checklist items.'
  static override examples = [
    '<%= config.bin %> scan git --json > findings.json; <%= config.bin %> <%= command.id %> findings.json',
    '<%= config.bin %> scan git --json | <%= config.bin %> <%= command.id %> -',
  ]
  static override args = {file: Args.string({required: true, description: 'JSON file, or - for standard input'})}
  static override flags = {...incidentFlags}

  async run() {
    const {args, flags} = await this.parse(IncidentAddFindings)
    let text: string
    try {
      text = readFileSync(args.file === '-' ? 0 : args.file, 'utf8')
    } catch (error) {
      throw fromSystemError(error) ?? error
    }
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch {
      throw inputError('findings.json', `${args.file}: not JSON`)
    }
    const list = findingList(doc)
    if (!Array.isArray(list)) throw inputError('findings.shape', `${args.file}: expected a JSON object with a "findings" array`)
    const findings = list.map((f, i) => {
      const parsed = findingSchema().safeParse(f)
      if (!parsed.success) throw inputError('findings.invalid', `${args.file}: findings[${i}]: ${zodMessage(parsed.error)}`)
      return parsed.data
    })
    const ref = this.incident(flags)
    const res = await recordFindings(ref, this.actor(flags.by), findings, args.file === '-' ? 'stdin' : args.file)
    await this.warnAll(res.warnings)
    this.print(`${ref.id}: ${res.recorded} new finding(s) recorded (${findings.length - res.recorded} already known), ${res.items} checklist item(s) added.`)
    return {incident: ref.id, ...res, warnings: undefined}
  }
}

/**
 * `scan etcd --json` lists the credentials in Secrets under "secrets" and only
 * those outside Secrets under "findings": both are the incident's findings.
 * Each one is still validated against the finding schema after this.
 */
function findingList(doc: unknown): unknown {
  const d = doc as {findings?: unknown; secrets?: unknown} | null
  if (!d || !Array.isArray(d.findings) || !Array.isArray(d.secrets)) return d?.findings
  const secrets = d.secrets.filter((s): s is EtcdScanResult['secrets'][number] => typeof s === 'object' && s !== null && Array.isArray((s as {credentials?: unknown}).credentials))
  return etcdFindings({secrets, findings: d.findings} as EtcdScanResult)
}
