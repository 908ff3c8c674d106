import {compiledWorker, pool} from '../parallel/pool.js'
import {type BlobJob, type BlobResult, scanBlob} from './scan-worker.js'

// Detection on blobs, on worker threads while git streams (both cores busy).

export interface BlobScanner {
  /** Resolves when there is room for more (backpressure). */
  add(job: BlobJob): Promise<void> | undefined
  finish(): Promise<BlobResult[]>
}

export function blobScanner(): BlobScanner {
  const p = pool<BlobJob, BlobResult>(compiledWorker('src/git/scan-worker'), scanBlob, {}, {batchJobs: 256})
  return {
    // Each job's data owns its ArrayBuffer (see readBlobs): transfer, never copy.
    add: (job) => p.add(job, job.data.byteLength, [job.data.buffer as ArrayBuffer]),
    finish: () => p.finish(),
  }
}
