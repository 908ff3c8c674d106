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
