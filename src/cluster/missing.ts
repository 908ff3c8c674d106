// Evidence that could not be gathered, and why: a partial answer names what
// is missing rather than guessing. `kind` decides the exit code when nothing
// else settles the verdict (unreachable/refused -> 3).

export const EVIDENCE = ['lint', 'apiserver', 'metrics', 'health', 'etcd', 'canary', 'eks', 'managed'] as const
export type Evidence = (typeof EVIDENCE)[number]

export type MissingKind =
  | 'unreachable' // network, timeout, DNS
  | 'tls' // certificate verification or client certificate refused
  | 'unauthorized' // 401: expired or wrong credentials
  | 'forbidden' // 403: RBAC
  | 'not-found' // 404 or nothing there
  | 'not-visible' // managed control plane: nothing to see from here
  | 'not-asked' // the user did not give what it needs
  | 'failed' // anything else the dependency answered

export interface Missing {
  evidence: Evidence
  kind: MissingKind
  /** One line for a responder. Never holds a secret value. */
  reason: string
  /** What to run or grant to get it. */
  fix?: string
}

/** Whether this gap is a dependency failing (exit 3 when it leaves the verdict open). */
export const isDependencyFailure = (m: Missing): boolean => m.kind !== 'not-asked' && m.kind !== 'not-visible'

const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER',
])
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT'])

/** The errno-like code of a network/TLS error, looking through wrappers (node-fetch's FetchError, `cause`). */
export function errorCode(e: unknown): string | undefined {
  let cur: unknown = e
  for (let depth = 0; cur && depth < 4; depth++) {
    const c = cur as {code?: unknown; errno?: unknown; cause?: unknown}
    if (typeof c.code === 'string') return c.code
    if (typeof c.errno === 'string') return c.errno
    cur = c.cause
  }
  return undefined
}

/** A network or TLS failure as a Missing entry; undefined when the error is something else. */
export function networkMissing(evidence: Evidence, target: string, e: unknown): Missing | undefined {
  const code = errorCode(e)
  if (code && TLS_CODES.has(code)) return {evidence, kind: 'tls', reason: `TLS with ${target} failed (${code}): wrong CA, or the server's certificate does not match`}
  if (code && NET_CODES.has(code)) return {evidence, kind: 'unreachable', reason: `cannot reach ${target} (${code})`}
  const msg = e instanceof Error ? e.message : String(e)
  if (/certificate|self[- ]signed|ssl|tls/i.test(msg)) return {evidence, kind: 'tls', reason: `TLS with ${target} failed: ${firstLine(msg)}`}
  if (/timed? ?out|aborted/i.test(msg)) return {evidence, kind: 'unreachable', reason: `${target} did not answer in time`}
  return undefined
}

export function firstLine(s: string, max = 200): string {
  const line = s.split('\n')[0]!.trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
