import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {historyArgs} from '../src/git/history.js'
import {renderCommand} from '../src/playbook/template.js'
import {json, leakctl, tempDir} from './helpers/cli.js'
import {TestRepo} from './helpers/git.js'

// Issue 12, "input that commands": a scanned repository, a playbook and the
// command line are hostile. Each test plants the attack and checks it neither
// runs nor is reported as a clean result.

const GHP = 'ghp_R8mKq2Lx7Vb4Tz9Wn3Yc6Hd1Fs5Gj0PaEu2N'
const AWS_SECRET = 'h7Kd9QmZ2rT5vX8wB3nP6sY1cF4gJ0lA9eR2uI5o'
const PEM = execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519'], {encoding: 'utf8'}).trim()
/** Pieces of the key's body: none may be printed. */
const PEM_BODY = PEM.split('\n').slice(1, -1).join('')

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.cleanup())

/** A fresh directory under the test's temp dir. */
function dir(name: string): string {
  const d = join(tmp.dir, name)
  mkdirSync(d, {recursive: true})
  return d
}

/** A repository with one leaked GitHub token, committed. */
function leakyRepo(name: string): TestRepo {
  const repo = new TestRepo(dir(name))
  repo.write('README.md', 'hello\n').commit('init')
  repo.write('.ci.env', `GITHUB_TOKEN=${GHP}\n`).commit('ci token')
  return repo
}

describe('4: no message repeats a secret typed on the command line', () => {
  const cases: [string, string[], string][] = [
    ['a PEM key as a note (an unknown flag to the parser)', ['incident', 'note', PEM], PEM_BODY.slice(20, 40)],
    ['a PEM key as the command', [PEM], PEM_BODY.slice(20, 40)],
    ['a GitHub token as an unexpected argument', ['scan', 'git', '.', GHP], GHP.slice(4)],
    ['a GitHub token as an unknown command', ['scan', GHP], GHP.slice(4)],
    ['a GitHub token as a bad option value', ['scan', 'git', `--format=${GHP}`], GHP.slice(4)],
    ['an AWS secret key as an unknown flag value', ['scan', 'git', `--secret=${AWS_SECRET}`], AWS_SECRET.slice(5, 30)],
    ['an AWS secret key as an unexpected argument', ['incident', 'list', AWS_SECRET], AWS_SECRET.slice(5, 30)],
  ]
  for (const [what, argv, piece] of cases) {
    it(`${what}: not on stderr, not in --json, not in a LEAKCTL_DEBUG stack; exit 2`, () => {
      const cwd = dir('argv')
      for (const [extra, env] of [
        [[], {}],
        [['--json'], {}],
        [[], {LEAKCTL_DEBUG: '1'}],
        [['--json'], {LEAKCTL_DEBUG: '1'}],
      ] as [string[], Record<string, string>][]) {
        const r = leakctl([...argv, ...extra], {cwd, env: {LEAKCTL_WORKSPACE: join(cwd, 'ws'), ...env}})
        expect(r.code, r.stderr).toBe(2)
        expect(r.stderr + r.stdout).not.toContain(piece)
        expect(r.stderr).toMatch(/^error: .*not shown/)
        if (extra.includes('--json')) expect(json(r).error).toMatchObject({code: 'usage', exitCode: 2})
        else expect(r.stdout).toBe('')
      }
    })
  }

  it('a short argument is still named, so the message stays useful', () => {
    const r = leakctl(['scan', 'git', '--frobnicate'], {cwd: dir('short')})
    expect(r.stderr.trim()).toBe('error: Nonexistent flag: --frobnicate')
  })
})

