// --json output written piece by piece: byte for byte what
// JSON.stringify(value, null, 2) gives, without holding it all as one
// string. A scan of 50,000 Secrets made a string of a hundred megabytes and
// then a buffer of the same size to write it; here the big arrays go out in
// chunks of about 64 KB, written at once by stdoutWriter (on a pipe too), so
// memory stays flat.

import {writeSync} from 'node:fs'

const CHUNK = 1 << 16
/** Objects and arrays this deep are walked here; below, JSON.stringify does each piece whole. */
const WALK_DEPTH = 1

export function writeJson(value: unknown, write: (chunk: string) => void): void {
  const out = new Chunked(write)
  emit(value, '', 0, out)
  out.push('\n')
  out.flush()
}

type StdoutHandle = {_handle?: {setBlocking?: (blocking: boolean) => number}}

/**
 * Where writeJson's chunks go on stdout: straight to its descriptor, each
 * chunk encoded into one reused buffer. process.stdout.write would copy each
 * chunk into a fresh buffer (files, /dev/null) or, on a pipe, queue the whole
 * document unwritten until the command returns (40 MB of strings held, then
 * encoded at once: a second of CPU for `scan etcd --json | jq` on 50,000
 * Secrets). The pipe is made blocking, as Node makes a terminal, so the
 * reader sets the pace and memory stays flat.
 */
export function stdoutWriter(): (chunk: string) => void {
  const stream = process.stdout
  // Something already queued on the stream goes first: keep its order by staying on the stream.
  if (stream.writableLength > 0 || typeof stream.fd !== 'number') return (chunk) => void stream.write(chunk)
  ;(stream as unknown as StdoutHandle)._handle?.setBlocking?.(true)
  let buf = Buffer.allocUnsafe(CHUNK * 3)
  let direct = true
  let closed = false
  return (chunk) => {
    if (closed) return
    if (!direct) return void stream.write(chunk)
    if (chunk.length * 3 > buf.length) buf = Buffer.allocUnsafe(chunk.length * 3)
    const n = buf.write(chunk)
    let at = 0
    try {
      while (at < n) at += writeSync(stream.fd, buf, at, n - at)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      // The reader is gone (`| head`): the rest has nowhere to go.
      if (code === 'EPIPE') closed = true
      // A descriptor that stayed non-blocking: the stream queues the rest, in order.
      else if (code === 'EAGAIN') {
        direct = false
        stream.write(Buffer.from(buf.subarray(at, n)))
      } else throw error
    }
  }
}

class Chunked {
  private buf = ''
  constructor(private readonly write: (chunk: string) => void) {}
  push(s: string): void {
    this.buf += s
    if (this.buf.length >= CHUNK) this.flush()
  }
  flush(): void {
    if (this.buf) this.write(this.buf)
    this.buf = ''
  }
}

/**
 * What JSON.stringify would write for a value in an array, at the depth of
 * `indent`: `null` for what it cannot represent. The value is stringified
 * inside as many one-element arrays as its depth, so its lines come out
 * indented already and the wrapper is cut off without copying — a
 * re-indent with replaceAll copied all 40 MB of a 50,000-Secret scan again.
 */
function whole(value: unknown, indent: string): string | undefined {
  if (!indent) return JSON.stringify(value, null, 2) as string | undefined
  const k = indent.length / 2
  let wrapped: unknown = value
  for (let i = 0; i < k; i++) wrapped = [wrapped]
  const s = JSON.stringify(wrapped, null, 2)
  // Before the value: k lines `[` indented 0, 2, … 2k-2, then 2k spaces; after it: k lines `]` each after a newline.
  return s.slice(k * k + 3 * k, s.length - (k * k + k))
}

function walkable(value: unknown): value is Record<string, unknown> | unknown[] {
  // toJSON (Dates, ...) decides its own form: leave those to JSON.stringify.
  return typeof value === 'object' && value !== null && typeof (value as {toJSON?: unknown}).toJSON !== 'function'
}

function emit(value: unknown, indent: string, depth: number, out: Chunked): void {
  if (depth > WALK_DEPTH || !walkable(value)) {
    out.push(whole(value, indent) ?? 'null')
    return
  }
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return out.push('[]')
    out.push('[\n')
    for (let i = 0; i < value.length; i++) {
      out.push(inner)
      const v = value[i]
      if (walkable(v)) emit(v, inner, depth + 1, out)
      else out.push(whole(v, inner) ?? 'null')
      out.push(i < value.length - 1 ? ',\n' : '\n')
    }
    out.push(`${indent}]`)
    return
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol')
  if (entries.length === 0) return out.push('{}')
  out.push('{\n')
  entries.forEach(([k, v], i) => {
    out.push(`${inner}${JSON.stringify(k)}: `)
    emit(v, inner, depth + 1, out)
    out.push(i < entries.length - 1 ? ',\n' : '\n')
  })
  out.push(`${indent}}`)
}
