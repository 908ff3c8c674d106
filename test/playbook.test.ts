import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {type Finding, findingVars} from '../src/detect/finding.js'
import {fingerprint} from './helpers/fingerprint.js'
import type {ChecklistItem} from '../src/incident/events.js'
import {findingItemId, instantiate, procedureSteps} from '../src/playbook/instantiate.js'
import {builtinPlaybookFiles, loadPlaybook, loadProcedures} from '../src/playbook/load.js'
import type {Playbook} from '../src/playbook/schema.js'
import {tempDir} from './helpers/cli.js'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

function write(name: string, text: string): string {
  const p = join(tmp.dir, name)
  writeFileSync(p, text)
  return p
}

function errorOf(fn: () => unknown): Error & {exitCode?: number; details?: string[]} {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}

const procedures = loadProcedures()

export function etcdFinding(name: string, cls: string, risk: Finding['risk'], extra: Partial<Extract<Finding, {source: 'etcd'}>> = {}): Finding {
  return {
    source: 'etcd',
    class: cls,
    risk,
    reason: `test ${cls}`,
    fingerprint: fingerprint(`value-of-${name}`),
    preview: '****** (12 chars)',
    rotation: cls === 'aws-access-key' ? 'aws-access-key' : 'database-password',
    key: `/registry/secrets/prod/${name}`,
    revision: 7,
    kind: 'Secret',
    namespace: 'prod',
    name,
    field: 'data.password',
    state: 'live',
    ...extra,
  }
}

describe('built-in playbooks', () => {
  it('all validate, with their rotation procedures', () => {
    const files = builtinPlaybookFiles()
    expect([...files.keys()]).toEqual(expect.arrayContaining(['etcd-leak', 'git-leak', 'custom']))
    for (const f of files.values()) expect(() => loadPlaybook(f, procedures)).not.toThrow()
    expect(procedures.size).toBeGreaterThanOrEqual(15)
  })

  it('cover the seed scenarios: etcd phases 1-7 and git hours 0, 0-1, 1-4, 4+', () => {
    const etcd = loadPlaybook(builtinPlaybookFiles().get('etcd-leak')!, procedures).value
    expect(etcd.phases.map((p) => p.window)).toEqual(['0-5m', '5-30m', '30m-2h', '2-8h', 'after', 'after', 'after'])
    const post = etcd.phases.at(-1)!.steps.map((s) => s.id)
    expect(post).toEqual(expect.arrayContaining(['confirm-high-rotated', 'confirm-medium-rotated', 'confirm-tls-replaced', 'confirm-encryption-enabled', 'confirm-backups-encrypted', 'confirm-storage-hardened', 'monitor-24h', 'team-training', 'schedule-postmortem']))
    const git = loadPlaybook(builtinPlaybookFiles().get('git-leak')!, procedures).value
    expect(git.phases.map((p) => p.window)).toEqual(['0-5m', '5m-1h', '1-4h', '4h+'])
  })
})

