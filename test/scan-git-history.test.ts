import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {fingerprint, TEST_FINGERPRINTER} from './helpers/fingerprint.js'
import {type Commit, RawLogParser, topoOrder} from '../src/git/history.js'
import {rewriteTargets} from '../src/git/rewrite.js'
import {type GitScanResult, scanRepository} from '../src/git/scan.js'
import {safeUrl} from '../src/text/url.js'
import {json, leakctl, tempDir} from './helpers/cli.js'
import {TestRepo} from './helpers/git.js'

// The history questions a rewrite and a playbook depend on, on real
// repositories: deletions, the same secret on two branches, limited walks
// that must still name every ref, every stash entry, GitHub remotes, partial
// clones that must never fetch, and pre-commit semantics.

const token = () => `ghp_${randomBytes(40).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 36)}`
const pw = () => randomBytes(12).toString('base64url')

let tmp: ReturnType<typeof tempDir>
let repo: TestRepo
let bare: string
let result: GitScanResult
const s = {deleted: token(), twice: pw(), side: pw(), moved: token(), stash0: pw(), stash1: pw(), merged: token()}
const c: Record<string, string> = {}
const find = (r: GitScanResult, secret: string) => r.findings.filter((f) => f.fingerprint === fingerprint(secret))

beforeAll(async () => {
  tmp = tempDir()
  repo = new TestRepo(join(tmp.dir, 'repo'))
  repo.write('README.md', '# api\n')
  c.init = repo.commit('init')
  // A file with a secret, deleted whole later.
  repo.write('keys/deploy.env', `GITHUB_TOKEN=${s.deleted}\n`)
  c.deletedAdd = repo.commit('deploy key')
  repo.git('rm', '-q', 'keys/deploy.env')
  c.deletedRm = repo.commit('drop deploy key')
  // The line in the first commit, not where later edits moved it.
  repo.write('app.yaml', `name: api\ntoken: ${s.moved}\n`)
  c.moved = repo.commit('app config')
  repo.write('app.yaml', `name: api\n${'# padding\n'.repeat(8)}token: ${s.moved}\n`)
  repo.commit('comments')
  // The same password committed on two branches independently: the earlier one is first.
  repo.git('checkout', '-q', '-b', 'feature')
  repo.write('feature.env', `DB_PASSWORD=${s.twice}\n`)
  c.twiceFeature = repo.commit('feature db')
  repo.git('checkout', '-q', 'main')
  repo.write('feature.env', `DB_PASSWORD=${s.twice}\n`)
  c.twiceMain = repo.commit('main db')
  // A side branch adds and removes a secret under conf/; its merge is TREESAME to main there.
  repo.git('checkout', '-q', '-b', 'side')
  repo.write('conf/side.ini', `password = "${s.side}"\n`)
  c.sideAdd = repo.commit('side secret')
  repo.git('rm', '-q', 'conf/side.ini')
  c.sideRm = repo.commit('side secret gone')
  // A secret on a branch that main merges later: reachable from main though only `merged` is walked.
  repo.git('checkout', '-q', '-b', 'merged', 'main')
  repo.write('merged.txt', `t=${s.merged}\n`)
  c.merged = repo.commit('merged secret')
  repo.git('checkout', '-q', 'main')
  repo.tick()
  repo.git('merge', '-q', '--no-ff', 'side', '-m', 'merge side')
  repo.tick()
  repo.git('merge', '-q', '--no-ff', 'merged', '-m', 'merge merged')
  repo.git('branch', '-q', '-D', 'merged', 'side')
  repo.git('branch', '-q', 'merged', c.merged)
  // Two stash entries: stash@{1} holds the older one.
  repo.write('scratch1.env', `PASSWORD=${s.stash1}\n`)
  repo.git('add', 'scratch1.env')
  repo.git('stash', '-q')
  repo.write('scratch0.env', `PASSWORD=${s.stash0}\n`)
  repo.git('add', 'scratch0.env')
  repo.git('stash', '-q')
  // "GitHub": a real bare repository that the github.com URL is rewritten to.
  bare = join(tmp.dir, 'acme-api.git')
  execFileSync('git', ['init', '-q', '--bare', bare])
  repo.git('remote', 'add', 'origin', 'https://github.com/acme/api.git')
  repo.git('config', `url.${bare}.insteadOf`, 'https://github.com/acme/api.git')
  repo.git('push', '-q', 'origin', 'main')
  repo.git('fetch', '-q', 'origin')
  result = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, includeStash: true})
}, 120_000)
afterAll(() => tmp.cleanup())