describe('8: values in generated commands are quoted for the shell', () => {
  it('a branch named feat$(touch${IFS}…) does not run when the printed rewrite is pasted', () => {
    const repo = leakyRepo('branch-repo')
    const mark = join(tmp.dir, 'pwned-by-branch')
    const branch = `feat$(touch\${IFS}${mark})`
    repo.git('branch', branch)
    repo.git('remote', 'add', 'origin', join(tmp.dir, 'origin.git'))
    const replacements = dir('branch-private')
    chmodSync(replacements, 0o700)
    const r = leakctl(['triage', 'git-leak', '--repo', repo.dir, '--replacements-dir', replacements, '--json'], {env: {LEAKCTL_WORKSPACE: join(tmp.dir, 'branch-ws')}})
    expect(r.code, r.stderr).toBe(1)
    const commands: string[] = json(r).rewrite.commands
    expect(commands.join('\n')).toContain(branch)
    // Paste every command into bash, with git and leakctl replaced by a logger of their argv.
    const bin = dir('branch-bin')
    const log = join(tmp.dir, 'branch-argv.log')
    writeFileSync(join(bin, 'git'), `#!/bin/sh\nprintf '%s\\n' "$@" >> '${log}'\n[ "$1" = clone ] && mkdir -p rewrite.git\nexit 0\n`, {mode: 0o755})
    writeFileSync(join(bin, 'leakctl'), '#!/bin/sh\nexit 0\n', {mode: 0o755})
    const work = dir('branch-paste')
    for (const c of commands.filter((c) => !c.startsWith('#'))) {
      const run = spawnSync('bash', ['-c', c], {cwd: work, env: {...process.env, PATH: `${bin}:${process.env.PATH}`}, encoding: 'utf8'})
      expect(run.status, `${c}\n${run.stderr}`).toBe(0)
    }
    expect(existsSync(mark)).toBe(false)
    // …and git received the ref name whole, as one argument.
    expect(readFileSync(log, 'utf8').split('\n')).toContain(`refs/heads/${branch}`)
  }, 60_000)

  it('playbook values are quoted wherever they stand: a bare word, inside quotes, inside a word, in a comment', () => {
    const mark = join(tmp.dir, 'pwned-by-playbook')
    const values = [`x$(touch ${mark})`, `a'b;touch ${mark}`, `c"d\`touch ${mark}\``, `e\nf; touch ${mark}`, 'plain-value', '-n']
    for (const v of values) {
      const cmd = renderCommand(`printf '[%s]\\n' {{vars.v}} 'in single:{{vars.v}}' "in double:{{vars.v}}" pre/{{vars.v}}/post # comment {{vars.v}}\ntrue`, {vars: {v}})
      const r = spawnSync('bash', ['-c', cmd], {encoding: 'utf8'})
      expect(r.status, cmd).toBe(0)
      expect(r.stdout, cmd).toBe(`[${v}]\n[in single:${v}]\n[in double:${v}]\n[pre/${v}/post]\n`)
      expect(existsSync(mark), cmd).toBe(false)
    }
    // Plain values stay readable; unknown ones stay visible blanks.
    expect(renderCommand('kubectl get secret {{finding.name}} -n {{finding.namespace}}', {finding: {name: 'db-creds', namespace: ''}})).toBe('kubectl get secret db-creds -n <finding.namespace>')
  })
})

describe('9: a revision or path from the user is never an option to git', () => {
  it('--branch=--output=FILE is refused (exit 2), writes nothing and reports nothing clean', () => {
    const repo = leakyRepo('option-repo')
    const out = join(tmp.dir, 'option-output')
    for (const flag of [`--branch=--output=${out}`, `--path=--output=${out}`]) {
      const r = leakctl(['scan', 'git', repo.dir, flag])
      expect(r.code, r.stdout).toBe(2)
      expect(r.stderr).toMatch(/^error: --(branch|path) .*cannot start with "-"/)
      expect(r.stdout).not.toMatch(/No secrets/)
      expect(existsSync(out)).toBe(false)
    }
  })

  it('revisions follow --end-of-options in the history walk', () => {
    const args = historyArgs({revisions: ['main', '--output=/tmp/x']})
    expect(args.slice(args.indexOf('--end-of-options'))).toEqual(['--end-of-options', 'main', '--output=/tmp/x', '--'])
    expect(historyArgs({})).not.toContain('--end-of-options')
  })

  it('git failing on the staged changes is exit 3, not "no secrets"', () => {
    const repo = leakyRepo('broken-index')
    writeFileSync(join(repo.dir, '.git', 'index'), 'not an index at all, damaged')
    const r = leakctl(['scan', 'git', repo.dir, '--staged', '--max-commits', '0'])
    expect(r.code, r.stdout).toBe(3)
    expect(r.stderr).toMatch(/^error: git diff failed/)
    expect(r.stdout).toBe('')
  })
})

