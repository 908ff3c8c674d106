import {findingKey, findingWhere} from '../src/detect/finding.js'
import {IssuerHttp} from '../src/verify/issuer/http.js'
import type {IssuerOptions, Leaked} from '../src/verify/issuer/types.js'
import {verifyLeaked} from '../src/verify/issuer/verify.js'
import {type IssuerName, startIssuerServers} from '../fixtures/issuers/servers.js'
import {fmtMs, printTable, syntheticFindings} from './lib.js'

// verify issuer on 1,000 findings (GitHub, Slack, Stripe and npm tokens, half
// of them live) against the local issuer servers, through the same HTTP layer
// as the command, at the default 4 requests in flight per host and at 1 (one
// at a time: the floor's opposite) and 16. The servers answer at once and
// after 50 ms (a simulated round trip to a real issuer), so the figures show
// what the per-host bound costs and buys. Values and findings are synthetic.

const N = Number(process.env.LEAKCTL_BENCH_VERIFY_FINDINGS ?? 1000)
const KINDS: {cls: string; server: IssuerName; make: (i: number) => string}[] = [
  {cls: 'github-token', server: 'github', make: (i) => `ghp_bench${String(i).padStart(31, '0')}`},
  {cls: 'slack-token', server: 'slack', make: (i) => `xoxb-1-2-bench${i}`},
  {cls: 'stripe-key', server: 'stripe', make: (i) => `sk_live_bench${i}`},
  {cls: 'npm-token', server: 'npm', make: (i) => `npm_bench${i}`},
]

export default async function verifyBench(): Promise<void> {
  const base = syntheticFindings(N)
  const leaked: Leaked[] = base.map((f, i) => {
    const k = KINDS[i % KINDS.length]!
    const finding = {...f, class: k.cls}
    return {finding, key: findingKey(finding), where: findingWhere(finding), value: k.make(i)}
  })
  const live: Partial<Record<IssuerName, string[]>> = {}
  leaked.forEach((l, i) => {
    if (i % 2) return
    const k = KINDS[i % KINDS.length]!
    ;(live[k.server] ??= []).push(l.value!)
  })
  const servers = await startIssuerServers(live)
  const rows: {label: string; values: Record<string, string>}[] = []
  try {
    for (const latency of [0, 50]) {
      for (const server of Object.values(servers.servers)) server.fault = latency ? {slowMs: latency} : null
      for (const perHost of [1, 4, 16]) {
        const http = new IssuerHttp({timeoutMs: 30_000, perHost, maxWaitMs: 5000})
        const o: IssuerOptions = {env: servers.env, http, useLeakedKey: false, connect: false, timeoutMs: 30_000}
        const t0 = performance.now()
        const {summary} = await verifyLeaked(leaked, o)
        const ms = performance.now() - t0
        const sent = [...http.sent.values()].reduce((a, b) => a + b, 0)
        rows.push({
          label: `${N} findings, ${perHost} per host${perHost === 4 ? ' (default)' : ''}, answers after ${latency} ms`,
          values: {time: fmtMs(ms), requests: String(sent), hosts: String(http.sent.size), 'findings/s': Math.round(N / (ms / 1000)).toLocaleString('en'), live: String(summary.live), revoked: String(summary.revoked)},
        })
      }
    }
  } finally {
    await servers.close()
  }
  printTable(`verify issuer: ${N} findings against the local issuer servers (in-process, HTTP on 127.0.0.1)`, rows)
}
