import {createInterface} from 'node:readline/promises'

import * as Flags from '#oclif/flags'

import {BaseCommand} from '../cli/base.js'
import {issuerFlags, issuerSetup} from '../cli/issuer-flags.js'
import {renderRevocations, renderVerifications} from '../cli/render/issuer.js'
import {inputError} from '../src/errors.js'
import {loadIncident, recordEvents} from '../src/incident/incident.js'
import {safeLine} from '../src/text/terminal.js'
import {revocationEvents, verificationEvents} from '../src/verify/issuer/record.js'
import type {Leaked, RevokeAction} from '../src/verify/issuer/types.js'

export default class Revoke extends BaseCommand {
  static override summary = 'Revoke leaked credentials at their issuer: a dry run unless --apply, one confirmation per credential'
  static override description = `Without --apply, prints what would be done and sends nothing. With --apply, each credential is confirmed on the terminal (--yes to skip: required without a terminal), then revoked at its own issuer:
  AWS access keys: iam:UpdateAccessKey Inactive with your credentials (the delete is printed for later);
  GitHub tokens: POST /credentials/revoke, GitHub's endpoint for exposed credentials (unauthenticated, batches of up to 1,000; the owner is notified);
  Slack tokens: auth.revoke;
  Kubernetes: the service-account token's Secret or the bootstrap token's Secret is deleted through your kubeconfig.
Other classes print the provider's revoke step. Each revocation is recorded (credential.revoked), then the credential is verified again at its issuer (verification.recorded), so the checklist follows.
Exit codes: 0 done (or nothing to do); 1 a revoked credential still answers as live; 2 bad input.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>                                 # the plan: nothing is sent',
    '<%= config.bin %> <%= command.id %> --apply                         # asks before each credential',
    '<%= config.bin %> <%= command.id %> --apply --yes --class github-token --json',
  ]
  static override flags = {
    ...issuerFlags,
    apply: Flags.boolean({description: 'Act (default: a dry run that sends nothing)'}),
    yes: Flags.boolean({char: 'y', description: 'Do not ask before each credential (needed without a terminal)'}),
  }

  async run() {
    const {flags} = await this.parse(Revoke)
    // The issuers' clients (the AWS SDK) load only here, not for --help or a usage error (docs/performance.md).
    const {revokeLeaked} = await import('../src/verify/issuer/revoke.js')
    const {verifyLeaked} = await import('../src/verify/issuer/verify.js')
    const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY)
    if (flags.apply && !flags.yes && !interactive) throw inputError('revoke.confirm', 'revoke --apply asks before each credential and there is no terminal: add --yes')
    const ref = this.incident(flags)
    const {state, warnings} = loadIncident(ref)
    await this.warnAll(warnings)
    const {leaked, options} = issuerSetup(ref, state, flags)
    const procedures = new Map(state.playbook.procedures.map((p) => [p.id, p.steps.map((s) => s.title)]))
    const revocations = await revokeLeaked(leaked, options, {
      apply: flags.apply,
      confirm: flags.yes ? async () => true : (l, plan) => this.confirm(l, plan),
      procedureSteps: (rotation) => procedures.get(rotation) ?? [`Follow the rotation procedure ${rotation}.`],
    })
    // Right after: is it dead now? Asked of the same issuer.
    const applied = new Set(revocations.filter((r) => r.applied).map((r) => r.finding))
    const again = applied.size ? await verifyLeaked(leaked.filter((l) => applied.has(l.key)), options) : null
    if (flags.apply && !flags['no-record']) {
      const res = await recordEvents(ref, this.actor(flags.by), [...revocationEvents(revocations), ...verificationEvents(again?.verifications ?? [])])
      await this.warnAll(res.warnings)
    }
    this.print(() => renderRevocations(revocations, flags.apply))
    if (again) this.print(() => `\nVerified again at the issuer:\n${renderVerifications(again.verifications, again.summary)}`)
    if (again?.summary.live) this.needsAction()
    return {
      revocations: revocations.map(({finding: _, ...r}) => r),
      ...(again ? {verifications: again.verifications.map(({finding: _, ...v}) => v), summary: again.summary} : {}),
    }
  }

  private async confirm(l: Leaked, plan: RevokeAction): Promise<boolean> {
    const rl = createInterface({input: process.stdin, output: process.stderr})
    try {
      const answer = await rl.question(`Revoke ${safeLine(l.finding.class)} ${safeLine(l.finding.preview)} at ${safeLine(l.where)}\n  ${safeLine(plan.action)}? [y/N] `)
      return /^y(es)?$/i.test(answer.trim())
    } finally {
      rl.close()
    }
  }
}
