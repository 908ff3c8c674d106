import {compiledWorker, pool} from '../parallel/pool.js'
import {type BlobJob, type BlobResult, scanBlob} from './scan-worker.js'

// Detection on blobs, on worker threads while git streams (both cores busy).

export interface BlobScanner {
  /** Resolves when there is room for more (backpressure). */
  add(job: BlobJob, data: Uint8Array): Promise<void> | undefined
  finish(): Promise<BlobResult[]>
}

export function blobScanner(): BlobScanner {
  const results: BlobResult[] = []
  const p = pool<BlobJob, BlobResult>(compiledWorker('src/git/scan-worker'), scanBlob, {}, {batchJobs: 256, onResults: (r) => results.push(...r)})
  return {
    add: (job, data) => p.add(job, data),
    finish: async () => {
      await p.finish()
      return results
    },
  }
}
