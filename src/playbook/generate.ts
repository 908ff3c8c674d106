import type {Finding} from '../detect/finding.js'
import {rewriteCommands} from '../git/rewrite-commands.js'
import {shQuote} from '../text/shell.js'
import {placeOf} from './place.js'

// Commands a template cannot write because their shape depends on the facts:
// where a value lives decides how a new one is put there (a Secret key is
// patched, a Deployment env var is moved into a Secret, a ConfigMap is
// edited); the namespaces of the inventory decide which logs to read.
// Playbooks and procedures name a generator (`generate: store-new-value`);
// every value put into a line here goes through shQuote or a strict shape check.

const DATA_KEY = /^[-._a-zA-Z0-9]+$/

/** Outside text inside a `# comment`: a newline there would end the comment and start a command. */
function inComment(text: string | undefined): string {
  return (text ?? '').replace(/[^\w .:/@=,()-]/g, '?').slice(0, 200)
}

/**
 * Puts "$NEW_VALUE" (set by the step before) where the finding's value lives.
 * `finding` is the template context of the finding (findingContext()).
 */
export function storeNewValue(finding: Record<string, string> | undefined): string[] {
  if (!finding) return ['# record the finding (leakctl incident add-findings) to get the command for its place']
  const ns = finding.namespace ? `-n ${shQuote(finding.namespace)} ` : ''
  const name = finding.name ? shQuote(finding.name) : '<name>'
  if (finding.source !== 'etcd') {
    return [`# the value was in ${inComment(finding.where) || 'the repository'}: store the new one where the service reads it (a Secret or the secret store), never in the repository`]
  }
  if (finding.kind === 'Secret' && finding.dataKey && DATA_KEY.test(finding.dataKey)) {
    // A merge patch of this one key: the Secret's other keys stay as they are. base64 keeps any value JSON-safe.
    return [
      `kubectl ${ns}patch secret ${name} --type merge -p "{\\"data\\":{\\"${finding.dataKey}\\":\\"$(printf %s "$NEW_VALUE" | base64 -w0)\\"}}"`,
      ...restartReaders(finding, ns),
    ]
  }
  if (finding.workload && finding.container && finding.envName) {
    const secret = `${finding.name}-${finding.envName.toLowerCase().replaceAll('_', '-')}`.slice(0, 253)
    return [
      `kubectl ${ns}create secret generic ${shQuote(secret)} --from-literal=${shQuote(finding.envName)}="$NEW_VALUE"`,
      `kubectl ${ns}set env ${shQuote(finding.workload)} -c ${shQuote(finding.container)} --from=secret/${shQuote(secret)} --keys=${shQuote(finding.envName)}`,
    ]
  }
  if (finding.kind === 'ConfigMap' && finding.dataKey && DATA_KEY.test(finding.dataKey)) {
    if (finding.dataKey.includes('.')) {
      // A whole file (application.properties): only the credential's line moves out.
      return [
        `kubectl ${ns}create secret generic ${shQuote(`${finding.name}-credentials`)} --from-literal=password="$NEW_VALUE"`,
        `kubectl ${ns}edit configmap ${name}   # remove the credential from ${finding.dataKey}; the consumer reads it from secret ${inComment(finding.name)}-credentials`,
      ]
    }
    return [
      `kubectl ${ns}create secret generic ${name} --from-literal=${shQuote(finding.dataKey)}="$NEW_VALUE"`,
      `kubectl ${ns}patch configmap ${name} --type json -p '[{"op":"remove","path":"/data/${finding.dataKey}"}]'`,
    ]
  }
  const kind = finding.kind ? finding.kind.toLowerCase() : '<kind>'
  return [`kubectl ${ns}edit ${shQuote(`${kind}/${finding.name ?? ''}`)}   # the value is in ${inComment(finding.field) || 'the object'}: move it into a Secret holding the new value`]
}

/**
 * Restarts what reads the Secret: the workloads the inventory names, each by
 * name; a blank only when the inventory names no reader at all.
 */
function restartReaders(finding: Record<string, string>, ns: string): string[] {
  // restarts holds only `kind/dns-name` pairs (place.ts), safe as they are.
  if (finding.restarts) return finding.restarts.split(' ').map((w) => `kubectl ${ns}rollout restart ${w}`)
  if (finding.readers) return [`# read by ${inComment(finding.readers)} in the snapshot, none a Deployment, StatefulSet or DaemonSet: nothing to roll out (leakctl verify cluster lists today's readers)`]
  return [`kubectl ${ns}rollout restart deployment/<deployment>   # each workload that reads secret ${inComment(finding.name)} (leakctl verify cluster lists them)`]
}

/**
 * The last 10 minutes of each reader's log, for authentication errors after
 * the rotation: the workloads the inventory names, else the blank workload.
 */
export function readerAuthLogs(finding: Record<string, string> | undefined): string[] {
  const ns = finding?.namespace ? shQuote(finding.namespace) : '<finding.namespace>'
  const grep = `grep -i -E 'auth.*fail|password authentication failed'`
  const readers = finding?.restarts ? finding.restarts.split(' ') : ['deployment/<deployment>']
  return readers.map((w) => `kubectl logs -n ${ns} ${w} --since=10m | ${grep}`)
}

/**
 * The immediate revocation for the finding's class: the leaked value stops
 * working now, before any graceful rotation. A class with no instant revoke
 * (the value only dies when replaced) gets none: its rotation is the revoke.
 * Leaked values are never printed: where the call needs the value, it is the
 * blank <leaked-token> the responder pastes from the place it leaked.
 */
