/**
 * `\uXXXX` for each UTF-16 unit beyond ASCII: the same value in a string, template, regular
 * expression (with or without the u flag) or identifier, and harmless in a comment. Not for a
 * raw template (String.raw), where the escape is read as written; the bundles have none there.
 */
export function escapeNonAscii(text: string): string {
  return text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
