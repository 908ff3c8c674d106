import {parentPort, workerData} from 'node:worker_threads'

import {detect, matchFindingBase} from '../detect/engine.js'
import {type Fingerprinter, workerFingerprinter} from '../fingerprint/key.js'
import {type JobFn, serveJobs} from '../parallel/pool.js'

// Detection off the main thread: blobs in, value-free hits out (fingerprints
// and previews; the secret never crosses back).

export interface BlobJob {
  sha: string
  path: string
}

export interface BlobResult {
  sha: string
  binary: boolean
  hits: {fingerprint: string; line: number; base: ReturnType<typeof matchFindingBase>}[]
}

/** Scans one blob; `fp` is the workspace's fingerprinter (a worker gets its key in workerData). */
export const blobScan = (fp: Fingerprinter): JobFn<BlobJob, BlobResult> => (job, bytes) => scanBlob(job, bytes, fp)

function scanBlob(job: BlobJob, bytes: Uint8Array, fp: Fingerprinter): BlobResult {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (data.subarray(0, 8000).includes(0)) return {sha: job.sha, binary: true, hits: []}
  const seen = new Set<string>()
  const hits: BlobResult['hits'] = []
  for (const m of detect(data.toString('utf8'), {path: job.path})) {
    const base = matchFindingBase(m, fp)
    if (seen.has(base.fingerprint)) continue
    seen.add(base.fingerprint)
    hits.push({fingerprint: base.fingerprint, line: m.line, base})
  }
  return {sha: job.sha, binary: false, hits}
}

// Only inside a worker we started: a test runner's own worker threads must not be answered.
if (parentPort && (workerData as {leakctlWorker?: boolean} | undefined)?.leakctlWorker) serveJobs(parentPort, blobScan(workerFingerprinter(workerData)))
