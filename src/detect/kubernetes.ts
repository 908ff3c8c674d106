import {classInfo} from './classes.js'
import {type Candidate, detect} from './engine.js'
import {classForName, decodeBase64Text} from './generic.js'
import {entropy, isPlaceholder} from './placeholder.js'
import {RANK} from './rules.js'

// Kubernetes Secret manifests (YAML) committed to a repository: the values
// under `data:` are base64. The secret is the decoded value, so its
// fingerprint is the one the same Secret gets when read from etcd or the API
// server; the match's offsets are those of the base64 text in the file.
// `stringData:` values are plain text: the format and assignment rules see them.

/**
 * What every document the test below accepts holds, whatever its place: a regular expression that
 * starts with its literal is searched fast, where `^\s*` is tried at every line of the text.
 */
const SECRET_KIND = /kind:\s*["']?secret/i

export function kubernetesSecretData(text: string, out: Candidate[]): void {
  if (!SECRET_KIND.test(text)) return // no document can be a Secret manifest
  let docStart = 0
  for (const doc of text.split(/^---[ \t]*$/m)) {
    if (/^\s*kind:\s*["']?Secret["']?\s*$/im.test(doc)) secretDoc(doc, docStart, out)
    docStart += doc.length + 3
  }
}

interface Block {
  key: string
  indent: number
  start: number
  end: number
  parts: string[]
}

function secretDoc(doc: string, base: number, out: Candidate[]): void {
  const lines = doc.split('\n')
  let offset = base
  let dataIndent = -1
  let block: Block | undefined
  const flush = () => {
    if (block && block.parts.length) pushSecretData(block.key, block.parts.join(''), block.start, block.end, out)
    block = undefined
  }
  for (const raw of lines) {
    const line = raw.replace(/\t/g, '  ')
    const indent = line.length - line.trimStart().length
    const blank = line.trim() === '' || line.trimStart().startsWith('#')
    if (block && !blank && indent > block.indent) {
      if (block.parts.length === 0) block.start = offset + raw.search(/\S/)
      block.parts.push(line.trim())
      block.end = offset + raw.trimEnd().length
    } else if (!blank) {
      flush()
      if (/^\s*data:\s*$/.test(line)) dataIndent = indent
      else if (dataIndent >= 0 && indent <= dataIndent) dataIndent = -1
      else if (dataIndent >= 0) {
        const m = /^\s*([\w.-]{1,253}):\s*(?:([|>][-+]?)|["']?([A-Za-z0-9+/]{8,}={0,2})["']?)\s*$/.exec(line)
        if (m?.[2]) block = {key: m[1]!, indent, start: offset, end: offset, parts: []}
        else if (m?.[3]) {
          const start = offset + raw.indexOf(m[3])
          pushSecretData(m[1]!, m[3], start, start + m[3].length, out)
        }
      }
    }
    offset += raw.length + 1
  }
  flush()
}

const NOT_SECRET_KEY = /^(?:user(?:name)?|login|host(?:name)?|port|database|dbname|namespace|region|endpoint|url|ca\.crt|tls\.crt|.*\.crt|.*\.pub)$/i

function pushSecretData(key: string, b64: string, start: number, end: number, out: Candidate[]): void {
  if (NOT_SECRET_KEY.test(key)) return
  const text = decodeBase64Text(b64)
  const secret = text ?? b64
  // A structured value (a docker config, a properties file) is judged by what it holds, not as one word.
  const structured = text !== undefined && /[\n{]/.test(text.trim())
  if (text !== undefined ? text.trim().length < 4 || (!structured && isPlaceholder(text, true)) : isPlaceholder(b64) || entropy(b64) < 3) return
  // What the value is, by its format first (a JWT is a service-account token, a PEM block a key), then by its name.
  const inner = text !== undefined && text.length < 65_536 ? detect(text).find((m) => m.rule !== 'generic-assignment') : undefined
  const cls = inner?.class ?? classForName(key) ?? (key.includes('dockerc') ? 'docker-config' : 'generic-secret')
  out.push({
    rule: 'kubernetes-secret-data',
    family: 'kubernetes',
    class: cls,
    risk: inner?.risk ?? classInfo(cls).risk,
    reason: `data.${key} of a Kubernetes Secret manifest: ${inner?.reason ?? classInfo(cls).title}`,
    secret,
    reveal: 0,
    start,
    end,
    preview: `data.${key}: ${'*'.repeat(8)} (base64, ${b64.length} chars)`,
    rank: RANK.context,
  })
}
