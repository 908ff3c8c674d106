import type {IncidentEvent} from '../incident/events.js'
import type {IncidentState} from '../incident/state.js'
import {buildChart, type ChartOptions, type ExposureChart} from './chart.js'
import {type KeyDurations, keyDurations, type Milestone, milestones} from './durations.js'
import {buildLifecycles, type CredentialLifecycle, type ExposureFacts} from './lifecycle.js'

// Everything the post-mortem says about the exposure itself, computed once
// for the report and the timeline exports.

export interface ExposureAnalysis {
  facts: ExposureFacts
  credentials: CredentialLifecycle[]
  durations: KeyDurations
  milestones: Milestone[]
  chart: ExposureChart
}

export function analyseExposure(state: IncidentState, events: IncidentEvent[], now: Date, o: ChartOptions = {}): ExposureAnalysis {
  const life = buildLifecycles(state, events, now)
  const durations = keyDurations(state, life)
  const ms = milestones(life, durations)
  return {facts: life.facts, credentials: life.credentials, durations, milestones: ms, chart: buildChart(state, life, ms, now, o)}
}

/** The analysis for a JSON export: each credential's uses summarised (first, last, count), not listed. */
export function exposureJson(a: ExposureAnalysis): unknown {
  return {
    facts: a.facts,
    durations: a.durations,
    milestones: a.milestones,
    credentials: a.credentials.map((c) => ({...c, use: {...c.use, marks: undefined}})),
  }
}
