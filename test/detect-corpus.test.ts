import {randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {generateCorpus, PLANTED_FORMATS, scoreCorpus} from '../bench/detect/corpus.js'
import {detect, matchFindingBase} from '../src/detect/engine.js'
import {scrubText} from '../src/detect/scrub.js'
import {TEST_FINGERPRINTER} from './helpers/fingerprint.js'

// A generated repository: ordinary lines, look-alike lines (types, env lookups,
// templates, documentation examples) and planted credentials of every claimed
// format. Every planted value must be found, and nothing else reported.

describe('a generated corpus with planted credentials', () => {
  const corpus = generateCorpus(3 * 1024 * 1024, {seed: Date.now() & 0xffff, plantEvery: 150})
  const r = scoreCorpus(corpus, (f) => detect(f.text, {path: f.path}))

  it('plants every format (the generator is not empty)', () => {
    expect(new Set(corpus.planted.map((p) => p.format)).size).toBe(PLANTED_FORMATS.length)
  })
  it('finds every planted credential', () => {
    const missed = [...r.byFormat.entries()].filter(([, t]) => t.found < t.planted).map(([f, t]) => `${f} ${t.found}/${t.planted}`)
    expect(missed).toEqual([])
  })
  it('reports nothing that was not planted', () => {
    expect(r.falseFindings.map((f) => `${f.rule} ${f.path}:${f.line}`)).toEqual([])
  })
})

describe('canary: a secret value never leaves through what the engine hands out', () => {
  const canary = `CANARY${randomBytes(12).toString('hex')}`
  const inputs = [
    `DB_PASSWORD="${canary}"`,
    `postgres://app:${canary}@db.internal/app`,
    `ghp_${canary.slice(0, 36).padEnd(36, 'Q')}`,
    `{"auths": {"r": {"auth": "${Buffer.from(`u:${canary}`).toString('base64')}"}}}`,
    `curl -u admin:${canary} https://ci.acme.io`,
    `<password>${canary}</password>`,
  ]
  it('finding bases hold fingerprints and previews only', () => {
    for (const text of inputs) {
      const found = detect(text)
      expect(found.length, text.replace(canary, '<canary>')).toBeGreaterThan(0)
      const out = JSON.stringify(found.map((m) => matchFindingBase(m, TEST_FINGERPRINTER)))
      expect(out.includes(canary.slice(6, 18)), 'a finding base carries part of the canary').toBe(false)
    }
  })
  it('scrubbed notes do not hold it', () => {
    for (const text of inputs) {
      const s = scrubText(`rotated after the leak: ${text} (paged the DBA)`)
      expect(s.text.includes(canary.slice(6, 18)), 'scrubbed text carries part of the canary').toBe(false)
      expect(s.redacted).toBeGreaterThan(0)
      expect(s.text).toContain('paged the DBA')
    }
  })
})
