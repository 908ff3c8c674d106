import {GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand} from '@aws-sdk/client-iam'
import {GetAccessKeyInfoCommand, GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {defaultProvider} from '@aws-sdk/credential-provider-node'

import {classifyAwsError} from '../../logs/cloudtrail/aws-errors.js'
import {shQuote} from '../../text/shell.js'
import {IssuerUnavailable} from './http.js'
import type {Issuer, IssuerOptions, Leaked, Outcome, RevokeResult} from './types.js'

// AWS access keys. First without the leaked key at all: with the responder's
// own credentials, IAM GetAccessKeyLastUsed (the key's user, last use) and
// ListAccessKeys (Active or Inactive) — only the key id, which is public,
// travels. The key's account comes from STS GetAccessKeyInfo; a key of
// another account cannot be asked about with these credentials. Only with
// --use-leaked-key: STS GetCallerIdentity signed with the leaked pair (the
// secret never travels: SigV4 signs with it). Revoke: UpdateAccessKey
// Inactive (reversible), the delete printed for later.
// Endpoints: AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL).

const region = (o: IssuerOptions) => o.env.AWS_REGION ?? o.env.AWS_DEFAULT_REGION ?? 'us-east-1'
const endpoint = (o: IssuerOptions, svc: 'IAM' | 'STS') => o.env[`AWS_ENDPOINT_URL_${svc}`] ?? o.env.AWS_ENDPOINT_URL
const host = (o: IssuerOptions, svc: 'IAM' | 'STS') => {
  const e = endpoint(o, svc)
  return e ? new URL(e).host : svc === 'IAM' ? 'iam.amazonaws.com' : `sts.${region(o)}.amazonaws.com`
}

function config(o: IssuerOptions, svc: 'IAM' | 'STS', credentials: unknown) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const e = endpoint(o, svc)
  return {region: region(o), credentials: credentials as ReturnType<typeof defaultProvider>, maxAttempts: 2, requestHandler: {requestTimeout: o.timeoutMs, connectionTimeout: o.timeoutMs, throwOnRequestTimeout: true}, ...(e ? {endpoint: e} : {})}
}

/** One client set and the responder's account per run (options object). */
const sessions = new WeakMap<IssuerOptions, {iam: IAMClient; sts: STSClient; account: Promise<string>}>()
function session(o: IssuerOptions) {
  let s = sessions.get(o)
  if (!s) {
    const credentials = defaultProvider({})
    const sts = new STSClient(config(o, 'STS', credentials))
    const account = sts.send(new GetCallerIdentityCommand({})).then((r) => r.Account ?? '?')
    account.catch(() => {})
    s = {iam: new IAMClient(config(o, 'IAM', credentials)), sts, account}
    sessions.set(o, s)
  }
  return s
}

/** An SDK failure as the reason of an `unknown` (codes and AWS's words only). */
function unavailable(error: unknown, what: string): IssuerUnavailable {
  return new IssuerUnavailable(classifyAwsError(error, what).message)
}

/** The delete that follows the deactivation, once nothing legitimate breaks. */
const deleteCommand = (keyId: string, user: string | null) => `aws iam delete-access-key --user-name ${user ? shQuote(user) : '<user>'} --access-key-id ${shQuote(keyId)}`

const secretOf = (l: Leaked): string | null => (l.value && l.value !== l.finding.keyId && l.value.length === 40 ? l.value : null)

async function ownerOf(o: IssuerOptions, keyId: string): Promise<{user: string; status: string | null; lastUsed: string} | 'gone'> {
  const s = session(o)
  const h = host(o, 'IAM')
  let used
  try {
    used = await o.http.limited(h, () => s.iam.send(new GetAccessKeyLastUsedCommand({AccessKeyId: keyId})))
  } catch (error) {
    if (classifyAwsError(error, '').kind === 'not-found') return 'gone'
    throw unavailable(error, 'iam:GetAccessKeyLastUsed')
  }
  const user = used.UserName ?? '?'
  const u = used.AccessKeyLastUsed
  const lastUsed = u?.LastUsedDate ? `last used ${u.LastUsedDate.toISOString()} (${u.ServiceName ?? '?'} in ${u.Region ?? '?'})` : 'never used'
  let status: string | null = null
  try {
    let marker: string | undefined
    do {
      const page = await o.http.limited(h, () => s.iam.send(new ListAccessKeysCommand({UserName: user, Marker: marker})))
      status = page.AccessKeyMetadata?.find((k) => k.AccessKeyId === keyId)?.Status ?? status
      marker = page.IsTruncated ? page.Marker : undefined
    } while (marker && status === null)
  } catch (error) {
    throw unavailable(error, 'iam:ListAccessKeys')
  }
  return {user, status, lastUsed}
}

