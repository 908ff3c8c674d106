import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {renderVerify} from '../../cli/render/incident.js'
import {readLog} from '../../src/incident/log.js'
import {readQuarantine} from '../../src/incident/quarantine.js'
import {verifyLog} from '../../src/incident/verify.js'
import {EXIT} from '../../src/errors.js'

export default class IncidentVerify extends BaseCommand {
  static override summary = "Check the incident's chain of custody: every event signed by an admitted responder, none missing"
  static override description = `Checks the whole event log: each event's ed25519 signature, that its signer was admitted by the commander
under the name the event carries, exactly one opening, no gap in any responder's sequence numbers (a gap is a
deleted event), and lists the files sync refused from the remote. Exit 0 when all holds, 1 when anything does not.`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --incident k3f9 --json']
  static override flags = {incident: incidentFlags.incident}

  async run() {
    const {flags} = await this.parse(IncidentVerify)
    const ref = this.incident(flags)
    const {events, warnings} = readLog(ref.logPath)
    const report = verifyLog(events, readQuarantine(ref), warnings.filter((w) => w.includes('skipped')))
    this.print(() => renderVerify(report))
    if (report.problems.length) process.exitCode = EXIT.exposure
    return report
  }
}
