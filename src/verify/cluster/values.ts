import {detect} from '../../detect/engine.js'
import type {LiveObject} from './live.js'

// The values a live object holds at the place a finding names, in the forms
// the scan fingerprinted them: the whole data value, and what the detection
// engine extracts from it (the password inside a URL, the key inside a
// properties file), a bootstrap token as `id.secret`. They live in memory
// only while they are hashed.

export type Value = string | Uint8Array

export interface FieldValues {
  /** False when the field itself is gone (the data key, the env var, the annotation). */
  present: boolean
  values: Value[]
  /** The data key, when the field is one (for consumers reading one key). */
  key: string | null
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

function detected(text: string, path: string): string[] {
  return detect(text, {path}).map((m) => m.secret)
}

/** Values of one data entry, as the scan reads Secrets' and ConfigMaps' data. */
function dataValues(o: LiveObject, key: string): Value[] {
  const v = o.data.get(key)
  if (!v) return []
  const text = v.toString('utf8')
  const out: Value[] = [v, text.trim()]
  if (o.type === 'bootstrap.kubernetes.io/token' && key === 'token-secret') out.push(`${o.data.get('token-id')?.toString() ?? ''}.${text}`)
  if (!v.subarray(0, 4096).includes(0)) out.push(...detected(text.includes('\n') ? `${key}:\n${text}\n` : `${key}=${text}\n`, 'secret.env'), ...detected(text.includes('\n') ? text : `${key}=${text}`, text.includes('\n') ? key : 'config.env'))
  return out
}

export function fieldValues(o: LiveObject, field: string): FieldValues {
  // `data.release (helm values)`: the key is before the note.
  const bare = field.replace(/ \([^)]*\)$/, '')
  if (bare.startsWith('annotation ')) {
    const rest = bare.slice('annotation '.length)
    if (rest.startsWith('last-applied-configuration')) {
      const text = o.annotations[LAST_APPLIED]
      if (text === undefined) return {present: false, values: [], key: null}
      return {present: true, values: [...lastAppliedValues(text), ...detected(text, 'last-applied.json')], key: null}
    }
    const text = o.annotations[rest]
    if (text === undefined) return {present: false, values: [], key: null}
    return {present: true, values: [text, ...detected(`${rest.split('/').at(-1)}: ${JSON.stringify(text)}`, 'config.yaml')], key: null}
  }
  if (bare.startsWith('data.')) {
    const key = bare.slice('data.'.length)
    return {present: o.data.has(key), values: dataValues(o, key), key}
  }
  const env = /^env (.*)\/([^/]*)$/.exec(bare)
  if (env) {
    const vars = o.env.filter((e) => e.container === env[1] && e.name === env[2])
    return {present: vars.length > 0, values: vars.flatMap((e) => [e.value, ...detected(`${e.name}=${JSON.stringify(e.value)}`, 'config.env')]), key: null}
  }
  const cmd = /^command (.*)$/.exec(bare)
  if (cmd) {
    const lines = o.commands.filter((c) => c.container === cmd[1])
    return {present: lines.length > 0, values: lines.flatMap((c) => [...c.argv, ...detected(c.argv.join(' '), 'command.sh')]), key: null}
  }
  // A field this build cannot place: anything the object holds counts.
  return {present: true, values: everything(o), key: null}
}

function lastAppliedValues(text: string): Value[] {
  try {
    const doc = JSON.parse(text) as {data?: Record<string, unknown>; stringData?: Record<string, unknown>}
    const out: Value[] = []
    for (const v of Object.values(doc.data ?? {})) if (typeof v === 'string') out.push(Buffer.from(v, 'base64'))
    for (const v of Object.values(doc.stringData ?? {})) if (typeof v === 'string') out.push(v)
    return out
  } catch {
    return []
  }
}

function everything(o: LiveObject): Value[] {
  return [...[...o.data.keys()].flatMap((k) => dataValues(o, k)), ...o.env.map((e) => e.value), ...o.commands.flatMap((c) => c.argv)]
}

/** The data keys managedFields says a change wrote, for `since`. */
export function fieldPath(field: string): string[] | null {
  const bare = field.replace(/ \([^)]*\)$/, '')
  if (bare.startsWith('data.')) return ['f:data', `f:${bare.slice(5)}`]
  if (bare.startsWith('annotation ')) return ['f:metadata', 'f:annotations']
  if (bare.startsWith('env ') || bare.startsWith('command ')) return ['f:spec']
  return null
}
