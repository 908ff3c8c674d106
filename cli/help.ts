import type {Command} from '#oclif/command'
import {type CommandHelp, Help} from '#oclif/help'

/**
 * oclif passes every text of a help page (each description, flag, example)
 * through ejs, which compiles a function per text: most have no tag at all.
 * Those are their own rendering; a text with a tag (or what might close one)
 * still goes to ejs. Start-up (docs/performance.md): every --help paid this.
 */
function plainFirst(render: (t: string) => string): (t: string) => string {
  return (t) => (t.includes('<%') || t.includes('%>') ? render(t) : t)
}

// Root help with the commands an incident commander reaches for first.
export default class LeakctlHelp extends Help {
  constructor(...args: ConstructorParameters<typeof Help>) {
    super(...args)
    this.render = plainFirst(this.render)
  }

  protected override getCommandHelpClass(command: Command.Loadable): CommandHelp {
    const help = super.getCommandHelpClass(command)
    help.render = plainFirst(help.render)
    return help
  }

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