export function revokeNow(finding: Record<string, string> | undefined): string[] {
  if (!finding) return []
  const ns = finding.namespace ? `-n ${shQuote(finding.namespace)} ` : ''
  switch (finding.class) {
    case 'database-password':
    case 'database-url': {
      const user = finding.dbUser ?? '<db-user>'
      const host = finding.dbHost ? shQuote(finding.dbHost) : '<db-host>'
      // dbUser has the shape of a plain SQL identifier (place.ts), so it can stand unquoted in the SQL.
      return [
        `NEW_VALUE=$(openssl rand -base64 32 | tr -d '/+=')`,
        `psql -h ${host} -U <admin-user> -d postgres -v ON_ERROR_STOP=1 -c "ALTER USER ${user} WITH PASSWORD '$NEW_VALUE';"`,
        `psql -h ${host} -U <admin-user> -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${user}';"`,
      ]
    }
    case 'aws-access-key':
    case 'aws-session-token': {
      const id = finding.keyId ? shQuote(finding.keyId) : '<access-key-id>'
      return [
        `AWS_USER=$(aws iam get-access-key-last-used --access-key-id ${id} --query UserName --output text)`,
        `aws iam update-access-key --user-name "$AWS_USER" --access-key-id ${id} --status Inactive`,
      ]
    }
    case 'github-token':
      return [`gh api -X POST /credentials/revoke -f 'credentials[]=<leaked-token>'   # GitHub's credential revocation API: works for tokens you do not own`]
    case 'gitlab-token':
      return [`curl -sf -X DELETE -H 'PRIVATE-TOKEN: <leaked-token>' https://gitlab.com/api/v4/personal_access_tokens/self`]
    case 'npm-token':
      return ['npm token list', 'npm token revoke <token-id>   # the id npm token list shows for the leaked token']
    case 'sendgrid-key':
      return [`curl -sf -X DELETE -H 'Authorization: Bearer <admin-api-key>' https://api.sendgrid.com/v3/api_keys/<api-key-id>`]
    case 'stripe-key':
      return ['# Stripe has no API that revokes a secret key: Dashboard → Developers → API keys → Roll key, expiration "now"']
    case 'slack-token':
      return [`curl -sf -X POST -H 'Authorization: Bearer <leaked-token>' https://slack.com/api/auth.revoke`]
    case 'oauth-token':
    case 'oauth-client-secret':
    case 'jwt':
      // RFC 7009 token revocation; a client secret is rotated in the provider's console.
      return [`curl -sf -X POST -u '<client-id>:<client-secret>' -d 'token=<leaked-token>' -d token_type_hint=refresh_token https://<provider>/oauth/revoke`]
    case 'k8s-service-account-token':
      return finding.name ? [`kubectl ${ns}delete secret ${shQuote(finding.name)}   # the API server stops accepting the token at once`] : []
    case 'bootstrap-token':
      return [
        ...(finding.keyId ? [`kubeadm token delete ${shQuote(finding.keyId)}`] : []),
        ...(finding.name ? [`kubectl -n kube-system delete secret ${shQuote(finding.name)}`] : []),
      ]
    default:
      return []
  }
}

function namespacesOf(findings: readonly Finding[]): string[] {
  const set = new Set<string>()
  for (const f of findings) if (f.source === 'etcd' && f.namespace) set.add(f.namespace)
  return [...set].sort()
}

/** Per namespace of the inventory: kubectl logs takes no -A, so each namespace's pods are read in turn. */
export function workloadLogs(findings: readonly Finding[], since: string): string[] {
  const ns = namespacesOf(findings)
  if (ns.length === 0) return ['# no namespace in the inventory yet: leakctl scan etcd <snapshot> --json | leakctl incident add-findings -']
  return ns.map(
    (n) =>
      `for pod in $(kubectl -n ${shQuote(n)} get pods -o name); do kubectl -n ${shQuote(n)} logs "$pod" --all-containers=true --since=${shQuote(since)} --prefix | grep -i -E 'auth.*fail|unauthori[sz]ed|forbidden|invalid (token|password)'; done`,
  )
}

/** Per namespace of the inventory: restart what consumes the rotated Secrets, then list pods that did not come back. */
export function restartConsumers(findings: readonly Finding[]): string[] {
  const ns = namespacesOf(findings)
  const out: string[] = []
  for (const f of findings) {
    if (f.source === 'etcd' && f.kind !== 'Secret' && f.kind !== 'ConfigMap' && f.namespace) {
      const kind = f.kind.toLowerCase()
      if (['deployment', 'statefulset', 'daemonset'].includes(kind)) out.push(`kubectl -n ${shQuote(f.namespace)} rollout restart ${shQuote(`${kind}/${f.name}`)}`)
    }
    // The workloads the inventory names as readers of a rotated Secret, each by name.
    if (f.source === 'etcd' && f.namespace) for (const w of placeOf(f).restarts?.split(' ') ?? []) out.push(`kubectl -n ${shQuote(f.namespace)} rollout restart ${w}`)
  }
  for (const n of ns) out.push(`kubectl -n ${shQuote(n)} rollout restart deployment,statefulset,daemonset`)
  out.push('kubectl get pods -A --field-selector=status.phase!=Running')
  return [...new Set(out)]
}

/** The history rewrite `triage git-leak` prepared: the same commands in the checklist as in the triage. */
export function rewriteHistory(vars: Record<string, string>): string[] {
  return rewriteCommands({
    url: vars.remoteUrl || '<remote-url>',
    replacementsFile: vars.replacements || null,
    refs: (vars.rewriteRefs ?? '').split('\n').filter(Boolean),
    removedPaths: (vars.rewritePaths ?? '').split('\n').filter(Boolean),
    byHand: (vars.rewriteByHand ?? '').split('\n').filter(Boolean),
  })
}