async function withLeakedKey(o: IssuerOptions, keyId: string, secret: string): Promise<Outcome> {
  const sts = new STSClient(config(o, 'STS', {accessKeyId: keyId, secretAccessKey: secret}))
  const v = 'sts:GetCallerIdentity signed with the leaked key'
  try {
    const me = await o.http.limited(host(o, 'STS'), () => sts.send(new GetCallerIdentityCommand({})))
    return {state: 'live', via: v, detail: `the leaked key works: ${me.Arn ?? '?'}`}
  } catch (error) {
    const f = classifyAwsError(error, 'sts:GetCallerIdentity')
    if (f.code === 'InvalidClientTokenId') return {state: 'revoked', via: v, detail: 'AWS does not accept the key id (InvalidClientTokenId): deleted or inactive'}
    if (f.code === 'SignatureDoesNotMatch') throw new IssuerUnavailable('the secret re-read from the source does not match the key id (SignatureDoesNotMatch)')
    throw new IssuerUnavailable(f.message)
  } finally {
    sts.destroy()
  }
}

export const aws: Issuer = {
  id: 'aws',
  classes: ['aws-access-key', 'aws-session-token'],
  cannotVerify(l) {
    if (l.finding.class === 'aws-session-token') return 'temporary credentials (ASIA…): IAM does not list them and they need their session token; they expire by themselves (36 h at most)'
    return l.finding.keyId ? null : 'no access key id beside the secret: IAM is asked by key id'
  },
  calls(l, o) {
    const calls = [
      {method: 'POST', host: host(o, 'STS'), path: '/ (Action=GetAccessKeyInfo)', note: `the key id ${l.finding.keyId}; signed with the responder's credentials`},
      {method: 'POST', host: host(o, 'IAM'), path: '/ (Action=GetAccessKeyLastUsed)', note: `the key id ${l.finding.keyId}; signed with the responder's credentials`},
      {method: 'POST', host: host(o, 'IAM'), path: '/ (Action=ListAccessKeys)', note: "the key's user; signed with the responder's credentials"},
    ]
    if (o.useLeakedKey && secretOf(l)) calls.push({method: 'POST', host: host(o, 'STS'), path: '/ (Action=GetCallerIdentity)', note: 'signed with the leaked pair (the secret itself is not sent)'})
    return calls
  },
  async verify(l, o) {
    const keyId = l.finding.keyId!
    const s = session(o)
    const secret = secretOf(l)
    const leaked = o.useLeakedKey && secret ? await withLeakedKey(o, keyId, secret) : null
    let keyAccount: string
    let mine: string
    try {
      ;[keyAccount, mine] = await Promise.all([o.http.limited(host(o, 'STS'), () => s.sts.send(new GetAccessKeyInfoCommand({AccessKeyId: keyId}))).then((r) => r.Account ?? '?'), s.account])
    } catch (error) {
      if (leaked) return leaked
      throw unavailable(error, 'sts:GetAccessKeyInfo')
    }
    if (keyAccount !== mine) {
      if (leaked) return leaked
      throw new IssuerUnavailable(`the key belongs to account ${keyAccount}, the responder's credentials to ${mine}: run with that account's credentials, or --use-leaked-key`)
    }
    const owner = await ownerOf(o, keyId)
    const v = 'iam:GetAccessKeyLastUsed + iam:ListAccessKeys'
    const iam: Outcome =
      owner === 'gone'
        ? {state: 'revoked', via: v, detail: `account ${mine} has no such key any more (deleted)`}
        : owner.status === 'Active'
          ? {state: 'live', via: v, detail: `Active key of IAM user ${owner.user}; ${owner.lastUsed}`}
          : owner.status === 'Inactive'
            ? {state: 'revoked', via: v, detail: `Inactive key of IAM user ${owner.user} (can be reactivated until deleted); ${owner.lastUsed}`}
            : {state: 'unknown', via: v, detail: `IAM user ${owner.user} does not list the key`}
    if (!leaked) return iam
    return {state: leaked.state === 'live' || iam.state !== 'live' ? leaked.state : iam.state, via: `${v} + ${leaked.via}`, detail: `${iam.detail}; ${leaked.detail}`}
  },
  revokePlan(l) {
    const keyId = l.finding.keyId ?? '<access-key-id>'
    return {
      action: `iam:UpdateAccessKey ${keyId} Inactive`,
      steps: [`Later, once nothing legitimate breaks: ${deleteCommand(keyId, null)}`],
      automatic: Boolean(l.finding.keyId) && l.finding.class === 'aws-access-key',
    }
  },
  async revoke(batch, o) {
    const s = session(o)
    const out: RevokeResult[] = []
    for (const l of batch) {
      const keyId = l.finding.keyId!
      try {
        const owner = await ownerOf(o, keyId)
        if (owner === 'gone') {
          out.push({applied: false, result: 'nothing to do: the key no longer exists'})
          continue
        }
        await o.http.limited(host(o, 'IAM'), () => s.iam.send(new UpdateAccessKeyCommand({AccessKeyId: keyId, UserName: owner.user, Status: 'Inactive'})))
        out.push({applied: true, result: `set Inactive (IAM user ${owner.user}); delete it later: ${deleteCommand(keyId, owner.user)}`})
      } catch (error) {
        out.push({applied: false, result: error instanceof IssuerUnavailable ? error.message : classifyAwsError(error, 'iam:UpdateAccessKey').message})
      }
    }
    return out
  },
}
