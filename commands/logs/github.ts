import * as Flags from '#oclif/flags'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {renderGitHub, renderTokenUse} from '../../cli/render/logs.js'
import {EXIT, inputError, isLeakctlError} from '../../src/errors.js'
import {loadIncident, recordEvents} from '../../src/incident/incident.js'
import type {NewEvent} from '../../src/incident/log.js'
import type {IncidentState} from '../../src/incident/state.js'
import type {IncidentRef} from '../../src/incident/workspace.js'
import {evidenceEvents, SOURCE, tokenUseEvidence} from '../../src/logs/github/evidence.js'
import type {investigateTokenUse, LeakedToken} from '../../src/logs/github/token-use.js'
import {parseInstant} from '../../src/time/instant.js'

const REPO = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/
const ORG = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/
const FINGERPRINT = /^sha256:[0-9a-f]{64}$/

export default class LogsGitHub extends BaseCommand {
  static override summary = 'Who copied a repository a secret leaked in, and what did a leaked GitHub token do? Traffic, forks, secret scanning, audit log'
  static override description = `For a repository (--repo, else the GitHub remote of the working tree): clone traffic (GitHub keeps 14 days: read first), visibility, forks, secret scanning alerts with their first location and validity, push-protection bypasses, the repository's events and the organisation audit log (git.clone: 7 days) where the token and plan allow. What the token or plan could not see is listed under "missing" with the reason.

With --org (instead of --repo): what the leaked GitHub tokens themselves did. The organisation's audit log records the plain SHA-256 of the token behind each action (hashed_token); github-token findings carry that digest beside their (keyed) fingerprint, so each leaked token's actions are found without the token. Every action after the exposure is someone using a copy. Tokens: --token-fingerprint, else the github-token findings of the incident (an etcd Secret, a committed file).

Token: GITHUB_TOKEN, GH_TOKEN, or \`gh auth token\`. Exit codes: 0 no copies seen after the exposure; 1 copied after the exposure, public with clones out of sight, or suspicious; 2 bad input; 3 GitHub could not be queried.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>                                   # the working tree\'s GitHub remote, exposure from the incident',
    '<%= config.bin %> <%= command.id %> --repo acme/payments --since 2026-03-02T10:00:00Z',
    'GH_TOKEN=$(gh auth token) <%= config.bin %> <%= command.id %> --repo acme/payments --json',
    '<%= config.bin %> <%= command.id %> --repo platform/api --github-api-url https://github.example.com/api/v3',
    '<%= config.bin %> <%= command.id %> --org acme                      # what the incident\'s leaked GitHub tokens did in acme',
    '<%= config.bin %> <%= command.id %> --org acme --token-fingerprint sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  ]
  static override flags = {
    ...incidentFlags,
    repo: Flags.string({description: 'owner/name (default: the GitHub remote of the working tree, see --path)'}),
    path: Flags.string({default: '.', description: 'Working tree whose GitHub remote to use when --repo is not given'}),
    org: Flags.string({exclusive: ['repo'], description: 'Instead of a repository: the organisation whose audit log to search for what the leaked GitHub tokens did'}),
    'token-fingerprint': Flags.string({multiple: true, description: 'A github-token finding\'s fingerprint, or sha256:<hex> of the token itself (printf %s TOKEN | sha256sum) (default: the github-token findings of the incident)'}),
    since: Flags.string({description: 'Exposure time (default: the incident\'s exposed-at, else the first commit of a git finding)'}),
    'github-api-url': Flags.string({default: 'https://api.github.com', env: 'GITHUB_API_URL', description: 'GitHub API base URL (GitHub Enterprise Server: https://HOST/api/v3)'}),
    'max-wait': Flags.integer({default: 120, min: 0, description: 'Longest wait in seconds for a rate limit before giving up on an endpoint'}),
    'no-record': Flags.boolean({description: 'Do not record evidence on the incident'}),
  }

  async run() {
    const {flags} = await this.parse(LogsGitHub)
    // The GitHub client (octokit) loads only here, not for --help or a usage error (docs/performance.md).
    const {repoOfWorkingTree, resolveToken} = await import('../../src/logs/github/client.js')
    const {investigateGitHub} = await import('../../src/logs/github/investigate.js')
    const {givenTokens, leakedTokens} = await import('../../src/logs/github/token-use.js')
    const now = new Date()
    // Only the leaked tokens' actions (--org alone), or a repository and what copied it.
    const tokenMode = Boolean(flags.org)
    let owner = ''
    let name = ''
    if (tokenMode) {
      if (!ORG.test(flags.org!)) throw inputError('logs.org', `--org "${flags.org}": expected an organisation login`)
      for (const f of flags['token-fingerprint'] ?? []) if (!FINGERPRINT.test(f)) throw inputError('logs.fingerprint', `--token-fingerprint "${f.slice(0, 20)}": expected sha256:<64 hex digits>`)
    } else if (flags.repo) {
      const m = REPO.exec(flags.repo.replace(/^https?:\/\/[^/]+\//, '').replace(/\.git$/, ''))
      if (!m) throw inputError('logs.repo', `--repo "${flags.repo}": expected owner/name`)
      owner = m[1]!
      name = m[2]!
    } else {
      const r = repoOfWorkingTree(flags.path)
      if (!r) throw inputError('logs.repo', `no --repo, and ${flags.path} has no GitHub remote: pass --repo owner/name`)
      owner = r.owner
      name = r.name
    }
    let baseUrl: string
    try {
      baseUrl = new URL(flags['github-api-url']).toString().replace(/\/$/, '')
    } catch {
      throw inputError('logs.api-url', `--github-api-url "${flags['github-api-url']}" is not a URL`)
    }

    let ref: IncidentRef | undefined
    let state: IncidentState | undefined
    try {
      ref = this.incident(flags)
      const loaded = loadIncident(ref)
      state = loaded.state
      await this.warnAll(loaded.warnings)
    } catch (error) {
      // Without --incident, an absent workspace only means nothing gets recorded.
      if (flags.incident || !(isLeakctlError(error) && error.code === 'workspace.missing')) throw error
    }
    let tokens: LeakedToken[] = []
    if (tokenMode) {
      const given = flags['token-fingerprint'] ?? []
      tokens = given.length ? givenTokens(given, state?.findings ?? []) : leakedTokens(state?.findings ?? [])
      if (!tokens.length) throw inputError('logs.no-tokens', `no leaked GitHub token to look for: ${state ? 'the incident has no github-token finding' : 'no incident'} (pass --token-fingerprint sha256:...)`)
    }
    let since = flags.since ? parseInstant(flags.since, '--since', now) : null
    if (!since && state) {
      const dates = state.findings.filter((f) => f.source === 'git').map((f) => (f as {date: string}).date)
      since = state.exposedAt ? new Date(state.exposedAt) : dates.length ? new Date(dates.sort()[0]!) : null
    }
    if (!since) await this.warnLine('no exposure time (--since, or an incident\'s exposed-at): everything counts as after the exposure')

    const host = new URL(baseUrl).hostname === 'api.github.com' ? undefined : new URL(baseUrl).hostname
    const token = resolveToken(process.env, host)
    if (!token) await this.warnLine('no GitHub token (GITHUB_TOKEN, GH_TOKEN or gh auth login): reading public data only')
    if (tokenMode) return this.tokenUse(flags.org!, tokens, ref, {since, token, baseUrl, maxWait: flags['max-wait'], record: !flags['no-record'], by: flags.by})

    const result = await investigateGitHub({owner, name, since, token, baseUrl, maxWaitSeconds: flags['max-wait'], onProgress: (t) => this.progress(t)})
    this.progressDone()

    const recorded = ref && !flags['no-record'] && !result.fatal ? await this.record(ref, flags.by, (seen) => evidenceEvents(result, seen)) : undefined
    this.print(() => renderGitHub(result))
    this.printRecorded(recorded)
    const suspicious = result.events.some((e) => e.suspicious)
    if (result.verdict.status === 'copied-after-exposure' || result.verdict.status === 'exposed' || suspicious) this.needsAction()
    else if (result.fatal || result.verdict.status === 'unknown') {
      process.exitCode = EXIT.dependency
      await this.errorLine(result.fatal ?? 'GitHub could not be read')
    }
    return {...result, recorded: recorded ?? null}
  }

  private async tokenUse(org: string, tokens: LeakedToken[], ref: IncidentRef | undefined, o: {since: Date | null; token: Parameters<typeof investigateTokenUse>[0]['token']; baseUrl: string; maxWait: number; record: boolean; by?: string}) {
    const {investigateTokenUse} = await import('../../src/logs/github/token-use.js')
    const result = await investigateTokenUse({org, tokens, since: o.since, token: o.token, baseUrl: o.baseUrl, maxWaitSeconds: o.maxWait, onProgress: (t) => this.progress(t)})
    this.progressDone()
    const recorded = ref && o.record && !result.fatal ? await this.record(ref, o.by, (seen) => tokenUseEvidence(result, seen)) : undefined
    this.print(() => renderTokenUse(result))
    this.printRecorded(recorded)
    if (result.verdict.status === 'used-after-exposure') this.needsAction()
    else if (result.fatal || result.verdict.status === 'unknown') {
      process.exitCode = EXIT.dependency
      await this.errorLine(result.fatal ?? result.missing[0]?.reason ?? 'GitHub could not be read')
    }
    return {...result, recorded: recorded ?? null}
  }

  /** Records what GitHub showed on the incident, leaving out what an earlier run already recorded. */
  private async record(ref: IncidentRef, by: string | undefined, make: (seen: ReadonlySet<string>) => {events: NewEvent[]; skipped: number}) {
    const {state: fresh} = loadIncident(ref)
    const seen = new Set(fresh.evidence.filter((e) => e.source === SOURCE && typeof e.ref?.id === 'string').map((e) => e.ref!.id as string))
    const ev = make(seen)
    const res = await recordEvents(ref, this.actor(by), ev.events)
    await this.warnAll(res.warnings)
    return {incident: ref.id, events: res.events.length, skipped: ev.skipped}
  }

  private printRecorded(r: {incident: string; events: number; skipped: number} | undefined): void {
    if (r) this.print(`\n${r.incident}: ${r.events} evidence event(s) recorded${r.skipped ? ` (${r.skipped} already on the timeline)` : ''}.`)
  }
}
