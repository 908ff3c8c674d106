import {inputError} from '../../errors.js'
import type {IncidentState} from '../../incident/state.js'
import {collectFromFiles} from './files.js'
import {Pivots} from './pivots.js'
import {buildResult, type CloudTrailResult, type Collected} from './report.js'
import {count} from '../../text/count.js'

// One entry point for the command: which keys, since when, from which
// source; returns the judged result.

export const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/

export function checkKeyIds(keys: string[]): string[] {
  const out = [...new Set(keys.map((k) => k.trim()))]
  for (const k of out) {
    if (!ACCESS_KEY_ID.test(k)) {
      // Never echo what may be a secret access key pasted by mistake.
      const hint = /^[A-Za-z0-9/+=]{40}$/.test(k) ? ' (that looks like a secret access key: pass the key id, AKIA...)' : ''
      throw inputError('logs.key-id', `--access-key-id: ${k.length === 40 ? 'a 40-character value' : `"${k.slice(0, 24)}"`} is not an AWS access key id (AKIA or ASIA and 16 letters or digits)${hint}`)
    }
  }
  return out
}

/** The leaked AWS key ids an incident holds (findings of class aws-access-key with a keyId). */
export function incidentKeyIds(state: IncidentState): string[] {
  return [...new Set(state.findings.filter((f) => f.class === 'aws-access-key' && f.keyId && ACCESS_KEY_ID.test(f.keyId)).map((f) => f.keyId!))]
}

/** The exposure time: the incident's, else the earliest commit date of a finding of these keys. */
export function incidentExposure(state: IncidentState, keys: string[]): Date | null {
  if (state.exposedAt) return new Date(state.exposedAt)
  const dates = state.findings.filter((f) => f.keyId && keys.includes(f.keyId) && f.source === 'git').map((f) => (f as {date: string}).date)
  return dates.length ? new Date(dates.sort()[0]!) : null
}

export type Source =
  | {kind: 'files'; path: string}
  | {kind: 'api'; regions?: string[]; profile?: string; homeRegion: string; baselineMs: number; maxPivots: number; until?: number}
  | {kind: 'athena'; database: string; table: string; workgroup: string; output?: string; location?: string; regions?: string[]; profile?: string; homeRegion: string; baselineMs: number; maxPivots: number; until?: number}

export interface InvestigateOptions {
  keys: string[]
  since: Date | null
  source: Source
  onProgress?: (text: string) => void
}

export async function investigateCloudTrail(o: InvestigateOptions): Promise<CloudTrailResult> {
  const pivots = new Pivots(o.keys)
  const since = o.since ? o.since.getTime() : null
  let collected: Collected
  switch (o.source.kind) {
    case 'files':
      collected = await collectFromFiles({
        path: o.source.path,
        pivots,
        since,
        onProgress: (p) => o.onProgress?.(`reading ${p.files}/${p.totalFiles} files, ${count(p.records)} records, ${(p.bytesRead / 1e6).toFixed(1)} MB`),
      })
      break
    case 'api':
      // The SDK clients load only when used: reading files stays fast to start.
      collected = await (await import('./api.js')).collectFromApi({...o.source, pivots, since, onProgress: o.onProgress})
      break
    case 'athena':
      collected = await (await import('./athena.js')).collectFromAthena({...o.source, pivots, since, onProgress: o.onProgress})
      break
  }
  if (since === null) collected.warnings.unshift('no exposure time (--since, or the incident\'s exposed-at): there is no baseline, every event counts as after the exposure')
  return buildResult(collected, pivots, since)
}
