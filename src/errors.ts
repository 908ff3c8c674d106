// Errors the engine raises on purpose. The CLI maps each kind to an exit code
// (DESIGN.md): bad usage or bad input -> 2, a dependency that failed -> 3.
// Messages are one line, meant for a responder, and never carry a secret value:
// what reaches the user passes through scrubMessage (src/scrub-message.ts),
// kept apart so that raising an error does not load the detection engine.

export type ErrorKind = 'input' | 'dependency'

export const EXIT = {
  ok: 0,
  exposure: 1,
  input: 2,
  dependency: 3,
  internal: 4,
} as const

export class LeakctlError extends Error {
  readonly kind: ErrorKind
  /** Stable machine-readable code, e.g. `log.corrupt`, `playbook.invalid`. */
  readonly code: string
  /** Extra non-secret lines a human may want (e.g. every schema problem). */
  readonly details: string[]

  constructor(kind: ErrorKind, code: string, message: string, details: string[] = []) {
    super(message)
    this.name = 'LeakctlError'
    this.kind = kind
    this.code = code
    this.details = details
  }

  get exitCode(): number {
    return this.kind === 'input' ? EXIT.input : EXIT.dependency
  }
}

/** Bad usage or bad input: the user can fix it. Exit 2. */
export function inputError(code: string, message: string, details: string[] = []): LeakctlError {
  return new LeakctlError('input', code, message, details)
}

/** A cluster, AWS, GitHub or a tool we drive failed or refused. Exit 3. */
export function dependencyError(code: string, message: string, details: string[] = []): LeakctlError {
  return new LeakctlError('dependency', code, message, details)
}

export function isLeakctlError(e: unknown): e is LeakctlError {
  return e instanceof LeakctlError
}

const INPUT_ERRNOS = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ELOOP', 'ENAMETOOLONG', 'EEXIST'])
const NETWORK_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'])

/**
 * Turns a Node system error into a LeakctlError when its cause is plain
 * (a missing file, a refused connection), so the user sees one clear line.
 * Returns undefined for anything that looks like a bug.
 */
export function fromSystemError(e: unknown): LeakctlError | undefined {
  if (!(e instanceof Error)) return undefined
  const err = e as NodeJS.ErrnoException
  const code = err.code
  if (!code) return undefined
  const where = err.path ? ` ${err.path}` : ''
  if (INPUT_ERRNOS.has(code)) {
    const what: Record<string, string> = {
      ENOENT: 'no such file or directory',
      ENOTDIR: 'a path component is not a directory',
      EISDIR: 'is a directory',
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      EROFS: 'read-only file system',
      ENOSPC: 'no space left on device',
      ELOOP: 'too many symbolic links',
      ENAMETOOLONG: 'file name too long',
      EEXIST: 'already exists',
    }
    return inputError(`fs.${code.toLowerCase()}`, `${what[code] ?? code}:${where}`.replace(/:$/, ''))
  }
  if (NETWORK_ERRNOS.has(code)) {
    const host = (err as {address?: string; port?: number}).address
    const port = (err as {address?: string; port?: number}).port
    const target = host ? ` ${host}${port ? `:${port}` : ''}` : ''
    return dependencyError(`net.${code.toLowerCase()}`, `cannot reach${target} (${code})`)
  }
  return undefined
}

/** Longest argument a usage error may repeat back; longer ones are described, not shown. */
export const ECHO_LIMIT = 20

/**
 * An argument the user typed may be a secret pasted in the wrong place
 * (`incident note "$(cat key.pem)"` with a flag-like first line): the parser
 * then repeats it in "Nonexistent flag: …". Returns the argv pieces (whole
 * arguments and the value after `--flag=`) that must not be repeated: long
 * ones, and short ones that look random (mixed case and digits).
 */
export function unechoable(argv: readonly string[]): string[] {
  const pieces = new Set<string>()
  for (const arg of argv) {
    for (const piece of [arg, arg.slice(arg.indexOf('=') + 1)]) {
      if (piece.length > ECHO_LIMIT || /[\u0000-\u001f]/.test(piece) || (piece.length >= 8 && /[a-z]/.test(piece) && /[A-Z]/.test(piece) && /\d/.test(piece))) pieces.add(piece)
    }
  }
  return [...pieces].sort((a, b) => b.length - a.length)
}