describe('history facts', () => {
  it('a file deleted whole: the deleting commit is the removal, with its time', () => {
    const [f] = find(result, s.deleted)
    expect(f).toMatchObject({commit: c.deletedAdd, path: 'keys/deploy.env', inHead: false, removedIn: c.deletedRm, removedAt: '2026-01-05T12:00:00.000Z'})
  })

  it('the line is where the first commit put the secret', () => {
    expect(find(result, s.moved)).toMatchObject([{commit: c.moved, line: 2, inHead: true}])
  })

  it('the same secret committed on two branches: the earlier commit is first, the other a re-add', () => {
    const [f] = find(result, s.twice)
    expect(f).toMatchObject({commit: c.twiceFeature, reAddedIn: [c.twiceMain], inHead: true})
    expect(f!.refs).toEqual(expect.arrayContaining(['refs/heads/feature', 'refs/heads/main']))
  })

  it('what a side branch added and removed before its merge', () => {
    expect(find(result, s.side)).toMatchObject([{commit: c.sideAdd, removedIn: c.sideRm, inHead: false}])
  })

  it('every stash entry, each named', () => {
    expect(find(result, s.stash0)[0]!.refs).toEqual(['refs/stash'])
    expect(find(result, s.stash1)[0]!.refs).toEqual(['stash@{1}'])
  })

  it('pushed to GitHub: the remote as configured, owner/name parsed', () => {
    const [f] = find(result, s.moved)
    expect(f).toMatchObject({pushed: true, remotes: [{name: 'origin', url: 'https://github.com/acme/api.git', github: 'acme/api'}]})
    expect(find(result, s.merged)[0]!.refs).toContain('refs/remotes/origin/main')
    expect(result.summary.pushedTo).toEqual(['github.com/acme/api'])
    expect(result.summary.verdict).toMatch(/pushed to github\.com\/acme\/api/)
    // The stash never leaves the machine.
    expect(find(result, s.stash0)[0]!.pushed).toBe(false)
  })

  it('the refs a rewrite must touch, per finding, named as on the remote', () => {
    const targets = rewriteTargets(find(result, s.twice))
    // `merged` branched from main after the re-add, and the stash entries were made on top of main: they keep the old commits alive too, here only.
    expect(targets).toEqual([
      {fingerprint: fingerprint(s.twice), class: 'password', path: 'feature.env', commit: c.twiceFeature, refs: ['refs/heads/feature', 'refs/heads/main', 'refs/heads/merged', 'refs/stash', 'stash@{1}'], remote: ['refs/heads/main'], localOnly: ['refs/heads/feature', 'refs/heads/merged', 'refs/stash', 'stash@{1}']},
    ])
  })
})

describe('limited walks still answer for the whole repository', () => {
  it('--path keeps side-branch commits that git would simplify away', async () => {
    const r = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, paths: ['conf/']})
    expect(r.findings.map((f) => [f.commit, f.path])).toEqual([[c.sideAdd, 'conf/side.ini']])
  })

  it('--branch: only that branch is walked, yet every ref that reaches the secret is named', async () => {
    const r = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, branches: ['merged']})
    const [f] = find(r, s.merged)
    expect(f!.refs).toEqual(['refs/heads/main', 'refs/heads/merged', 'refs/remotes/origin/main'])
    expect(f!.pushed).toBe(true)
    expect(find(r, s.side)).toEqual([])
  })

  it('--since: a secret added before the range and removed inside it is not reported as new', async () => {
    const r = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, since: '2026-01-05T11:30:00Z'})
    expect(find(r, s.deleted)).toEqual([])
    expect(find(r, s.moved)).toMatchObject([{commit: c.moved}])
  })

  it('a revision that does not exist: exit 2, one line', () => {
    const r = leakctl(['scan', 'git', repo.dir, '--branch', 'no-such-branch'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/cannot walk no-such-branch/)
  })
})

