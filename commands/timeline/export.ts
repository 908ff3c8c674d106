import {writeFileSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {fromSystemError} from '../../src/errors.js'
import {loadIncident} from '../../src/incident/incident.js'
import {parseInstant} from '../../src/time/instant.js'
import {safeText} from '../../src/text/terminal.js'
import {exportTimeline, TIMELINE_FORMATS, type TimelineFormat} from '../../src/timeline/export.js'
import {buildTimeline} from '../../src/timeline/timeline.js'

export default class TimelineExport extends BaseCommand {
  static override summary = 'Export every event of the incident in time order (md, json, csv, html)'
  static override description = `Each entry has its absolute UTC time and its time relative to the exposure (T+HH:MM), or to the incident start when the exposure time is unknown.
Evidence is placed at the time it happened in the outside system (e.g. a CloudTrail eventTime); a leaked commit at its author date.
The HTML is one self-contained file (no scripts, no network), readable printed.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> --format md',
    '<%= config.bin %> <%= command.id %> --format html --out postmortem-timeline.html',
    '<%= config.bin %> <%= command.id %> --format csv --since 2026-11-22T09:00:00Z --until "1h ago"',
  ]
  static override flags = {
    incident: incidentFlags.incident,
    format: Flags.string({char: 'f', options: [...TIMELINE_FORMATS], default: 'md', description: 'Output format'}),
    out: Flags.string({char: 'o', description: 'Write to this file (0600) instead of stdout'}),
    since: Flags.string({description: 'Only entries at or after this time'}),
    until: Flags.string({description: 'Only entries at or before this time'}),
  }

  async run() {
    const {flags} = await this.parse(TimelineExport)
    const since = flags.since ? parseInstant(flags.since, '--since') : undefined
    const until = flags.until ? parseInstant(flags.until, '--until') : undefined
    const {state, events, warnings} = loadIncident(this.incident(flags))
    this.warnAll(warnings)
    const format = flags.format as TimelineFormat
    const timeline = buildTimeline(state, events, {since, until, collapseFindingsAbove: format === 'md' || format === 'html' ? 20 : undefined})
    if (this.jsonEnabled()) {
      if (flags.out) this.write(flags.out, format === 'json' ? exportTimeline(timeline, format) : safeText(exportTimeline(timeline, format)))
      return {...timeline, out: flags.out ?? null}
    }
    // Notes, titles and names come from outside: no control character reaches a terminal or a Markdown file.
    const text = format === 'json' ? exportTimeline(timeline, format) : safeText(exportTimeline(timeline, format))
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