describe('10: the scanned repository’s config runs nothing', () => {
  it('core.fsmonitor, a clean filter, an external diff: none runs under --worktree, --staged or triage', () => {
    const repo = new TestRepo(dir('hostile-config'))
    repo.write('.gitattributes', '* filter=evil diff=evil\n').write('app.txt', 'aaaa\n').commit('init')
    repo.write('.ci.env', `GITHUB_TOKEN=${GHP}\n`).commit('token')
    // A same-size change (git must read the content to see it), something staged, something untracked.
    repo.write('app.txt', 'bbbb\n')
    repo.write('staged.env', `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n`)
    repo.git('add', 'staged.env')
    repo.write('new.env', `TOKEN2=${GHP.replace('R8', 'Q9')}\n`)
    // Then the repository's config names programs: each leaves a line in `mark` if git runs it.
    const mark = join(tmp.dir, 'pwned-by-config')
    const monitor = join(tmp.dir, 'hostile-fsmonitor.sh')
    writeFileSync(monitor, `#!/bin/sh\necho "fsmonitor $*" >> '${mark}'\n`, {mode: 0o755})
    const filter = join(tmp.dir, 'hostile-filter.sh')
    writeFileSync(filter, `#!/bin/sh\necho "filter $*" >> '${mark}'\ncat\n`, {mode: 0o755})
    for (const [k, v] of [
      ['core.fsmonitor', monitor],
      ['filter.evil.clean', `${filter} clean`],
      ['filter.evil.smudge', `${filter} smudge`],
      ['diff.evil.textconv', `${filter} textconv`],
      ['diff.external', `${filter} external-diff`],
    ]) repo.git('config', k!, v!)
    const scan = leakctl(['scan', 'git', repo.dir, '--worktree', '--staged', '--json'])
    expect(scan.code, scan.stderr).toBe(1)
    expect(json(scan).uncommitted.map((f: {path: string; state: string}) => `${f.state}:${f.path}`).sort()).toEqual(['staged:staged.env', 'worktree:new.env'])
    const triage = leakctl(['triage', 'git-leak', '--repo', repo.dir, '--json'], {env: {LEAKCTL_WORKSPACE: join(tmp.dir, 'hostile-ws')}})
    expect(triage.code, triage.stderr).toBe(1)
    expect(existsSync(mark) ? readFileSync(mark, 'utf8') : '').toBe('')
  }, 60_000)

  it('a tracked symbolic link is not followed out of the working tree', () => {
    const repo = new TestRepo(dir('symlink-repo'))
    const outside = join(tmp.dir, 'outside-credentials')
    writeFileSync(outside, `GITHUB_TOKEN=${GHP}\n`)
    repo.write('README.md', 'x\n').commit('init')
    symlinkSync(outside, join(repo.dir, 'creds'))
    const r = leakctl(['scan', 'git', repo.dir, '--worktree', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(json(r).uncommitted).toEqual([])
  })
})

describe('12: the replacement file is always a new 0600 file', () => {
  it('refuses an existing replacements.txt (exit 2) and a symbolic link in its place, and writes neither', () => {
    const repo = leakyRepo('replacements-repo')
    const ws = join(tmp.dir, 'replacements-ws')
    const victim = join(tmp.dir, 'victim.txt')
    writeFileSync(victim, 'keep me\n', {mode: 0o644})
    const linked = dir('replacements-link')
    symlinkSync(victim, join(linked, 'replacements.txt'))
    const dangling = dir('replacements-dangling')
    symlinkSync(join(tmp.dir, 'not-yet'), join(dangling, 'replacements.txt'))
    const existing = dir('replacements-existing')
    writeFileSync(join(existing, 'replacements.txt'), 'old\n', {mode: 0o644})
    for (const d of [linked, dangling, existing]) {
      const r = leakctl(['triage', 'git-leak', '--repo', repo.dir, '--replacements-dir', d], {env: {LEAKCTL_WORKSPACE: ws}})
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toMatch(/^error: .*replacements\.txt already exists \(or is a symbolic link\)/)
    }
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n')
    expect(existsSync(join(tmp.dir, 'not-yet'))).toBe(false)
    expect(readFileSync(join(existing, 'replacements.txt'), 'utf8')).toBe('old\n')
    expect(statSync(join(existing, 'replacements.txt')).mode & 0o777).toBe(0o644)
    expect(lstatSync(join(linked, 'replacements.txt')).isSymbolicLink()).toBe(true)
    // No incident was opened for a refused run.
    expect(existsSync(join(ws, 'incidents')) ? execFileSync('ls', [join(ws, 'incidents')], {encoding: 'utf8'}) : '').toBe('')

    const fresh = dir('replacements-fresh')
    const ok = leakctl(['triage', 'git-leak', '--repo', repo.dir, '--replacements-dir', fresh], {env: {LEAKCTL_WORKSPACE: ws, }})
    expect(ok.code, ok.stderr).toBe(1)
    expect(statSync(join(fresh, 'replacements.txt')).mode & 0o777).toBe(0o600)
  }, 60_000)
})

describe('16: missing git and hostile YAML are named for what they are', () => {
  it('git not installed: exit 3 "git is not installed", not "not a git repository"', () => {
    const repo = leakyRepo('no-git-repo')
    const r = leakctl(['scan', 'git', repo.dir], {env: {PATH: dir('empty-path')}})
    expect(r.code, r.stderr).toBe(3)
    expect(r.stderr.trim()).toMatch(/^error: git is not installed/)
  })

  it('a YAML alias bomb in a playbook: exit 2 with file:line, quickly', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i)
      const cur = String.fromCharCode(97 + i)
      lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`)
    }
    const file = join(tmp.dir, 'bomb.yaml')
    writeFileSync(file, `name: bomb\n${lines.join('\n')}\n`)
    const t0 = Date.now()
    const r = leakctl(['playbook', 'validate', file])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr.trim()).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: too many YAML alias expansions`))
    expect(Date.now() - t0).toBeLessThan(20_000)
  })
})
