// The page every HTML export shares: one self-contained file (inline CSS, no
// script, no external resource, a CSP that forbids any), readable printed.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]!)
}

const CSS = `  :root { color-scheme: light; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem; color: #1b1f24; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
  .meta { color: #57606a; margin: 0 0 1.25rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #d0d7de; }
  th { background: #f6f8fa; position: sticky; top: 0; }
  td.t, td.rel { white-space: nowrap; font-variant-numeric: tabular-nums; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
  .cat { display: inline-block; min-width: 5.5em; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #57606a; }
  tr.evidence td { background: #fff8c5; }
  tr.finding .cat { color: #cf222e; }
  tr.check .cat { color: #0969da; }
  tr.action .cat { color: #1a7f37; }
  @media print {
    body { margin: 0; font-size: 10.5pt; }
    th { position: static; }
    tr { break-inside: avoid; }
    tr.evidence td { background: none; border-left: 3px solid #9a6700; }
  }
  h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
  .critical { color: #a40e26; font-weight: 600; } .high { color: #cf222e; } .medium { color: #9a6700; } .low { color: #57606a; }
  ul { padding-left: 1.3rem; } li { margin: .15rem 0; }
  code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; background: #f6f8fa; padding: 0 .2em; }
  @media print { h2 { break-after: avoid; } }
  .learned, .src { color: #57606a; font-size: 11px; }
  .src { font-family: ui-monospace, Menlo, Consolas, monospace; }
  tr.milestone td { background: #ddf4ff; }
  tr.unverified td:last-child::after { content: " (signature not verified)"; color: #9a6700; }
  figure.chart { margin: .5rem 0 1rem; }
  figure.chart svg { max-width: 100%; height: auto; border: 1px solid #d0d7de; border-radius: 6px; background: #fff; }
  @media print { figure.chart { break-inside: avoid; } tr.milestone td { background: none; border-left: 3px solid #0969da; } }
`

export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`
}
