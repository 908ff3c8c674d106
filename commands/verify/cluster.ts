import * as Flags from '#oclif/flags'
import chalk from 'chalk'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {renderVerifyCluster, verificationLine} from '../../cli/render/verify-cluster.js'
import {EXIT, inputError} from '../../src/errors.js'
import {loadIncident} from '../../src/incident/incident.js'
import {parseDuration} from '../../src/time/duration.js'
import {recordVerifications} from '../../src/verify/cluster/record.js'
import {type ClusterVerification, openClusterVerifier, type VerifyClusterResult} from '../../src/verify/cluster/verify.js'
import {watchCluster} from '../../src/verify/cluster/watch.js'

export default class VerifyCluster extends BaseCommand {
  static override summary = 'Is each leaked value still what the live cluster serves? current / rotated / deleted / unknown, and who consumes it'
  static override description = `Compares the incident's findings from a leaked etcd snapshot with the live cluster, through your kubeconfig.
It lists Secrets, ConfigMaps and the workload kinds the findings are in (one paginated list per resource, never one GET per Secret), hashes each live value in memory with the incident's fingerprint function and compares: nothing is printed or stored but fingerprints.
current: the cluster still serves the leaked value (rotate it); rotated: same place, another value (with the time of the change when managedFields gives it); deleted: the object or key is gone; unknown: RBAC refused (the missing verb and resource are named).
It also maps consumers (env secretKeyRef, envFrom, volumes, projected volumes, imagePullSecrets, service-account tokens, Ingress TLS, owners): the rollout restarts a rotation needs.
Every verification is an event on the incident: rotate items tick themselves when their credential is rotated or deleted, and re-open if the leaked value comes back.
Exit 1 while any leaked value is current, 0 when none is, 3 when the API server cannot be reached or refuses everything, 2 for bad input.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --context prod --json',
    {description: 'Re-check every 2 minutes until no critical or high credential is served', command: '<%= config.bin %> <%= command.id %> --context prod --watch 2m'},
  ]
  static override flags = {
    ...incidentFlags,
    kubeconfig: Flags.string({description: 'kubeconfig file (default: KUBECONFIG, ~/.kube/config)'}),
    context: Flags.string({description: 'kube context to use (also written into the restart commands)'}),
    watch: Flags.string({description: 'Verify again this often (e.g. 2m) until no critical or high credential is current'}),
    timeout: Flags.string({default: '30s', description: 'How long one page of a list may take'}),
    'page-size': Flags.integer({default: 500, min: 1, max: 10_000, description: 'Objects per list page (limit)'}),
  }

  async run() {
    const {flags} = await this.parse(VerifyCluster)
    const intervalMs = flags.watch ? parseDuration(flags.watch, '--watch') : undefined
    if (intervalMs !== undefined && intervalMs < 5000) throw inputError('verify.interval', `--watch ${flags.watch} is too often; 5s at least`)
    const timeoutMs = parseDuration(flags.timeout, '--timeout')
    const ref = this.incident(flags)
    const {state, warnings} = loadIncident(ref)
    await this.warnAll(warnings)
    const actor = this.actor(flags.by)
    const verifier = await openClusterVerifier({kubeconfig: flags.kubeconfig, context: flags.context, timeoutMs})
    const fp = this.fingerprinter(flags.workspace)
    const options = {findings: state.findings, fingerprint: (v: string | Uint8Array) => fp.of(v), pageSize: flags['page-size'], onProgress: (t: string) => this.progress(t)}
    let result: VerifyClusterResult
    if (intervalMs === undefined) {
      result = await verifier.run(options)
      this.progressDone()
      const rec = await recordVerifications(ref, actor, result.verifications)
      await this.warnAll(rec.warnings)
      this.print(() => renderVerifyCluster(result, flags.context))
    } else {
      const previous = new Map<string, string>()
      const last = await watchCluster(verifier, {
        ...options,
        intervalMs,
        onRound: async (r) => {
          const rec = await recordVerifications(ref, actor, r.result.verifications, r.round === 1 ? undefined : previous)
          await this.warnAll(rec.warnings)
          for (const v of r.result.verifications) previous.set(v.finding, v.state)
          this.progressDone()
          if (r.round === 1) this.print(() => renderVerifyCluster(r.result, flags.context))
          else for (const v of r.changes) this.print(`${chalk.dim(v.checkedAt.slice(11, 19) + 'Z')} ${verificationLine(v)}`)
          const s = r.result.summary
          this.progress(`round ${r.round} at ${r.result.verifications[0]?.checkedAt.slice(11, 19) ?? ''}Z: ${r.pending} critical/high still current, ${s.current} current, ${s.rotated} rotated, ${s.deleted} deleted, ${s.unknown} unknown${r.pending ? `; next check in ${flags.watch}` : ''}`)
        },
      })
      this.progressDone()
      result = last.result
      this.print(`No critical or high credential is served any more (round ${last.round}).`)
    }
    if (result.summary.current > 0) this.needsAction()
    else if (result.refusedAll) process.exitCode = EXIT.dependency
    return json(result)
  }
}

function json(r: VerifyClusterResult) {
  return {
    context: r.context,
    server: r.server,
    verifications: r.verifications.map((v: ClusterVerification) => ({fingerprint: v.fingerprint, class: v.class, risk: v.risk, where: v.where, namespace: v.namespace, name: v.name, field: v.field, state: v.state, since: v.since, checkedAt: v.checkedAt, via: v.via, detail: v.detail, consumers: v.consumers})),
    summary: r.summary,
    gaps: r.gaps,
    requests: r.stats.requests,
    ms: r.ms,
  }
}
