import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const ROOT = join(import.meta.dirname, '..', '..')
export const BIN = join(ROOT, 'bin', 'run.js')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** Environment for the real binary: no colour, no TTY, a fixed actor unless given. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, NODE_ENV: 'production', NO_COLOR: '1', LEAKCTL_ACTOR: 'tester', ...extra}
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  return env
}

/** Runs the real leakctl binary synchronously. */
export function leakctl(args: string[], opts: {cwd?: string; env?: Record<string, string | undefined>; input?: string} = {}): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {cwd: opts.cwd, env: cliEnv(opts.env), input: opts.input, encoding: 'utf8', timeout: 60_000})
  return {code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr}
}

/** Runs it asynchronously (for several at once). */
export function leakctlAsync(args: string[], opts: {cwd?: string; env?: Record<string, string | undefined>} = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], {cwd: opts.cwd, env: cliEnv(opts.env)})
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d) => (stdout += d))
    p.stderr.on('data', (d) => (stderr += d))
    p.on('close', (code) => resolve({code: code ?? -1, stdout, stderr}))
  })
}

export function tempDir(prefix = 'leakctl-test-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

export function json<T = any>(r: RunResult): T {
  try {
    return JSON.parse(r.stdout) as T
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\n--- stderr:\n${r.stderr}`)
  }
}
