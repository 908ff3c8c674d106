import * as Flags from '#oclif/flags'
import chalk from 'chalk'

import {BaseCommand, incidentFlags} from '../../cli/base.js'
import {renderEncryptionCheck} from '../../cli/render/check-encryption.js'
import {checkEncryption} from '../../src/cluster/check.js'
import {recordCheck} from '../../src/cluster/record.js'
import {inputError} from '../../src/errors.js'

export default class CheckEncryption extends BaseCommand {
  static override summary = 'Are Secrets really encrypted at rest? Lint the EncryptionConfiguration, ask the API servers, prove it from etcd'
  static override description = `Prints one verdict first — ENCRYPTED, PARTIAL, PLAINTEXT or UNKNOWN — then the evidence behind it.
It cannot be fooled by \`identity: {}\` listed first: the provider that writes is the FIRST one of the first rule that matches, and that is what is checked, in the file, in the API servers' own counters, and in etcd.
Evidence, strongest first: --canary (a Secret written through the API server, read back raw from etcd), the raw count of every Secret in etcd (--etcd-endpoints: plaintext vs encrypted by provider and key), the kube-apiserver static pods' flags, /metrics and /healthz (the current kubeconfig context), EKS DescribeCluster (--eks-cluster), and the configuration file (--encryption-config).
Evidence that cannot be gathered is listed with the reason and what to run instead; a partial answer never guesses.
Without flags it asks the current kubeconfig context. With --encryption-config, --etcd-endpoints or --eks-cluster alone it does not talk to the cluster unless --context, --kubeconfig, --canary or --cluster says so.
Exit 0 ENCRYPTED, 1 PARTIAL or PLAINTEXT (action needed; the re-encryption plan is printed), 2 bad input (a file that is not an EncryptionConfiguration, bad flags), 3 cannot verify (cluster, etcd or AWS unreachable or refusing: what is missing is printed) — fit for a CronJob.
Key material and Secret values are never printed: key names, byte lengths and sha256 fingerprints only.`
  static override examples = [
    {description: 'Lint a configuration file (what new Secrets are written with, what the API server would refuse)', command: '<%= config.bin %> <%= command.id %> --encryption-config /etc/kubernetes/encryption-config.yaml'},
    {description: 'Ask the live cluster: API server flags, metrics, KMS health', command: '<%= config.bin %> <%= command.id %> --context prod'},
    {
      description: 'Prove it from etcd on a control-plane node: raw count of every Secret, and a canary write',
      command: '<%= config.bin %> <%= command.id %> --context prod --etcd-endpoints https://127.0.0.1:2379 --etcd-cacert /etc/kubernetes/pki/etcd/ca.crt --etcd-cert /etc/kubernetes/pki/apiserver-etcd-client.crt --etcd-key /etc/kubernetes/pki/apiserver-etcd-client.key --encryption-config /etc/kubernetes/encryption-config.yaml --canary',
    },
    {description: 'Amazon EKS: the cluster\'s KMS encryption configuration', command: '<%= config.bin %> <%= command.id %> --context prod-eks --eks-cluster prod --region eu-west-1'},
    {description: 'Record the result on the incident', command: '<%= config.bin %> <%= command.id %> --context prod --etcd-endpoints https://10.0.0.10:2379 --etcd-cacert ca.crt --etcd-cert client.crt --etcd-key client.key --incident 01J --json'},
  ]
  static override flags = {
    'encryption-config': Flags.string({char: 'c', description: 'An EncryptionConfiguration file to lint (both the apiserver.config.k8s.io/v1 and the legacy EncryptionConfig form); its keys also prove the stored values'}),
    cluster: Flags.boolean({allowNo: true, description: 'Ask the live cluster through the kubeconfig (default: when no other source is given, or --context/--kubeconfig/--canary)'}),
    kubeconfig: Flags.string({description: 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, or the in-cluster service account)'}),
    context: Flags.string({description: 'kubeconfig context (default: the current one)'}),
    'etcd-endpoints': Flags.string({description: 'etcd client URLs, comma-separated (https://host:2379): read the raw stored Secrets'}),
    'etcd-cacert': Flags.string({description: 'CA certificate of etcd (PEM), e.g. /etc/kubernetes/pki/etcd/ca.crt'}),
    'etcd-cert': Flags.string({description: 'Client certificate for etcd (PEM), e.g. /etc/kubernetes/pki/apiserver-etcd-client.crt'}),
    'etcd-key': Flags.string({description: 'Private key of the client certificate (PEM)'}),
    'etcd-prefix': Flags.string({description: 'kube-apiserver --etcd-prefix (default: read from the API servers, else /registry)'}),
    canary: Flags.boolean({description: 'Write a Secret with a random marker through the API server, read its stored bytes from etcd, delete it: proves what new writes look like'}),
    'canary-namespace': Flags.string({default: 'default', description: 'Namespace for the canary Secret (needs create and delete on secrets there)'}),
    'eks-cluster': Flags.string({description: 'Amazon EKS cluster name: read its encryption configuration (DescribeCluster)'}),
    region: Flags.string({description: 'AWS region of --eks-cluster [env: AWS_REGION]'}),
    'page-size': Flags.integer({min: 1, max: 10_000, default: 1000, description: 'Keys per etcd range request to start with (adapts to the values\' size)'}),
    ...incidentFlags,
  }

  async run() {
    const {flags} = await this.parse(CheckEncryption)
    const etcdTls = flags['etcd-cacert'] || flags['etcd-cert'] || flags['etcd-key']
    if (etcdTls && !flags['etcd-endpoints']) throw inputError('usage', '--etcd-cacert/--etcd-cert/--etcd-key need --etcd-endpoints')
    if (flags['etcd-prefix'] && !/^\/[^\s]*$/.test(flags['etcd-prefix'])) throw inputError('usage', `--etcd-prefix ${flags['etcd-prefix']}: expected a path such as /registry`)
    const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION
    if (flags['eks-cluster'] && !region) throw inputError('usage', '--eks-cluster needs --region (or AWS_REGION)')
    if (flags.region && !flags['eks-cluster']) throw inputError('usage', '--region goes with --eks-cluster')
    const otherSource = !!(flags['encryption-config'] || flags['etcd-endpoints'] || flags['eks-cluster'])
    const cluster = flags.cluster ?? (!!(flags.kubeconfig || flags.context || flags.canary) || !otherSource)
    if (!cluster && !otherSource) throw inputError('usage', 'nothing to check: give --encryption-config, --etcd-endpoints, --eks-cluster, or let it ask the cluster')
    if (flags.canary && flags.cluster === false) throw inputError('usage', '--canary writes through the API server: it cannot run with --no-cluster')
    const ref = flags.incident ? this.incident(flags) : null

    const r = await checkEncryption({
      encryptionConfig: flags['encryption-config'],
      cluster,
      kube: {kubeconfig: flags.kubeconfig, context: flags.context},
      etcd: flags['etcd-endpoints'] ? {endpoints: flags['etcd-endpoints'].split(',').map((s) => s.trim()).filter(Boolean), cacert: flags['etcd-cacert'], cert: flags['etcd-cert'], key: flags['etcd-key']} : undefined,
      etcdPrefix: flags['etcd-prefix'],
      canary: flags.canary ? {namespace: flags['canary-namespace'], fingerprinter: this.fingerprinter(flags.workspace)} : undefined,
      eks: flags['eks-cluster'] ? {cluster: flags['eks-cluster'], region: region!} : undefined,
      pageSize: flags['page-size'],
      onProgress: (t) => this.progress(t),
    })
    this.progressDone()
    await this.warnAll(r.warnings)
    if (ref) {
      const rec = await recordCheck(ref, this.actor(flags.by), r)
      await this.warnAll(rec.warnings)
      this.print(chalk.dim(`recorded on incident ${ref.id}`))
    }
    this.print(() => renderEncryptionCheck(r))
    if (r.exitCode === 3) {
      const why = r.missing.find((m) => m.kind !== 'not-asked')?.reason ?? r.summary.replace(/^UNKNOWN — /, '')
      await this.errorLine(`cannot verify: ${why}`)
    }
    process.exitCode = r.exitCode
    return r
  }
}
