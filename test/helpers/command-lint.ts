import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {BLANK} from '../../src/playbook/commands.js'
import {type SimpleCommand, simpleCommands} from './shell-words.js'

// Proves generated shell lines against the real tools, offline. Nothing a
// line asks for is carried out against anything real: kubectl, aws and gh are
// pointed at 127.0.0.1:9 (closed), so they parse their flags and then fail to
// connect; SQL goes to a throwaway PostgreSQL; git runs inside a scratch copy
// of the sample repository. A tool's usage error is a lint failure; "could
// not connect" is the proof that parsing passed.

export interface LintProblem {
  tool: string
  message: string
}

export interface LintContext {
  /** Scratch directory the tools run in (git commands, files they write). */
  cwd: string
  /** A throwaway PostgreSQL (socket dir and port), for SQL syntax. */
  pg?: {host: string; port: number; user: string}
  /** leakctl's command ids and their flags, from oclif.manifest.json. */
  leakctl: Map<string, Set<string>>
}

/** Replaces each `<…>` blank with a plain word every parser accepts where a value goes. */
export function fillBlanks(line: string): string {
  return line.replace(BLANK, (_m, name: string) => `blank-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x'}`)
}

const CLOSED = '127.0.0.1:9'

function run(cmd: string, args: string[], o: {cwd: string; env?: Record<string, string>; input?: string; timeout?: number}) {
  const r = spawnSync(cmd, args, {
    cwd: o.cwd,
    input: o.input ?? '',
    encoding: 'utf8',
    timeout: o.timeout ?? 20_000,
    env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: o.cwd, LANG: 'C', NO_COLOR: '1', ...o.env},
  })
  return {status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error}
}

const firstLines = (s: string, n = 3) => s.split('\n').filter((l) => l.trim()).slice(0, n).join(' | ')

const CONNECT = /connection refused|Could not connect to the endpoint|dial tcp|was refused|couldn't get current server API group list|Connect timeout/i

function kubectl(argv: string[], ctx: LintContext): LintProblem[] {
  // --context picks an entry of the responder's kubeconfig; here the closed server stands in for it.
  const args = argv.slice(1).filter((a, i, all) => !(a === '--context' || a.startsWith('--context=') || all[i - 1] === '--context'))
  const offline = args.includes('--dry-run=client') && (args[0] === 'create')
  const conn = ['--kubeconfig=/dev/null', `--server=https://${CLOSED}`, '--token=lint', '--insecure-skip-tls-verify', '--request-timeout=2s']
  // Manifests piped in (`-f -`) are what the previous command of the pipeline writes; a Secret stands in.
  const input = 'apiVersion: v1\nkind: Secret\nmetadata: {name: lint, namespace: default}\ndata: {}\n'
  const r = run('kubectl', offline ? [...args, '--kubeconfig=/dev/null'] : [...conn, ...args], {cwd: ctx.cwd, input})
  if (offline) return r.status === 0 ? [] : [{tool: 'kubectl', message: firstLines(r.out)}]
  if (r.status === 0 || CONNECT.test(r.out)) return []
  return [{tool: 'kubectl', message: firstLines(r.out)}]
}

function aws(argv: string[], ctx: LintContext): LintProblem[] {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const env = {
    AWS_ACCESS_KEY_ID: 'AKIALINTLINTLINTLINT',
    AWS_SECRET_ACCESS_KEY: 'lint',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  }
  const r = run(bin, [...argv.slice(1), '--endpoint-url', `http://${CLOSED}`, '--cli-connect-timeout', '1'], {cwd: ctx.cwd, env})
  if (r.status === 0 || CONNECT.test(r.out)) return []
  return [{tool: 'aws', message: firstLines(r.out)}]
}

function gh(argv: string[], ctx: LintContext): LintProblem[] {
  const r = run('gh', argv.slice(1), {cwd: ctx.cwd, env: {GH_HOST: CLOSED, GH_ENTERPRISE_TOKEN: 'lint', GH_NO_UPDATE_NOTIFIER: '1', GH_PROMPT_DISABLED: '1'}})
  if (r.status === 0 || CONNECT.test(r.out)) return []
  return [{tool: 'gh', message: firstLines(r.out)}]
}