describe('playbook errors point at file and line', () => {
  it('malformed YAML', () => {
    const f = write('bad.yaml', 'name: x\ntitle: [unclosed\n')
    const e = errorOf(() => loadPlaybook(f, procedures))
    expect(e.exitCode).toBe(2)
    expect(e.message).toMatch(/bad\.yaml:\d+:\d+: malformed YAML/)
  })

  it('an unknown field, at the line of the key', () => {
    const f = write(
      'unknown.yaml',
      ['name: x', 'title: X', 'version: 1', 'phases:', '  - id: p', '    title: P', '    window: 0-5m', '    steps:', '      - id: s', '        title: S', '        forEch: {}', ''].join('\n'),
    )
    const e = errorOf(() => loadPlaybook(f, procedures))
    expect(e.message).toMatch(/unknown\.yaml:11:9: phases\.0\.steps\.0\.forEch: unknown field "forEch"/)
  })

  it('a bad window, an unknown template variable, a duplicate id and an unknown procedure, all reported', () => {
    const f = write(
      'many.yaml',
      [
        'name: x',
        'title: X',
        'version: 1',
        'phases:',
        '  - id: p',
        '    title: P',
        '    window: 9-5m',
        '    steps:',
        '      - id: s',
        '        title: "Rotate {{finding.name}}"',
        '      - id: s',
        '        title: T',
        '        procedure: no-such-procedure',
        '',
      ].join('\n'),
    )
    const e = errorOf(() => loadPlaybook(f, procedures))
    expect(e.message).toMatch(/many\.yaml:7:13: phases\.0\.window: "9-5m": the window ends before it starts/)
    const window = errorOf(() =>
      loadPlaybook(write('tpl.yaml', ['name: x', 'title: X', 'version: 1', 'phases:', '  - id: p', '    title: P', '    window: 0-5m', '    steps:', '      - id: s', '        title: "Rotate {{finding.name}}"', '      - id: s', '        title: T', '        procedure: no-such-procedure', ''].join('\n')), procedures),
    )
    expect(window.details!.join('\n')).toMatch(/tpl\.yaml:10:16: phases\.0\.steps\.0\.title: \{\{finding\.name\}\}: "finding" is not available here/)
    expect(window.details!.join('\n')).toMatch(/tpl\.yaml:11:13: phases\.0\.steps\.1\.id: duplicate step id "s"/)
    expect(window.details!.join('\n')).toMatch(/tpl\.yaml:13:20: .*unknown rotation procedure "no-such-procedure"/)
  })

  it('a file that is not there', () => {
    const e = errorOf(() => loadPlaybook(join(tmp.dir, 'missing.yaml'), procedures))
    expect(e.exitCode).toBe(2)
    expect(e.message).toMatch(/no such file or directory/)
  })
})

