import type {ChecklistEntry, ChecklistPhase, ChecklistView} from '../../src/incident/checklist.js'

// The checklist view flattened into screen rows (phase headers, items, the
// members of expanded groups), and the arithmetic of a virtualised list: only
// the rows that fit are rendered, whatever the number of items.

export type Row =
  | {kind: 'phase'; key: string; phase: ChecklistPhase; matching: number}
  | {kind: 'item'; key: string; entry: ChecklistEntry; depth: 0 | 1; phase: string; parent: string | null}

export interface Rows {
  rows: Row[]
  /** Item key -> row index. */
  index: Map<string, number>
  /** Phase id -> its header's row index. */
  phaseRow: Map<string, number>
}

/** Flattens the view; `expanded` groups list their members under them. Empty phases are hidden while a filter is on. */
export function buildRows(view: ChecklistView, expanded: ReadonlySet<string>, hideEmptyPhases: boolean): Rows {
  const rows: Row[] = []
  const index = new Map<string, number>()
  const phaseRow = new Map<string, number>()
  for (const phase of view.phases) {
    if (hideEmptyPhases && phase.items.length === 0) continue
    phaseRow.set(phase.id, rows.length)
    rows.push({kind: 'phase', key: `phase:${phase.id}`, phase, matching: phase.items.length})
    for (const entry of phase.items) {
      index.set(entry.id, rows.length)
      rows.push({kind: 'item', key: entry.id, entry, depth: 0, phase: phase.id, parent: null})
      if (entry.members.length && expanded.has(entry.id)) {
        for (const m of entry.members) {
          index.set(m.id, rows.length)
          rows.push({kind: 'item', key: m.id, entry: m, depth: 1, phase: phase.id, parent: entry.id})
        }
      }
    }
  }
  return {rows, index, phaseRow}
}

/** The nearest item row to `from` (searching down first, then up); -1 when there is none. */
export function nearestItem(rows: readonly Row[], from: number): number {
  const start = Math.max(0, Math.min(from, rows.length - 1))
  for (let i = start; i < rows.length; i++) if (rows[i]!.kind === 'item') return i
  for (let i = start - 1; i >= 0; i--) if (rows[i]!.kind === 'item') return i
  return -1
}

/** Moves the cursor by `delta` item rows (phase headers are skipped); stays put at the ends. */
export function moveCursor(rows: readonly Row[], cursor: number, delta: number): number {
  if (cursor < 0) return nearestItem(rows, 0)
  let at = cursor
  let left = Math.abs(delta)
  const step = delta < 0 ? -1 : 1
  for (let i = cursor + step; i >= 0 && i < rows.length && left > 0; i += step) {
    if (rows[i]!.kind === 'item') {
      at = i
      left--
    }
  }
  return at
}

/** The phase a row belongs to. */
export function phaseOf(row: Row): string {
  return row.kind === 'phase' ? row.phase.id : row.phase
}

export interface ListWindow {
  /** First row shown. */
  top: number
  /** When the first line shows the header of the phase scrolled off the top (rows[top] itself is then hidden). */
  sticky: boolean
}

/**
 * Scrolls as little as possible so the cursor stays visible in `height` lines.
 * When the top row is not a phase header, the first line shows the current
 * phase's header instead, so a responder always sees which phase and deadline
 * the items on screen belong to.
 */
export function scrollWindow(rows: readonly Row[], cursor: number, previousTop: number, height: number): ListWindow {
  const n = rows.length
  if (height <= 0 || n === 0) return {top: 0, sticky: false}
  let top = Math.max(0, Math.min(previousTop, Math.max(0, n - height)))
  if (cursor >= 0) {
    if (cursor >= top + height) top = cursor - height + 1
    if (cursor < top) top = cursor
    // The cursor must not sit under the sticky header: show the row above it too.
    if (cursor === top && rows[top]!.kind !== 'phase' && top > 0) top = cursor - 1
    // Just below a phase header: show the header itself rather than a sticky copy.
    if (top > 0 && rows[top - 1]!.kind === 'phase' && cursor < top + height - 1 && rows[top]!.kind !== 'phase') top--
  }
  return {top, sticky: rows[top]!.kind !== 'phase'}
}
