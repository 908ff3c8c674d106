import type {AuthenticationV1Api} from '@kubernetes/client-node'

import {type KubeSession, openKube, statusMessage} from '../../cluster/kube.js'
import {firstLine} from '../../cluster/missing.js'
import {shQuote} from '../../text/shell.js'
import {IssuerUnavailable} from './http.js'
import type {Issuer, IssuerOptions, Leaked, RevokeResult} from './types.js'

// Kubernetes service-account and bootstrap tokens. Verify: a TokenReview
// through the responder's kubeconfig: the token goes only to the API server
// of that context (the cluster that issued it: choose the context with
// --context), which answers whether it authenticates and as whom — nothing
// is done as the token. Revoke: delete the Secret that holds a long-lived
// service-account token (the token dies with it) or the bootstrap token's
// Secret; a bound (projected) token has no Secret: its steps are printed.

interface Kube {
  session: KubeSession
  auth: AuthenticationV1Api
}
const sessions = new WeakMap<IssuerOptions, Promise<Kube>>()

function kube(o: IssuerOptions): Promise<Kube> {
  let s = sessions.get(o)
  if (!s) {
    s = (async () => {
      const k8s = await import('@kubernetes/client-node')
      const session = await openKube({kubeconfig: o.kubeconfig, context: o.context, timeoutMs: o.timeoutMs})
      return {session, auth: session.kc.makeApiClient(k8s.AuthenticationV1Api)}
    })()
    s.catch(() => {})
    sessions.set(o, s)
  }
  return s
}

function bounded<T>(p: Promise<T>, ms: number, server: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new IssuerUnavailable(`no answer from ${server} within ${Math.round(ms / 1000)} s`)), ms)))]).finally(() => clearTimeout(timer))
}

function failure(e: unknown, what: string, server: string): IssuerUnavailable {
  if (e instanceof IssuerUnavailable) return e
  const err = e as {code?: unknown; body?: unknown; message?: string}
  if (typeof err.code === 'number') return new IssuerUnavailable(`${what}: HTTP ${err.code}${statusMessage(err.body) ? `: ${statusMessage(err.body)}` : ''}`)
  return new IssuerUnavailable(`${what} at ${server}: ${firstLine(String(err.message ?? e))}`)
}

/** The Secret that holds the token, where it is known: the etcd finding's own Secret, a bootstrap token's id, a legacy token's claims. */
export function tokenSecret(l: Leaked): {namespace: string; name: string} | null {
  const f = l.finding
  if (f.class === 'bootstrap-token') {
    const id = f.keyId ?? l.value?.split('.')[0]
    return id && /^[a-z0-9]{6}$/.test(id) ? {namespace: 'kube-system', name: `bootstrap-token-${id}`} : null
  }
  if (f.source === 'etcd' && f.kind === 'Secret' && f.namespace) return {namespace: f.namespace, name: f.name}
  const claims = l.value ? jwtClaims(l.value) : null
  const ns = claims?.['kubernetes.io/serviceaccount/namespace']
  const name = claims?.['kubernetes.io/serviceaccount/secret.name']
  return typeof ns === 'string' && typeof name === 'string' ? {namespace: ns, name} : null
}

function jwtClaims(token: string): Record<string, unknown> | null {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    return null
  }
}

const serverOf = (o: IssuerOptions) => (o.kubeconfig ? `the API server of ${o.kubeconfig}` : 'the API server of the current kubeconfig context') + (o.context ? ` (context ${o.context})` : '')

export const kubernetes: Issuer = {
  id: 'kubernetes',
  classes: ['k8s-service-account-token', 'bootstrap-token'],
  cannotVerify: (l) => (l.value === null ? (l.unresolved ?? 'value not re-read') : null),
  calls: (_l, o) => [{method: 'POST', host: serverOf(o), path: '/apis/authentication.k8s.io/v1/tokenreviews', note: "the token in the TokenReview's spec; the kubeconfig's own credentials authenticate the call"}],
  async verify(l, o) {
    const k = await kube(o).catch((e) => Promise.reject(new IssuerUnavailable(firstLine(String((e as Error).message)))))
    const server = k.session.server
    const v = `POST ${new URL(server).host}/apis/authentication.k8s.io/v1/tokenreviews`
    let review
    try {
      review = await o.http.limited(new URL(server).host, () => bounded(k.auth.createTokenReview({body: {apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: {token: l.value!}}}), o.timeoutMs, server))
    } catch (e) {
      throw failure(e, 'TokenReview', server)
    }
    const st = review.status
    if (st?.authenticated) return {state: 'live', via: v, detail: `authenticates as ${st.user?.username ?? '?'} (groups: ${(st.user?.groups ?? []).slice(0, 5).join(', ')})`}
    const why = st?.error ? firstLine(st.error).slice(0, 160) : 'not authenticated'
    return {state: /expired/i.test(why) ? 'expired' : 'revoked', via: v, detail: `the API server does not accept the token: ${why}`}
  },
  revokePlan(l, o) {
    const s = tokenSecret(l)
    if (!s) return {action: 'print the revoke step', steps: ['A bound (projected) token has no Secret: delete the pod that holds it (or the service account), and it stops working at its expiry at the latest.'], automatic: false}
    return {action: `delete Secret ${s.namespace}/${s.name} (${serverOf(o)})`, steps: [`Equivalent: kubectl delete secret -n ${shQuote(s.namespace)} ${shQuote(s.name)}`], automatic: true}
  },
  async revoke(batch, o) {
    const out: RevokeResult[] = []
    let k: Kube
    try {
      k = await kube(o)
    } catch (e) {
      return batch.map(() => ({applied: false, result: firstLine(String((e as Error).message))}))
    }
    for (const l of batch) {
      const s = tokenSecret(l)!
      try {
        await bounded(k.session.core.deleteNamespacedSecret({namespace: s.namespace, name: s.name}), o.timeoutMs, k.session.server)
        out.push({applied: true, result: `deleted Secret ${s.namespace}/${s.name}`})
      } catch (e) {
        const code = (e as {code?: unknown}).code
        out.push(code === 404 ? {applied: false, result: `Secret ${s.namespace}/${s.name} is already gone`} : {applied: false, result: failure(e, 'delete Secret', k.session.server).message})
      }
    }
    return out
  },
}
