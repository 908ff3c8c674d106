import * as Flags from '#oclif/flags'
import chalk from 'chalk'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {renderGitScan} from '../../cli/render/scan-git.js'
import {phaseLine} from '../../cli/render/triage.js'
import {utcAndLocal} from '../../cli/render/text.js'
import {inputError} from '../../src/errors.js'
import {loadIncident} from '../../src/incident/incident.js'
import {progress} from '../../src/incident/state.js'
import {loadProcedures, resolvePlaybook} from '../../src/playbook/load.js'
import {shQuote} from '../../src/text/shell.js'
import {safeLine} from '../../src/text/terminal.js'
import {parseInstant} from '../../src/time/instant.js'

export default class TriageGitLeak extends BaseCommand {
  static override summary = 'A secret was committed (and pushed): confirm it, open the incident, prepare the history rewrite, look for use'
  static override description = `Runs the git-leak playbook's first hours in order and prints the verdict first.
Hour 0: every secret in the history, the commit that first introduced it, whether it is still at HEAD and whether it was pushed — and when (from the remote-tracking reflogs) unless --exposed-at says.
Opens the incident with one "revoke now" item per credential, with its rotation procedure.
Hour 0-1: the exact git filter-repo and force-push commands for every ref that still reaches a secret, and the replacement file they need. That file holds the leaked values: it is written 0600 in a private temp directory (never in the workspace); shred it after the rewrite.
Evidence of use that cannot be collected here is recorded as skipped, with the command to run.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> --repo .',
    '<%= config.bin %> <%= command.id %> --repo ~/src/api --exposed-at 2026-11-21T22:14:00Z --github acme/api --commander "Ana Diaz"',
    '<%= config.bin %> <%= command.id %> --repo . --json > triage.json',
  ]
  static override flags = {
    repo: Flags.string({char: 'r', default: '.', description: 'The repository (a clone with the remote-tracking refs)'}),
    'exposed-at': Flags.string({description: 'When the exposure began (default: when the first leaking commit reached a remote, else its date)'}),
    github: Flags.string({description: 'owner/name on GitHub (default: from the remote)'}),
    title: Flags.string({char: 't', description: 'Incident title'}),
    commander: Flags.string({description: 'Incident commander (default: the actor)'}),
    playbook: Flags.string({char: 'p', default: 'git-leak', description: 'Playbook name or file'}),
    'replacements-dir': Flags.string({description: 'Directory for the replacement file (default: a fresh private temp directory)'}),
    verify: Flags.boolean({description: 'Then ask each credential\'s own issuer whether it still works (leakctl verify issuer; see docs/verify.md for what is sent where)'}),
    by: incidentFlags.by,
  }

  async run() {
    const {flags} = await this.parse(TriageGitLeak)
    // The triage's scanners and collectors (octokit among them) load only here, not for --help or a usage error (docs/performance.md).
    const {triageGitLeak} = await import('../../src/triage/git-leak.js')
    if (flags.github && !/^[\w.-]+\/[\w.-]+$/.test(flags.github)) throw inputError('github.repo', `--github ${flags.github}: expected owner/name`)
    const exposedAt = flags['exposed-at'] ? parseInstant(flags['exposed-at'], '--exposed-at') : undefined
    const procedures = loadProcedures()
    const playbook = resolvePlaybook(flags.playbook)
    const actor = this.actor(flags.by)
    const ws = this.workspace(flags.workspace, true)
    this.print(chalk.bold(`leakctl triage git-leak — ${flags.repo}`))
    const result = await triageGitLeak({
      repo: flags.repo,
      workspace: ws,
      actor,
      playbook,
      procedures,
      title: flags.title,
      commander: flags.commander,
      exposedAt,
      github: flags.github,
      replacementsDir: flags['replacements-dir'],
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
    if (result.scan.findings.length) {
      out.push(renderGitScan(result.scan).split('\n').slice(2).join('\n').trim())
      out.push('')
      const e = result.exposure
      out.push(`${chalk.bold('Exposed since')} ${e.exposedAt ? utcAndLocal(e.exposedAt) : 'unknown'} ${chalk.dim(`(${e.source === 'flag' ? 'given' : e.source === 'push' ? `first push of ${e.commit!.slice(0, 12)} to a remote` : e.source === 'fetch' ? `first seen on a remote-tracking ref` : e.source === 'first commit' ? `date of the first leaking commit ${e.commit!.slice(0, 12)}; no push recorded in this clone` : ''})`)}`)
    }
    if (result.rewrite) {
      out.push('')
      out.push(chalk.bold('History rewrite (hour 0-1) — revoke first: rewriting history does not un-leak anything'))
      if (result.rewrite.replacementsFile) {
        out.push(chalk.bgRed.white.bold(` !! ${result.rewrite.replacementsFile} CONTAINS THE LEAKED VALUES (0600). Use it for the rewrite, then: shred -u ${shQuote(result.rewrite.replacementsFile)} `))
      }
      for (const c of result.rewrite.commands.map(safeLine)) out.push(c.startsWith('#') ? chalk.dim(`  ${c}`) : `  ${chalk.cyan('$')} ${c}`)
    }
    out.push('')
    out.push(`${chalk.bold(`Incident ${result.incident.id}`)} opened: ${p.total} checklist items, ${state.findings.length} finding(s) recorded. Next: ${chalk.bold('leakctl checklist')}`)
    this.print(out.join('\n'))
    // Opt-in: nothing is sent to an issuer without --verify (loaded only then: the AWS SDK is not small).
    const verified = flags.verify ? await (await import('../../cli/issuer-flags.js')).verifyAfterTriage(result.incident, this.actor(flags.by), {}) : null
    if (verified) {
      await this.warnAll(verified.warnings)
      this.print(`\n${chalk.bold('Asked the issuers (verify issuer):')}\n${verified.text}`)
    }
    if (result.scan.findings.length) this.needsAction()
    return {
      incident: result.incident.id,
      verdict: result.verdict,
      exposure: result.exposure,
      github: result.github,
      phases: result.phases,
      summary: result.scan.summary,
      findings: result.scan.findings,
      rewrite: result.rewrite,
      checklist: p,
      ...(verified ? {verification: verified.summary} : {}),
    }
  }
}
