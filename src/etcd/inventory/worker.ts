import {parentPort, workerData} from 'node:worker_threads'

import type {EncryptionConfig} from '../../cluster/encryption-config.js'
import {type Fingerprinter, workerFingerprinter} from '../../fingerprint/key.js'
import {serveJobs} from '../../parallel/pool.js'
import type {Category} from '../k8s/keys.js'
import {type Analysis, analyze, type KeyringFor} from './analyze.js'
import {keyringsFrom} from './keyrings.js'

// One stored value per job, analysed on a worker thread of the shared pool
// (src/parallel/pool.ts): the value arrives as the job's payload, a
// value-free analysis goes back — fingerprints and previews; no value and no
// key material crosses back.

export interface ValueJob {
  /** Position in the scan, so the fold can put results back in revision order. */
  seq: number
  key: string
  main: number
  category: Category
  resource: string
  group: string
}

export type ValueResult = Analysis & {seq: number}

export function analyzeJob(job: ValueJob, payload: Uint8Array, keyringFor: KeyringFor | null, fp: Fingerprinter): ValueResult {
  const value = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  return {seq: job.seq, ...analyze({key: job.key, main: job.main, category: job.category, resource: job.resource, group: job.group, value}, keyringFor, fp)}
}

// Only inside a worker the pool started: a test runner's own worker threads must not be answered.
const data = workerData as {leakctlWorker?: boolean; encryptionConfig?: EncryptionConfig | null} | undefined
if (parentPort && data?.leakctlWorker) {
  const keyringFor = keyringsFrom(data.encryptionConfig ?? null)
  const fp = workerFingerprinter(data)
  serveJobs(parentPort, (job: ValueJob, payload) => analyzeJob(job, payload, keyringFor, fp))
}
