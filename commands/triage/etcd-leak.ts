import * as Flags from '#oclif/flags'
import chalk from 'chalk'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {renderEtcdScan} from '../../cli/render/scan-etcd.js'
import {riskColor, table} from '../../cli/render/text.js'
import {phaseLine} from '../../cli/render/triage.js'
import {readEncryptionConfig} from '../../src/cluster/encryption-config.js'
import {workspaceFingerprinter} from '../../src/fingerprint/key.js'
import {loadIncident} from '../../src/incident/incident.js'
import {progress} from '../../src/incident/state.js'
import {loadProcedures, resolvePlaybook} from '../../src/playbook/load.js'
import {parseInstant} from '../../src/time/instant.js'

export default class TriageEtcdLeak extends BaseCommand {
  static override summary = 'An etcd backup leaked: the verdict in seconds, what to revoke in what order, the incident with its timed checklist'
  static override description = `Runs the etcd-leak playbook's phases in order and prints the verdict first.
Phase 1: reads the snapshot itself (every revision, deleted Secrets included) — how many Secrets are readable by anyone with the file, by risk.
Phase 2: the credentials to revoke and rotate, ranked as the seed's priorities (critical now, then 1, 2, 3), each with its rotation procedure.
It opens the incident with one checklist item per credential (grouped per priority), due times from the incident start, and the commands filled in for this snapshot.
With --context, --kubeconfig or --etcd-endpoints it also runs \`leakctl check encryption\` against the live cluster beside the scan (is it encrypting Secrets today, proven from etcd with its client certificate); with --encryption-config alone, it lints that file.
What cannot be checked from here (the live cluster, CloudTrail, GitHub) is recorded as skipped with the command to run, never as "nothing found".`
  static override examples = [
    '<%= config.bin %> <%= command.id %> --snapshot backup.db',
    '<%= config.bin %> <%= command.id %> --snapshot etcd-2026-11-21.db --exposed-at 2026-11-21T18:00:00Z --bucket etcd-backups --object etcd-2026-11-21.db',
    '<%= config.bin %> <%= command.id %> --snapshot backup.db --encryption-config encryption-config.yaml --json > triage.json',
    '<%= config.bin %> <%= command.id %> --snapshot backup.db --context prod --etcd-endpoints https://10.0.0.10:2379 --etcd-cacert ca.crt --etcd-cert client.crt --etcd-key client.key',
  ]
  static override flags = {
    snapshot: Flags.string({char: 's', required: true, description: 'The leaked snapshot (or member/snap/db)'}),
    'exposed-at': Flags.string({description: 'When the file became public (ISO-8601 UTC)'}),
    'encryption-config': Flags.string({description: 'The EncryptionConfiguration in force: proves which values its keys decrypt'}),
    context: Flags.string({description: 'The cluster’s kube context: asked whether it encrypts Secrets today, and filled into the checklist commands'}),
    kubeconfig: Flags.string({description: 'kubeconfig file for --context (default: KUBECONFIG, ~/.kube/config)'}),
    'etcd-endpoints': Flags.string({description: 'The live etcd’s client URLs (comma-separated): count plaintext vs encrypted Secrets in it'}),
    'etcd-cacert': Flags.string({description: 'CA certificate of etcd (PEM)', dependsOn: ['etcd-endpoints']}),
    'etcd-cert': Flags.string({description: 'Client certificate for etcd (PEM)', dependsOn: ['etcd-endpoints']}),
    'etcd-key': Flags.string({description: 'Private key of the client certificate (PEM)', dependsOn: ['etcd-endpoints']}),
    bucket: Flags.string({description: 'The bucket the backup was exposed in, filled into the commands'}),
    object: Flags.string({description: 'The object key of the backup in the bucket'}),
    deep: Flags.boolean({description: 'Also read freed pages for old values (slower)'}),
    'github-org': Flags.string({description: 'GitHub organisation of the leaked GitHub tokens: its audit log says what each did (searched by hashed token)'}),
    title: Flags.string({char: 't', description: 'Incident title'}),
    commander: Flags.string({description: 'Incident commander (default: the actor)'}),
    playbook: Flags.string({char: 'p', default: 'etcd-leak', description: 'Playbook name or file'}),
    verify: Flags.boolean({description: 'Then ask each credential\'s own issuer whether it still works (leakctl verify issuer; see docs/verify.md for what is sent where)'}),
    by: incidentFlags.by,
  }

