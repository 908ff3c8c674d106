import {podSpecOf, type Ref, refsOf} from './consumers.js'

// A live object as the verification needs it, taken from the client's typed
// object (camelCase fields, base64 Secret data, managedFields times as Date):
// the values of the data keys, env and command lines only for the objects a
// finding points at (held in memory as long as the list runs, hashed, then
// dropped); for every other object only what it consumes.

export interface Change {
  time: string
  manager: string
  /** managedFields' fieldsV1, the set of fields this manager last wrote. */
  fields: unknown
}

export interface LiveObject {
  kind: string
  namespace: string
  name: string
  resourceVersion: string
  created: string | null
  type: string | null
  labels: Record<string, string>
  annotations: Record<string, string>
  owners: {kind: string; name: string}[]
  changes: Change[]
  /** Secret data (decoded) or ConfigMap data and binaryData. */
  data: Map<string, Buffer>
  env: {container: string; name: string; value: string}[]
  commands: {container: string; argv: string[]}[]
}

/** What a workload, pod or ingress consumes; kept for every object listed. */
export interface Consumer {
  kind: string
  namespace: string
  name: string
  owned: boolean
  serviceAccount: string | null
  refs: Ref[]
}

type Obj = Record<string, unknown>
const rec = (x: unknown): Obj => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Obj) : {})
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : [])
const str = (x: unknown): string => (typeof x === 'string' ? x : '')
const iso = (x: unknown): string | null => (x instanceof Date && !Number.isNaN(x.getTime()) ? x.toISOString() : typeof x === 'string' && x ? x : null)

function strings(x: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(rec(x))) if (typeof v === 'string') out[k] = v
  return out
}

export function metaOf(o: unknown): {namespace: string; name: string} {
  const m = rec(rec(o).metadata)
  return {namespace: str(m.namespace), name: str(m.name)}
}

/** The full form of an object a finding points at. */
export function liveObject(kind: string, o: unknown): LiveObject {
  const obj = rec(o)
  const m = rec(obj.metadata)
  const data = new Map<string, Buffer>()
  if (kind === 'Secret') for (const [k, v] of Object.entries(rec(obj.data))) if (typeof v === 'string') data.set(k, Buffer.from(v, 'base64'))
  if (kind === 'ConfigMap') {
    for (const [k, v] of Object.entries(rec(obj.data))) if (typeof v === 'string') data.set(k, Buffer.from(v, 'utf8'))
    for (const [k, v] of Object.entries(rec(obj.binaryData))) if (typeof v === 'string') data.set(k, Buffer.from(v, 'base64'))
  }
  const env: LiveObject['env'] = []
  const commands: LiveObject['commands'] = []
  const spec = podSpecOf(kind, obj)
  if (spec) {
    for (const c of [...arr(spec.containers), ...arr(spec.initContainers), ...arr(spec.ephemeralContainers)].map(rec)) {
      const container = str(c.name)
      for (const e of arr(c.env).map(rec)) if (typeof e.value === 'string' && e.value) env.push({container, name: str(e.name), value: e.value})
      const argv = [...arr(c.command), ...arr(c.args)].filter((a): a is string => typeof a === 'string')
      if (argv.length) commands.push({container, argv})
    }
  }
  return {
    kind,
    namespace: str(m.namespace),
    name: str(m.name),
    resourceVersion: str(m.resourceVersion),
    created: iso(m.creationTimestamp),
    type: typeof obj.type === 'string' ? obj.type : null,
    labels: strings(m.labels),
    annotations: strings(m.annotations),
    owners: arr(m.ownerReferences).map((r) => ({kind: str(rec(r).kind), name: str(rec(r).name)})),
    changes: arr(m.managedFields)
      .map(rec)
      .map((f) => ({time: iso(f.time) ?? '', manager: str(f.manager), fields: f.fieldsV1}))
      .filter((c) => c.time),
    data,
    env,
    commands,
  }
}

/** What an object consumes (null when it consumes nothing: a Secret, a ConfigMap). */
export function consumerOf(kind: string, o: unknown): Consumer | null {
  const obj = rec(o)
  const refs = refsOf(kind, obj)
  const spec = podSpecOf(kind, obj)
  if (!spec && refs.length === 0) return null
  const {namespace, name} = metaOf(obj)
  return {kind, namespace, name, owned: arr(rec(obj.metadata).ownerReferences).some((r) => rec(r).controller === true), serviceAccount: spec ? str(spec.serviceAccountName) || str(spec.serviceAccount) || 'default' : null, refs}
}
