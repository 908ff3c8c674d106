import {existsSync} from 'node:fs'
import {request as httpRequest, type RequestOptions} from 'node:http'
import {request as httpsRequest, type RequestOptions as HttpsRequestOptions} from 'node:https'
import {homedir} from 'node:os'
import {join} from 'node:path'

import type {CoreV1Api, KubeConfig} from '@kubernetes/client-node'

import {inputError} from '../errors.js'
import {type Evidence, firstLine, type Missing, networkMissing} from './missing.js'

// The live cluster through @kubernetes/client-node: the kubeconfig (file,
// KUBECONFIG, ~/.kube/config, or the pod's service account in a CronJob),
// the typed CoreV1 client for pods and Secrets, and raw GETs for /metrics
// and /healthz that carry the same credentials (token, client certificate,
// exec plugin) via KubeConfig.applyToHTTPSOptions. The library is loaded
// only when the cluster is asked: a lint of a file stays fast.

export interface KubeTarget {
  kubeconfig?: string
  context?: string
  /** Per-request timeout (ms). */
  timeoutMs?: number
}

export interface KubeSession {
  kc: KubeConfig
  context: string
  server: string
  core: CoreV1Api
  rawGet(path: string): Promise<{status: number; body: string}>
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token'

export async function openKube(target: KubeTarget): Promise<KubeSession> {
  const k8s = await import('@kubernetes/client-node')
  const kc = new k8s.KubeConfig()
  if (target.kubeconfig) {
    if (!existsSync(target.kubeconfig)) throw inputError('kube.config', `--kubeconfig ${target.kubeconfig}: no such file`)
    try {
      kc.loadFromFile(target.kubeconfig)
    } catch (e) {
      throw inputError('kube.config', `--kubeconfig ${target.kubeconfig}: not a kubeconfig (${firstLine((e as Error).message)})`)
    }
  } else {
    const env = process.env.KUBECONFIG
    if (!env && !existsSync(join(homedir(), '.kube', 'config')) && !existsSync(SA_TOKEN)) {
      throw inputError('kube.config', 'no kubeconfig (KUBECONFIG, ~/.kube/config or an in-cluster service account): give --kubeconfig FILE, or only --encryption-config / --etcd-endpoints')
    }
    try {
      kc.loadFromDefault()
    } catch (e) {
      throw inputError('kube.config', `cannot load the kubeconfig: ${firstLine((e as Error).message)}`)
    }
  }
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      throw inputError('kube.context', `--context ${target.context}: no such context (have: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`)
    }
    kc.setCurrentContext(target.context)
  }
  const cluster = kc.getCurrentCluster()
  if (!cluster) throw inputError('kube.context', `the kubeconfig has no current cluster${kc.getCurrentContext() ? ` (context ${kc.getCurrentContext()})` : ''}: give --context`)
  const timeoutMs = target.timeoutMs ?? 15_000
  const server = cluster.server.replace(/\/$/, '')
  return {
    kc,
    context: kc.getCurrentContext(),
    server,
    core: kc.makeApiClient(k8s.CoreV1Api),
    rawGet: (path) => rawGet(kc, server, path, timeoutMs),
  }
}

const MAX_BODY = 128 * 1024 * 1024

async function rawGet(kc: KubeConfig, server: string, path: string, timeoutMs: number): Promise<{status: number; body: string}> {
  const url = new URL(server + path)
  const opts: HttpsRequestOptions = {method: 'GET', headers: {Accept: 'text/plain, application/json, */*'}}
  await kc.applyToHTTPSOptions(opts)
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest
  return new Promise((resolve, reject) => {
    const req = send(url, opts as RequestOptions, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (size > MAX_BODY) req.destroy(new Error(`${path}: response larger than ${MAX_BODY / 1024 / 1024} MB`))
        else chunks.push(c)
      })
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}))
      res.on('error', reject)
    })
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`${path}: timed out after ${timeoutMs} ms`), {code: 'ETIMEDOUT'})))
    req.on('error', reject)
    req.end()
  })
}

/** A Kubernetes Status object's message, from an ApiException body or a raw body. */
export function statusMessage(body: unknown): string | undefined {
  let b = body
  if (Buffer.isBuffer(b)) b = b.toString('utf8')
  if (typeof b === 'string') {
    const text = b
    try {
      b = JSON.parse(text)
    } catch {
      return text.trim() ? firstLine(text) : undefined
    }
  }
  const m = (b as {message?: unknown} | undefined)?.message
  return typeof m === 'string' ? firstLine(m) : undefined
}

/** Classifies a failed call (ApiException, network/TLS error, or an HTTP status of a raw GET). */
export function kubeMissing(evidence: Evidence, what: string, server: string, e: unknown, fix403?: string): Missing {
  const err = e as {code?: unknown; body?: unknown; message?: string}
  const status = typeof err?.code === 'number' ? err.code : undefined
  if (status !== undefined) return httpMissing(evidence, what, status, statusMessage(err.body), fix403)
  const net = networkMissing(evidence, `the API server ${server}`, e)
  if (net) return net
  const msg = e instanceof Error ? e.message : String(e)
  // Credential plugins (exec, OIDC refresh) fail before any request is sent.
  if (/exec|credential|token|oidc|refresh/i.test(msg)) return {evidence, kind: 'unauthorized', reason: `${what}: the kubeconfig's credentials could not be obtained (${firstLine(msg)})`, fix: 'log in again (e.g. aws eks update-kubeconfig / gcloud container clusters get-credentials / az aks get-credentials)'}
  return {evidence, kind: 'failed', reason: `${what}: ${firstLine(msg)}`}
}

export function httpMissing(evidence: Evidence, what: string, status: number, message: string | undefined, fix403?: string): Missing {
  const said = message ? `: ${message}` : ''
  if (status === 401) return {evidence, kind: 'unauthorized', reason: `${what}: 401 Unauthorized — the credentials were refused (expired token?)${said}`, fix: 'refresh the kubeconfig credentials and run again'}
  if (status === 403) return {evidence, kind: 'forbidden', reason: `${what}: 403 Forbidden${said}`, fix: fix403}
  if (status === 404) return {evidence, kind: 'not-found', reason: `${what}: 404 Not Found${said}`}
  if (status === 429 || status >= 500) return {evidence, kind: 'unreachable', reason: `${what}: HTTP ${status}${said}`, fix: 'retry later'}
  return {evidence, kind: 'failed', reason: `${what}: HTTP ${status}${said}`}
}
