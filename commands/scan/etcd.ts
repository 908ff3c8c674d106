import * as Args from '#oclif/args'
import * as Flags from '#oclif/flags'

import {BaseCommand} from '../../cli/base.js'
import {etcdCsv, renderCensus, renderEtcdScan} from '../../cli/render/scan-etcd.js'
import {inputError} from '../../src/errors.js'
import {scanSnapshot} from '../../src/etcd/scan.js'
import {safeText} from '../../src/text/terminal.js'
import {count} from '../../src/text/count.js'

export default class ScanEtcd extends BaseCommand {
  static override summary = 'Read a leaked etcd snapshot offline: which Secrets are readable, every revision, how bad each is'
  static override description = `Reads the file itself — an etcdctl snapshot or a raw member/snap/db — without restoring it: every revision of every key (a Secret rotated last week or deleted yesterday still has its old value in the file), plaintext or encrypted with which provider and key, classified by risk with the reason.
With --encryption-config it proves each configured key really decrypts the values it claims, and flags values written with keys the configuration no longer has, or with a key it no longer writes with.
Credentials outside Secrets (ConfigMaps, workload env literals and command lines, custom resources, annotations) are listed too: encryption at rest rarely covers them.
The key prefix (/registry, /kubernetes.io on OpenShift, or any --etcd-prefix the API server used) is read from the keys.
Values are never printed: fingerprints (HMAC-SHA-256 with the workspace's key, created in --workspace on first use, so they match the incident's) and redacted previews only.
Exit 1 when readable credentials are in the file, 0 when none, 2 for a bad or damaged file (what could be read is still reported).`
  static override examples = [
    {description: 'The verdict, then every readable Secret by risk', command: '<%= config.bin %> <%= command.id %> backup.db'},
    {description: 'Prove which keys open the encrypted values (the configuration may have leaked with the backup)', command: '<%= config.bin %> <%= command.id %> backup.db --encryption-config /etc/kubernetes/encryption-config.yaml'},
    {description: 'Every Secret and credential, for the spreadsheet-minded', command: '<%= config.bin %> <%= command.id %> backup.db --format csv > inventory.csv'},
    {description: 'Also read pages freed by compaction; JSON for scripts', command: '<%= config.bin %> <%= command.id %> member/snap/db --deep --json > inventory.json'},
    {description: 'An API server started with --etcd-prefix', command: '<%= config.bin %> <%= command.id %> backup.db --etcd-prefix /kubernetes.io'},
  ]
  static override args = {snapshot: Args.string({required: true, description: 'The snapshot file (or member/snap/db)'})}
  static override flags = {
    'encryption-config': Flags.string({description: 'An EncryptionConfiguration: prove its keys decrypt the values'}),
    'etcd-prefix': Flags.string({description: 'Only keys under this prefix (default: detected; /registry, /kubernetes.io on OpenShift)'}),
    deep: Flags.boolean({description: 'Also read pages freed by compaction for old values still on disk'}),
    format: Flags.string({options: ['text', 'csv'], default: 'text', description: 'Output format (--json for JSON)'}),
  }

  async run() {
    const {args, flags} = await this.parse(ScanEtcd)
    const prefix = flags['etcd-prefix']
    if (prefix !== undefined && !/^\/[^\s]*$/.test(prefix)) throw inputError('etcd.prefix', `--etcd-prefix ${prefix}: expected a path such as /registry`)
    // The YAML parser only when there is a configuration to read.
    const encryptionConfig = flags['encryption-config'] ? (await import('../../src/cluster/encryption-config.js')).readEncryptionConfig(flags['encryption-config']) : undefined
    const result = await scanSnapshot(args.snapshot, {
      fingerprinter: this.fingerprinter(flags.workspace),
      encryptionConfig,
      prefix: prefix?.replace(/\/+$/, '') || undefined,
      deep: flags.deep,
      onProgress: (n) => this.progress(`reading revisions: ${count(n)}`),
      // The first half of the verdict within a second, before the values are decoded (text only).
      onCensus: this.jsonEnabled() || flags.format === 'csv' ? undefined : (c) => c.secrets > 0 && this.print(() => renderCensus(c)),
    })
    this.progressDone()
    await this.warnAll(result.warnings)
    if (result.damaged) process.exitCode = 2
    else if (result.summary.secrets.readable || result.findings.length || result.remnants.length) this.needsAction()
    if (flags.format === 'csv' && !this.jsonEnabled()) {
      // Secret names come from the snapshot: no control character reaches the terminal or the spreadsheet.
      process.stdout.write(safeText(etcdCsv(result)))
      return undefined
    }
    // Under --json oclif writes the result: the text form is not built at all.
    if (!this.jsonEnabled()) this.print(() => renderEtcdScan(result))
    return result
  }
}
