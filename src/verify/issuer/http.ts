// The one way verify issuer and revoke talk HTTP: bounded in time (a timeout
// per attempt), in load (at most N requests in flight per host) and in
// patience (Retry-After, or a rate limit's reset, waited for only up to a
// limit; beyond it the answer is `unknown: rate limited`). Answers are read up
// to a size cap: an issuer's reply is small, anything bigger is not one.

const MAX_BODY = 256 * 1024
const RETRIES = 2

export interface HttpOptions {
  timeoutMs: number
  /** Requests in flight per host. */
  perHost: number
  /** Longest wait for a Retry-After or a rate-limit reset, in ms. */
  maxWaitMs: number
}

export interface Reply {
  status: number
  headers: Headers
  text: string
}

/** The issuer could not be asked (network, timeout, rate limit beyond the wait): the state is `unknown` with this reason. */
export class IssuerUnavailable extends Error {}

export class IssuerHttp {
  readonly options: HttpOptions
  private readonly slots = new Map<string, {active: number; waiting: (() => void)[]}>()
  /** Requests sent, per host: what a test or the summary can count. */
  readonly sent = new Map<string, number>()

  constructor(o: HttpOptions) {
    this.options = o
  }

  async request(url: string, init: {method: string; headers?: Record<string, string>; body?: string}): Promise<Reply> {
    const host = new URL(url).host
    for (let attempt = 0; ; attempt++) {
      const reply = await this.limited(host, () => this.once(url, init, host))
      const wait = waitFor(reply)
      if (wait === null || attempt >= RETRIES) return reply
      if (wait > this.options.maxWaitMs) throw new IssuerUnavailable(`rate limited by ${host} (HTTP ${reply.status}; retry after ${Math.ceil(wait / 1000)} s, beyond the ${Math.round(this.options.maxWaitMs / 1000)} s limit)`)
      await new Promise((r) => setTimeout(r, wait))
    }
  }

  private async once(url: string, init: {method: string; headers?: Record<string, string>; body?: string}, host: string): Promise<Reply> {
    this.sent.set(host, (this.sent.get(host) ?? 0) + 1)
    const ctl = new AbortController()
    const timer = setTimeout(() => ctl.abort(), this.options.timeoutMs)
    try {
      const res = await fetch(url, {method: init.method, headers: {'user-agent': 'leakctl (verify issuer)', ...init.headers}, body: init.body, signal: ctl.signal, redirect: 'manual'})
      return {status: res.status, headers: res.headers, text: await readCapped(res)}
    } catch (error) {
      if (ctl.signal.aborted) throw new IssuerUnavailable(`no answer from ${host} within ${Math.round(this.options.timeoutMs / 1000)} s`)
      throw new IssuerUnavailable(`cannot reach ${host} (${networkCode(error)})`)
    } finally {
      clearTimeout(timer)
    }
  }

  /** Runs fn when the host has a free slot (also for clients that do their own HTTP: the AWS SDK, the Kubernetes client). */
  async limited<T>(host: string, fn: () => Promise<T>): Promise<T> {
    let s = this.slots.get(host)
    if (!s) this.slots.set(host, (s = {active: 0, waiting: []}))
    while (s.active >= this.options.perHost) await new Promise<void>((r) => s!.waiting.push(r))
    s.active++
    try {
      return await fn()
    } finally {
      s.active--
      s.waiting.shift()?.()
    }
  }
}

/** How long to wait before asking again, or null when the reply is final. 429 and 503 with Retry-After; GitHub's 403 rate limits. */
export function waitFor(r: Reply, now = Date.now()): number | null {
  const retryAfter = r.headers.get('retry-after')
  const limited = r.status === 429 || r.status === 503 || (r.status === 403 && (retryAfter !== null || r.headers.get('x-ratelimit-remaining') === '0'))
  if (!limited) return null
  if (retryAfter !== null) {
    const s = Number(retryAfter)
    if (Number.isFinite(s)) return Math.max(0, s * 1000)
    const at = Date.parse(retryAfter)
    return Number.isNaN(at) ? null : Math.max(0, at - now)
  }
  const reset = Number(r.headers.get('x-ratelimit-reset'))
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now)
  // 429 without a hint: one short pause.
  return r.status === 429 ? 1000 : null
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const parts: Uint8Array[] = []
  let size = 0
  for (;;) {
    const {done, value} = await reader.read()
    if (done) break
    size += value.length
    if (size > MAX_BODY) {
      await reader.cancel()
      break
    }
    parts.push(value)
  }
  return Buffer.concat(parts).toString('utf8')
}

function networkCode(error: unknown): string {
  const cause = (error as {cause?: {code?: string; message?: string}}).cause
  return cause?.code ?? cause?.message?.split('\n')[0]?.slice(0, 80) ?? 'network error'
}

/** The JSON of a reply, or null when it is not JSON. */
export function jsonOf(r: Reply): Record<string, unknown> | null {
  try {
    const v = JSON.parse(r.text) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** A 5xx or an unexpected status: `unknown`, with the status as the reason. */
export function unexpected(r: Reply, host: string): IssuerUnavailable {
  return new IssuerUnavailable(r.status >= 500 ? `${host} failed (HTTP ${r.status})` : `${host} answered HTTP ${r.status}, which says nothing about the credential`)
}
