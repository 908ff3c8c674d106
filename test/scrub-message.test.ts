import {describe, expect, it} from 'vitest'

import {scrubMessage} from '../src/scrub-message.js'

describe('scrubMessage: paths are named, tokens are not', () => {
  it('keeps a remote event path made of a directory, an incident id and a ULID', () => {
    const path = 'incidents/inc-20261203-231623-a71d/events/01M8Z30EFEKAP363QZDNV0XWJV.json'
    expect(scrubMessage(`remote event 01M8Z30EFEKAP363QZDNV0XWJV quarantined (${path}, pushed by v)`)).toContain(path)
    expect(scrubMessage('see leakctl/incidents/inc-20261203-231623-a71d/events')).toContain('leakctl/incidents/inc-20261203-231623-a71d/events')
  })

  it('still redacts a random token, alone or with slashes in it (base64)', () => {
    const token = 'Zq8Kx2LmP4vB7nR1tY6wE3uH9sD0fG5a'
    const slashed = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYz8Q3kLmW'
    const out = scrubMessage(`refused: ${token} and ${slashed}`)
    expect(out).not.toContain(token)
    expect(out).not.toContain(slashed)
    expect(out).toMatch(/\[redacted [^\]]+\].*\[redacted [^\]]+\]/)
  })

  it('does not take a token for a path because a ULID-looking segment sits beside it', () => {
    const hidden = 'events/01M8Z30EFEKAP363QZDNV0XWJV/Zq8Kx2LmP4vB7nR1tY6wE3uH9sD0fG5a'
    expect(scrubMessage(`at ${hidden}`)).not.toContain('Zq8Kx2LmP4vB7nR1tY6wE3uH9sD0fG5a')
  })
})
