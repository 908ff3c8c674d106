import {execFileSync, spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {fingerprint, TEST_FINGERPRINTER} from './helpers/fingerprint.js'
import {type GitScanResult, scanRepository} from '../src/git/scan.js'
import {json, leakctl, tempDir} from './helpers/cli.js'
import {TestRepo} from './helpers/git.js'

const token = () => `ghp_${randomBytes(40).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 36)}`
const awsId = () => `AKIA${[...randomBytes(16)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('')}`
const pw = () => randomBytes(12).toString('base64url')

let tmp: ReturnType<typeof tempDir>
let repo: TestRepo
const s = {main: token(), merge: pw(), branch: token(), renamed: pw(), stash: pw(), removed: token(), readded: pw(), aws: awsId()}
const c: Record<string, string> = {}
let result: GitScanResult

beforeAll(async () => {
  tmp = tempDir()
  repo = new TestRepo(join(tmp.dir, 'repo'))
  repo.write('README.md', '# service\n')
  c.init = repo.commit('init')
  // A token on main, still at HEAD.
  repo.write('config/app.yaml', `name: api\ngithub_token: ${s.main}\n`)
  c.main = repo.commit('add config', {author: 'Dev Two <dev2@example.com>'})
  // A token committed and later removed.
  repo.write('scripts/deploy.sh', `#!/bin/sh\nexport GH_TOKEN=${s.removed}\n`)
  c.removedAdd = repo.commit('deploy script')
  repo.write('scripts/deploy.sh', '#!/bin/sh\nexport GH_TOKEN="$GH_TOKEN"\n')
  c.removedDel = repo.commit('use env')
  // A password added, removed, re-added.
  repo.write('db.env', `DB_PASSWORD=${s.readded}\n`)
  c.readd1 = repo.commit('db env')
  repo.write('db.env', 'DB_PASSWORD=\n')
  c.readdGone = repo.commit('blank it')
  repo.write('db.env', `DB_PASSWORD=${s.readded}\n`)
  c.readd2 = repo.commit('oops again')
  // A file renamed: same secret, new path.
  repo.write('old/name.env', `API_SECRET=${s.renamed}\n`)
  c.renamedAdd = repo.commit('old name')
  mkdirSync(join(repo.dir, 'new'))
  repo.git('mv', 'old/name.env', 'new/name.env')
  c.renamedMove = repo.commit('rename')
  // A binary file with a secret-looking string inside is reported as skipped.
  repo.write('logo.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), Buffer.from(`token=${token()}`)]))
  c.binary = repo.commit('logo')
  // A merge whose conflict resolution adds a secret that is on neither side.
  repo.git('checkout', '-q', '-b', 'feature')
  repo.write('settings.ini', '[db]\nhost = a\n')
  c.featureSide = repo.commit('feature side')
  repo.git('checkout', '-q', 'main')
  repo.write('settings.ini', '[db]\nhost = b\n')
  c.mainSide = repo.commit('main side')
  repo.tick()
  spawnSync('git', ['merge', '-q', 'feature', '-m', 'merge feature'], {cwd: repo.dir})
  repo.write('settings.ini', `[db]\nhost = b\npassword = "${s.merge}"\n`)
  repo.git('add', 'settings.ini')
  repo.git('commit', '-q', '--no-edit')
  c.merge = repo.head()
  // A tag, and a secret only on an unmerged branch.
  repo.git('tag', '-a', 'v1.0', '-m', 'release')
  repo.git('checkout', '-q', '-b', 'wip')
  repo.write('wip.txt', `token: ${s.branch}\naws_access_key_id = ${s.aws}\n`)
  c.branch = repo.commit('wip')
  repo.git('checkout', '-q', 'main')
  // A secret only in the stash.
  repo.write('scratch.env', `PASSWORD=${s.stash}\n`)
  repo.git('add', 'scratch.env')
  repo.git('stash', '-q')
  // A bare remote: main is pushed, wip is not.
  execFileSync('git', ['init', '-q', '--bare', join(tmp.dir, 'remote.git')])
  repo.git('remote', 'add', 'origin', join(tmp.dir, 'remote.git'))
  repo.git('push', '-q', 'origin', 'main', 'v1.0')
  repo.git('fetch', '-q', 'origin')
  result = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER})
}, 120_000)
afterAll(() => tmp.cleanup())

