import * as Flags from '#oclif/flags'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {readEncryptionConfig} from '../../src/cluster/encryption-config.js'
import {FIX_PROVIDERS, type FixProvider, writeFixedConfig} from '../../src/cluster/fixed-config.js'
import {loadIncident, recordEvents} from '../../src/incident/incident.js'
import {safeLine} from '../../src/text/terminal.js'

export default class IncidentEncryptionConfig extends BaseCommand {
  static override summary = 'Write the fixed EncryptionConfiguration for the incident\'s cluster: a fresh key first, identity last'
  static override description = `A new encrypting provider (secretbox, or aescbc) with a fresh 32-byte key FIRST for every resource the leak showed readable in etcd (secrets, and configmaps or workloads when the inventory found credentials there); the keys of the current file (--from) after it, so what they wrote stays readable; identity LAST, so Secrets still stored in plaintext stay readable until they are rewritten.
The file is created with mode 0600 and is the only place the key goes: it is never printed or recorded. The timeline records that it was written, with its sha256.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --out encryption-config.fixed.yaml',
    '<%= config.bin %> <%= command.id %> --out encryption-config.fixed.yaml --from /etc/kubernetes/encryption-config.yaml',
    '<%= config.bin %> <%= command.id %> --out fixed.yaml --provider aescbc --resource configmaps --json',
  ]

  static override flags = {
    ...incidentFlags,
    out: Flags.string({char: 'o', required: true, description: 'The file to write (created 0600; an existing one only with --force)'}),
    from: Flags.string({description: 'The current EncryptionConfiguration: its keys stay after the new one, as read fallbacks'}),
    provider: Flags.string({options: [...FIX_PROVIDERS], default: 'secretbox', description: 'The encrypting provider of the new key'}),
    resource: Flags.string({multiple: true, description: 'Another resource to encrypt (repeatable), e.g. configmaps'}),
    force: Flags.boolean({description: 'Replace --out if it exists'}),
  }

  async run() {
    const {flags} = await this.parse(IncidentEncryptionConfig)
    const ref = this.incident(flags)
    const {state, warnings} = loadIncident(ref)
    await this.warnAll(warnings)
    const written = writeFixedConfig(state.findings, {
      out: flags.out,
      provider: flags.provider as FixProvider,
      current: flags.from ? readEncryptionConfig(flags.from) : undefined,
      extraResources: flags.resource,
      force: flags.force,
      target: state.vars.encryptionConfig || '/etc/kubernetes/encryption-config.yaml',
    })
    const summary = `${written.provider} key ${written.keyName} first for ${written.resources.join(', ')}${written.fallbacks ? `; ${written.fallbacks} current provider(s) kept after it` : ''}; identity last`
    const res = await recordEvents(ref, this.actor(flags.by), [{type: 'incident.noted', data: {text: `Fixed EncryptionConfiguration written (${summary}), ${written.sha256}`}}])
    await this.warnAll(res.warnings)
    this.print(`Wrote ${safeLine(written.file)} (mode 0600): ${summary}.`)
    this.print('The key is in that file only: copy the file, never its contents. Next:')
    for (const line of written.next) this.print(`  ${safeLine(line)}`)
    return {incident: ref.id, ...written}
  }
}
