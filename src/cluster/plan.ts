import type {PlaybookStep} from '../playbook/schema.js'
import {renderTemplate} from '../playbook/template.js'

// The safe order of the fix when Secrets are stored in plaintext, as
// playbook steps: playbooks/encryption-gap.yaml carries exactly these steps
// (phases `fix` and `verify`, a test keeps them equal), and `leakctl check
// encryption` prints them rendered for the cluster it looked at.
// The order matters: rewriting every Secret before every API server writes
// encrypted just rewrites them in plaintext again (or with a key only some
// API servers have), and removing identity or an old key before the raw
// count is clean makes the Secrets still stored that way unreadable.

export const PLAN_VARS = ['encryptionConfig', 'context', 'etcdFlags', 'canaryNamespace'] as const
export type PlanVars = Partial<Record<(typeof PLAN_VARS)[number], string>>

/** The steps with `{{vars.*}}` placeholders, as the playbook holds them. */
export const REENCRYPTION_STEPS: readonly PlaybookStep[] = [
  {
    id: 'fix-provider-order',
    title: 'Put an encrypting provider FIRST for secrets in {{vars.encryptionConfig}}; identity only LAST, as a read fallback',
    why: 'The first provider of the first matching rule writes every new Secret; identity first means plaintext whatever follows. Keep identity (and any old key) below it: Secrets still stored the old way must stay readable until they are rewritten.',
    commands: ['leakctl check encryption --encryption-config {{vars.encryptionConfig}}'],
    check: {command: 'leakctl check encryption --encryption-config {{vars.encryptionConfig}} --json', description: 'verdict ENCRYPTED for the file (exit 0) and no issue the API server would refuse'},
  },
  {
    id: 'reload-apiservers',
    title: 'Make EVERY kube-apiserver load the fixed file: copy it to each control-plane node, then wait for the automatic reload or restart them one at a time',
    why: 'An API server still on the old configuration keeps writing plaintext. With --encryption-provider-config-automatic-reload=true the file is re-read within about a minute (a refused file keeps the old one: watch the failure counter); without it, only a restart loads it.',
    commands: [
      'kubectl --context {{vars.context}} -n kube-system get pods -l component=kube-apiserver -o yaml | grep -E "encryption-provider-config"',
      'kubectl --context {{vars.context}} get --raw /metrics | grep -E "apiserver_encryption_config_controller_automatic_reload(s_total|_last_timestamp_seconds)"',
      '# without automatic reload, on each control-plane node in turn: mv /etc/kubernetes/manifests/kube-apiserver.yaml /tmp/ && sleep 20 && mv /tmp/kube-apiserver.yaml /etc/kubernetes/manifests/',
      'kubectl --context {{vars.context}} -n kube-system wait --for=condition=Ready pod -l component=kube-apiserver --timeout=300s',
    ],
  },
  {
    id: 'verify-new-writes',
    title: 'Prove new writes are encrypted before rewriting anything: canary Secret through the API server, read back raw from etcd',
    why: 'The canary hits one API server behind the load balancer: run it a few times. Rewriting while any API server still writes plaintext only moves the problem.',
    commands: ['leakctl check encryption --context {{vars.context}} {{vars.etcdFlags}} --canary --canary-namespace {{vars.canaryNamespace}}'],
    check: {command: 'leakctl check encryption --context {{vars.context}} {{vars.etcdFlags}} --canary --canary-namespace {{vars.canaryNamespace}} --json', description: 'canary.status encrypted (exit 0, or 1 only because stored Secrets are still plaintext)'},
  },
  {
    id: 'rewrite-secrets',
    title: 'Rewrite every Secret so the API server stores it again with the first provider',
    why: 'Changing the configuration does not touch stored values; each Secret is encrypted only when written again. A conflict means the Secret changed meanwhile (and was written encrypted): re-run for those. Per namespace keeps each request small on large clusters.',
    commands: [
      'kubectl --context {{vars.context}} get secrets -A -o json | kubectl --context {{vars.context}} replace -f -',
      '# large clusters, namespace by namespace: for ns in $(kubectl --context {{vars.context}} get ns -o jsonpath="{.items[*].metadata.name}"); do kubectl --context {{vars.context}} -n "$ns" get secrets -o json | kubectl --context {{vars.context}} replace -f -; done',
    ],
  },
  {
    id: 'verify-raw-count',
    title: 'Prove it from etcd: the raw count of Secrets shows 0 plaintext, and every value under the key that writes',
    why: 'The only answer an attacker with the next etcd backup would agree with.',
    commands: ['leakctl check encryption --context {{vars.context}} {{vars.etcdFlags}} --canary'],
    check: {command: 'leakctl check encryption --context {{vars.context}} {{vars.etcdFlags}} --canary --json', description: 'verdict ENCRYPTED, etcd.plaintext 0 (exit 0)'},
  },
  {
    id: 'retire-fallbacks',
    title: 'Only after a clean raw count: remove retired keys from {{vars.encryptionConfig}} (keep identity last only if other resources in the rule still need it), reload, and check again',
    why: 'A key removed while values still use it makes those Secrets unreadable; identity left last costs nothing once nothing is stored in plaintext.',
    commands: ['leakctl check encryption --encryption-config {{vars.encryptionConfig}} --context {{vars.context}} {{vars.etcdFlags}}'],
  },
]

/** The plan rendered for a cluster; unknown values show as `<vars.name>` for the responder to fill. */
export function reencryptionPlan(vars: PlanVars = {}): PlaybookStep[] {
  const ctx = {vars: Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>}
  const r = (s: string) => renderTemplate(s, ctx).replace(/ {2,}/g, ' ')
  return REENCRYPTION_STEPS.map((s) => ({
    ...s,
    title: r(s.title),
    commands: s.commands.map(r),
    ...(s.check ? {check: {...s.check, command: r(s.check.command)}} : {}),
  }))
}
