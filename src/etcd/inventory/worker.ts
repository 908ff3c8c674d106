import {parentPort, workerData} from 'node:worker_threads'

import type {EncryptionConfig} from '../../cluster/encryption-config.js'
import {type Analysis, analyze, type RevisionJob} from './analyze.js'
import {keyringsFrom, type PackedBatch, unpack} from './pool.js'

// Analysis off the main thread: a batch of stored values in (one transferred
// buffer), value-free analyses out (fingerprints and previews; no value and
// no key material crosses back).

interface Init {
  leakctlEtcdWorker: true
  config: EncryptionConfig | null
}

export function analyzeBatch(batch: PackedBatch, keyringFor: ReturnType<typeof keyringsFrom>): Analysis[] {
  return unpack(batch).map((job: RevisionJob) => analyze(job, keyringFor))
}

// Only inside a worker we started: a test runner's own worker threads must not be answered.
const init = workerData as Init | undefined
if (parentPort && init?.leakctlEtcdWorker) {
  const port = parentPort
  const keyringFor = keyringsFrom(init.config)
  port.on('message', (msg: {id: number; batch: PackedBatch}) => port.postMessage({id: msg.id, results: analyzeBatch(msg.batch, keyringFor)}))
}
