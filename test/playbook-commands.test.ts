import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type SampleIncident, sampleIncidents} from '../bench/samples.js'
import {parseEncryptionConfig} from '../src/cluster/encryption-config.js'
import {lintEncryptionConfig} from '../src/cluster/lint.js'
import {type Finding, findingKey} from '../src/detect/finding.js'
import {fingerprint} from './helpers/fingerprint.js'
import {rewriteCommands} from '../src/git/rewrite-commands.js'
import {itemCommands, renderAll} from '../src/playbook/commands.js'
import {revokeNow, storeNewValue} from '../src/playbook/generate.js'
import {procedureFor, procedureSteps} from '../src/playbook/instantiate.js'
import {builtinPlaybookFiles, loadPlaybook, loadProcedures} from '../src/playbook/load.js'
import {findingContext, placeOf} from '../src/playbook/place.js'
import {parseRef, seedCoverage, seedPrefix, seedSteps} from '../src/playbook/seed-steps.js'
import {json, leakctl, ROOT, tempDir} from './helpers/cli.js'

// What the generated commands say, for the sample inventories (issue 14,
// points 1-6, 8, 11). test/command-lint.test.ts proves they parse; this
// proves they are the right ones.

const tmp = tempDir('leakctl-pbcmd-')
let samples: SampleIncident[] = []
beforeAll(async () => {
  samples = await sampleIncidents(join(tmp.dir, 'git'))
}, 120_000)
afterAll(() => tmp.cleanup())

const sample = (name: string) => samples.find((s) => s.name === name)!.input

function etcd(extra: Partial<Extract<Finding, {source: 'etcd'}>>): Extract<Finding, {source: 'etcd'}> {
  return {
    source: 'etcd',
    class: 'password',
    risk: 'high',
    reason: 'test',
    fingerprint: fingerprint('v'),
    preview: '******** (16 chars)',
    rotation: 'generic-secret',
    key: '/registry/secrets/prod/db',
    revision: 3,
    kind: 'Secret',
    namespace: 'prod',
    name: 'db',
    field: 'data.password',
    state: 'live',
    ...extra,
  }
}

/** Every line an item shows (its commands and its procedure's steps), for one playbook run. */
function linesOf(input: ReturnType<typeof sample>, itemId: string): string[] {
  const {items} = renderAll(input)
  const item = items.find((i) => i.id === itemId)
  if (!item) throw new Error(`no item ${itemId}: ${items.map((i) => i.id).join(', ')}`)
  return itemCommands(item, input, new Map(input.findings.map((f) => [findingKey(f), f]))).map((c) => c.text)
}