describe('pre-commit: --staged reports what the change adds', () => {
  it('a secret already committed in the file is not the staged change; a new one is', async () => {
    const fresh = token()
    repo.write('app.yaml', `name: api\n${'# padding\n'.repeat(8)}token: ${s.moved}\nnew_token: ${fresh}\n`)
    repo.git('add', 'app.yaml')
    try {
      const r = await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, staged: true, maxCommits: 0})
      expect(r.stats.commits).toBe(0)
      expect(r.uncommitted.map((f) => [f.path, f.line, f.fingerprint])).toEqual([['app.yaml', 11, fingerprint(fresh)]])
      const cli = leakctl(['scan', 'git', repo.dir, '--staged', '--max-commits', '0', '--json'])
      expect(cli.code).toBe(1)
      expect(json(cli).uncommitted).toHaveLength(1)
    } finally {
      repo.git('checkout', '-q', 'HEAD', '--', 'app.yaml')
    }
    expect(leakctl(['scan', 'git', repo.dir, '--staged', '--max-commits', '0']).code).toBe(0)
  })
})

describe('clones that are not whole', () => {
  it('a partial clone: missing blobs reported as skipped, never fetched', async () => {
    const src = new TestRepo(join(tmp.dir, 'psrc'))
    const old = token()
    const now = token()
    src.write('old.env', `TOKEN=${old}\n`)
    src.commit('old')
    src.git('rm', '-q', 'old.env')
    src.write('now.env', `TOKEN=${now}\n`)
    src.commit('now')
    src.git('config', 'uploadpack.allowFilter', 'true')
    const dst = join(tmp.dir, 'partial')
    execFileSync('git', ['clone', '-q', '--filter=blob:none', `file://${src.dir}`, dst])
    const objects = () => execFileSync('git', ['count-objects', '-v'], {cwd: dst, encoding: 'utf8'})
    const before = objects()
    const r = await scanRepository(dst, {fingerprinter: TEST_FINGERPRINTER})
    expect(objects()).toBe(before) // nothing was lazily fetched
    expect(r.repository.partial).toBe(true)
    expect(r.warnings.join('\n')).toMatch(/partial clone/)
    expect(r.skipped).toEqual([expect.objectContaining({path: 'old.env', reason: 'missing'})])
    expect(r.findings.map((f) => f.fingerprint)).toEqual([fingerprint(now)])
    const cli = leakctl(['scan', 'git', dst])
    expect(cli.code).toBe(1)
    expect(cli.stderr).toMatch(/warning: partial clone/)
  })

  it('a partial clone without trees: a clear error, exit 2, nothing fetched', () => {
    const src = new TestRepo(join(tmp.dir, 'tsrc'))
    src.write('a/b.txt', 'x\n')
    src.commit('one')
    src.write('a/b.txt', 'y\n')
    src.commit('two')
    src.git('config', 'uploadpack.allowFilter', 'true')
    const dst = join(tmp.dir, 'treeless')
    execFileSync('git', ['clone', '-q', '--filter=tree:0', '--no-checkout', `file://${src.dir}`, dst])
    const r = leakctl(['scan', 'git', dst])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error: .*partial clone without the trees/m)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })
})

