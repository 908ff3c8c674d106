import * as Flags from '#oclif/flags'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {summarizeIncident} from '../../cli/render/incident.js'
import {inputError} from '../../src/errors.js'
import {INCIDENT_KINDS, type IncidentKind} from '../../src/incident/events.js'
import {loadIncident, openIncident} from '../../src/incident/incident.js'
import {loadProcedures, resolvePlaybook} from '../../src/playbook/load.js'
import {parseInstant} from '../../src/time/instant.js'

export default class IncidentOpen extends BaseCommand {
  static override summary = 'Open an incident and instantiate its playbook into a timestamped checklist'
  static override description = `Creates the incident in the workspace (./.leakctl by default) with an append-only event log.
The playbook (by --kind, or --playbook FILE) becomes checklist items whose due times are the incident start plus each phase's window.`

  static override examples = [
    {description: 'An etcd backup found in a public bucket, exposed since 09:14 UTC', command: '<%= config.bin %> <%= command.id %> --title "etcd backup in public bucket" --kind etcd-leak --exposed-at 2026-11-22T09:14:00Z'},
    {description: 'A password pushed to GitHub, with a named commander', command: '<%= config.bin %> <%= command.id %> --title "DB password on GitHub" --kind git-leak --commander "Ana Diaz"'},
    {description: 'Encryption at rest not applied, with the playbook\'s variables filled', command: '<%= config.bin %> <%= command.id %> --title "Secrets stored in plaintext" --kind encryption-gap --var context=prod --var encryptionConfig=/etc/kubernetes/encryption-config.yaml --var canaryNamespace=default'},
    {description: 'A planned rotation, not a leak: graceful two-credential procedures instead of immediate revocation', command: '<%= config.bin %> <%= command.id %> --title "Quarterly DB password rotation" --kind custom --planned'},
    {description: 'Your own playbook', command: '<%= config.bin %> <%= command.id %> --title "Vault token leak" --kind custom --playbook ./my-playbook.yaml --json'},
  ]

  static override flags = {
    title: Flags.string({char: 't', required: true, description: 'What happened, in a few words'}),
    kind: Flags.string({char: 'k', options: [...INCIDENT_KINDS], default: 'custom', description: 'Incident kind; picks the built-in playbook'}),
    'exposed-at': Flags.string({description: 'When the exposure began (ISO-8601 UTC, e.g. 2026-11-22T09:14:00Z, or "3h ago")'}),
    commander: Flags.string({description: 'Incident commander (default: the actor)'}),
    playbook: Flags.string({char: 'p', description: 'Playbook file, or the name of a built-in playbook (default: the one of --kind)'}),
    var: Flags.string({multiple: true, description: 'A playbook variable, name=value (repeatable): fills {{vars.name}} in the commands, e.g. --var context=prod'}),
    planned: Flags.boolean({description: 'A planned rotation, not an incident: each credential gets its graceful procedure (<rotation>-planned, both credentials valid through a grace period) where one exists, instead of immediate revocation. Recorded in the incident, so every responder\'s checklist agrees'}),
    by: incidentFlags.by,
  }

  async run() {
    const {flags} = await this.parse(IncidentOpen)
    const kind = flags.kind as IncidentKind
    const exposedAt = flags['exposed-at'] ? parseInstant(flags['exposed-at'], '--exposed-at') : null
    if (exposedAt && exposedAt.getTime() > Date.now() + 60_000) throw inputError('time.future', `--exposed-at ${flags['exposed-at']} is in the future`)
    const procedures = loadProcedures()
    const playbook = resolvePlaybook(flags.playbook ?? kind)
    const actor = this.actor(flags.by)
    const ws = this.workspace(flags.workspace, true)
    const opened = await openIncident(ws, {
      title: flags.title,
      kind,
      commander: flags.commander ?? actor,
      exposedAt,
      playbook,
      procedures,
      actor,
      vars: parseVars(flags.var ?? []),
      planned: flags.planned,
    })
    await this.warnAll(opened.warnings)
    const {state} = loadIncident(opened.ref)
    const summary = summarizeIncident(state, new Date(), ws.dir)
    this.print(summary.text)
    this.print(`\nNext: leakctl checklist   (tick items with: leakctl checklist tick ID)`)
    return summary.json
  }
}

const VAR_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/

/** `--var name=value` pairs; a value may itself contain `=`. */
function parseVars(pairs: string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined
  const vars: Record<string, string> = {}
  for (const p of pairs) {
    const at = p.indexOf('=')
    const name = at > 0 ? p.slice(0, at) : ''
    if (!VAR_NAME.test(name)) throw inputError('var.invalid', `--var ${JSON.stringify(p).slice(0, 80)}: expected name=value (a name of letters, digits, - and _)`)
    vars[name] = p.slice(at + 1)
  }
  return vars
}