const find = (secret: string) => result.findings.filter((f) => f.fingerprint === fingerprint(secret))

describe('scan git on a real repository', () => {
  it('names the exact commit that first introduced each secret, its author and date', () => {
    const [f] = find(s.main)
    expect(f).toMatchObject({commit: c.main, path: 'config/app.yaml', line: 2, author: 'Dev Two <dev2@example.com>', class: 'github-token', inHead: true})
    expect(f!.date).toBe('2026-01-05T11:00:00.000Z')
  })

  it('finds what a merge commit itself introduced (a conflict resolution)', () => {
    const [f] = find(s.merge)
    expect(f).toMatchObject({commit: c.merge, path: 'settings.ini', inHead: true, class: 'password'})
  })

  it('a removed secret: not at HEAD, the commit that removed it, still reachable from every ref', () => {
    const [f] = find(s.removed)
    expect(f).toMatchObject({commit: c.removedAdd, inHead: false, removedIn: c.removedDel})
    expect(f!.refs).toEqual(expect.arrayContaining(['refs/heads/main', 'refs/remotes/origin/main', 'refs/tags/v1.0']))
  })

  it('a re-added secret: first commit, then the commits that put it back', () => {
    const [f] = find(s.readded)
    expect(f).toMatchObject({commit: c.readd1, reAddedIn: [c.readd2], inHead: true})
  })

  it('a renamed file: the secret keeps its first commit; the new path is a second place', () => {
    const places = find(s.renamed).sort((a, b) => a.path.localeCompare(b.path))
    expect(places.map((p) => [p.path, p.inHead])).toEqual([
      ['new/name.env', true],
      ['old/name.env', false],
    ])
    expect(places.find((p) => p.path === 'old/name.env')!.commit).toBe(c.renamedAdd)
  })

  it('a secret only on an unmerged branch: reachable only from it, not pushed; an AWS key id alone', () => {
    const [f] = find(s.branch)
    expect(f).toMatchObject({commit: c.branch, inHead: false, refs: ['refs/heads/wip'], pushed: false})
    expect(find(s.aws)[0]).toMatchObject({class: 'aws-access-key', keyId: s.aws})
  })

  it('pushed: a remote-tracking ref reaches it, with the remote URL', () => {
    const [f] = find(s.main)
    expect(f!.pushed).toBe(true)
    expect(f!.remotes).toEqual([{name: 'origin', url: join(tmp.dir, 'remote.git'), github: null}])
    expect(result.summary.pushedTo).toEqual([`origin (${join(tmp.dir, 'remote.git')})`])
  })

  it('the stash only when asked', async () => {
    expect(find(s.stash)).toEqual([])
    const withStash = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, includeStash: true})
    expect(withStash.findings.some((f) => f.fingerprint === fingerprint(s.stash))).toBe(true)
  })

  it('binary blobs are skipped and reported, not silently', () => {
    expect(result.skipped).toEqual(expect.arrayContaining([expect.objectContaining({path: 'logo.png', reason: 'binary'})]))
  })

  it('options: --branch, --path, --max-commits, --since, a baseline', async () => {
    const main = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, branches: ['main']})
    expect(main.findings.some((f) => f.fingerprint === fingerprint(s.branch))).toBe(false)
    const onlyConfig = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, paths: ['config/']})
    expect(new Set(onlyConfig.findings.map((f) => f.path))).toEqual(new Set(['config/app.yaml']))
    const base = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, baseline: new Set([fingerprint(s.main)])})
    expect(base.findings.some((f) => f.fingerprint === fingerprint(s.main))).toBe(false)
    expect(base.stats.baselined).toBe(1)
    const since = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, since: '2026-01-05T16:30:00Z'})
    expect(since.findings.some((f) => f.fingerprint === fingerprint(s.main))).toBe(false)
    expect((await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, maxCommits: 2})).stats.commits).toBe(2)
  })

  it('staged and working-tree changes, for pre-commit hooks', async () => {
    const staged = pw()
    const loose = token()
    repo.write('staged.env', `SECRET_KEY=${staged}\n`)
    repo.git('add', 'staged.env')
    repo.write('loose.txt', `t=${loose}\n`)
    const r = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, staged: true, worktree: true, maxCommits: 1})
    expect(r.uncommitted.map((f) => [f.path, f.state])).toEqual(expect.arrayContaining([['staged.env', 'staged'], ['loose.txt', 'worktree']]))
    repo.git('reset', '-q', 'staged.env')
    rmSync(join(repo.dir, 'staged.env'))
    rmSync(join(repo.dir, 'loose.txt'))
  })
})

