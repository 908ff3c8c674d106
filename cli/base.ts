// oclif's parts by their own entry points, bundled at build (#oclif/*, vendor/):
// its index would also load all of semver to check oclif's own engine range on
// every run, and its ~100 files one by one cost start-up (docs/performance.md).
import {Command} from '#oclif/command'
import * as Errors from '#oclif/errors'
import * as Flags from '#oclif/flags'
import type * as Interfaces from '@oclif/core/interfaces'
import chalk from 'chalk'

import {EXIT} from '../src/errors.js'
import {type Fingerprinter, workspaceFingerprinter} from '../src/fingerprint/key.js'
import {resolveActor} from '../src/incident/actor.js'
import {type IncidentRef, findIncident, openWorkspace, resolveWorkspaceDir, type Workspace} from '../src/incident/workspace.js'
import {safeLine, safeText} from '../src/text/terminal.js'
import {stdoutWriter, writeJson} from './render/json.js'

// Every command extends this: --json, the exit codes of DESIGN.md (also under
// --json), NO_COLOR, one-line errors (LEAKCTL_DEBUG=1 for stacks), and plain
// progress lines when stderr is not a terminal.

/**
 * The scrubber every warning and error passes through is the detection engine
 * (and zod): loaded when there is a message to write, not by every command's
 * start-up (docs/performance.md). Hence warnLine, errorLine and warnAll are
 * async: a caller awaits them so stderr keeps its order.
 */
const scrubber = async () => (await import('../src/scrub-message.js')).scrubMessage

/** NO_COLOR (https://no-color.org): set and not empty. */
export const noColor = (): boolean => process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== ''

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    workspace: Flags.string({
      helpGroup: 'GLOBAL',
      description: 'Incident workspace directory [env: LEAKCTL_WORKSPACE] (default: ./.leakctl)',
    }),
  }

  private progressShown = false

  override async init(): Promise<void> {
    await super.init()
    if (noColor()) chalk.level = 0
    else if (!process.stdout.isTTY && process.env.FORCE_COLOR === undefined) chalk.level = 0
    if (this.jsonEnabled()) chalk.level = 0
  }

  /** The human form goes to stdout only without --json. Pass a function to build it only then: a --json run renders nothing it will not print. */
  protected print(text: string | (() => string)): void {
    if (this.jsonEnabled()) return
    const t = typeof text === 'function' ? text() : text
    process.stdout.write(printable(t.endsWith('\n') ? t : `${t}\n`))
  }

  /** Warnings go to stderr in every mode, so stdout stays one JSON document. */
  protected async warnLine(text: string): Promise<void> {
    const scrub = await scrubber()
    process.stderr.write(`${chalk.yellow('warning:')} ${safeLine(scrub(text))}\n`)
  }

  /** An error line after the output (the command still returns its result): scrubbed, one line. */
  protected async errorLine(text: string): Promise<void> {
    const scrub = await scrubber()
    process.stderr.write(`${chalk.red('error:')} ${safeLine(scrub(text))}\n`)
  }

  protected async warnAll(warnings: readonly string[]): Promise<void> {
    for (const w of warnings) await this.warnLine(w)
  }

  /** Progress of long work: a rewritten line on a terminal, plain lines otherwise; never on stdout. */
  protected progress(text: string): void {
    if (process.env.LEAKCTL_QUIET) return
    if (process.stderr.isTTY) {
      process.stderr.write(`\r\x1b[2K${chalk.dim(text)}`)
      this.progressShown = true
    } else {
      process.stderr.write(`${text}\n`)
    }
  }

  protected progressDone(): void {
    if (this.progressShown) process.stderr.write('\r\x1b[2K')
    this.progressShown = false
  }

  protected workspaceDir(flag: string | undefined): string {
    return resolveWorkspaceDir(flag)
  }

  protected workspace(flag: string | undefined, create = false): Workspace {
    return openWorkspace(this.workspaceDir(flag), create)
  }

  /** The workspace's fingerprinter (--workspace, LEAKCTL_WORKSPACE, ./.leakctl), the workspace and its key created on first use. */
  protected fingerprinter(flag: string | undefined): Fingerprinter {
    return workspaceFingerprinter(this.workspace(flag, true).dir)
  }

  protected incident(flags: {workspace?: string; incident?: string}): IncidentRef {
    return findIncident(this.workspace(flags.workspace), flags.incident)
  }

  protected actor(by: string | undefined): string {
    return resolveActor(by)
  }

  /** Exit 1 (exposure found / action needed) after the output is written. */
  protected needsAction(): void {
    process.exitCode = EXIT.exposure
  }

  override logJson(json: unknown): void {
    writeJson(json, stdoutWriter())
  }

  override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    this.progressDone()
    if (err instanceof Errors.ExitError) throw err
    const {writeError} = await import('./errors.js')
    process.exitCode = writeError(err, this.jsonEnabled())
  }
}

/**
 * The last guard before the terminal, behind the renderers' own safeLine of
 * every outside value: only our colours (SGR, when colour is on) survive;
 * any other escape or control character a value smuggled past a renderer is
 * cut, so it can neither clear the screen nor write the clipboard (OSC 52).
 */
function printable(text: string): string {
  if (chalk.level === 0) return safeText(text)
  return text
    .split(/(\x1b\[[0-9;]*m)/)
    .map((part, i) => (i % 2 === 1 ? part : safeText(part)))
    .join('')
}

/** Flags of commands that act on one incident. */
export const incidentFlags = {
  incident: Flags.string({char: 'i', description: 'Incident id or a unique part of it (default: the most recent incident)'}),
  by: Flags.string({description: 'Who is acting [env: LEAKCTL_ACTOR] (default: git user.name, else the OS user)'}),
}
