import type {Fingerprinter} from '../fingerprint/key.js'
import {compiledWorker, type Payload, pool} from '../parallel/pool.js'
import {type BlobJob, type BlobResult, blobScan} from './scan-worker.js'

// Detection on blobs, on worker threads while git streams (both cores busy).

export interface BlobScanner {
  /** Resolves when there is room for more (backpressure). */
  add(job: BlobJob, data: Payload): Promise<void> | undefined
  finish(): Promise<BlobResult[]>
}

export function blobScanner(fp: Fingerprinter): BlobScanner {
  const results: BlobResult[] = []
  // The key goes to the threads we start, structured-cloned: never through a file or a message to print.
  const p = pool<BlobJob, BlobResult>(compiledWorker('src/git/scan-worker'), blobScan(fp), {fingerprintKey: fp.keyBytes()}, {batchJobs: 256, onResults: (r) => results.push(...r)})
  return {
    add: (job, data) => p.add(job, data),
    finish: async () => {
      await p.finish()
      return results
    },
  }
}
