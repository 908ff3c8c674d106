import * as Errors from '#oclif/errors'
import chalk from 'chalk'

import {EXIT, fromSystemError, isLeakctlError} from '../src/errors.js'
import {scrubMessage} from '../src/scrub-message.js'
import {writeJson} from './render/json.js'

// The one place an error becomes what the user sees: a command's catch() and
// bin/run.js (errors oclif raises before a command runs: an unknown command)
// both end here. Every message, oclif's own usage errors and LEAKCTL_DEBUG
// stacks included, is scrubbed first: a secret pasted in the wrong place on
// the command line is repeated by the parser otherwise.

export interface UserError {
  exitCode: number
  code: string
  message: string
  details: string[]
}

type AnyError = Error & {exitCode?: number; oclif?: {exit?: number}}

/** oclif's parse and routing errors: unknown flag or command, missing argument, bad option value. */
function isUsageError(err: AnyError): boolean {
  return err instanceof Errors.CLIError || err.oclif?.exit !== undefined
}

export function describeError(err: AnyError, argv: readonly string[] = process.argv.slice(2)): UserError {
  const sys = fromSystemError(err)
  let out: UserError
  if (isLeakctlError(err)) {
    out = {exitCode: err.exitCode, code: err.code, message: err.message, details: err.details}
  } else if (sys) {
    out = {exitCode: sys.exitCode, code: sys.code, message: sys.message, details: []}
  } else if (isUsageError(err)) {
    // Arguments are replaced before lines are joined: a pasted PEM spans lines.
    const text = scrubMessage(err.message, argv)
    const message = text
      .split('\n')
      .filter((l) => l.trim() && !/^\s*See more help with/.test(l))
      .join(' ')
      .replace(/\s+/g, ' ')
      .replace(/^The following errors? occurred:\s*/i, '')
      .trim()
    return {exitCode: EXIT.input, code: 'usage', message, details: []}
  } else {
    out = {exitCode: EXIT.internal, code: 'internal', message: `internal error: ${err.message.split('\n')[0]} (a bug in leakctl; LEAKCTL_DEBUG=1 shows the stack)`, details: []}
  }
  // Our own messages name paths and values on purpose: only what the scrubber recognises is removed.
  const one = (s: string) => scrubMessage(s).replace(/\s+/g, ' ').trim()
  return {...out, message: one(out.message), details: out.details.map(one)}
}

/** Writes the error: one line on stderr (the details below it), the JSON document on stdout under --json. */
export function writeError(err: AnyError, json: boolean, argv: readonly string[] = process.argv.slice(2)): number {
  const e = describeError(err, argv)
  if (json) writeJson({error: {code: e.code, message: e.message, exitCode: e.exitCode, details: e.details}}, (chunk) => process.stdout.write(chunk))
  process.stderr.write(`${chalk.red('error:')} ${e.message}\n`)
  if (e.details.length > 1) for (const d of e.details.slice(1)) process.stderr.write(`  ${d}\n`)
  if (process.env.LEAKCTL_DEBUG && err.stack) process.stderr.write(`${scrubMessage(err.stack, argv)}\n`)
  return e.exitCode
}

/** For bin/run.js: what oclif's own handler would do, through writeError. */
export async function handleTopLevel(err: unknown, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const e = (err instanceof Error ? err : new Error(String(err))) as AnyError & {skipOclifErrorHandling?: boolean}
  if (e instanceof Errors.ExitError) {
    process.exitCode = e.oclif.exit ?? 0
    return
  }
  // "command X not found" and the like are usage errors (exit 2), whatever oclif numbers them.
  const code = writeError(e, argv.includes('--json'), argv)
  process.exitCode = isUsageError(e) && !isLeakctlError(e) ? EXIT.input : code
}
