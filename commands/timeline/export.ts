import {writeFileSync} from 'node:fs'

import * as Flags from '#oclif/flags'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {fromSystemError} from '../../src/errors.js'
import {loadIncident} from '../../src/incident/incident.js'
import {parseInstant} from '../../src/time/instant.js'
import {safeText} from '../../src/text/terminal.js'
import {analyseExposure, exposureJson} from '../../src/timeline/exposure.js'
import {CSV_TABLES, type CsvTable, exportTimeline, TIMELINE_FORMATS, type TimelineFormat} from '../../src/timeline/export.js'
import {mapStrings, people} from '../../src/timeline/people.js'
import {buildTimeline} from '../../src/timeline/timeline.js'

export default class TimelineExport extends BaseCommand {
  static override summary = 'Export every event of the incident in time order (md, json, csv, html)'
  static override description = `Each entry is placed at the time it happened (happenedAt: a CloudTrail eventTime, a commit's author date, a Secret's creation) with the time leakctl learned it (learnedAt) and what shows it (source: a commit, a CloudTrail eventId, an event id); T+HH:MM counts from the exposure, or from the incident start when the exposure time is unknown.
Milestones (exposure began, first push, first outside use, detected, first revocation, contained, remediated) are placed among the events.
md and html lead with the exposure window (a Mermaid gantt in md, an inline SVG in html), the key durations, what is still unknown and each credential's lifecycle; json carries the same under "exposure"; --format csv --table credentials gives one row per credential.
The HTML is one self-contained file (no scripts, no network), readable printed.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> --format md',
    '<%= config.bin %> <%= command.id %> --format html --out postmortem-timeline.html',
    '<%= config.bin %> <%= command.id %> --format csv --since 2026-11-22T09:00:00Z --until "1h ago"',
    '<%= config.bin %> <%= command.id %> --format csv --table credentials --out lifecycles.csv',
    '<%= config.bin %> <%= command.id %> --format md --redact-people > timeline-for-circulation.md',
  ]
  static override flags = {
    incident: incidentFlags.incident,
    format: Flags.string({char: 'f', options: [...TIMELINE_FORMATS], default: 'md', description: 'Output format'}),
    out: Flags.string({char: 'o', description: 'Write to this file (0600) instead of stdout'}),
    since: Flags.string({description: 'Only entries at or after this time'}),
    until: Flags.string({description: 'Only entries at or before this time'}),
    table: Flags.string({options: [...CSV_TABLES], default: 'entries', description: 'With --format csv: the entries, or one row per credential (its lifecycle and durations)'}),
    'redact-people': Flags.boolean({default: false, description: "Show people as roles (commander, responder N, commit author N), also inside notes' text, for wider circulation"}),
  }

  async run() {
    const {flags} = await this.parse(TimelineExport)
    const since = flags.since ? parseInstant(flags.since, '--since') : undefined
    const until = flags.until ? parseInstant(flags.until, '--until') : undefined
    const {state, events, warnings} = loadIncident(this.incident(flags))
    await this.warnAll(warnings)
    const format = flags.format as TimelineFormat
    const who = people(state, events, {redact: flags['redact-people']})
    const exposure = analyseExposure(state, events, new Date())
    const built = buildTimeline(state, events, {since, until, ...(format === 'md' || format === 'html' ? {collapseFindingsAbove: 20, groupEvidenceAbove: 200} : {}), milestones: exposure.milestones, actorLabel: who.label})
    const [timeline, analysis] = who.redacting ? [mapStrings(built, who.text), mapStrings(exposure, who.text)] : [built, exposure]
    // Notes, titles and names come from outside: no control character reaches a terminal or a Markdown file.
    const render = () => {
      const out = exportTimeline(timeline, format, analysis, flags.table as CsvTable)
      return format === 'json' ? out : safeText(out)
    }
    if (this.jsonEnabled()) {
      if (flags.out) this.write(flags.out, render())
      return {...timeline, exposure: exposureJson(analysis), out: flags.out ?? null}
    }
    const text = render()
    if (flags.out) {
      this.write(flags.out, text)
      process.stderr.write(`Wrote ${timeline.entries.length} entries to ${flags.out}\n`)
    } else {
      process.stdout.write(text)
    }
    return undefined
  }

  private write(path: string, text: string): void {
    try {
      writeFileSync(path, text, {mode: 0o600})
    } catch (error) {
      throw fromSystemError(error) ?? error
    }
  }
}
