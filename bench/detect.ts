import {randomBytes} from 'node:crypto'
import {join} from 'node:path'

import {detect} from '../src/detect/engine.js'
import {RULES} from '../src/detect/rules.js'
import {casesPath, evaluate, pct, readCases} from './gitleaks-cases.js'
import {fmtMs, printTable} from './lib.js'

// The detection engine: recall and false positives on a peer's own samples,
// and throughput on source-like text beside a bare keyword scan of the same bytes.

const LINES = [
  'const result = await client.fetch(`/api/v1/items/${id}`, {method: "GET"})',
  'export function parseConfig(text: string): Config { return schema.parse(JSON.parse(text)) }',
  '  - name: LOG_LEVEL\n    value: "info"',
  'if (user.isAdmin && !session.expired) { audit.log("access", user.id) }',
  'SELECT id, name, created_at FROM accounts WHERE tenant_id = $1 ORDER BY id LIMIT 50;',
  '# Retry with exponential backoff; the token bucket refills every second',
  'def handler(event, context):\n    return {"statusCode": 200, "body": json.dumps(event)}',
  'password_min_length = 12  # policy, not a secret',
  '<dependency><groupId>org.example</groupId><artifactId>core</artifactId></dependency>',
  'server:\n  port: 8080\n  tls:\n    certFile: /etc/tls/tls.crt',
]

function corpus(bytes: number): {text: string; planted: number} {
  const parts: string[] = []
  let size = 0
  let planted = 0
  while (size < bytes) {
    let line = LINES[(Math.random() * LINES.length) | 0]!
    if (Math.random() < 0.002) {
      line = `DB_PASSWORD="${randomBytes(12).toString('base64url')}"`
      planted++
    } else if (Math.random() < 0.001) {
      line = `token: ghp_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'a').slice(0, 36)}`
      planted++
    }
    parts.push(line)
    size += line.length + 1
  }
  return {text: parts.join('\n'), planted}
}

export default async function detectBench(): Promise<void> {
  const path = casesPath(join(import.meta.dirname, '..', '..'))
  if (path) {
    const e = evaluate(readCases(path))
    const families = [...e.byRule.entries()].sort(([a], [b]) => a.localeCompare(b))
    printTable(
      'Detection on the gitleaks samples (tp: recall; fp: texts that must yield nothing)',
      [
        ...families.map(([rule, t]) => ({label: rule, values: {'tp found': `${t.tpFound}/${t.tp}`, recall: pct(t.tpFound, t.tp), 'fp flagged': `${t.fpFlagged}/${t.fp}`}})),
        {label: 'CLAIMED FORMATS', values: {'tp found': `${e.claimed.tpFound}/${e.claimed.tp}`, recall: pct(e.claimed.tpFound, e.claimed.tp), 'fp flagged': `${e.claimed.fpFlagged}/${e.claimed.fp} (${pct(e.claimed.fpFlagged, e.claimed.fp)})`}},
        {label: 'ALL SAMPLES', values: {'tp found': `${e.all.tpFound}/${e.all.tp}`, recall: pct(e.all.tpFound, e.all.tp), 'fp flagged': `${e.all.fpFlagged}/${e.all.fp} (${pct(e.all.fpFlagged, e.all.fp)})`}},
      ],
    )
  } else {
    process.stdout.write('\n(gitleaks samples not found beside the repository: ../shared/bench/gitleaks-cases.jsonl)\n')
  }

  const {text, planted} = corpus(32 * 1024 * 1024)
  const mb = Buffer.byteLength(text) / (1024 * 1024)
  const keywords = new RegExp([...new Set(RULES.flatMap((r) => r.keywords))].map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi')
  const time = (fn: () => number): {ms: number; n: number} => {
    const t0 = performance.now()
    const n = fn()
    return {ms: performance.now() - t0, n}
  }
  const base = time(() => text.match(keywords)?.length ?? 0)
  // Files are scanned one by one; cut the corpus into ~8 KB files like a repository's blobs.
  const files: string[] = []
  for (let i = 0; i < text.length; i += 8192) files.push(text.slice(i, i + 8192))
  const engine = time(() => files.reduce((n, f) => n + detect(f).length, 0))
  printTable(`Detection throughput on ${mb.toFixed(0)} MB of source-like text in ${files.length.toLocaleString('en')} files (${planted} planted secrets)`, [
    {label: 'baseline: one keyword regex pass', values: {time: fmtMs(base.ms), 'MB/s': (mb / (base.ms / 1000)).toFixed(0), hits: String(base.n)}},
    {label: 'leakctl detect()', values: {time: fmtMs(engine.ms), 'MB/s': (mb / (engine.ms / 1000)).toFixed(0), hits: `${engine.n} findings`}},
  ])
}
