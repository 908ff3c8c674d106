import {writeFileSync} from 'node:fs'

import * as Args from '#oclif/args'
import * as Flags from '#oclif/flags'

import {BaseCommand} from '../../cli/base.js'
import {renderGitScan} from '../../cli/render/scan-git.js'
import {fromSystemError} from '../../src/errors.js'
import {baselineDocument, baselineFingerprinter, readBaseline} from '../../src/git/baseline.js'
import {toSarif} from '../../src/git/sarif.js'
import {scanRepository} from '../../src/git/scan.js'
import {count} from '../../src/text/count.js'

export default class ScanGit extends BaseCommand {
  static override summary = 'Scan a repository’s whole history for secrets: when each was first committed, where it still is, whether it was pushed'
  static override description = `Reads every commit reachable from every branch, tag and remote-tracking ref (merge resolutions included), scanning each unique blob once.
One finding per secret and path: the commit that first introduced it, its author and date, later commits that re-added it, whether it is still at HEAD, the refs that still reach it (what a history rewrite must clean), and whether a remote-tracking ref reaches it (it was pushed).
Fingerprints are HMAC-SHA-256 with the workspace's key (--workspace, created on first use), so they match the incident's and a dictionary cannot reverse them. A baseline written by --write-baseline carries its own key, to be committed with the repository it lists: with a baseline, fingerprints are keyed with it (so every CI run agrees) and do not match the workspace's.
Exit 1 when secrets are found (after --baseline), 0 when none, 2 for bad input.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> ../api --json > findings.json',
    {description: 'For GitHub code scanning', command: '<%= config.bin %> <%= command.id %> . --format sarif > leakctl.sarif'},
    {description: 'A pre-commit hook: only what is staged', command: '<%= config.bin %> <%= command.id %> . --staged --max-commits 0'},
    '<%= config.bin %> <%= command.id %> --branch main --since 2026-01-01 --path config/ --baseline .leakctl-baseline.json',
  ]
  static override args = {repo: Args.string({description: 'Repository path', default: '.'})}
  static override flags = {
    branch: Flags.string({char: 'b', multiple: true, description: 'Walk only this branch or revision (repeatable); default every ref'}),
    since: Flags.string({description: 'Only commits after this date (git --since syntax)'}),
    'max-commits': Flags.integer({min: 0, description: 'Walk at most this many commits'}),
    path: Flags.string({multiple: true, description: 'Only these paths (git pathspec; repeatable)'}),
    stash: Flags.boolean({description: 'Also scan the stash'}),
    staged: Flags.boolean({description: 'Also scan the staged changes (pre-commit)'}),
    worktree: Flags.boolean({description: 'Also scan modified and untracked files'}),
    'max-blob-size': Flags.integer({default: 20, min: 1, description: 'Skip (and report) blobs larger than this many MiB'}),
    baseline: Flags.string({description: 'Ignore findings whose fingerprint is in this file (a --write-baseline file, keyed with its own key; or our --json, one per line: the workspace\'s key)'}),
    'write-baseline': Flags.string({description: 'Write the fingerprints of this scan’s findings to FILE (0600), with the baseline’s own key (kept when FILE is already one)'}),
    format: Flags.string({options: ['text', 'sarif'], default: 'text', description: 'Output format (--json for JSON)'}),
    cache: Flags.boolean({default: true, allowNo: true, description: 'Keep what each blob yielded (blob ids and fingerprints, never values) in the workspace, so the next scan of this repository reads only new blobs; --no-cache reads every blob'}),
  }

  async run() {
    const {args, flags} = await this.parse(ScanGit)
    const baseline = flags.baseline ? readBaseline(flags.baseline) : undefined
    const keyed = baselineFingerprinter({baseline, baselineFile: flags.baseline, writeTo: flags['write-baseline']})
    const fingerprinter = keyed ?? this.fingerprinter(flags.workspace)
    const result = await scanRepository(args.repo, {
      fingerprinter,
      branches: flags.branch,
      since: flags.since,
      maxCommits: flags['max-commits'],
      paths: flags.path,
      includeStash: flags.stash,
      staged: flags.staged,
      worktree: flags.worktree,
      maxBlobBytes: flags['max-blob-size'] * 1024 * 1024,
      baseline: baseline?.fingerprints,
      // With a baseline's key (CI), no workspace is made: nothing is cached.
      cacheDir: flags.cache && !keyed ? this.workspaceDir(flags.workspace) : undefined,
      onProgress: (p) => this.progress(p.phase === 'history' ? `reading history: ${count(p.done)} commits` : `scanning blobs: ${count(p.done)}/${p.total === undefined ? undefined : count(p.total)}`),
    })
    this.progressDone()
    if (keyed) result.warnings.push(`fingerprints are keyed with the baseline's key (${flags.baseline ?? flags['write-baseline']}), not the workspace's: they do not match an incident's findings`)
    await this.warnAll(result.warnings)
    if (flags['write-baseline']) {
      try {
        writeFileSync(flags['write-baseline'], baselineDocument(fingerprinter, [...result.findings, ...result.uncommitted].map((f) => f.fingerprint)), {mode: 0o600})
      } catch (error) {
        throw fromSystemError(error) ?? error
      }
    }
    if (result.findings.length || result.uncommitted.length) this.needsAction()
    if (flags.format === 'sarif' && !this.jsonEnabled()) {
      process.stdout.write(JSON.stringify(toSarif(result, this.config.version), null, 2) + '\n')
      return undefined
    }
    this.print(() => renderGitScan(result))
    return result
  }
}