describe('where the value lives decides the command (point 1)', () => {
  it('a rotated Secret restarts the readers the inventory names, by name; the blank only when none is known', () => {
    const consumers = [
      {kind: 'Deployment', namespace: 'prod', name: 'api'},
      {kind: 'StatefulSet', namespace: 'prod', name: 'worker'},
      {kind: 'ServiceAccount', namespace: 'prod', name: 'api'},
    ]
    const named = storeNewValue(findingContext(etcd({consumers})))
    expect(named.slice(1)).toEqual(['kubectl -n prod rollout restart deployment/api', 'kubectl -n prod rollout restart statefulset/worker'])
    expect(named.join('\n')).not.toContain('<deployment>')
    const onlySa = storeNewValue(findingContext(etcd({consumers: [consumers[2]!]})))
    expect(onlySa[1]).toMatch(/^# read by ServiceAccount\/api in the snapshot, none a Deployment/)
    expect(storeNewValue(findingContext(etcd({})))[1]).toMatch(/^kubectl -n prod rollout restart deployment\/<deployment> /)
    const input = {...sample('etcd-leak × etcd sample'), findings: [etcd({consumers})]}
    expect(linesOf(input, 'restart-consumers')).toContain('kubectl -n prod rollout restart deployment/api')
    // The check after the rotation reads those same readers' logs.
    const check = procedureSteps(loadProcedures().get('database-password')!, {finding: findingContext(etcd({consumers}))})[2]!
    expect(check.commands).toEqual([
      "kubectl logs -n prod deployment/api --since=10m | grep -i -E 'auth.*fail|password authentication failed'",
      "kubectl logs -n prod statefulset/worker --since=10m | grep -i -E 'auth.*fail|password authentication failed'",
    ])
  })

  it('a Secret key is patched under its own data key, never the field path', () => {
    const lines = storeNewValue(findingContext(etcd({field: 'data.webhook-url', name: 'alertmanager-slack', namespace: 'monitoring'})))
    expect(lines[0]).toContain('patch secret alertmanager-slack')
    expect(lines[0]).toContain('\\"webhook-url\\"')
    expect(lines.join('\n')).not.toContain('data.webhook-url')
  })

  it('a Deployment env var is moved into a Secret with kubectl set env, for its container', () => {
    const f = etcd({kind: 'Deployment', name: 'api', field: 'env api/DB_PASSWORD', key: '/registry/deployments/prod/api'})
    expect(placeOf(f)).toMatchObject({workload: 'deployment/api', container: 'api', envName: 'DB_PASSWORD'})
    expect(storeNewValue(findingContext(f))).toEqual([
      'kubectl -n prod create secret generic api-db-password --from-literal=DB_PASSWORD="$NEW_VALUE"',
      'kubectl -n prod set env deployment/api -c api --from=secret/api-db-password --keys=DB_PASSWORD',
    ])
  })

  it('a ConfigMap key is moved out; a whole properties file is edited; other kinds are edited in place', () => {
    const url = storeNewValue(findingContext(etcd({kind: 'ConfigMap', name: 'app-config', field: 'data.DATABASE_URL'})))
    expect(url[1]).toBe(`kubectl -n prod patch configmap app-config --type json -p '[{"op":"remove","path":"/data/DATABASE_URL"}]'`)
    expect(storeNewValue(findingContext(etcd({kind: 'ConfigMap', name: 'props', field: 'data.application.properties'})))[1]).toMatch(/^kubectl -n prod edit configmap props {3}#/)
    expect(storeNewValue(findingContext(etcd({kind: 'Widget', name: 'main', field: 'spec.apiToken'})))[0]).toMatch(/^kubectl -n prod edit widget\/main {3}#/)
  })

  it('hostile names are quoted, and never reach a comment raw', () => {
    const lines = storeNewValue(findingContext(etcd({name: "x'; rm -rf ~ #\nid", field: 'data.pass word'})))
    // The name is one single-quoted word (a newline inside quotes is data); the comment gets no raw newline.
    expect(lines[0]).toMatch(/^kubectl -n prod edit 'secret\/x'\\''; rm -rf ~ #\nid' {3}# /)
    expect(lines[0].split('   # ')[1]).not.toMatch(/[\n']/)
    expect(placeOf(etcd({preview: "postgres://a'b:****@h;rm"})).dbUser).toBeUndefined()
  })
})

describe('revocation first, and as a command (point 5)', () => {
  it('git sample: the database URL is changed NOW with ALTER USER for its user and host, sessions ended', () => {
    const input = sample('git-leak × git sample')
    const db = renderAll(input).items.find((i) => i.title.includes('database-url'))!
    const lines = linesOf(input, db.id)
    expect(lines[1]).toBe(`psql -h db.prod.internal -U <admin-user> -d postgres -v ON_ERROR_STOP=1 -c "ALTER USER payments WITH PASSWORD '$NEW_VALUE';"`)
    expect(lines[2]).toContain(`pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'payments'`)
    expect(lines.join('\n')).not.toMatch(/app_user|CREATE USER/)
  })

  it('git sample: the AWS key is disabled first, its owner read from IAM', () => {
    const input = sample('git-leak × git sample')
    const aws = renderAll(input).items.find((i) => i.title.includes('aws-access-key'))!
    expect(linesOf(input, aws.id).slice(0, 2)).toEqual([
      'AWS_USER=$(aws iam get-access-key-last-used --access-key-id AKIAQ3LMZ7TR4NBX2KDW --query UserName --output text)',
      'aws iam update-access-key --user-name "$AWS_USER" --access-key-id AKIAQ3LMZ7TR4NBX2KDW --status Inactive',
    ])
  })

  it('each provider class gets its revoke call; classes without one get none', () => {
    expect(revokeNow({class: 'github-token'})[0]).toMatch(/^gh api -X POST \/credentials\/revoke/)
    expect(revokeNow({class: 'slack-token'})[0]).toContain('https://slack.com/api/auth.revoke')
    expect(revokeNow({class: 'oauth-token'})[0]).toContain('/oauth/revoke')
    expect(revokeNow({class: 'npm-token'})[1]).toMatch(/^npm token revoke/)
    expect(revokeNow({class: 'bootstrap-token', keyId: 'q7x2m1', name: 'bootstrap-token-q7x2m1'})[0]).toBe('kubeadm token delete q7x2m1')
    expect(revokeNow({class: 'tls-key'})).toEqual([])
  })

  it('etcd sample: within a risk, what can be revoked NOW comes before what only a rotation ends (the demo shows revoke commands first)', () => {
    const input = sample('etcd-leak × etcd sample')
    const members = renderAll(input).items.filter((i) => i.parent === 'revoke-critical')
    const titles = members.map((i) => i.title)
    expect(titles.slice(0, 2)).toEqual([expect.stringContaining('bootstrap-token'), expect.stringContaining('aws-access-key')])
    expect(titles.slice(2).every((t) => /app-master-key|tls-ca-key/.test(t))).toBe(true)
    expect(linesOf(input, members[0]!.id)[0]).toBe('kubeadm token delete q7x2m1')
    expect(linesOf(input, members[1]!.id)[1]).toMatch(/^aws iam update-access-key .* --status Inactive$/)
  })

  it('the stripe key (etcd sample, priority 1) starts with its revoke, before any new key', () => {
    const input = sample('etcd-leak × etcd sample')
    const stripe = renderAll(input).items.find((i) => i.title.includes('stripe-key'))!
    expect(linesOf(input, stripe.id)[0]).toMatch(/^# Stripe has no API that revokes/)
  })
})

describe('the checklist shape (points 2, 4, 6, 8, 11)', () => {
  it('workload logs are read per namespace of the inventory, never with -A', () => {
    const lines = linesOf(sample('etcd-leak × etcd sample'), 'workload-logs')
    expect(lines.length).toBeGreaterThan(3)
    expect(lines.every((l) => /^for pod in \$\(kubectl -n \S+ get pods -o name\)/.test(l))).toBe(true)
  })

  it('one item per credential per action: a service-account token is in roll-service-accounts only', () => {
    const {items} = renderAll(sample('etcd-leak × etcd sample'))
    const byFinding = new Map<string, string[]>()
    for (const i of items) for (const k of i.findings ?? []) if (i.procedure) byFinding.set(k, [...(byFinding.get(k) ?? []), i.id])
    for (const [k, ids] of byFinding) expect(ids, k).toHaveLength(1)
    const sa = items.filter((i) => i.title.includes('k8s-service-account-token') || i.title.includes('service-account token'))
    expect(sa.every((i) => i.id.startsWith('roll-service-accounts'))).toBe(true)
    const order = items.map((i) => i.id)
    expect(order.indexOf('roll-service-accounts')).toBeLessThan(order.indexOf('rotate-priority-1'))
  })

  it('the service-account roll names the account from the token Secret and copies its bindings', () => {
    const input = sample('etcd-leak × etcd sample')
    const item = renderAll(input).items.find((i) => i.id.startsWith('roll-service-accounts.') && (i.title.includes('prod/api-token') || i.title.includes('api-token-x9k2p')))!
    const lines = linesOf(input, item.id)
    expect(lines[0]).toBe(`SA=$(kubectl get secret api-token-x9k2p -n prod -o jsonpath='{.metadata.annotations.kubernetes\\.io/service-account\\.name}')`)
    expect(lines[1]).toMatch(/^kubectl -n prod delete secret api-token-x9k2p/)
    expect(lines.find((l) => l.includes('rolebindings,clusterrolebindings'))).toMatch(/\| kubectl apply -f -$/)
  })

  it('with no findings yet, every "rotate ALL" step says how to produce them', () => {
    const {items} = renderAll(sample('etcd-leak × no findings yet'))
    for (const id of ['revoke-critical', 'roll-service-accounts', 'rotate-priority-1', 'rotate-priority-2', 'replace-tls', 'update-configmaps']) {
      const none = items.find((i) => i.id === `${id}.none`)
      expect(none?.commands, id).toEqual([expect.stringMatching(/^leakctl scan etcd \S+ --json \| leakctl incident add-findings -$/)])
    }
  })

  it('24 h monitoring is due at T+24h, not with its phase', () => {
    const {items} = renderAll(sample('etcd-leak × etcd sample'))
    expect(items.find((i) => i.id === 'monitor-24h')!.dueOffsetMs).toBe(24 * 3600_000)
  })

  it('the rewrite-history item shows the same mirror-clone plan as the triage', () => {
    const input = sample('git-leak × git sample')
    const v = input.vars!
    const expected = rewriteCommands({url: v.remoteUrl!, replacementsFile: v.replacements!, refs: v.rewriteRefs!.split('\n'), removedPaths: []})
    expect(linesOf(input, 'rewrite-history')).toEqual(expected)
    expect(expected[0]).toMatch(/^git clone --mirror \S+ rewrite\.git$/)
    expect(expected[1]).toMatch(/^git -C rewrite\.git filter-repo --replace-text \S+ --refs refs\/heads\/main --force$/)
  })
})

describe('--planned: the graceful rotation is chosen, immediate revocation stays the default (point 5)', () => {
  const procedureOf = (env: Record<string, string>) => {
    const list = json(leakctl(['checklist', '--json'], {env}))
    type Item = {id: string; title: string; why: string; procedure: string | null}
    const items = list.phases.flatMap((p: {items: (Item & {members: Item[]})[]}) => p.items.flatMap((i) => [i, ...i.members]))
    const item = items.find((i: Item) => i.id.startsWith('revoke-now.') && i.id !== 'revoke-now.none')
    return item?.procedure && {procedure: item.procedure, title: item.title, why: item.why}
  }
  const open = (name: string, planned: boolean) => {
    const env = {LEAKCTL_WORKSPACE: join(tmp.dir, name)}
    const r = leakctl(['incident', 'open', '--title', 'db password', '--kind', 'git-leak', ...(planned ? ['--planned'] : []), '--json'], {env})
    expect(r.code, r.stderr).toBe(0)
    // Findings added after the opening follow the choice the opening recorded (a teammate's add-findings too).
    const db = sample('git-leak × git sample').findings.filter((f) => f.class === 'database-url')
    expect(db.length).toBeGreaterThan(0)
    const added = leakctl(['incident', 'add-findings', '-'], {env, input: JSON.stringify({findings: db})})
    expect(added.code, added.stderr).toBe(0)
    return env
  }

  it('incident open --planned records the choice; the database finding gets database-password-planned, worded as planned', () => {
    const env = open('ws-planned', true)
    const item = procedureOf(env)
    expect(item?.procedure).toBe('database-password-planned')
    expect(item?.title).toMatch(/^Rotate on the planned schedule: database-url /)
    expect(`${item?.title} ${item?.why}`).not.toMatch(/\bNOW\b|change it now/i)
    expect(json(leakctl(['incident', 'status', '--json'], {env})).incident.rotations).toBe('planned')
  })

  it('without --planned the same finding is changed NOW (database-password)', () => {
    const env = open('ws-immediate', false)
    expect(procedureOf(env)).toMatchObject({procedure: 'database-password', title: expect.stringMatching(/^Revoke NOW: database-url /)})
    expect(json(leakctl(['incident', 'status', '--json'], {env})).incident.rotations).toBe('immediate')
  })

  it('a -planned procedure is never picked by class alone, and only replaces one that has a planned variant', () => {
    const procedures = loadProcedures()
    const url = etcd({class: 'database-url', rotation: 'no-such-rotation'})
    expect(procedureFor(url, procedures)?.id).toBe('database-password')
    expect(procedureFor(url, procedures, true)?.id).toBe('database-password-planned')
    expect(procedureFor(etcd({class: 'aws-access-key', rotation: 'aws-access-key'}), procedures, true)?.id).toBe('aws-access-key')
  })
})

describe('the fixed EncryptionConfiguration for the incident\'s cluster (point 10)', () => {
  it('a fresh key first for what the leak showed readable, the current keys after it, identity last; the key only in the 0600 file', () => {
    const env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws-fixcfg')}
    expect(leakctl(['incident', 'open', '--title', 'plaintext Secrets', '--kind', 'encryption-gap', '--var', 'encryptionConfig=/etc/kubernetes/enc.yaml'], {env}).code).toBe(0)
    const findings = [etcd({}), etcd({kind: 'ConfigMap', name: 'app-config', field: 'data.DATABASE_URL', key: '/registry/configmaps/prod/app-config'})]
    expect(leakctl(['incident', 'add-findings', '-'], {env, input: JSON.stringify({findings})}).code).toBe(0)
    // The broken current file: identity first (plaintext writes), an old aescbc key after it that wrote some values.
    const oldKey = Buffer.alloc(32, 7).toString('base64')
    const current = join(tmp.dir, 'enc-current.yaml')
    writeFileSync(current, `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - identity: {}\n      - aescbc:\n          keys:\n            - name: key1\n              secret: ${oldKey}\n`)
    const out = join(tmp.dir, 'enc-fixed.yaml')
    const r = leakctl(['incident', 'encryption-config', '--from', current, '--out', out, '--json'], {env})
    expect(r.code, r.stderr).toBe(0)
    const doc = json(r)
    expect(doc.resources).toEqual(['secrets', 'configmaps'])
    expect(doc.next[1]).toBe(`sudo install -m 600 -o root -g root ${out} /etc/kubernetes/enc.yaml   # on every control-plane node, then reload the API servers`)
    expect(statSync(out).mode & 0o777).toBe(0o600)

    // The documented apiserver.config.k8s.io/v1 shape, read by the same parser and lint as check encryption.
    const text = readFileSync(out, 'utf8')
    const config = parseEncryptionConfig(text, out)
    expect(config.form).toBe('v1')
    expect(config.rules.map((r) => r.resources)).toEqual([['secrets', 'configmaps']])
    const providers = config.rules[0]!.providers
    expect(providers.map((p) => p.type)).toEqual(['secretbox', 'aescbc', 'identity'])
    const fresh = providers[0] as Extract<typeof providers[0], {type: 'secretbox'}>
    expect(fresh.keys.map((k) => [k.name, k.secret.length])).toEqual([[doc.keyName, 32]])
    expect((providers[1] as typeof fresh).keys[0]!.secret.toString('base64')).toBe(oldKey)
    const lint = lintEncryptionConfig(config)
    expect(lint.rejected).toBe(false)
    expect(lint.secrets).toMatchObject({mode: 'encrypted', provider: 'secretbox'})
    expect(lint.configmaps).toMatchObject({mode: 'encrypted', provider: 'secretbox'})
    expect(leakctl(['check', 'encryption', '--encryption-config', out], {env}).code).toBe(0)

    // The key (and the old one) never leaves the file: not on stdout or stderr, not in the log, not in an export.
    const key = fresh.keys[0]!.secret
    const outputs = [r, leakctl(['timeline', 'export', '--json'], {env}), leakctl(['checklist', '--verbose'], {env}), leakctl(['incident', 'encryption-config', '--out', join(tmp.dir, 'enc-2.yaml')], {env})]
    const workspace = readdirSync(env.LEAKCTL_WORKSPACE, {recursive: true, withFileTypes: true}).filter((d) => d.isFile()).map((d) => readFileSync(join(d.parentPath, d.name), 'latin1'))
    for (const text of [...outputs.flatMap((o) => [o.stdout, o.stderr]), ...workspace]) {
      for (const secret of [key.toString('base64'), key.toString('hex'), oldKey]) expect(text.includes(secret)).toBe(false)
    }
    expect(outputs[1]!.stdout).toContain(`Fixed EncryptionConfiguration written (secretbox key ${doc.keyName} first for secrets, configmaps; 1 current provider(s) kept after it; identity last)`)
    // An existing file is never overwritten without --force (it holds the only copy of a key).
    const again = leakctl(['incident', 'encryption-config', '--out', out], {env})
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/exists: pass --force/)
  })
})

describe('encryption-gap is its own kind, its variables filled at open (point 10)', () => {
  it('incident open --kind encryption-gap --var fills {{vars.…}}; a malformed --var is a usage error', () => {
    const env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws-enc')}
    const opened = leakctl(['incident', 'open', '--title', 'plaintext Secrets', '--kind', 'encryption-gap', '--var', 'context=prod-eu', '--var', 'encryptionConfig=/etc/kubernetes/enc.yaml', '--json'], {env})
    expect(opened.code, opened.stderr).toBe(0)
    const list = json(leakctl(['checklist', '--json'], {env}))
    const item = list.phases.flatMap((p: {items: {id: string; commands: string[]}[]}) => p.items).find((i: {id: string}) => i.id === 'apiserver-flags')
    expect(item.commands[0]).toMatch(/^kubectl --context prod-eu -n kube-system get pods/)
    const bad = leakctl(['incident', 'open', '--title', 'x', '--kind', 'encryption-gap', '--var', '=nope'], {env})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--var "=nope": expected name=value/)
  })
})

describe('docs/playbooks.md is kept honest (point 13)', () => {
  it('lists every step id of every built-in playbook, under its playbook', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'playbooks.md'), 'utf8')
    const procedures = loadProcedures()
    for (const [name, file] of builtinPlaybookFiles()) {
      const section = doc.split(/^### /m).find((s) => s.startsWith(`${name}:`))
      expect(section, `docs/playbooks.md has no section for ${name}`).toBeDefined()
      for (const phase of loadPlaybook(file, procedures).value.phases) {
        for (const step of phase.steps) expect(section, `${name}: step ${step.id}`).toContain(`| ${phase.id} | \`${step.id}\` |`)
      }
    }
  })

  it('counts seed steps the way a responder reads them: numbered, imperative bullets and checkboxes, command blocks no step introduces', () => {
    const text = [
      'Phase 2: Emergency response', // a heading
      '1. Check if encryption was enabled:', // numbered
      'kubectl get configmap -n kube-system encryption-config -o yaml', // its command: part of step 1
      'All secrets are in plaintext:', // prose
      '- Database credentials', // a description, not an instruction
      '-',
      'Revoke all secrets immediately', // a bullet whose text is on the next line
      'Check databases for unauthorized access', // an imperative sentence
      'Now the backup is harmless:', // prose again
      'etcdctl snapshot info /backup/etcd-snapshot', // a command block no step introduces
      '[] Encrypt backups [] Enable hourly verification', // checkboxes
      '[] Fixed encryption configuration', // a state to confirm, not an instruction
      'Request ID: bkg-1', // a label
      '```bash',
      'kubectl get cronjob secret-rotation', // a fenced block: one step
      'kubectl get jobs',
      '```',
    ].join('\n')
    expect(seedSteps('009', text).map((s) => [s.id, s.kind])).toEqual([
      ['009.2', 'numbered'],
      ['009.7', 'imperative'],
      ['009.8', 'imperative'],
      ['009.10', 'command'],
      ['009.11', 'imperative'],
      ['009.15', 'command'],
    ])
  })

  const seedDir = join(ROOT, '..', 'shared', 'seeds')
  it.skipIf(!existsSync(seedDir))('has a row for every seed step, each naming steps that exist or saying why not', () => {
    const rows = seedCoverage(readFileSync(join(ROOT, 'docs', 'playbooks.md'), 'utf8'))
    const procedures = loadProcedures()
    const playbooks = new Map([...builtinPlaybookFiles()].map(([name, file]) => [name, loadPlaybook(file, procedures).value]))
    const ids: string[] = []
    for (const f of readdirSync(seedDir).filter((f) => f.endsWith('.txt')).sort()) {
      const steps = seedSteps(seedPrefix(f), readFileSync(join(seedDir, f), 'utf8'))
      expect(steps.length, `${f} has no step`).toBeGreaterThan(0)
      ids.push(...steps.map((s) => s.id))
    }
    for (const id of ids) {
      const row = rows.get(id)
      expect(row, `docs/playbooks.md has no row for seed step ${id}`).toBeDefined()
      expect(row!.refs.length > 0 || row!.notAutomated !== undefined, `seed step ${id}: names no step and says no why`).toBe(true)
      for (const ref of row!.refs) {
        const r = parseRef(ref)
        if ('procedure' in r) {
          const steps = procedures.get(r.procedure)?.steps.length ?? 0
          expect(r.index >= 1 && r.index <= steps, `seed step ${id}: ${ref} does not exist`).toBe(true)
        } else {
          const steps = playbooks.get(r.playbook)?.phases.flatMap((p) => p.steps.map((s) => s.id)) ?? []
          expect(steps, `seed step ${id}: ${ref} does not exist`).toContain(r.step)
        }
      }
    }
    // No row for a step the seeds no longer have.
    expect([...rows.keys()].filter((k) => !ids.includes(k))).toEqual([])
  })
})
