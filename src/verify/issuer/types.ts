import type {Finding} from '../../detect/finding.js'
import type {VerificationState} from '../../incident/events.js'
import type {IssuerHttp} from './http.js'

// The shapes every issuer module shares. A Leaked credential is a finding
// with its value re-read from the source: the value lives in memory only,
// for the one request to its own issuer, and is never printed or stored.

/** The fingerprint function of the workspace (a keyed digest): passed in, never imported, so the key stays the caller's. */
export type FingerprintFn = (value: string | Uint8Array) => string

export interface Leaked {
  finding: Finding
  /** findingKey(finding): what the checklist items cover. */
  key: string
  where: string
  /** The value, re-read from where it was found; null when it could not be (see `unresolved`). */
  value: string | null
  /** For a database password: the whole connection URL it sits in (host, user, database). */
  url?: string
  /** Why the value could not be re-read. */
  unresolved?: string
}

/** One request as a responder may read it: never the credential (redacted in the path, absent from headers). */
export interface Call {
  method: string
  host: string
  path: string
  /** How the credential travels (`Authorization: Bearer`, `basic auth user`, `none`), and anything else worth saying. */
  note: string
}

export interface Outcome {
  state: VerificationState
  /** What was asked: `GET api.github.com/user`, `iam:GetAccessKeyLastUsed`. */
  via: string
  /** What the issuer said, non-secret: the login, scopes, expiry, or why it is unknown. */
  detail: string
}

export interface IssuerOptions {
  /** Environment: base-URL overrides (GITHUB_API_URL, ...) and AWS credentials of the responder. */
  env: NodeJS.ProcessEnv
  http: IssuerHttp
  /** AWS: also sign sts:GetCallerIdentity with the leaked pair. */
  useLeakedKey: boolean
  /** Database URLs: open a connection and authenticate (never a query). */
  connect: boolean
  kubeconfig?: string
  context?: string
  timeoutMs: number
}

export interface RevokeAction {
  /** What is done (or would be): `iam:UpdateAccessKey Inactive`, `POST api.github.com/credentials/revoke`. */
  action: string
  /** Commands or steps for a human, printed always (the delete for later, a console step). */
  steps: string[]
  /** Whether leakctl can act itself (false: the steps are the whole answer). */
  automatic: boolean
}

export interface RevokeResult {
  applied: boolean
  result: string
}

export interface Issuer {
  /** `github`, `aws`, ... */
  id: string
  classes: readonly string[]
  /** Why a credential of this issuer cannot be asked about here (no value, no key id, a class without a check); null: it can. */
  cannotVerify(l: Leaked, o: IssuerOptions): string | null
  /** The requests verify() would make, for --dry-run. */
  calls(l: Leaked, o: IssuerOptions): Call[]
  verify(l: Leaked, o: IssuerOptions): Promise<Outcome>
  revokePlan(l: Leaked, o: IssuerOptions): RevokeAction
  /** Revokes several credentials of this issuer at once (GitHub takes up to 1,000 per call). Absent: nothing automatic. */
  revoke?(batch: Leaked[], o: IssuerOptions): Promise<RevokeResult[]>
}

/** A base URL from an override variable, else the issuer's real one; trailing slash dropped. */
export function baseUrl(env: NodeJS.ProcessEnv, name: string, real: string): string {
  const v = env[name]?.trim()
  return (v ? v : real).replace(/\/+$/, '')
}

/** Host and path of a URL, for a Call or a `via`. */
export function hostPath(url: string): {host: string; path: string} {
  const u = new URL(url)
  return {host: u.host, path: `${u.pathname}${u.search}`}
}

export function via(method: string, url: string): string {
  const {host, path} = hostPath(url)
  return `${method} ${host}${path}`
}
