import {execFileSync} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'

import type {Finding, GitFinding} from '../src/detect/finding.js'
import {etcdFindings, scanSnapshot} from '../src/etcd/scan.js'
import {planRewrite, rewriteVars} from '../src/git/rewrite.js'
import {scanRepository} from '../src/git/scan.js'
import type {InstantiateInput} from '../src/playbook/instantiate.js'
import {builtinPlaybookFiles, loadPlaybook, loadProcedures} from '../src/playbook/load.js'
import {packageRoot} from '../src/paths.js'
import {Fingerprinter} from '../src/fingerprint/key.js'

// The sample inventories every built-in playbook is rendered for: the etcd
// sample snapshot (fixtures/etcd/sample.db) and the git sample repository
// (fixtures/git/make-sample-repo.sh), with the variables the triage commands
// set. Shared by the command lint (test/command-lint.test.ts) and
// `npm run bench -- playbooks`.

export interface SampleIncident {
  name: string
  input: InstantiateInput
}

const OPENED = '2026-11-22T08:00:00.000Z'
const EXPOSED = '2026-11-21T21:58:00.000Z'

function incident(id: string, kind: string) {
  return {id, title: `sample ${kind}`, kind, commander: 'sam', openedAt: OPENED, exposedAt: EXPOSED}
}

/** Builds the git sample in `dir` (DIR/repo, DIR/origin.git) and scans both samples. */
export async function sampleIncidents(dir: string, fingerprinter = new Fingerprinter(Buffer.alloc(32, 0x5a))): Promise<SampleIncident[]> {
  const root = packageRoot()
  const snapshot = join(root, 'fixtures', 'etcd', 'sample.db')
  const etcd = etcdFindings(await scanSnapshot(snapshot, {fingerprinter}))
  execFileSync('bash', [join(root, 'fixtures', 'git', 'make-sample-repo.sh'), dir], {stdio: 'ignore'})
  const repo = join(dir, 'repo')
  const scan = await scanRepository(repo, {fingerprinter})
  const git = scan.findings as GitFinding[]
  const remote = scan.repository.remotes[0] ?? null
  mkdirSync(join(dir, 'rewrite'), {mode: 0o700})
  const rewrite = planRewrite(repo, git, remote ? {name: remote.name, url: remote.url} : null, fingerprinter, join(dir, 'rewrite'))
  const procedures = loadProcedures()
  const files = builtinPlaybookFiles()
  const pb = (name: string) => loadPlaybook(files.get(name)!, procedures).value
  // The variables `triage etcd-leak` and `triage git-leak` set (unknowns stay visible blanks).
  const etcdVars = {snapshot, context: '<kube-context>', bucket: '<bucket>', object: '<object-key>'}
  const gitVars = {repo, remote: remote?.name ?? 'origin', remoteUrl: remote?.url ?? '<remote-url>', github: '<owner>/<repo>', replacements: rewrite.replacementsFile ?? '<replacements.txt>', ...rewriteVars(rewrite)}
  const encryptionVars = {
    context: '<kube-context>',
    encryptionConfig: '/etc/kubernetes/encryption-config.yaml',
    etcdFlags: '--etcd-endpoints https://127.0.0.1:2379',
    canaryNamespace: 'default',
  }
  const all: Finding[] = [...etcd, ...git]
  return [
    {name: 'etcd-leak × etcd sample', input: {playbook: pb('etcd-leak'), procedures, findings: etcd, incident: incident('INC-20261122-0800-etcd', 'etcd-leak'), vars: etcdVars}},
    {name: 'etcd-leak × no findings yet', input: {playbook: pb('etcd-leak'), procedures, findings: [], incident: incident('INC-20261122-0800-none', 'etcd-leak'), vars: etcdVars}},
    {name: 'git-leak × git sample', input: {playbook: pb('git-leak'), procedures, findings: git, incident: incident('INC-20261122-0800-git', 'git-leak'), vars: gitVars}},
    {name: 'custom × both samples', input: {playbook: pb('custom'), procedures, findings: all, incident: incident('INC-20261122-0800-custom', 'custom'), vars: {}}},
    {name: 'encryption-gap', input: {playbook: pb('encryption-gap'), procedures, findings: [], incident: incident('INC-20261122-0800-enc', 'encryption-gap'), vars: encryptionVars}},
  ]
}