  async run() {
    const {flags} = await this.parse(TriageEtcdLeak)
    // The triage's scanners and collectors (octokit among them) load only here, not for --help or a usage error (docs/performance.md).
    const {triageEtcdLeak} = await import('../../src/triage/etcd-leak.js')
    const exposedAt = flags['exposed-at'] ? parseInstant(flags['exposed-at'], '--exposed-at') : undefined
    const encryptionConfig = flags['encryption-config'] ? readEncryptionConfig(flags['encryption-config']) : undefined
    const procedures = loadProcedures()
    const playbook = resolvePlaybook(flags.playbook)
    const actor = this.actor(flags.by)
    const ws = this.workspace(flags.workspace, true)
    this.print(chalk.bold(`leakctl triage etcd-leak — ${flags.snapshot}`))
    const vars: Record<string, string> = {}
    if (flags.context) vars.context = flags.context
    if (flags.bucket) vars.bucket = flags.bucket
    if (flags.object) vars.object = flags.object
    const askCluster = !!(flags.context || flags.kubeconfig)
    const cluster = askCluster || flags['etcd-endpoints'] || flags['encryption-config']
      ? {
          encryptionConfig: flags['encryption-config'],
          cluster: askCluster,
          kube: {kubeconfig: flags.kubeconfig, context: flags.context},
          etcd: flags['etcd-endpoints'] ? {endpoints: flags['etcd-endpoints'].split(',').map((e) => e.trim()).filter(Boolean), cacert: flags['etcd-cacert'], cert: flags['etcd-cert'], key: flags['etcd-key']} : undefined,
        }
      : undefined
    const result = await triageEtcdLeak({
      snapshot: flags.snapshot,
      workspace: ws,
      actor,
      playbook,
      procedures,
      encryptionConfig,
      title: flags.title,
      commander: flags.commander,
      exposedAt,
      vars,
      deep: flags.deep,
      githubOrg: flags['github-org'],
      cluster,
      // The incident's fingerprint function hashes the live values the same way as the snapshot's.
      verify: askCluster ? {kube: {kubeconfig: flags.kubeconfig, context: flags.context}, fingerprint: (v: string | Uint8Array) => workspaceFingerprinter(ws.dir).of(v)} : undefined,
      onProgress: (t) => this.progress(t),
      onPhase: (p) => {
        this.progressDone()
        this.print(phaseLine(p))
      },
    })
    this.progressDone()
    await this.warnAll(result.scan.warnings)
    const {state} = loadIncident(result.incident)
    const p = progress(state, new Date())
    const out: string[] = ['']
    if (result.priorities.length) {
      out.push(chalk.bold('Revoke and rotate, in this order'))
      for (const g of result.priorities) {
        out.push(`${riskColor(g.risk)(`${g.label}: ${g.count}`)}`)
        out.push(table(g.byClass.slice(0, 8).map((c) => [`   ${c.count}`, c.class, chalk.dim(`playbooks/rotations/${c.rotation}.yaml`)])))
      }
      out.push('')
    }
    out.push(renderEtcdScan(result.scan).split('\n').slice(1).join('\n'))
    out.push('')
    out.push(`${chalk.bold(`Incident ${result.incident.id}`)} opened: ${p.total} checklist items, ${state.findings.length} finding(s) recorded; verdict in ${(result.verdictMs / 1000).toFixed(1)} s. Next: ${chalk.bold('leakctl checklist')}`)
    this.print(out.join('\n'))
    // Opt-in: nothing is sent to an issuer without --verify (loaded only then: the AWS SDK is not small).
    const verified = flags.verify ? await (await import('../../cli/issuer-flags.js')).verifyAfterTriage(result.incident, this.actor(flags.by), {kubeconfig: flags.kubeconfig, context: flags.context}) : null
    if (verified) {
      await this.warnAll(verified.warnings)
      this.print(`\n${chalk.bold('Asked the issuers (verify issuer):')}\n${verified.text}`)
    }
    if (result.scan.damaged) process.exitCode = 2
    else if (result.findings.length) this.needsAction()
    return {
      incident: result.incident.id,
      verdict: result.verdict,
      verdictMs: Math.round(result.verdictMs),
      phases: result.phases,
      priorities: result.priorities,
      verification: result.verification ? {summary: result.verification.summary, requests: result.verification.stats.requests, verifications: result.verification.verifications.map(({finding: _, ...v}) => v)} : null,
      encryption: result.encryption ? {verdict: result.encryption.verdict, summary: result.encryption.summary, etcd: result.encryption.etcd, missing: result.encryption.missing} : null,
      summary: result.scan.summary,
      secrets: result.scan.secrets,
      findings: result.findings,
      checklist: p,
      ...(verified ? {verification: verified.summary} : {}),
    }
  }
}