describe('leakctl scan git (the binary)', () => {
  it('verdict first, grouped by secret; exit 1; --json per DESIGN.md; SARIF 2.1.0; baseline files', () => {
    const r = leakctl(['scan', 'git', repo.dir])
    expect(r.code).toBe(1)
    expect(r.stdout.split('\n')[0]).toMatch(/^EXPOSED: \d+ secrets exposed in \d+ places; \d+ still at HEAD; pushed to origin/)
    const j = json(leakctl(['scan', 'git', repo.dir, '--json']))
    for (const f of j.findings) expect(Object.keys(f)).toEqual(expect.arrayContaining(['class', 'commit', 'path', 'line', 'author', 'date', 'fingerprint', 'inHead', 'refs']))
    const sarif = JSON.parse(leakctl(['scan', 'git', repo.dir, '--format', 'sarif']).stdout)
    expect(sarif.version).toBe('2.1.0')
    expect(sarif.runs[0].results.length).toBe(j.findings.length)
    expect(sarif.runs[0].results[0].partialFingerprints['leakctl/secret/v1']).toMatch(/^sha256:/)
    const baseline = join(tmp.dir, 'baseline.json')
    leakctl(['scan', 'git', repo.dir, '--write-baseline', baseline])
    const clean = leakctl(['scan', 'git', repo.dir, '--baseline', baseline])
    expect(clean.code).toBe(0)
    expect(clean.stdout).toMatch(/^No secrets found/)
  })

  it('scan output records straight onto an incident', () => {
    const env = {LEAKCTL_WORKSPACE: join(tmp.dir, 'ws')}
    leakctl(['incident', 'open', '--title', 'leak', '--kind', 'git-leak'], {env})
    const scan = leakctl(['scan', 'git', repo.dir, '--json'])
    const add = json(leakctl(['incident', 'add-findings', '-', '--json'], {env, input: scan.stdout}))
    expect(add.recorded).toBe(json(scan).findings.length)
  })
})

