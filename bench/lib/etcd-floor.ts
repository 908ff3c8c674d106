import {closeSync, openSync, readFileSync, writeSync} from 'node:fs'

import {writeJson} from '../../cli/render/json.js'
import {readEnvelope} from '../../src/etcd/envelope.js'
import {routeKey} from '../../src/etcd/k8s/keys.js'
import {openSnapshot} from '../../src/etcd/snapshot.js'

// The least any `scan etcd --json` must do, timed in a fresh process by
// bench/etcd.ts: walk every revision of the file (key as text, its route,
// the envelope's first bytes), then write the document the scan wrote
// (parsed beforehand, untimed). No value is decoded or classified, nothing
// folded. Prints {"readMs": …, "jsonMs": …}.
//
//   node dist/bench/lib/etcd-floor.js SNAPSHOT SCAN_OUTPUT.json

const [snapshot, output] = process.argv.slice(2)
if (!snapshot || !output) throw new Error('usage: etcd-floor.js SNAPSHOT SCAN_OUTPUT.json')

const t0 = performance.now()
const snap = openSnapshot(snapshot)
let routed = 0
try {
  for (const r of snap.revisions()) {
    const route = routeKey(r.key.toString('utf8'))
    if (route && !r.tombstone && readEnvelope(r.value).storage === 'encrypted') routed++
  }
} finally {
  snap.close()
}
const readMs = performance.now() - t0

const document: unknown = JSON.parse(readFileSync(output, 'utf8'))
const fd = openSync('/dev/null', 'w')
const t1 = performance.now()
writeJson(document, (chunk) => void writeSync(fd, chunk))
const jsonMs = performance.now() - t1
closeSync(fd)
process.stdout.write(`${JSON.stringify({readMs, jsonMs, routed})}\n`)
