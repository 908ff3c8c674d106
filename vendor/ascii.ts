/**
 * `\uXXXX` for each UTF-16 unit beyond ASCII: the same value in a string, template, regular
 * expression (with or without the u flag) or identifier, and harmless in a comment. A raw
 * template (String.raw) would read the escape as written: the one raw character esbuild leaves in
 * these bundles is in a regular expression (vendor/bundle.ts).
 */
export function escapeNonAscii(text: string): string {
  return text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
