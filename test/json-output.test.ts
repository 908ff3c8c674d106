import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {writeJson} from '../cli/render/json.js'
import {BIN, cliEnv, ROOT, tempDir} from './helpers/cli.js'

// --json is written in chunks; what comes out must be exactly JSON.stringify(value, null, 2).

function written(value: unknown): {text: string; chunks: string[]} {
  const chunks: string[] = []
  writeJson(value, (c) => chunks.push(c))
  return {text: chunks.join(''), chunks}
}

describe('writeJson', () => {
  it('writes what JSON.stringify(value, null, 2) writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({maxDepth: 6}), (v) => {
        expect(written(v).text).toBe(`${JSON.stringify(v, null, 2)}\n`)
      }),
      {numRuns: 500},
    )
  })

  it('drops and nulls what JSON.stringify drops and nulls; dates and buffers go through toJSON', () => {
    const v = {
      a: undefined,
      f: () => 1,
      s: Symbol('x'),
      list: [undefined, () => 1, 1, {b: undefined}, {}, []],
      when: new Date('2026-11-22T09:14:00Z'),
      bytes: Buffer.from('hi'),
      nested: {deeper: {deepest: {x: [1, {y: 'line\nbreak "quoted" \u2028'}]}}},
      map: new Map([[1, 2]]),
      'key with "quotes" and \u00e9': null,
    }
    expect(written(v).text).toBe(`${JSON.stringify(v, null, 2)}\n`)
    expect(written(undefined).text).toBe('null\n')
    expect(written([]).text).toBe('[]\n')
    expect(written({}).text).toBe('{}\n')
  })

  it('a 50,000-entry result goes out in chunks of about 64 KB, never as one string', () => {
    const secrets = Array.from({length: 50_000}, (_, i) => ({namespace: `ns${i % 50}`, name: `s${i}`, credentials: [{class: 'password', fingerprint: `sha256:${i.toString(16).padStart(64, '0')}`}]}))
    const {text, chunks} = written({summary: {total: secrets.length}, secrets})
    expect(text).toBe(`${JSON.stringify({summary: {total: secrets.length}, secrets}, null, 2)}\n`)
    expect(chunks.length).toBeGreaterThan(100)
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(70_000)
  })

  // stdoutWriter writes the descriptor itself: the same bytes to a pipe as to a file, and a reader that
  // leaves early (`| head`) ends the writing without an error.
  it('--json on stdout: a pipe gets what a file gets; a reader that stops early is no error', () => {
    const {dir, cleanup} = tempDir()
    try {
      const snapshot = join(ROOT, 'fixtures', 'etcd', 'golden', 'cluster-2000.db')
      const file = join(dir, 'out.json')
      const env = {...cliEnv(), LEAKCTL_WORKSPACE: join(dir, 'ws'), BIN, SNAP: snapshot, OUT: file}
      const toFile = spawnSync('bash', ['-c', 'node "$BIN" scan etcd "$SNAP" --json > "$OUT"'], {env, encoding: 'utf8'})
      expect(toFile.status).toBe(1)
      const piped = spawnSync('bash', ['-c', 'node "$BIN" scan etcd "$SNAP" --json | cat'], {env, encoding: 'utf8', maxBuffer: 1 << 28})
      const same = (s: string) => s.replace(/^ {4}"ms": \d+$/m, '')
      expect(piped.stdout.length).toBeGreaterThan(1 << 20)
      expect(same(piped.stdout)).toBe(same(readFileSync(file, 'utf8')))
      const head = spawnSync('bash', ['-c', 'node "$BIN" scan etcd "$SNAP" --json | head -c 100 > /dev/null; echo "exit ${PIPESTATUS[0]}"'], {env, encoding: 'utf8'})
      expect(head.stdout.trim()).toBe('exit 1')
      expect(head.stderr).toBe('')
    } finally {
      cleanup()
    }
  })
})
