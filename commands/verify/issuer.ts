import * as Flags from '#oclif/flags'

import {BaseCommand} from '../../cli/base.js'
import {issuerFlags, issuerSetup} from '../../cli/issuer-flags.js'
import {renderPlannedCalls, renderVerifications} from '../../cli/render/issuer.js'
import {EXIT} from '../../src/errors.js'
import {loadIncident, recordEvents} from '../../src/incident/incident.js'
import {safeLine} from '../../src/text/terminal.js'
import {verificationEvents} from '../../src/verify/issuer/record.js'

export default class VerifyIssuer extends BaseCommand {
  static override summary = 'Does each leaked credential still work? Ask its own issuer only (GitHub, AWS, Slack, ...), with the least intrusive documented call'
  static override description = `For each finding of the incident, the value is read again from where it was found (the repository at commit:path, the snapshot at key+revision; the incident never holds it), then one documented, read-only call goes to the credential's own issuer: AWS IAM with your credentials (the leaked secret only with --use-leaked-key), GitHub GET /user, GitLab personal_access_tokens/self, Slack auth.test or an empty webhook POST, Stripe, SendGrid, npm, OpenAI and Anthropic identity calls, a Kubernetes TokenReview through your kubeconfig, a database login with --connect. Everything else is unverifiable. docs/verify.md says what is sent where.

States: live, revoked, expired, unknown (with the reason), unverifiable. Each result is recorded on the incident (verification.recorded): items of dead credentials follow the evidence.
Base URLs: GITHUB_API_URL, GITLAB_URL, SLACK_API_URL, SLACK_HOOKS_URL, STRIPE_API_URL, SENDGRID_API_URL, NPM_CONFIG_REGISTRY, OPENAI_BASE_URL, ANTHROPIC_BASE_URL, AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS.
Exit codes: 0 none is live; 1 a leaked credential still works; 2 bad input; 3 no issuer could be asked.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> --dry-run                       # the exact requests, nothing sent',
    '<%= config.bin %> <%= command.id %>                                 # every finding of the latest incident',
    '<%= config.bin %> <%= command.id %> --class github-token --json',
    'AWS_PROFILE=security <%= config.bin %> <%= command.id %> --class aws-access-key --use-leaked-key',
    '<%= config.bin %> <%= command.id %> --connect --class database-url --repo ./payments',
  ]
  static override flags = {
    ...issuerFlags,
    'dry-run': Flags.boolean({description: 'Print the requests (method, host, path; credentials redacted) and send nothing'}),
  }

  async run() {
    const {flags} = await this.parse(VerifyIssuer)
    // The issuers' clients (the AWS SDK) load only here, not for --help or a usage error (docs/performance.md).
    const {planCalls, verifyLeaked} = await import('../../src/verify/issuer/verify.js')
    const ref = this.incident(flags)
    const {state, warnings} = loadIncident(ref)
    await this.warnAll(warnings)
    const {leaked, options} = issuerSetup(ref, state, flags)
    if (flags['dry-run']) {
      const calls = planCalls(leaked, options)
      this.print(() => renderPlannedCalls(calls))
      return {dryRun: true, calls}
    }
    this.progress(`asking the issuers about ${leaked.length} finding(s)...`)
    const {verifications, summary} = await verifyLeaked(leaked, options)
    this.progressDone()
    let recorded = 0
    if (!flags['no-record']) {
      const res = await recordEvents(ref, this.actor(flags.by), verificationEvents(verifications))
      await this.warnAll(res.warnings)
      recorded = res.events.length
    }
    this.print(() => renderVerifications(verifications, summary))
    if (recorded) this.print(`\n${ref.id}: ${recorded} verification(s) recorded.`)
    if (summary.live) this.needsAction()
    else if (summary.answered === 0 && summary.unknown > 0) {
      process.exitCode = EXIT.dependency
      process.stderr.write(`error: no issuer could be asked: ${safeLine(verifications.find((v) => v.state === 'unknown')?.detail ?? '')}\n`)
    }
    return {verifications: verifications.map(({finding: _, ...v}) => v), summary, recorded}
  }
}