describe('instantiate', () => {
  const pb: Playbook = {
    name: 't',
    title: 'T',
    version: 1,
    phases: [
      {id: 'now', title: 'Now', window: '0-5m', steps: [{id: 'look', title: 'Look at {{vars.snapshot}} for {{incident.id}}', commands: ['leakctl scan etcd {{vars.snapshot}}']}]},
      {
        id: 'rotate',
        title: 'Rotate',
        window: '5-30m',
        steps: [
          {id: 'high', title: 'Rotate {{finding.name}}', commands: [], forEach: {findings: {risk: ['high']}, rotation: true, group: {title: 'Rotate {{count}} high-risk credentials', min: 2}}},
          {id: 'aws', title: 'AWS key {{finding.keyId}}', commands: ['leakctl logs cloudtrail --access-key-id {{finding.keyId}}'], forEach: {findings: {class: ['aws-access-key']}, rotation: false, ifNone: 'No AWS keys'}},
          {id: 'deleted', title: 'Deleted ones count', commands: [], when: {findings: {state: ['deleted']}}},
        ],
      },
      {id: 'later', title: 'Later', window: 'after', steps: [{id: 'pm', title: 'Post-mortem', commands: []}]},
    ],
  }
  const incident = {id: 'inc-1', title: 'T', kind: 'custom', commander: 'c', openedAt: '', exposedAt: ''}

  it('makes static items with due offsets, visible blanks and ifNone gaps', () => {
    const {phases, items} = instantiate({playbook: pb, procedures, findings: [], incident, vars: {}})
    expect(phases.map((p) => p.window.endMs)).toEqual([300_000, 1_800_000, null])
    const ids = items.map((i) => i.id)
    expect(ids).toEqual(['look', 'aws.none', 'pm'])
    expect(items[0]!.title).toBe('Look at <vars.snapshot> for inc-1')
    expect(items[0]!.dueOffsetMs).toBe(300_000)
    expect(items[2]!.dueOffsetMs).toBeNull()
  })

  it('groups one item per finding under a parent, with the rotation procedure filled in', () => {
    const findings = [etcdFinding('db-a', 'database-password', 'high'), etcdFinding('db-b', 'database-password', 'high'), etcdFinding('old', 'database-password', 'medium', {state: 'deleted'})]
    const {items} = instantiate({playbook: pb, procedures, findings, incident, vars: {snapshot: 'backup.db'}})
    const byId = new Map(items.map((i) => [i.id, i]))
    expect(byId.get('high')!.title).toBe('Rotate 2 high-risk credentials')
    const dbA = findingItemId('high', findings[0]!)
    expect(dbA).toMatch(/^high\.[0-9a-f]{12}$/)
    expect(byId.get(dbA)!.parent).toBe('high')
    expect(byId.get(dbA)!.title).toBe('Rotate db-a')
    expect(byId.get(dbA)!.procedure).toBe('database-password')
    const steps = procedureSteps(procedures.get('database-password')!, {finding: findingVars(findings[0]!), incident})
    expect(steps.flatMap((st) => st.commands).join('\n')).toContain('-n prod')
    expect(byId.has('deleted')).toBe(true)
    expect(byId.get('look')!.commands).toEqual(['leakctl scan etcd backup.db'])
  })

  it('gives the step that ends a two-phase rotation its grace period as a due time (point 8)', () => {
    const planned = procedureSteps(procedures.get('database-password-planned')!, {finding: findingVars(etcdFinding('db-a', 'database-password', 'high')), incident})
    expect(planned.map((st) => st.due)).toEqual([undefined, undefined, '1h after step 2'])
    expect(procedureSteps(procedures.get('database-password')!, {incident}).every((st) => st.due === undefined)).toBe(true)
  })

  it('under --planned the wording follows each item\'s procedure: a database password is rotated on schedule, an AWS key still revoked NOW', () => {
    const git = loadPlaybook(builtinPlaybookFiles().get('git-leak')!, procedures).value
    const db = etcdFinding('db-a', 'database-password', 'high')
    const aws = etcdFinding('key', 'aws-access-key', 'critical', {keyId: 'AKIAZZZZZZZZZZZZZZZZ'})
    const revoke = (findings: Finding[], planned: boolean) => instantiate({playbook: git, procedures, findings, incident, planned}).items.filter((i) => i.id.startsWith('revoke-now'))
    const titles = (items: ChecklistItem[]) => Object.fromEntries(items.map((i) => [i.procedure ?? i.id, i.title.split(':')[0]]))
    expect(titles(revoke([db, aws], true))).toEqual({'revoke-now': 'Revoke or change 2 leaked credentials NOW', 'aws-access-key': 'Revoke NOW', 'database-password-planned': 'Rotate on the planned schedule'})
    expect(titles(revoke([db, aws], false))).toEqual({'revoke-now': 'Revoke or change 2 leaked credentials NOW', 'aws-access-key': 'Revoke NOW', 'database-password': 'Revoke NOW'})
    // Every item of the group planned: the group is worded as planned too.
    const onlyDb = revoke([db, etcdFinding('db-b', 'database-password', 'high')], true)
    expect(onlyDb.find((i) => i.id === 'revoke-now')!.title).toMatch(/^Rotate 2 leaked credentials on the planned schedule/)
    expect(onlyDb.every((i) => !/\bNOW\b/.test(i.title) && !/change it now/.test(i.why ?? ''))).toBe(true)
  })

  it('run again with more findings, adds only the new items, named by their findings', () => {
    const first = [etcdFinding('db-a', 'database-password', 'high'), etcdFinding('db-b', 'database-password', 'high')]
    const a = instantiate({playbook: pb, procedures, findings: first, incident})
    const existing = new Map<string, ChecklistItem>(a.items.map((i) => [i.id, i]))
    const more = [...first, etcdFinding('db-c', 'database-password', 'high'), etcdFinding('key', 'aws-access-key', 'critical', {keyId: 'AKIAZZZZZZZZZZZZZZZZ'})]
    const b = instantiate({playbook: pb, procedures, findings: more, incident, existing})
    expect(b.items.map((i) => i.id)).toEqual([findingItemId('high', more[2]!), findingItemId('aws', more[3]!)])
    // The same finding, the same id, whatever else was recorded first.
    expect(instantiate({playbook: pb, procedures, findings: [more[2]!], incident}).items.some((i) => i.id === b.items[0]!.id)).toBe(true)
    expect(b.items[0]!.parent).toBe('high')
    expect(b.items[1]!.commands).toEqual(['leakctl logs cloudtrail --access-key-id AKIAZZZZZZZZZZZZZZZZ'])
  })
})
