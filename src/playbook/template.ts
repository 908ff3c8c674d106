import {isBlank, shQuote} from '../text/shell.js'
import {hasControls, safeLine} from '../text/terminal.js'

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

/** A name's value, or the visible blank `<name>` when it is unknown. */
function lookup(name: string, ctx: TemplateContext): {text: string; blank: boolean} {
  const [root, field] = name.split('.')
  if (root === 'count') return ctx.count === undefined ? {text: '<count>', blank: true} : {text: String(ctx.count), blank: false}
  const table = root === 'incident' ? ctx.incident : root === 'finding' ? ctx.finding : root === 'vars' ? ctx.vars : undefined
  const value = field ? table?.[field] : undefined
  return value === undefined || value === '' ? {text: `<${name}>`, blank: true} : {text: value, blank: false}
}

/** Titles and other prose: values as they are (renderers make them safe to print). */
export function renderTemplate(text: string, ctx: TemplateContext): string {
  return text.replace(TOKEN, (_m, name: string) => lookup(name, ctx).text)
}

type ShellState = 'plain' | 'single' | 'double' | 'comment'

/**
 * A command a responder will paste into a POSIX shell. Values come from
 * hostile places (a Secret named `x;curl …|sh`, a branch named `$(…)`), so
 * each is quoted with shQuote for where it stands in the template: a bare
 * word, inside '…' or "…" (the quote is closed, the quoted value put in, the
 * quote reopened: one shell word either way), or in a `#` comment (one line,
 * so it cannot end the comment). Blanks (`<finding.name>`) stay as they are.
 */
export function renderCommand(text: string, ctx: TemplateContext): string {
  let out = ''
  let at = 0
  let state: ShellState = 'plain'
  let wordStart = true
  for (const m of text.matchAll(TOKEN)) {
    for (let i = at; i < m.index; i++) {
      const c = text[i]!
      if (state === 'plain') {
        if (c === '\\') i++
        else if (c === "'") state = 'single'
        else if (c === '"') state = 'double'
        else if (c === '#' && wordStart) state = 'comment'
        wordStart = /[\s;&|()]/.test(c)
      } else if (state === 'single') {
        if (c === "'") state = 'plain'
      } else if (state === 'double') {
        if (c === '\\') i++
        else if (c === '"') state = 'plain'
      } else if (c === '\n') {
        state = 'plain'
        wordStart = true
      }
    }
    const {text: value, blank} = lookup(m[1]!, ctx)
    // A `…Flags` variable is several arguments on purpose (`--etcd-endpoints URL --etcd-cacert F`): each word quoted alone.
    const words = state === 'plain' && !blank && /Flags$/.test(m[1]!.trim()) ? value.split(/\s+/).filter(Boolean) : null
    out += text.slice(at, m.index) + (blank ? value : words ? words.map((w) => quoteIn(state, w)).join(' ') : quoteIn(state, value))
    at = m.index + m[0].length
    wordStart = false
  }
  return out + text.slice(at)
}

function quoteIn(state: ShellState, value: string): string {
  switch (state) {
    case 'plain':
      // A default that is itself a fill-in blank (`<remote-url>`) stays one, as the template's own blanks do.
      return isBlank(value) ? value : shQuote(value)
    case 'single':
      return value.includes("'") || hasControls(value) ? `'${shQuote(value)}'` : value
    case 'double':
      return /[$`\\"!]/.test(value) || hasControls(value) ? `"${shQuote(value)}"` : value
    case 'comment':
      return safeLine(value)
  }
}
