import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {secret} from '../fixtures/etcd/k8s-objects.js'
import {makeSnapshot} from '../fixtures/etcd/server.js'
import {json, leakctl, type RunResult, tempDir} from './helpers/cli.js'
import {TestRepo} from './helpers/git.js'

// Issue 12 point 11: text from outside (a commit author, a file name, a
// note, a title, an owner) carries terminal escapes: an OSC 52 clipboard
// write and a screen clear. None may reach the responder's terminal or a
// Markdown file from any text command.

const OSC52 = '\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07'
const CLEAR = '\x1b[2J'
const GHP = 'ghp_R8mKq2Lx7Vb4Tz9Wn3Yc6Hd1Fs5Gj0PaEu2N'

let tmp: ReturnType<typeof tempDir>
let env: Record<string, string>
let repo: TestRepo
const outputs: [string, RunResult][] = []

function run(args: string[]): RunResult {
  const r = leakctl(args, {env})
  outputs.push([args.join(' '), r])
  return r
}

beforeAll(() => {
  tmp = tempDir()
  env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws')}
  repo = new TestRepo(join(tmp.dir, 'repo'))
  repo.write('README.md', 'x\n').commit('init')
  repo.write(`deploy/${CLEAR}key${OSC52}.env`, `GITHUB_TOKEN=${GHP}\n`).commit('deploy', {author: `Mallory ${OSC52}${CLEAR} <m@example.com>`})
  run(['scan', 'git', repo.dir])
  const triage = run(['triage', 'git-leak', '--repo', repo.dir, '--title', `Leak ${CLEAR}now${OSC52}`])
  expect(triage.code, triage.stderr).toBe(1)
  const items = json(leakctl(['checklist', '--json'], {env})).phases.flatMap((p: {items: {id: string}[]}) => p.items.map((i) => i.id))
  run(['checklist', 'note', items[0], `rotated ${OSC52} by hand ${CLEAR}`])
  run(['checklist', 'assign', items[0], `Eve${CLEAR}${OSC52}`])
  run(['incident', 'note', `status ${OSC52}update ${CLEAR}`])
  run(['checklist'])
  run(['checklist', '--verbose'])
  run(['incident', 'status'])
  run(['incident', 'list'])
  run(['timeline', 'export', '--format', 'md'])
  run(['timeline', 'export', '--format', 'csv'])
  run(['report'])
}, 180_000)

describe('11: a crafted snapshot', () => {
  it('a Secret name, namespace and key carrying escapes: scan etcd text and CSV print none', async () => {
    const snap = join(tmp.dir, 'crafted.db')
    const ns = `prod${CLEAR}`
    const name = `db${OSC52}creds`
    await makeSnapshot(snap, [{op: 'put', key: `/registry/secrets/${ns}/${name}`, value: secret({name, namespace: ns}, 'Opaque', {[`pass${CLEAR}word`]: 'Os7xK2mQ9vL4pR8w'})}])
    const text = leakctl(['scan', 'etcd', snap])
    const csv = leakctl(['scan', 'etcd', snap, '--format', 'csv'])
    for (const r of [text, csv]) {
      expect(r.code, r.stderr).toBe(1)
      // CSV ends its records with CRLF (RFC 4180): that pair is the one control sequence allowed.
      expect((r.stdout + r.stderr).replaceAll('\r\n', '\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    }
    expect(text.stdout).toMatch(/prod +\[2J\/db +\]52;c;/)
    // The JSON keeps the exact names (escaped by JSON itself), for tools.
    expect(json(leakctl(['scan', 'etcd', snap, '--json'])).secrets[0].name).toBe(name)
  }, 120_000)
})
afterAll(() => tmp.cleanup())

describe('11: no control character from outside reaches a terminal or a Markdown file', () => {
  it('the planted author, file name, title, note and owner really are in the incident (the test plants what it checks)', () => {
    const state = json(leakctl(['checklist', '--json'], {env}))
    expect(JSON.stringify(state)).toContain('\\u001b]52;c;')
    expect(outputs.length).toBe(12)
  })

  it('every text command, every export: no ESC, no BEL, no other control but newlines', () => {
    for (const [cmd, r] of outputs) {
      expect(r.code, `${cmd}\n${r.stderr}`).toBeLessThanOrEqual(1)
      for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
        expect(text.replaceAll('\r\n', '\n'), `${cmd} ${stream}`).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
      }
    }
  })

  it('the names are still shown, with the escapes cut out', () => {
    const scan = outputs.find(([c]) => c.startsWith('scan git'))![1].stdout
    expect(scan).toMatch(/deploy\/ +\[2Jkey +\]52;c;Y3Vy\S* +\.env:1/)
    expect(scan).toMatch(/by Mallory +\]52;c;/)
    const verbose = outputs.find(([c]) => c === 'checklist --verbose')![1].stdout
    expect(verbose).toMatch(/owner Eve +\[2J +\]52;c;/)
    expect(verbose).toMatch(/rotated +\]52;c;.* by hand +\[2J/)
  })
})