// git runs for real, in the scratch copy: its own option parser and
// revision parser answer. "unknown revision" for a filled blank is fine.
const GIT_FINE = /unknown revision|bad revision|does not appear to be a git repository|Could not read from remote|not a git repository|Invalid revision range|ambiguous argument/i

function git(argv: string[], ctx: LintContext): LintProblem[] {
  const r = run('git', argv.slice(1), {cwd: ctx.cwd, env: {GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'lint', GIT_AUTHOR_EMAIL: 'lint@example.com', GIT_COMMITTER_NAME: 'lint', GIT_COMMITTER_EMAIL: 'lint@example.com'}, timeout: 60_000})
  if (r.status === 0 || GIT_FINE.test(r.out)) return []
  return [{tool: 'git', message: firstLines(r.out)}]
}

/** SQL given with -c: parsed (and run, harmlessly) by a throwaway server; only a syntax error (42601) fails. */
function psql(argv: string[], ctx: LintContext): LintProblem[] {
  const problems: LintProblem[] = []
  const sql: string[] = []
  for (let k = 1; k < argv.length; k++) {
    if (argv[k] === '-c' || argv[k] === '--command') sql.push(argv[++k] ?? '')
    else if (argv[k]!.startsWith('--command=')) sql.push(argv[k]!.slice(10))
  }
  // psql's own option parser: the same argv against a socket directory that does not exist.
  const flags = run('psql', ['--no-psqlrc', ...argv.slice(1).filter((a) => !/^postgres(ql)?:\/\//.test(a)), '-h', join(ctx.cwd, 'no-socket')], {cwd: ctx.cwd})
  if (/invalid option|unrecognized option|requires an argument|Try "psql --help"/.test(flags.out)) problems.push({tool: 'psql', message: firstLines(flags.out)})
  if (!ctx.pg) return problems
  for (const statement of sql) {
    if (statement.trim().startsWith('\\')) continue // a psql meta-command (\password): psql's own parser checked it above
    // A filled blank is an identifier here (blank_db_user), not a DNS name.
    const sqlText = statement.replace(/blank-[a-z0-9-]+/g, (m) => m.replaceAll('-', '_'))
    const r = run('psql', ['--no-psqlrc', '-h', ctx.pg.host, '-p', String(ctx.pg.port), '-U', ctx.pg.user, '-d', 'postgres', '-v', 'VERBOSITY=verbose', '-c', sqlText], {cwd: ctx.cwd})
    if (/ERROR:\s+42601/.test(r.out)) problems.push({tool: 'sql', message: firstLines(r.out)})
  }
  return problems
}

/** jq compiles the filter before reading input: exit 3 is a compile error. */
function jq(argv: string[], ctx: LintContext): LintProblem[] {
  const r = run('jq', ['-n', ...argv.slice(1)], {cwd: ctx.cwd})
  return r.status === 3 || r.status === 2 ? [{tool: 'jq', message: firstLines(r.out)}] : []
}

/** grep: the pattern must compile (exit 2 for anything but a missing file). */
function grep(argv: string[], ctx: LintContext): LintProblem[] {
  const r = run('grep', argv.slice(1), {cwd: ctx.cwd})
  if (r.status !== 2) return []
  const other = r.out.split('\n').filter((l) => l.trim() && !/No such file or directory/.test(l))
  return other.length ? [{tool: 'grep', message: other.slice(0, 2).join(' | ')}] : []
}

/** leakctl: the command and every flag must exist in the oclif manifest. */
function leakctl(argv: string[], ctx: LintContext): LintProblem[] {
  const words = argv.slice(1)
  let id = ''
  let used = 0
  for (let n = 1; n <= words.length; n++) {
    const candidate = words.slice(0, n).join(':')
    if (ctx.leakctl.has(candidate)) {
      id = candidate
      used = n
    }
  }
  if (!id) return [{tool: 'leakctl', message: `no leakctl command "${words.slice(0, 2).join(' ')}"`}]
  const flags = ctx.leakctl.get(id)!
  const problems: LintProblem[] = []
  for (const w of words.slice(used)) {
    if (w === '-' || !w.startsWith('-')) continue
    const name = w.startsWith('--') ? w.slice(2).split('=')[0]! : w.slice(1, 2)
    if (!flags.has(name)) problems.push({tool: 'leakctl', message: `leakctl ${id.replaceAll(':', ' ')} has no flag ${w.split('=')[0]}`})
  }
  return problems
}

const TOOLS: Record<string, (argv: string[], ctx: LintContext) => LintProblem[]> = {kubectl, aws, gh, git, psql, jq, grep, leakctl}

/** Tools the lint cannot run here: only bash and shellcheck see their lines. */
export const UNCHECKED = new Set(['helm', 'ironflow', 'vault', 'az', 'gcloud', 'kubeadm', 'cmctl', 'etcdctl', 'gpg', 'curl'])

export function manifestFlags(manifestFile: string): Map<string, Set<string>> {
  const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as {commands: Record<string, {flags: Record<string, {char?: string}>}>}
  const out = new Map<string, Set<string>>()
  for (const [id, c] of Object.entries(m.commands)) {
    const names = new Set<string>(['help'])
    for (const [name, f] of Object.entries(c.flags)) {
      names.add(name)
      if (f.char) names.add(f.char)
    }
    out.set(id, names)
  }
  return out
}

export interface LineReport {
  problems: LintProblem[]
  tools: string[]
  commands: SimpleCommand[]
}

const seen = new Map<string, LineReport>()

/** Checks one generated line with the real tools (blanks filled first); a line already checked is not run again. */
export function lintTools(line: string, ctx: LintContext): LineReport {
  const known = seen.get(line)
  if (known) return known
  const filled = fillBlanks(line)
  const commands = simpleCommands(filled)
  const problems: LintProblem[] = []
  const tools: string[] = []
  for (const c of commands) {
    const tool = c.argv[0]!
    tools.push(tool)
    const check = TOOLS[tool]
    if (check) problems.push(...check(c.argv, ctx))
  }
  const report = {problems, tools, commands}
  seen.set(line, report)
  return report
}

/** bash -n on each line; one process per line, so an error names its line. */
export function bashSyntax(lines: string[], dir: string): Map<number, string> {
  const out = new Map<number, string>()
  lines.forEach((l, i) => {
    const r = spawnSync('bash', ['-n'], {input: fillBlanks(l) + '\n', encoding: 'utf8'})
    if (r.status !== 0) out.set(i, firstLines(r.stderr))
  })
  void dir
  return out
}

/**
 * shellcheck over all lines at once (one line each), mapped back by line.
 * Excluded: SC2016 (jq and JSON are meant to stay single-quoted), SC2034 and
 * SC2154 (a variable set in one step is used in the next), SC2164 (`cd` in a
 * copy-paste sequence is watched by the responder).
 */
export function shellcheck(lines: string[], dir: string): Map<number, string[]> {
  mkdirSync(dir, {recursive: true})
  const file = join(dir, 'lines.sh')
  writeFileSync(file, ['#!/usr/bin/env bash', ...lines.map(fillBlanks)].join('\n') + '\n')
  chmodSync(file, 0o644)
  const r = spawnSync('shellcheck', ['-s', 'bash', '-f', 'json1', '-e', 'SC2016,SC2034,SC2154,SC2164', file], {encoding: 'utf8'})
  const out = new Map<number, string[]>()
  const doc = JSON.parse(r.stdout || '{"comments":[]}') as {comments: {line: number; code: number; message: string; level: string}[]}
  for (const c of doc.comments) {
    const i = c.line - 2
    out.set(i, [...(out.get(i) ?? []), `SC${c.code} (${c.level}): ${c.message}`])
  }
  return out
}
