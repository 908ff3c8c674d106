// Finding fields in the text of a credential file with their exact offsets:
// lines with `key = value` scalars (rc files, INI, YAML), JSON string members,
// XML attributes and elements. The text is hostile (a huge line, an unclosed
// quote, malformed JSON or XML): every expression is linear with bounded
// repetitions, nothing is parsed whole, nothing throws.

/** Longest value read as a credential; longer ones are not a password or token. */
export const MAX_VALUE = 4096

export interface Field {
  key: string
  /** The value as a client reads it (unquoted, unescaped). */
  value: string
  /** Offsets of the value as written. */
  start: number
  end: number
}

/** Each line (without its `\r\n`) and the offset where it starts. */
export function* lines(text: string): Generator<[string, number]> {
  let at = 0
  while (at <= text.length) {
    let nl = text.indexOf('\n', at)
    if (nl < 0) nl = text.length
    const line = text.charCodeAt(nl - 1) === 13 ? text.slice(at, nl - 1) : text.slice(at, nl)
    yield [line, at]
    at = nl + 1
  }
}

/**
 * The scalar that starts at `from` in a line: quoted (`"…"`, `'…'`) or bare to the end of
 * the line. `comments`: a bare value ends before ` #` / ` ;` (INI, YAML), where a value
 * with such a sequence would be cut; off for formats that have no inline comments.
 */
export function scalar(line: string, from: number, comments: boolean): {value: string; start: number; end: number} | undefined {
  let i = from
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++
  const q = line[i]
  if (q === '"' || q === "'") {
    let j = i + 1
    while (j < line.length && line[j] !== q) j += line[j] === '\\' && q === '"' ? 2 : 1
    if (j >= line.length) return undefined
    const raw = line.slice(i + 1, j)
    return {value: q === '"' ? raw.replace(/\\(.)/g, '$1') : raw, start: i + 1, end: j}
  }
  let end = line.length
  if (comments) {
    const c = line.slice(i).search(/\s[#;]/)
    if (c >= 0) end = i + c
  }
  while (end > i && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--
  return end > i && end - i <= MAX_VALUE ? {value: line.slice(i, end), start: i, end} : undefined
}

/** One `key<sep>value` line: `re` matches the line's start up to the value (named group `k` the key). */
export function lineFields(text: string, re: RegExp, comments: boolean): (Field & {line: string; lineStart: number})[] {
  const out: (Field & {line: string; lineStart: number})[] = []
  for (const [line, at] of lines(text)) {
    const m = re.exec(line)
    if (!m) continue
    const v = scalar(line, m.index + m[0].length, comments)
    if (v) out.push({key: m.groups?.k ?? m[0], value: v.value, start: at + v.start, end: at + v.end, line, lineStart: at})
  }
  return out
}

const JSON_MEMBER = /"((?:[^"\\\r\n]|\\.){1,256})"\s{0,64}:\s{0,64}"((?:[^"\\\r\n]|\\.){0,4096})"/g

function unescapeJson(raw: string): string {
  if (!raw.includes('\\')) return raw
  try {
    return JSON.parse(`"${raw}"`) as string
  } catch {
    return raw
  }
}

/**
 * `"key": "value"` members whose key passes `keys`, in text order, from JSON that may
 * hold comments or be broken. A member on a `//` or `#` comment line is left out.
 */
export function jsonStrings(text: string, keys: RegExp): Field[] {
  const out: Field[] = []
  JSON_MEMBER.lastIndex = 0
  for (let m = JSON_MEMBER.exec(text); m; m = JSON_MEMBER.exec(text)) {
    const key = unescapeJson(m[1]!)
    if (!keys.test(key) || commentedOut(text, m.index)) continue
    const start = m.index + m[0].length - 1 - m[2]!.length
    out.push({key, value: unescapeJson(m[2]!), start, end: start + m[2]!.length})
  }
  return out
}

/** The line holding `at` starts with a comment (looked up to 256 characters back, never further). */
function commentedOut(text: string, at: number): boolean {
  const from = Math.max(0, at - 256)
  const before = text.slice(from, at)
  const nl = before.lastIndexOf('\n')
  if (nl < 0 && from > 0) return false
  return /^\s*(?:\/\/|#)/.test(before.slice(nl + 1))
}

/** The field nearest to `at` (before or after) among fields in text order, for the host or user beside a password. */
export function nearest(fields: readonly Field[], at: number): Field | undefined {
  let lo = 0
  let hi = fields.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (fields[mid]!.start < at) lo = mid + 1
    else hi = mid
  }
  const before = fields[lo - 1]
  const after = fields[lo]
  if (!before || !after) return before ?? after
  return at - before.start <= after.start - at ? before : after
}

const ENTITIES: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"}

export function unescapeXml(s: string): string {
  if (!s.includes('&')) return s
  return s.replace(/&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g, (all, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (name) return ENTITIES[name]!
    const cp = dec ? Number(dec) : parseInt(hex!, 16)
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : all
  })
}

export interface XmlTag {
  name: string
  start: number
  end: number
  attrs: Map<string, Field>
}

const TAG = /<([A-Za-z_][\w:.-]{0,63})(\s[^<>]{0,8192})?\/?>/g
const ATTR = /([A-Za-z_][\w:.-]{0,63})\s{0,16}=\s{0,16}(?:"([^"<]{0,4096})"|'([^'<]{0,4096})')/g

/** Start tags whose name passes `names`, with their attributes (values unescaped, offsets as written). */
export function xmlTags(text: string, names: RegExp): XmlTag[] {
  const out: XmlTag[] = []
  TAG.lastIndex = 0
  for (let m = TAG.exec(text); m; m = TAG.exec(text)) {
    if (!names.test(m[1]!)) continue
    const attrs = new Map<string, Field>()
    const body = m[2] ?? ''
    const base = m.index + 1 + m[1]!.length
    ATTR.lastIndex = 0
    for (let a = ATTR.exec(body); a; a = ATTR.exec(body)) {
      const raw = a[2] ?? a[3] ?? ''
      const start = base + a.index + a[0].length - 1 - raw.length
      attrs.set(a[1]!, {key: a[1]!, value: unescapeXml(raw), start, end: start + raw.length})
    }
    out.push({name: m[1]!, start: m.index, end: m.index + m[0].length, attrs})
  }
  return out
}

/** `<Name attrs>text</Name>` elements (text without markup), with the text's offsets. */
export function xmlElements(text: string, name: string): (Field & {attrs: string; at: number})[] {
  const re = new RegExp(`<${name}(\\s[^<>]{0,512})?>([^<]{0,${MAX_VALUE}})</${name}\\s{0,16}>`, 'g')
  const out: (Field & {attrs: string; at: number})[] = []
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + 2 + name.length + (m[1]?.length ?? 0)
    out.push({key: name, value: unescapeXml(m[2]!), start, end: start + m[2]!.length, attrs: m[1] ?? '', at: m.index})
  }
  return out
}

/** The text of the first `<name>…</name>` element in `text` (an XML fragment), unescaped. */
export function xmlText(text: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(?:\\s[^<>]{0,512})?>([^<]{0,1024})</${name}\\s{0,16}>`).exec(text)
  return m ? unescapeXml(m[1]!).trim() : undefined
}
