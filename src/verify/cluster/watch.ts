import type {ClusterVerification, ClusterVerifier, VerifyClusterOptions, VerifyClusterResult} from './verify.js'

// `verify cluster --watch 2m`: verify again every interval until no critical
// or high credential is still served; each round reports what changed.

export interface WatchRound {
  round: number
  result: VerifyClusterResult
  /** Verifications whose state differs from the round before (all of them in round 1). */
  changes: ClusterVerification[]
  /** Critical or high credentials still current. */
  pending: number
}

/** Critical and high credentials the cluster still serves. */
export function pendingUrgent(vs: readonly ClusterVerification[]): number {
  return vs.filter((v) => v.state === 'current' && (v.risk === 'critical' || v.risk === 'high')).length
}

export async function watchCluster(
  verifier: ClusterVerifier,
  o: VerifyClusterOptions & {intervalMs: number; onRound: (r: WatchRound) => Promise<void> | void; sleep?: (ms: number) => Promise<void>; maxRounds?: number},
): Promise<WatchRound> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const last = new Map<string, string>()
  for (let round = 1; ; round++) {
    const result = await verifier.run(o)
    const changes = result.verifications.filter((v) => last.get(v.finding) !== v.state)
    for (const v of result.verifications) last.set(v.finding, v.state)
    const r: WatchRound = {round, result, changes, pending: pendingUrgent(result.verifications)}
    await o.onRound(r)
    if (r.pending === 0 || (o.maxRounds !== undefined && round >= o.maxRounds)) return r
    await sleep(o.intervalMs)
  }
}
