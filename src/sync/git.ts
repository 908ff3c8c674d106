import {spawn} from 'node:child_process'

import {dependencyError} from '../errors.js'
import {gitEnv} from '../git/repo.js'
import {safeUrl} from '../text/url.js'

// The git plumbing sync needs, run against a private bare repository (the
// sync cache) with --git-dir, so neither the user's working repository nor a
// GIT_DIR in the environment is ever touched. Asynchronous: the interactive
// checklist keeps answering keys while a sync runs.

export interface GitRun {
  code: number
  stdout: Buffer
  stderr: string
}

const NETWORK_TIMEOUT_MS = 120_000

/**
 * git's environment for sync: no prompts (a missing credential fails fast),
 * ssh in batch mode, and, unlike the scanners' read-only git, the transports
 * a team's remote uses (whatever the user's own GIT_ALLOW_PROTOCOL allows).
 */
export function syncGitEnv(): NodeJS.ProcessEnv {
  const env = gitEnv()
  if (process.env.GIT_ALLOW_PROTOCOL) env.GIT_ALLOW_PROTOCOL = process.env.GIT_ALLOW_PROTOCOL
  else delete env.GIT_ALLOW_PROTOCOL
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE']) delete env[k]
  env.GIT_SSH_COMMAND ??= 'ssh -o BatchMode=yes -o ConnectTimeout=20'
  return env
}

export function runGit(gitDir: string | null, args: string[], opts: {input?: string | Buffer; timeoutMs?: number} = {}): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const argv = gitDir ? [`--git-dir=${gitDir}`, ...args] : args
    const child = spawn('git', argv, {env: syncGitEnv(), stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    let err = ''
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? NETWORK_TIMEOUT_MS)
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')))
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(dependencyError('git.missing', `cannot run git: ${e.message}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code: code ?? (signal ? 124 : -1), stdout: Buffer.concat(out), stderr: signal ? `${err}\n(git ${args[0]} timed out)` : err})
    })
    child.stdin.on('error', () => {}) // git may exit before reading all its input; its exit code says why
    child.stdin.end(opts.input ?? '')
  })
}

/** git's first stderr line, with any credential in a URL it echoes removed. */
export function gitMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('hint:'))
  const line = lines.find((l) => /^(fatal|error|remote):/.test(l)) ?? lines[0] ?? 'no output'
  return safeUrl(line)
}
