// What went wrong talking to AWS, in words a responder can act on. The SDK
// throws service exceptions (name = the error code), credential-provider
// errors, and Node network errors; each becomes one kind and one line.
// Messages never carry credentials: only codes and AWS's own message text.

export type AwsFailureKind =
  | 'no-credentials'
  | 'expired-credentials'
  | 'invalid-credentials'
  | 'region-disabled'
  | 'access-denied'
  | 'throttled'
  | 'unreachable'
  | 'not-found'
  | 'other'

export interface AwsFailure {
  kind: AwsFailureKind
  code: string
  message: string
  /** The whole run cannot go on (no or expired credentials, AWS unreachable). */
  fatal: boolean
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired'])
const INVALID = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'IncompleteSignature', 'InvalidSignatureException', 'MissingAuthenticationToken'])
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'OperationNotPermittedException'])
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown'])
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'TimeoutError'])

/** First line of AWS's message, bounded. */
function clean(message: string | undefined): string {
  return (message ?? '').split('\n')[0]!.slice(0, 300)
}

export function classifyAwsError(error: unknown, where: string): AwsFailure {
  const e = error as {name?: string; code?: string; Code?: string; message?: string; $metadata?: {httpStatusCode?: number}; cause?: {code?: string}}
  const code = e?.name && e.name !== 'Error' ? e.name : (e?.code ?? e?.Code ?? e?.cause?.code ?? 'Error')
  const msg = clean(e?.message)
  if (code === 'CredentialsProviderError' || /could not load credentials|credential is missing|no credentials/i.test(msg)) {
    return {kind: 'no-credentials', code: 'CredentialsProviderError', fatal: true, message: `no AWS credentials found (environment, --profile, SSO or an instance role): ${msg || 'none could be loaded'}`}
  }
  if (EXPIRED.has(code) || /token (included in the request )?is expired|has expired/i.test(msg)) {
    return {kind: 'expired-credentials', code, fatal: true, message: `the AWS credentials have expired (${code}): refresh them (aws sso login, a new session) and run again`}
  }
  if (code === 'UnrecognizedClientException' || code === 'OptInRequired' || code === 'AuthFailure') {
    // The same credentials work elsewhere: in a region, this is the signature of an opt-in region that is not enabled.
    return {kind: 'region-disabled', code, fatal: false, message: `${where}: the region is not enabled for this account, or it does not accept these credentials (${code})`}
  }
  if (INVALID.has(code)) return {kind: 'invalid-credentials', code, fatal: true, message: `AWS rejected the credentials (${code}): ${msg}`}
  if (DENIED.has(code)) return {kind: 'access-denied', code, fatal: false, message: `${where}: access denied (${code})${msg ? `: ${msg}` : ''}`}
  if (THROTTLED.has(code)) return {kind: 'throttled', code, fatal: false, message: `${where}: still throttled after every retry (${code})`}
  if (NETWORK.has(code) || /ECONNREFUSED|ENOTFOUND|socket hang up|connect ETIMEDOUT/i.test(msg)) {
    return {kind: 'unreachable', code, fatal: true, message: `cannot reach AWS (${code})${msg ? `: ${msg}` : ''}`}
  }
  if (code === 'NoSuchEntity' || code === 'NoSuchEntityException' || e?.$metadata?.httpStatusCode === 404) return {kind: 'not-found', code, fatal: false, message: `${where}: not found (${code})`}
  return {kind: 'other', code, fatal: false, message: `${where}: ${code}${msg ? `: ${msg}` : ''}`}
}
