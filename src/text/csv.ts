import {safeLine} from './terminal.js'

// CSV cells for every export (the timeline, scan etcd --format csv): a small
// module of its own, so a command that writes CSV does not load the timeline's
// renderers with it.

/** RFC 4180, with formula-looking cells neutralised for spreadsheets. */
export function csvCell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${safeLine(s)}` : safeLine(s)
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}
