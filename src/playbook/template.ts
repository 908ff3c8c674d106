// Playbook text templates: `{{incident.id}}`, `{{finding.namespace}}`,
// `{{count}}`, `{{vars.snapshot}}`. Deliberately logic-free. A value that is
// unknown at render time shows as `<finding.namespace>`: a visible blank for
// the responder to fill, never a guess.

const TOKEN = /\{\{\s*([a-zA-Z][\w]*(?:\.[a-zA-Z][\w-]*)*)\s*\}\}/g

export type TemplateScope = 'incident' | 'finding' | 'count' | 'vars'

export const INCIDENT_VARS = ['id', 'title', 'kind', 'commander', 'openedAt', 'exposedAt'] as const
/** Every field findingContext() can produce, across sources. */
export const FINDING_VARS = [
  'class', 'risk', 'reason', 'fingerprint', 'preview', 'rotation', 'source', 'where', 'keyId',
  'commit', 'path', 'line', 'author', 'date', 'key', 'revision', 'kind', 'namespace', 'name', 'field', 'state',
  // where the value lives (src/playbook/place.ts)
  'dataKey', 'workload', 'container', 'envName', 'dbUser', 'dbHost',
] as const

export interface TemplateContext {
  incident?: Record<string, string>
  finding?: Record<string, string>
  count?: number
  vars?: Record<string, string>
}

/** Names used in a template, e.g. ['incident.id', 'finding.name']. */
export function templateNames(text: string): string[] {
  return [...text.matchAll(TOKEN)].map((m) => m[1]!)
}

/** Returns an error text for the first name not allowed in `scopes`. */
export function checkTemplate(text: string, scopes: TemplateScope[]): string | undefined {
  for (const name of templateNames(text)) {
    const [root, field, ...rest] = name.split('.')
    if (!scopes.includes(root as TemplateScope)) {
      return `{{${name}}}: "${root}" is not available here (use ${scopes.map((s) => (s === 'count' ? '{{count}}' : `{{${s}.…}}`)).join(', ')})`
    }
    if (root === 'count') {
      if (field) return `{{${name}}}: count has no fields`
      continue
    }
    if (!field || rest.length) return `{{${name}}}: use ${root}.<field>`
    if (root === 'incident' && !(INCIDENT_VARS as readonly string[]).includes(field)) return `{{${name}}}: incident has ${INCIDENT_VARS.join(', ')}`
    if (root === 'finding' && !(FINDING_VARS as readonly string[]).includes(field)) return `{{${name}}}: finding has ${FINDING_VARS.join(', ')}`
  }
  return undefined
}

export function renderTemplate(text: string, ctx: TemplateContext): string {
  return text.replace(TOKEN, (_m, name: string) => {
    const [root, field] = name.split('.')
    if (root === 'count') return ctx.count === undefined ? '<count>' : String(ctx.count)
    const table = root === 'incident' ? ctx.incident : root === 'finding' ? ctx.finding : root === 'vars' ? ctx.vars : undefined
    const value = field ? table?.[field] : undefined
    return value === undefined || value === '' ? `<${name}>` : value
  })
}
