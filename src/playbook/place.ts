import {type Finding, findingVars} from '../detect/finding.js'
import {lookupTable} from '../lookup.js'

// Where a leaked value lives, in the words a command needs: the Secret's own
// data key (`password`, not the field path `data.password`), the workload and
// container whose env holds it, the database user and host of a connection
// URL. Everything here comes from a scanned snapshot or repository, so each
// value is kept only when it has the strict shape its command expects;
// anything else stays a visible blank.

/** Kubernetes kinds whose pod template can hold an env var, as `kubectl set env` names them. */
const WORKLOADS = lookupTable({
  Deployment: 'deployment',
  StatefulSet: 'statefulset',
  DaemonSet: 'daemonset',
  CronJob: 'cronjob',
  Job: 'job',
  ReplicaSet: 'replicaset',
  Pod: 'pod',
})

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/
const DATA_KEY = /^[-._a-zA-Z0-9]{1,253}$/
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/
const SQL_USER = /^[a-z_][a-z0-9_]{0,62}$/
const HOST = /^[A-Za-z0-9]([-A-Za-z0-9.]{0,252}[A-Za-z0-9])?$/

export interface Place {
  /** Key inside the Secret or ConfigMap's data (`password`). */
  dataKey?: string
  /** `deployment/api`: the workload whose pod template holds the value. */
  workload?: string
  container?: string
  envName?: string
  dbUser?: string
  dbHost?: string
  /** `deployment/api statefulset/worker`: the consumers the inventory names that `kubectl rollout restart` rolls. */
  restarts?: string
  /** Every consumer the inventory names (`Deployment/api, ServiceAccount/api`): known readers, even with nothing to roll. */
  readers?: string
}

/** Consumer kinds `kubectl rollout restart` takes. */
const ROLLOUT = lookupTable({Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset'})

export function placeOf(f: Finding): Place {
  const p: Place = {}
  if (f.source === 'etcd') {
    const data = /^(?:data|stringData|binaryData)\.(.+)$/.exec(f.field)
    if (data && DATA_KEY.test(data[1]!) && (f.kind === 'Secret' || f.kind === 'ConfigMap')) p.dataKey = data[1]
    const kind = WORKLOADS[f.kind]
    if (kind && DNS_NAME.test(f.name)) p.workload = `${kind}/${f.name}`
    const env = /^env ([^/\s]+)\/(\S+)$/.exec(f.field)
    if (env && DNS_NAME.test(env[1]!) && ENV_NAME.test(env[2]!)) {
      p.container = env[1]
      p.envName = env[2]
    }
    if (f.consumers?.length) {
      const ns = f.namespace
      const rolled = f.consumers.filter((c) => ROLLOUT[c.kind] && DNS_NAME.test(c.name) && (c.namespace ?? ns) === ns).map((c) => `${ROLLOUT[c.kind]}/${c.name}`)
      if (rolled.length) p.restarts = [...new Set(rolled)].join(' ')
      p.readers = f.consumers.map((c) => `${c.kind}/${c.name}`).join(', ')
    }
  }
  // A connection URL's preview keeps its user and host (only the password is masked).
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^:@/\s]+):\*+@([^:/\s?]+)/.exec(f.preview)
  if (url) {
    if (SQL_USER.test(url[1]!)) p.dbUser = url[1]
    if (HOST.test(url[2]!)) p.dbHost = url[2]
  }
  return p
}

/** The template variables a finding offers: findingVars() plus its place. */
export function findingContext(f: Finding): Record<string, string> {
  const vars = findingVars(f)
  for (const [k, v] of Object.entries(placeOf(f))) if (v) vars[k] = v
  return vars
}

/**
 * The facts a finding holds, by the blank names commands use for them
 * (`<namespace>`, `<deployment>`, `<db-user>`). The command lint fails a
 * blank of one of these names when the finding has the value.
 */
export function placeFacts(f: Finding): Record<string, string> {
  const p = placeOf(f)
  const facts: Record<string, string> = {}
  const set = (names: string[], v: string | undefined) => {
    if (v) for (const n of names) facts[n] = v
  }
  if (f.source === 'etcd') {
    set(['namespace', 'ns'], f.namespace)
    if (f.kind === 'Secret') set(['secret', 'secret-name'], f.name)
    if (p.workload) set(['workload', p.workload.split('/')[0]!], p.workload.split('/')[1])
    if (f.class === 'bootstrap-token') set(['token-id'], f.keyId)
  }
  if (f.source === 'git') set(['commit'], f.commit)
  if (f.class === 'aws-access-key') set(['access-key-id', 'key-id'], f.keyId)
  set(['data-key', 'key'], p.dataKey)
  set(['container'], p.container)
  set(['env', 'env-name'], p.envName)
  set(['db-user', 'user'], p.dbUser)
  set(['db-host', 'host'], p.dbHost)
  return facts
}
