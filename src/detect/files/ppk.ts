import type {Candidate} from '../engine.js'
import type {CredentialFile} from './index.js'
import {place, report} from './report.js'

// PuTTY private key files (.ppk, versions 2 and 3): a header naming the algorithm and
// the encryption (`none` or `aes256-cbc`, then the key is protected by a passphrase),
// the public lines, then `Private-Lines: N` and N lines of base64: the private key.
// https://the.earth.li/~sgtatham/putty/0.76/htmldoc/AppendixC.html#ppk

const HEADER = /^PuTTY-User-Key-File-(\d{1,2}):[ \t]*([\w@.-]{1,64})[ \t]*\r?$/gm
const ENCRYPTION = /^Encryption:[ \t]*([\w-]{1,32})/m
const PRIVATE = /^Private-Lines:[ \t]*(\d{1,4})[ \t]*\r?\n/m
const BASE64_LINE = /^[A-Za-z0-9+/=]{1,128}$/

function read(text: string, out: Candidate[]): void {
  HEADER.lastIndex = 0
  for (let h = HEADER.exec(text); h; h = HEADER.exec(text)) {
    // A key's header block: up to the next key file or 64 KB.
    const next = text.indexOf('PuTTY-User-Key-File-', h.index + h[0].length)
    const block = text.slice(h.index, next < 0 ? Math.min(text.length, h.index + 65_536) : next)
    const p = PRIVATE.exec(block)
    if (!p) continue
    const encryption = ENCRYPTION.exec(block)?.[1] ?? 'none'
    const start = h.index + p.index + p[0].length
    let end = start // end of the last private line read
    let at = start
    let count = 0
    for (let n = 0; n < Number(p[1]) && at < text.length; n++) {
      const nl = text.indexOf('\n', at)
      const line = text.slice(at, nl < 0 ? text.length : nl).replace(/\r$/, '')
      if (!BASE64_LINE.test(line)) break
      end = at + line.length
      count += line.length
      at = nl < 0 ? text.length : nl + 1
    }
    if (count < 16) continue
    const encrypted = encryption !== 'none'
    // Without CR, so the key has one fingerprint whatever the line ends.
    const secret = text.slice(start, end).replace(/\r/g, '')
    report(out, 'putty-private-key', {
      secret,
      start,
      end,
      class: 'private-key',
      risk: encrypted ? 'medium' : 'high',
      reason: encrypted ? `a PuTTY ${place(h[2])} private key encrypted with ${place(encryption)} (useless without its passphrase, but replace it)` : `a PuTTY ${place(h[2])} private key, not encrypted: whoever has the file logs in as its owner`,
      label: `PuTTY-User-Key-File-${h[1]} ${place(h[2])} Private-Lines: ${p[1]} (${count} base64 chars)`,
    })
  }
}

export const ppk: CredentialFile = {id: 'putty-private-key', path: /\.ppk$/i, read}
