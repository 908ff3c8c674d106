import {describe, expect, it} from 'vitest'

import type {EtcdFinding} from '../src/detect/finding.js'
import {exposedResources} from '../src/cluster/fixed-config.js'
import {workloadEnv} from '../src/etcd/k8s/objects.js'
import type {EventOf} from '../src/incident/events.js'
import {placeOf} from '../src/playbook/place.js'
import {restartCommand} from '../src/verify/cluster/consumers.js'
import {decideCheck} from '../src/verify/follow.js'

// A snapshot, a synced log or a recorded finding names kinds, check ids and
// resources the attacker chose. Named like one of Object's own properties,
// such a value once found that property in our lookup tables: Object's
// constructor became a workload in a generated kubectl command, or a fold
// crashed on it. Each table now finds only its own entries (src/lookup.ts).

const HOSTILE = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']

const finding = (kind: string): EtcdFinding => ({
  source: 'etcd',
  class: 'generic-password',
  risk: 'high',
  reason: 'test',
  fingerprint: `sha256:${'0'.repeat(64)}`,
  preview: '******** (8-15 chars)',
  rotation: 'generic-password',
  key: `/registry/x/ns/web`,
  revision: 1,
  kind,
  namespace: 'ns',
  name: 'web',
  field: 'env app/DB_PASSWORD',
  state: 'live',
  consumers: [{kind, namespace: 'ns', name: 'web'}],
})

describe.each(HOSTILE)('a kind or id named %s', (name) => {
  it('names no workload and no restart in the checklist', () => {
    const place = placeOf(finding(name))
    expect(place.workload).toBeUndefined()
    expect(place.restarts).toBeUndefined()
    expect(JSON.stringify(place)).not.toMatch(/function|native code/)
  })

  it('gets no rollout restart command', () => {
    expect(restartCommand({kind: name, namespace: 'ns', name: 'web'})).toBeNull()
  })

  it('adds no resource to the fixed EncryptionConfiguration', () => {
    expect(exposedResources([finding(name)])).toEqual(['secrets'])
  })

  it('is a check that ticks nothing, not a crash of the fold', () => {
    const e = {id: '01KZZZZZZZZZZZZZZZZZZZZZZX', time: '2026-11-22T12:00:00.000Z', actor: 'x', type: 'check.completed', data: {check: name, status: 'pass', summary: ''}} as EventOf<'check.completed'>
    expect(decideCheck(new Map(), e)).toEqual([])
  })

  it('is a stored object with no pod template, not a crash of the scan', () => {
    const w = workloadEnv({encoding: 'protobuf', apiVersion: 'v1', kind: name, raw: Buffer.alloc(0)})
    expect(w.env).toEqual([])
    expect(w.commands).toEqual([])
  })
})
