// --json output written piece by piece: byte for byte what
// JSON.stringify(value, null, 2) gives, without holding it all as one
// string. A scan of 50,000 Secrets made a string of a hundred megabytes and
// then a buffer of the same size to write it; here the big arrays go out in
// chunks of about 64 KB (stdout is synchronous on pipes and files, so memory
// stays flat).

const CHUNK = 1 << 16
/** Objects and arrays this deep are walked here; below, JSON.stringify does each piece whole. */
const WALK_DEPTH = 1

export function writeJson(value: unknown, write: (chunk: string) => void): void {
  const out = new Chunked(write)
  emit(value, '', 0, out)
  out.push('\n')
  out.flush()
}

class Chunked {
  private buf = ''
  constructor(private readonly write: (chunk: string) => void) {}
  push(s: string): void {
    this.buf += s
    if (this.buf.length >= CHUNK) this.flush()
  }
  /** A long piece of JSON text, cut at line ends (never inside a character) into chunks of at most CHUNK where it can be. */
  pushLines(s: string): void {
    if (this.buf.length + s.length < CHUNK) return this.push(s)
    this.flush()
    let start = 0
    while (s.length - start >= CHUNK) {
      let cut = s.lastIndexOf('\n', start + CHUNK - 1)
      if (cut < start) cut = s.indexOf('\n', start + CHUNK)
      if (cut < 0) break
      this.write(s.slice(start, cut + 1))
      start = cut + 1
    }
    this.push(s.slice(start))
  }
  flush(): void {
    if (this.buf) this.write(this.buf)
    this.buf = ''
  }
}

/** What JSON.stringify would write for a value in an array: `null` for what it cannot represent. */
function whole(value: unknown, indent: string): string | undefined {
  const s = JSON.stringify(value, null, 2) as string | undefined
  return s === undefined ? undefined : indent ? s.replaceAll('\n', `\n${indent}`) : s
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
    if (depth + 1 > WALK_DEPTH) return emitRuns(value, indent, out)
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

/** Elements per JSON.stringify call when an array's elements are not walked: one native call per run, not per element. */
const RUN = 256

/**
 * An array whose elements JSON.stringify writes whole, a run of plain
 * objects at a time: `[\n  a,\n  b\n]` with its brackets cut off and every
 * line indented once more is exactly the elements one by one at this depth.
 * Anything else (a value with toJSON, a primitive) goes alone, as before.
 */
function emitRuns(value: unknown[], indent: string, out: Chunked): void {
  const inner = `${indent}  `
  out.push('[\n')
  let i = 0
  while (i < value.length) {
    let end = i
    while (end < value.length && end - i < RUN && walkable(value[end])) end++
    if (end > i) {
      const s = JSON.stringify(value.slice(i, end), null, 2)
      const body = s.slice(2, -2)
      out.pushLines(indent ? `${indent}${body.replaceAll('\n', `\n${indent}`)}` : body)
      i = end
    } else {
      out.push(`${inner}${whole(value[i], inner) ?? 'null'}`)
      i++
    }
    out.push(i < value.length ? ',\n' : '\n')
  }
  out.push(`${indent}]`)
}