describe('bad input', () => {
  it('not a git repository, a missing path: exit 2, one line', () => {
    const r = leakctl(['scan', 'git', tmp.dir])
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe(`error: not a git repository: ${tmp.dir}`)
    expect(leakctl(['scan', 'git', join(tmp.dir, 'nope')]).stderr).toMatch(/no such directory/)
  })

  it('an empty repository: nothing to scan, exit 0', () => {
    const empty = join(tmp.dir, 'empty')
    execFileSync('git', ['init', '-q', empty])
    const r = leakctl(['scan', 'git', empty])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/No secrets found in 0 commits/)
  })

  it('a shallow clone: scanned, with a warning that history is cut', () => {
    const shallow = join(tmp.dir, 'shallow')
    execFileSync('git', ['clone', '-q', '--depth', '2', `file://${repo.dir}`, shallow])
    const r = leakctl(['scan', 'git', shallow])
    expect(r.stderr).toMatch(/warning: shallow clone/)
    expect([0, 1]).toContain(r.code)
  })

  it('a corrupted object: reported as a warning, the rest scanned', async () => {
    const broken = join(tmp.dir, 'broken')
    execFileSync('git', ['clone', '-q', '--no-local', repo.dir, broken])
    // Loose objects, so one of them can be damaged on its own.
    const packDir = join(broken, '.git', 'objects', 'pack')
    const aside = join(tmp.dir, 'packs')
    mkdirSync(aside)
    for (const p of readdirSync(packDir)) renameSync(join(packDir, p), join(aside, p))
    const pack = readdirSync(aside).find((f) => f.endsWith('.pack'))!
    execFileSync('git', ['unpack-objects', '-q'], {cwd: broken, input: readFileSync(join(aside, pack))})
    const blob = execFileSync('git', ['rev-parse', 'HEAD:config/app.yaml'], {cwd: broken, encoding: 'utf8'}).trim()
    const obj = join(broken, '.git', 'objects', blob.slice(0, 2), blob.slice(2))
    const fd = openSync(obj, 'r+')
    writeSync(fd, Buffer.from('garbage!'), 0, 8, 6)
    closeSync(fd)
    const r = await scanRepository(broken, {fingerprinter: TEST_FINGERPRINTER})
    expect(r.warnings.join('\n')).toMatch(new RegExp(`${blob.slice(0, 12)} \\(config/app.yaml\\) is missing or could not be read`))
    expect(r.findings.some((f) => f.fingerprint === fingerprint(s.readded))).toBe(true)
  })

  it('a path with a newline and quotes', async () => {
    const odd = new TestRepo(join(tmp.dir, 'odd'))
    const secret = token()
    odd.write('we"ird\nna\'me.env', `token=${secret}\n`)
    const sha = odd.commit('odd')
    const r = await scanRepository(odd.dir, {fingerprinter: TEST_FINGERPRINTER})
    expect(r.findings[0]).toMatchObject({path: 'we"ird\nna\'me.env', commit: sha})
  })

  it('a 200 MB blob: skipped and reported quickly', async () => {
    const big = new TestRepo(join(tmp.dir, 'big'))
    big.write('small.env', `TOKEN=${token()}\n`)
    const f = openSync(join(big.dir, 'huge.sql'), 'w')
    const chunk = Buffer.alloc(8 * 1024 * 1024, 'x')
    for (let i = 0; i < 25; i++) writeSync(f, chunk)
    closeSync(f)
    big.commit('dump')
    const t0 = performance.now()
    const r = await scanRepository(big.dir, {fingerprinter: TEST_FINGERPRINTER})
    expect(performance.now() - t0).toBeLessThan(20_000)
    expect(r.skipped).toEqual([expect.objectContaining({path: 'huge.sql', reason: 'too-large', size: 200 * 1024 * 1024})])
    expect(r.findings).toHaveLength(1)
    const cli = leakctl(['scan', 'git', big.dir])
    expect(cli.stdout).toMatch(/Not scanned: .*huge\.sql \(too-large, 200 MiB\)/)
  }, 120_000)
})

describe('canary', () => {
  it('a planted secret never appears in any output or file', () => {
    const canary = `ghp_${'Cn4ry'}${randomBytes(32).toString('hex').slice(0, 31)}`
    const r = new TestRepo(join(tmp.dir, 'canary'))
    r.write('app.env', `GITHUB_TOKEN=${canary}\npassword = "${canary.slice(4)}-pw"\n`)
    r.commit('leak')
    const outs = [leakctl(['scan', 'git', r.dir]), leakctl(['scan', 'git', r.dir, '--json']), leakctl(['scan', 'git', r.dir, '--format', 'sarif']), leakctl(['scan', 'git', r.dir, '--write-baseline', join(tmp.dir, 'canary-baseline.json')])]
    expect(json(outs[1]!).findings.length).toBe(2)
    for (const o of outs) {
      expect(o.stdout.includes(canary.slice(4))).toBe(false)
      expect(o.stderr.includes(canary.slice(4))).toBe(false)
    }
    expect(readFileSync(join(tmp.dir, 'canary-baseline.json'), 'utf8').includes(canary.slice(4))).toBe(false)
  })
})
