import type {EncryptionConfig, ProviderEntry, ResourceRule} from './encryption-config.js'

// Which rule of an EncryptionConfiguration applies to a resource, the way
// kube-apiserver decides it: entries are parsed like schema.ParseGroupResource
// (`secrets` -> core group, `deployments.apps`, `*.` = every core resource,
// `*.apps`, `*.*` = everything), and the FIRST rule that matches a resource
// is the one whose first provider writes it (later rules only add read
// fallbacks, or are rejected as masked).

export interface GroupResource {
  group: string
  resource: string
}

export function parseGroupResource(entry: string): GroupResource {
  const dot = entry.indexOf('.')
  return dot < 0 ? {group: '', resource: entry} : {group: entry.slice(dot + 1), resource: entry.slice(0, dot)}
}

export function formatGroupResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource
}

/** Whether a configuration entry applies to the resource. */
export function entryCovers(entry: GroupResource, target: GroupResource): boolean {
  if (entry.group === '*' && entry.resource === '*') return true
  return entry.group === target.group && (entry.resource === '*' || entry.resource === target.resource)
}

export const isWildcard = (gr: GroupResource): boolean => gr.resource === '*'

export interface RuleMatch {
  rule: ResourceRule
  index: number
  /** The entry that matched, as written. */
  entry: string
  entryLine: number
}

/** The first rule (and entry) that applies to `resource`, or null: not covered at all. */
export function ruleFor(config: EncryptionConfig, resource: string): RuleMatch | null {
  const target = parseGroupResource(resource)
  for (const [index, rule] of config.rules.entries()) {
    for (const [i, entry] of rule.resources.entries()) {
      if (entryCovers(parseGroupResource(entry), target)) return {rule, index, entry, entryLine: rule.resourceLines?.[i] ?? rule.line}
    }
  }
  return null
}

/** How new writes of a resource are stored under this configuration. */
export type WriteMode =
  | {mode: 'encrypted'; provider: string; key: string; line: number; rule: number; entry: string}
  | {mode: 'plaintext'; line: number; rule: number; entry: string; fallbacks: string[]}
  | {mode: 'not-covered'}

/** `aescbc`, `kms v2` — the same words envelope.ts uses for stored values. */
export function providerName(p: ProviderEntry): string {
  return p.type === 'kms' ? `kms ${p.apiVersion}` : p.type
}

/** The key a provider writes with: the first key's name, or the KMS provider's name. */
export function writeKey(p: ProviderEntry): string | null {
  if (p.type === 'identity') return null
  if (p.type === 'kms') return p.name
  return p.keys[0]?.name ?? null
}

export function writeMode(config: EncryptionConfig, resource: string): WriteMode {
  const m = ruleFor(config, resource)
  if (!m) return {mode: 'not-covered'}
  const first = m.rule.providers[0]!
  if (first.type === 'identity') {
    return {mode: 'plaintext', line: first.line, rule: m.index, entry: m.entry, fallbacks: m.rule.providers.slice(1).filter((p) => p.type !== 'identity').map(providerName)}
  }
  return {mode: 'encrypted', provider: providerName(first), key: writeKey(first)!, line: first.line, rule: m.index, entry: m.entry}
}
