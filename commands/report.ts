import {writeFileSync} from 'node:fs'

import * as Flags from '#oclif/flags'

import {BaseCommand, incidentFlags} from '../cli/base.js'
import {fromSystemError} from '../src/errors.js'
import {loadIncident} from '../src/incident/incident.js'
import {toHtml, toMarkdown} from '../src/report/document.js'
import {buildReport} from '../src/report/report.js'
import {safeText} from '../src/text/terminal.js'

export default class Report extends BaseCommand {
  static override summary = 'Write the post-mortem draft: summary and key durations, the exposure window (a picture) and each credential\'s lifecycle, inventory by risk, evidence, who did what when, what is open, the timeline'
  static override examples = [
    '<%= config.bin %> <%= command.id %> > postmortem-draft.md',
    '<%= config.bin %> <%= command.id %> --format html --out postmortem.html',
    '<%= config.bin %> <%= command.id %> --incident k3f9 --json',
    '<%= config.bin %> <%= command.id %> --format html --redact-people --out postmortem-for-circulation.html',
  ]
  static override flags = {
    incident: incidentFlags.incident,
    format: Flags.string({char: 'f', options: ['md', 'html'], default: 'md', description: 'Output format'}),
    out: Flags.string({char: 'o', description: 'Write to this file (0600) instead of stdout'}),
    'redact-people': Flags.boolean({default: false, description: "Show people as roles (commander, responder N, commit author N), also inside notes' text, for wider circulation"}),
  }

  async run() {
    const {flags} = await this.parse(Report)
    const {state, events, warnings} = loadIncident(this.incident(flags))
    await this.warnAll(warnings)
    const doc = buildReport(state, events, new Date(), {redactPeople: flags['redact-people']})
    // Notes, titles and names come from outside: no control character reaches a terminal or a Markdown file.
    const text = safeText(flags.format === 'html' ? toHtml(doc) : toMarkdown(doc))
    if (flags.out) {
      try {
        writeFileSync(flags.out, text, {mode: 0o600})
      } catch (error) {
        throw fromSystemError(error) ?? error
      }
      process.stderr.write(`Wrote the post-mortem draft to ${flags.out}\n`)
    } else if (!this.jsonEnabled()) {
      process.stdout.write(text)
    }
    return {incident: state.id, format: flags.format, out: flags.out ?? null, document: doc}
  }
}
