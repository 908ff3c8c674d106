// What each phase of a triage did, for the progress display, --json and the
// incident's check events.

export interface PhaseReport {
  id: string
  title: string
  status: 'pass' | 'fail' | 'partial' | 'skipped'
  summary: string
  ms?: number
}
