import {readFileSync} from 'node:fs'

import {isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode} from 'yaml'

import {fromSystemError, inputError} from '../errors.js'

// Reads a kube-apiserver EncryptionConfiguration (apiserver.config.k8s.io/v1)
// or its legacy form (kind: EncryptionConfig, apiVersion: v1), keeping the
// line of every rule, provider and key so a lint can point at them. Key
// material stays in memory (Buffers) and is never printed.

export type KeyProvider = 'aescbc' | 'aesgcm' | 'secretbox'

export interface ConfigKey {
  name: string
  /** Decoded key bytes; never leaves the process. */
  secret: Buffer
  line: number
}

export type ProviderEntry =
  | {type: KeyProvider; keys: ConfigKey[]; line: number}
  | {
      type: 'kms'
      apiVersion: 'v1' | 'v2'
      name: string
      endpoint: string | null
      line: number
      /** KMS v1 only (v2 rejects it); null when absent. */
      cachesize?: number | null
      /** As written, e.g. `3s`; null when absent (the API server defaults it). */
      timeout?: string | null
    }
  | {type: 'identity'; line: number}

export interface ResourceRule {
  resources: string[]
  providers: ProviderEntry[]
  line: number
  /** The line of each entry of `resources`, same order. */
  resourceLines?: number[]
}

export interface EncryptionConfig {
  file: string
  form: 'v1' | 'legacy'
  rules: ResourceRule[]
}

const KEY_PROVIDERS: readonly string[] = ['aescbc', 'aesgcm', 'secretbox']

export function readEncryptionConfig(file: string): EncryptionConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw fromSystemError(error) ?? error
  }
  return parseEncryptionConfig(text, file)
}

export function parseEncryptionConfig(text: string, file = '<config>'): EncryptionConfig {
  const lines = new LineCounter()
  const doc = parseDocument(text, {lineCounter: lines})
  const bad: (node: unknown, msg: string) => never = (node, msg) => {
    const offset = (node as YamlNode | undefined)?.range?.[0] ?? 0
    throw inputError('encryption-config.invalid', `${file}:${lines.linePos(offset).line}: ${msg}`)
  }
  if (doc.errors[0]) bad(undefined, `malformed YAML: ${doc.errors[0].message.split('\n')[0]}`)
  const root = doc.contents
  if (!isMap(root)) bad(root, 'not an EncryptionConfiguration (expected a YAML mapping)')
  const kind = doc.get('kind')
  const apiVersion = doc.get('apiVersion')
  let form: EncryptionConfig['form']
  if (kind === 'EncryptionConfiguration' && apiVersion === 'apiserver.config.k8s.io/v1') form = 'v1'
  else if (kind === 'EncryptionConfig' && apiVersion === 'v1') form = 'legacy'
  else bad(root, `not an EncryptionConfiguration (kind ${String(kind)}, apiVersion ${String(apiVersion)})`)
  const lineOf = (node: unknown) => lines.linePos((node as YamlNode | undefined)?.range?.[0] ?? 0).line

  const resources = doc.get('resources', true)
  if (!isSeq(resources)) bad(resources ?? root, 'resources: expected a list of {resources, providers}')
  const rules = resources.items.map((ruleNode, ri): ResourceRule => {
    if (!isMap(ruleNode)) bad(ruleNode, `resources[${ri}]: expected a mapping`)
    const res = ruleNode.get('resources', true)
    if (!isSeq(res) || res.items.length === 0) bad(res ?? ruleNode, `resources[${ri}].resources: expected a non-empty list`)
    const provs = ruleNode.get('providers', true)
    if (!isSeq(provs) || provs.items.length === 0) bad(provs ?? ruleNode, `resources[${ri}].providers: expected a non-empty list`)
    return {
      resources: res.items.map((r) => String((r as {value?: unknown}).value ?? r)),
      providers: provs.items.map((p, pi) => provider(p, `resources[${ri}].providers[${pi}]`, bad, lineOf)),
      line: lineOf(ruleNode),
      resourceLines: res.items.map((r) => lineOf(r)),
    }
  })
  return {file, form, rules}
}

function provider(
  node: unknown,
  where: string,
  bad: (node: unknown, msg: string) => never,
  lineOf: (node: unknown) => number,
): ProviderEntry {
  if (!isMap(node) || node.items.length !== 1) bad(node, `${where}: expected exactly one provider (aescbc, aesgcm, secretbox, kms or identity)`)
  const pair = node.items[0]!
  const type = String((pair.key as {value?: unknown}).value)
  const body = pair.value
  const line = lineOf(node)
  if (type === 'identity') return {type, line}
  if (type === 'kms') {
    const get = (k: string) => (isMap(body) ? body.get(k) : undefined)
    const version = get('apiVersion') ?? 'v1'
    if (version !== 'v1' && version !== 'v2') bad(body, `${where}.kms.apiVersion: expected v1 or v2`)
    const name = get('name')
    if (typeof name !== 'string' || !name) bad(body ?? node, `${where}.kms.name: required`)
    const endpoint = get('endpoint')
    const cachesize = get('cachesize')
    const timeout = get('timeout')
    return {
      type: 'kms',
      apiVersion: version as 'v1' | 'v2',
      name: name as string,
      endpoint: typeof endpoint === 'string' ? endpoint : null,
      line,
      cachesize: typeof cachesize === 'number' ? cachesize : null,
      timeout: timeout === undefined || timeout === null ? null : String(timeout),
    }
  }
  if (!KEY_PROVIDERS.includes(type)) bad(node, `${where}: unknown provider "${type}"`)
  const keys = isMap(body) ? body.get('keys', true) : undefined
  if (!isSeq(keys) || keys.items.length === 0) bad(body ?? node, `${where}.${type}.keys: expected a non-empty list`)
  return {
    type: type as KeyProvider,
    keys: keys.items.map((k, ki) => {
      if (!isMap(k)) bad(k, `${where}.${type}.keys[${ki}]: expected {name, secret}`)
      const name = k.get('name')
      const secret = k.get('secret')
      if (typeof name !== 'string' || !name) bad(k, `${where}.${type}.keys[${ki}].name: required`)
      if (typeof secret !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) bad(k, `${where}.${type}.keys[${ki}].secret: expected base64`)
      return {name: name as string, secret: Buffer.from(secret as string, 'base64'), line: lineOf(k)}
    }),
    line,
  }
}
