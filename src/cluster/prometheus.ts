// The Prometheus text exposition format (version 0.0.4), as kube-apiserver
// serves /metrics:   name{label="value",other="v"} 12 [timestamp]
// Only samples whose name starts with one of `prefixes` are parsed: the API
// server's /metrics is several megabytes, and the encryption series are a
// few dozen lines of it.

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export function parseSamples(text: string, prefixes: readonly string[]): Sample[] {
  const out: Sample[] = []
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    if (text.charCodeAt(start) !== 35 /* # */ && prefixes.some((p) => text.startsWith(p, start))) {
      const s = parseLine(text.slice(start, end).trimEnd())
      if (s) out.push(s)
    }
    start = end + 1
  }
  return out
}

/** One sample line; null when it is not one (a malformed line is skipped, as Prometheus would reject only it). */
export function parseLine(line: string): Sample | null {
  let i = 0
  while (i < line.length && /[A-Za-z0-9_:]/.test(line[i]!)) i++
  const name = line.slice(0, i)
  if (!name) return null
  const labels: Record<string, string> = {}
  while (line[i] === ' ') i++
  if (line[i] === '{') {
    i++
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++
      if (line[i] === '}') {
        i++
        break
      }
      const ls = i
      while (i < line.length && /[A-Za-z0-9_]/.test(line[i]!)) i++
      const label = line.slice(ls, i)
      while (line[i] === ' ') i++
      if (!label || line[i] !== '=') return null
      i++
      while (line[i] === ' ') i++
      if (line[i] !== '"') return null
      i++
      let value = ''
      for (;;) {
        if (i >= line.length) return null
        const c = line[i]!
        if (c === '\\') {
          const n = line[i + 1]
          value += n === 'n' ? '\n' : (n ?? '')
          i += 2
          continue
        }
        if (c === '"') {
          i++
          break
        }
        value += c
        i++
      }
      labels[label] = value
    }
  }
  const rest = line.slice(i).trim().split(/\s+/)
  const raw = rest[0]
  if (!raw) return null
  const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw)
  if (Number.isNaN(value) && raw !== 'NaN') return null
  return {name, labels, value}
}
