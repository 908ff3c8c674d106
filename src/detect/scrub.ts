import {detect} from './engine.js'
import {redact} from './finding.js'

// Free text typed by responders (notes, titles) may carry a credential pasted
// by mistake ("new password is ..."). Scrub it with the detection engine
// before it reaches the log.

export interface Scrubbed {
  text: string
  redacted: number
}

/** Phrases people type in notes that the engine's assignment syntax does not cover. */
const SPOKEN = /\b((?:new |old |the )?(?:password|passwd|passphrase|secret|token|api key|key)\s+(?:is|was|=|:)\s+)(["']?)([^\s"']{6,})\2/gi

export function scrubText(text: string): Scrubbed {
  const matches = detect(text)
  let out = ''
  let at = 0
  for (const m of matches) {
    if (m.start < at) continue
    out += `${text.slice(at, m.start)}[redacted ${m.rule === 'private-key' ? m.preview : redact(m.secret, m.reveal)}]`
    at = m.end
  }
  out += text.slice(at)
  let spoken = 0
  out = out.replace(SPOKEN, (whole, lead: string, q: string, value: string) => {
    if (value.startsWith('[redacted')) return whole
    spoken++
    return `${lead}${q}[redacted ${redact(value)}]${q}`
  })
  return {text: out, redacted: matches.length + spoken}
}