describe('odd names and URLs', () => {
  it('paths holding the parser’s own separators: newline, colon, \\x1e', async () => {
    const odd = new TestRepo(join(tmp.dir, 'odd2'))
    const a = token()
    const b = token()
    odd.write('\n:100644 x', `token=${a}\n`)
    odd.write('\x1eCfake\x1fhead', `token=${b}\n`)
    const sha = odd.commit('odd names')
    const r = await scanRepository(odd.dir, {fingerprinter: TEST_FINGERPRINTER})
    expect(r.findings.map((f) => [f.path, f.commit]).sort()).toEqual([
      ['\n:100644 x', sha],
      ['\x1eCfake\x1fhead', sha],
    ])
  })

  it('credentials in a remote URL are masked', () => {
    expect(safeUrl('https://x-access-token:ghp_secret@github.com/acme/api.git')).toBe('https://x-access-token:****@github.com/acme/api.git')
    expect(safeUrl('https://ghp_ABCDEF1234567890abcdef@github.com/a/b')).toBe('https://****@github.com/a/b')
    expect(safeUrl('git@github.com:acme/api.git')).toBe('git@github.com:acme/api.git')
    expect(safeUrl('/srv/git/api.git')).toBe('/srv/git/api.git')
  })
})

describe('the log parser and the parents-first order', () => {
  it('parses combined (merge) records and plain ones, split anywhere', () => {
    const z = '0'.repeat(40)
    const [b1, b2, b3] = ['1', '2', '3'].map((d) => d.repeat(40))
    const text =
      `\x1eC${'a'.repeat(40)}\x1f${'b'.repeat(40)} ${'c'.repeat(40)}\x1fA <a@x>\x1f2026-01-01T10:00:00+02:00\x1f2026-01-01T10:00:00+02:00\0\0` +
      `::100644 100644 100644 ${b1} ${b2} ${b3} MM\0con:flict\0::000000 000000 100644 ${z} ${z} ${b1} AA\0new\0` +
      `\x1eC${'b'.repeat(40)}\x1f\x1fB <b@x>\x1f2026-01-01T07:00:00Z\x1f2026-01-01T07:00:00Z\0\n:000000 100644 ${z} ${b2} A\0\nstarts with newline\0`
    const got: {sha: string; changes: unknown[]}[] = []
    const p = new RawLogParser((commit, changes) => got.push({sha: commit.sha, changes}))
    for (let i = 0; i < text.length; i += 7) p.push(text.slice(i, i + 7))
    p.end()
    expect(got).toEqual([
      {
        sha: 'a'.repeat(40),
        changes: [
          {path: 'con:flict', before: [b1, b2], after: b3, gitlink: false},
          {path: 'new', before: ['', ''], after: b1, gitlink: false},
        ],
      },
      {sha: 'b'.repeat(40), changes: [{path: '\nstarts with newline', before: [''], after: b2, gitlink: false}]},
    ])
  })

  it('orders parents first even when committer clocks disagree', () => {
    const mk = (sha: string, parents: string[], date: string): Commit => ({sha, parents, author: '', authorDate: date, committerDate: date, index: -1})
    // git's order (newest first); the child's clock is behind its parent's.
    const commits = [mk('child', ['parent'], '2020-01-01T00:00:00Z'), mk('parent', ['root'], '2021-01-01T00:00:00Z'), mk('root', [], '2019-01-01T00:00:00Z')]
    expect(topoOrder(commits).map((x) => `${x.sha}:${x.index}`)).toEqual(['root:0', 'parent:1', 'child:2'])
  })
})

describe('nothing is left behind', () => {
  it('no git process outlives a scan, even one that fails', async () => {
    const gitChildren = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
            return stat.startsWith(`${p} (git`) && stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === String(process.pid)
          } catch {
            return false
          }
        })
    await scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER})
    await expect(scanRepository(repo.dir, {fingerprinter: TEST_FINGERPRINTER, branches: ['nope']})).rejects.toThrow(/cannot walk nope/)
    await new Promise((r) => setTimeout(r, 200))
    expect(gitChildren()).toEqual([])
  })
})
