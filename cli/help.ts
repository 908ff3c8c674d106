import {Help} from '@oclif/core/help'

// Root help with the commands an incident commander reaches for first.
export default class LeakctlHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    this.log(`EXAMPLES
  Open an incident for a leaked etcd backup and see the checklist
    $ leakctl incident open --title "etcd backup in public bucket" --kind etcd-leak --exposed-at 2026-11-22T09:14:00Z
    $ leakctl checklist

  Tick an item, with a note, as a named responder
    $ leakctl checklist tick contain-bucket --note "public access blocked" --by ana

  Record a scan's findings on the incident (expands the checklist per credential)
    $ leakctl incident add-findings findings.json

  The post-mortem timeline
    $ leakctl timeline export --format html --out timeline.html

Exit codes: 0 ok, 1 exposure found / action needed, 2 bad usage or input, 3 a dependency (cluster, AWS, GitHub) failed.
Every command takes --json (one JSON document on stdout) and honours NO_COLOR.
`)
  }
}
