import {writeFileSync} from 'node:fs'
import {userInfo} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {json, leakctl, tempDir} from './helpers/cli.js'

// Who acts: --by, else LEAKCTL_ACTOR, else git's user.name, else the OS user. git is asked
// only for the third (src/incident/actor.ts loads child_process then, not before).
const t = tempDir()
afterAll(() => t.cleanup())
const gitconfig = join(t.dir, 'gitconfig')
writeFileSync(gitconfig, '[user]\n\tname = Dana Responder\n')

function commanderOf(n: number, env: Record<string, string | undefined>, by?: string): string {
  const ws = join(t.dir, `ws${n}`)
  const r = leakctl(['incident', 'open', '--title', 'who acts', '--kind', 'git-leak', '--json', ...(by ? ['--by', by] : [])], {cwd: t.dir, env: {LEAKCTL_WORKSPACE: ws, GIT_CONFIG_GLOBAL: gitconfig, GIT_CONFIG_NOSYSTEM: '1', ...env}})
  expect(r.code, r.stderr).toBe(0)
  return json<{incident: {commander: string}}>(leakctl(['incident', 'status', '--json'], {env: {LEAKCTL_WORKSPACE: ws}})).incident.commander
}

describe('the actor', () => {
  it("is git's user.name when neither --by nor LEAKCTL_ACTOR says", () => {
    expect(commanderOf(1, {LEAKCTL_ACTOR: undefined})).toBe('Dana Responder')
  })

  it('is LEAKCTL_ACTOR over git, and --by over both', () => {
    expect(commanderOf(2, {LEAKCTL_ACTOR: 'erin'})).toBe('erin')
    expect(commanderOf(3, {LEAKCTL_ACTOR: 'erin'}, 'frank')).toBe('frank')
  })

  it('is the OS user when git has no name', () => {
    expect(commanderOf(4, {LEAKCTL_ACTOR: undefined, GIT_CONFIG_GLOBAL: join(t.dir, 'none')})).toBe(userInfo().username)
  })
})
