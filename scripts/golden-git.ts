import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {keyText} from '../src/fingerprint/key.js'
import {TEST_FINGERPRINTER} from '../test/helpers/fingerprint.js'
import {TestRepo} from '../test/helpers/git.js'

// The byte-identical guard of `scan git --json`: deterministic repositories
// (fixed names, dates and secret values) scanned by the compiled CLI, the only
// public entry point, with the fixed test fingerprint key. The outputs are
// kept in test/golden/git/<case>.json; test/golden-git.test.ts regenerates
// them and compares byte for byte, so a speed-up cannot change an answer.
//
// Regenerate (after `npm run build`, on purpose, when detection rules change):
//   npx tsx scripts/golden-git.ts            writes test/golden/git/*.json
//   npx tsx scripts/golden-git.ts --check    compares, exit 1 on a difference
//
// Only documented volatile fields are normalised: `stats.ms` (a timing) and
// the temporary folder the repositories are built in (it appears in
// repository.path, remote URLs and warnings), written as <tmp>.

const ROOT = join(import.meta.dirname, '..')
const BIN = join(ROOT, 'bin', 'run.js')
export const GOLDEN_DIR = join(ROOT, 'test', 'golden', 'git')

/** A made-up value of a real format, the same on every run: `alphabet` digits of sha256(label). */
function fixed(label: string, length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
  let out = ''
  for (let i = 0; out.length < length; i++) for (const b of createHash('sha256').update(`${label}:${i}`).digest()) if (out.length < length) out += alphabet[b % alphabet.length]
  return out
}
const token = (label: string) => `ghp_${fixed(label, 36)}`
const awsId = (label: string) => `AKIA${fixed(label, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`
const awsSecret = (label: string) => fixed(label, 40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
const pw = (label: string) => fixed(label, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')

/** A git environment that ignores the user's own configuration (hooks, templates, default branch). */
function gitEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: join(dir, 'gitconfig'), GIT_TERMINAL_PROMPT: '0'}
  for (const k of Object.keys(env)) if (k.startsWith('GIT_') && !['GIT_CONFIG_NOSYSTEM', 'GIT_CONFIG_GLOBAL', 'GIT_TERMINAL_PROMPT'].includes(k)) delete env[k]
  return env
}

interface Case {
  name: string
  repo: string
  args: string[]
}

/** The scan-git story: a token at HEAD, one removed, one re-added, a rename, a binary file, a merge resolution, a tag, an unpushed branch, a stash, staged and untracked work. */
function storyRepo(dir: string): string {
  const s = {main: token('story-main'), merge: pw('story-merge'), branch: token('story-branch'), renamed: pw('story-renamed'), stash: pw('story-stash'), removed: token('story-removed'), readded: pw('story-readded'), aws: awsId('story-aws'), staged: token('story-staged'), untracked: pw('story-untracked')}
  const repo = new TestRepo(join(dir, 'story'))
  repo.write('README.md', '# service\n')
  repo.commit('init')
  repo.write('config/app.yaml', `name: api\ngithub_token: ${s.main}\n`)
  repo.commit('add config', {author: 'Dev Two <dev2@example.com>'})
  repo.write('scripts/deploy.sh', `#!/bin/sh\nexport GH_TOKEN=${s.removed}\n`)
  repo.commit('deploy script')
  repo.write('scripts/deploy.sh', '#!/bin/sh\nexport GH_TOKEN="$GH_TOKEN"\n')
  repo.commit('use env')
  repo.write('db.env', `DB_PASSWORD=${s.readded}\n`)
  repo.commit('db env')
  repo.write('db.env', 'DB_PASSWORD=\n')
  repo.commit('blank it')
  repo.write('db.env', `DB_PASSWORD=${s.readded}\n`)
  repo.commit('oops again')
  repo.write('old/name.env', `API_SECRET=${s.renamed}\n`)
  repo.commit('old name')
  mkdirSync(join(repo.dir, 'new'))
  repo.git('mv', 'old/name.env', 'new/name.env')
  repo.commit('rename')
  repo.write('logo.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), Buffer.from(`token=${token('story-binary')}`)]))
  repo.commit('logo')
  repo.git('checkout', '-q', '-b', 'feature')
  repo.write('settings.ini', '[db]\nhost = a\n')
  repo.commit('feature side')
  repo.git('checkout', '-q', 'main')
  repo.write('settings.ini', '[db]\nhost = b\n')
  repo.commit('main side')
  repo.tick()
  // A conflict: git stops, the resolution below adds the secret.
  spawnSync('git', ['merge', '-q', 'feature', '-m', 'merge feature'], {cwd: repo.dir})
  repo.write('settings.ini', `[db]\nhost = b\npassword = "${s.merge}"\n`)
  repo.git('add', 'settings.ini')
  repo.git('commit', '-q', '--no-edit')
  repo.git('tag', '-a', 'v1.0', '-m', 'release')
  repo.git('checkout', '-q', '-b', 'wip')
  repo.write('wip.txt', `token: ${s.branch}\naws_access_key_id = ${s.aws}\naws_secret_access_key = ${awsSecret('story-aws-secret')}\n`)
  repo.commit('wip')
  repo.git('checkout', '-q', 'main')
  repo.write('scratch.env', `PASSWORD=${s.stash}\n`)
  repo.git('add', 'scratch.env')
  repo.git('stash', '-q')
  execFileSync('git', ['init', '-q', '--bare', join(dir, 'story-remote.git')])
  repo.git('remote', 'add', 'origin', join(dir, 'story-remote.git'))
  repo.git('push', '-q', 'origin', 'main', 'v1.0')
  repo.git('fetch', '-q', 'origin')
  // Uncommitted work, seen only with --staged / --worktree.
  repo.write('staged.env', `GITHUB_TOKEN=${s.staged}\n`)
  repo.git('add', 'staged.env')
  repo.write('local.env', `SECRET_KEY=${s.untracked}\n`)
  return repo.dir
}

/** The scan-git-history story: deletions, one secret on two branches, side branches, two stash entries, a GitHub remote. */
function historyRepo(dir: string): string {
  const s = {deleted: token('hist-deleted'), twice: pw('hist-twice'), side: pw('hist-side'), moved: token('hist-moved'), stash0: pw('hist-stash0'), stash1: pw('hist-stash1'), merged: token('hist-merged')}
  const repo = new TestRepo(join(dir, 'history'))
  repo.write('README.md', '# api\n')
  repo.commit('init')
  repo.write('keys/deploy.env', `GITHUB_TOKEN=${s.deleted}\n`)
  repo.commit('deploy key')
  repo.git('rm', '-q', 'keys/deploy.env')
  repo.commit('drop deploy key')
  repo.write('app.yaml', `name: api\ntoken: ${s.moved}\n`)
  repo.commit('app config')
  repo.write('app.yaml', `name: api\n${'# padding\n'.repeat(8)}token: ${s.moved}\n`)
  repo.commit('comments')
  repo.git('checkout', '-q', '-b', 'feature')
  repo.write('feature.env', `DB_PASSWORD=${s.twice}\n`)
  repo.commit('feature db')
  repo.git('checkout', '-q', 'main')
  repo.write('feature.env', `DB_PASSWORD=${s.twice}\n`)
  repo.commit('main db')
  repo.git('checkout', '-q', '-b', 'side')
  repo.write('conf/side.ini', `password = "${s.side}"\n`)
  repo.commit('side secret')
  repo.git('rm', '-q', 'conf/side.ini')
  repo.commit('side secret gone')
  repo.git('checkout', '-q', '-b', 'merged', 'main')
  repo.write('merged.txt', `t=${s.merged}\n`)
  const merged = repo.commit('merged secret')
  repo.git('checkout', '-q', 'main')
  repo.tick()
  repo.git('merge', '-q', '--no-ff', 'side', '-m', 'merge side')
  repo.tick()
  repo.git('merge', '-q', '--no-ff', 'merged', '-m', 'merge merged')
  repo.git('branch', '-q', '-D', 'merged', 'side')
  repo.git('branch', '-q', 'merged', merged)
  repo.write('scratch1.env', `PASSWORD=${s.stash1}\n`)
  repo.git('add', 'scratch1.env')
  repo.git('stash', '-q')
  repo.write('scratch0.env', `PASSWORD=${s.stash0}\n`)
  repo.git('add', 'scratch0.env')
  repo.git('stash', '-q')
  const bare = join(dir, 'acme-api.git')
  execFileSync('git', ['init', '-q', '--bare', bare])
  repo.git('remote', 'add', 'origin', 'https://github.com/acme/api.git')
  repo.git('config', `url.${bare}.insteadOf`, 'https://github.com/acme/api.git')
  repo.git('push', '-q', 'origin', 'main')
  repo.git('fetch', '-q', 'origin')
  return repo.dir
}

/** Paths with the log parser's separators, a blob over the size limit, a submodule entry, a symbolic link, an empty commit. */
function oddRepo(dir: string): string {
  const repo = new TestRepo(join(dir, 'odd'))
  repo.write('new\nline.env', `PASSWORD=${pw('odd-newline')}\n`)
  repo.write('a:b.env', `SECRET=${pw('odd-colon')}\n`)
  repo.write('rec\x1esep.env', `TOKEN=${token('odd-rs')}\n`)
  repo.write('big.txt', `${'x'.repeat(80)}\n`.repeat(14_000) + `password = "${pw('odd-big')}"\n`)
  repo.commit('odd names')
  repo.git('update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},vendor/lib`)
  repo.git('commit', '-q', '-m', 'submodule')
  repo.commit('empty')
  spawnSync('ln', ['-s', 'a:b.env', join(repo.dir, 'link.env')])
  repo.commit('link')
  return repo.dir
}

/**
 * Enough history to exercise the pipeline (several worker batches, arenas
 * reused and outgrown, backpressure): 400 commits over 300 files with a side
 * branch merged back, secrets of several formats added, copied to other paths,
 * removed; built with fast-import, fixed dates.
 */
function bulkRepo(dir: string): string {
  const path = join(dir, 'bulk.git')
  execFileSync('git', ['init', '-q', '--bare', path], {env: gitEnv(dir)})
  const files = 300
  const secretFor = (c: number) => {
    const k = c % 5
    if (k === 0) return `password = "${pw(`bulk-pw-${c}`)}"`
    if (k === 1) return `token: ${token(`bulk-tok-${c}`)}`
    if (k === 2) return `aws_access_key_id = ${awsId(`bulk-aws-${c}`)}\naws_secret_access_key = ${awsSecret(`bulk-awss-${c}`)}`
    if (k === 3) return `DATABASE_URL=postgres://app:${pw(`bulk-url-${c}`)}@db.internal:5432/app`
    return `client_secret: "${pw(`bulk-cs-${c}`)}"`
  }
  const body = (f: number, c: number) => {
    const h = createHash('sha256').update(`${f}:${c}`).digest('hex')
    const rows = Array.from({length: 20 + (f % 40) * (f % 7 === 0 ? 40 : 1)}, (_, i) => `export const v${i} = "${h.slice(i % 48, (i % 48) + 12)}" // ${f}`)
    if (c % 13 === 0) rows.splice(c % rows.length, 0, secretFor(c))
    return `${rows.join('\n')}\n`
  }
  const out: string[] = []
  let mark = 0
  let main = 0
  let side = 0
  const commit = (ref: string, c: number, from: number, merge?: number) => {
    const when = 1_767_000_000 + c * 3600
    out.push(`commit ${ref}`, `mark :${++mark}`, `author Dev ${c % 3} <dev${c % 3}@example.com> ${when} +0000`, `committer Dev ${c % 3} <dev${c % 3}@example.com> ${when} +0000`)
    const msg = `change ${c}`
    out.push(`data ${msg.length}`, msg)
    if (from) out.push(`from :${from}`)
    if (merge) out.push(`merge :${merge}`)
    for (const f of [c % files, (c * 7) % files, (c * 31) % files].slice(0, 1 + (c % 3))) {
      const content = body(f, c)
      out.push(`M 100644 inline src/m${Math.floor(f / 50)}/f${f}.ts`, `data ${Buffer.byteLength(content)}`, content)
    }
    // A copy of an earlier secret-bearing file at another path, and a deletion.
    if (c % 17 === 0) {
      const content = body(c % files, c - (c % 13))
      out.push(`M 100644 inline copies/c${c}.ts`, `data ${Buffer.byteLength(content)}`, content)
    }
    if (c % 34 === 0) out.push(`D copies/c${c - 17}.ts`)
    return mark
  }
  for (let c = 1; c <= 400; c++) {
    if (c % 100 === 80) side = main
    if (side && c % 100 >= 80) {
      side = commit('refs/heads/side', c, side)
      continue
    }
    main = commit('refs/heads/main', c, main, c % 100 === 0 && side ? side : undefined)
    if (c % 100 === 0) side = 0
  }
  out.push('')
  execFileSync('git', ['fast-import', '--quiet'], {cwd: path, input: out.join('\n'), maxBuffer: 1 << 28, env: gitEnv(dir)})
  execFileSync('git', ['symbolic-ref', 'HEAD', 'refs/heads/main'], {cwd: path, env: gitEnv(dir)})
  execFileSync('git', ['tag', 'v1', 'main~150'], {cwd: path, env: gitEnv(dir)})
  return path
}

function sampleRepo(dir: string): string {
  execFileSync('bash', [join(ROOT, 'fixtures', 'git', 'make-sample-repo.sh'), join(dir, 'sample')], {env: gitEnv(dir), stdio: ['ignore', 'ignore', 'inherit']})
  return join(dir, 'sample', 'repo')
}

/** Builds every repository under `dir`; returns the scans to run (name, repository, extra flags). */
export function buildCases(dir: string): Case[] {
  writeFileSync(join(dir, 'gitconfig'), '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n')
  const saved = {...process.env}
  // TestRepo passes process.env to git: the same isolation for it.
  for (const k of Object.keys(process.env)) delete process.env[k]
  Object.assign(process.env, gitEnv(dir))
  try {
    const story = storyRepo(dir)
    const history = historyRepo(dir)
    const odd = oddRepo(dir)
    const bulk = bulkRepo(dir)
    const sample = sampleRepo(dir)
    return [
      {name: 'sample', repo: sample, args: []},
      {name: 'story', repo: story, args: []},
      {name: 'story-stash', repo: story, args: ['--stash']},
      {name: 'story-uncommitted', repo: story, args: ['--staged', '--worktree']},
      {name: 'history', repo: history, args: ['--stash']},
      {name: 'history-branch', repo: history, args: ['--branch', 'merged']},
      {name: 'history-path', repo: history, args: ['--path', 'conf/']},
      {name: 'history-since', repo: history, args: ['--since', '2026-01-05T14:30:00Z']},
      {name: 'history-max-commits', repo: history, args: ['--max-commits', '4']},
      {name: 'odd', repo: odd, args: ['--max-blob-size', '1']},
      {name: 'bulk', repo: bulk, args: []},
      {name: 'bulk-branch', repo: bulk, args: ['--branch', 'v1']},
    ]
  } finally {
    for (const k of Object.keys(process.env)) delete process.env[k]
    Object.assign(process.env, saved)
  }
}

/** A workspace holding the fixed test key (so fingerprints are the same on every machine). */
export function goldenWorkspace(dir: string): string {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  writeFileSync(join(dir, 'fingerprint.key'), keyText(TEST_FINGERPRINTER), {mode: 0o600})
  return dir
}

/** Runs `leakctl scan git REPO --json` and returns its stdout normalised (see the header). */
export function scanJson(c: Case, workspace: string, tmp: string, env: NodeJS.ProcessEnv = {}): {code: number; text: string; stderr: string} {
  const r = spawnSync(process.execPath, [BIN, 'scan', 'git', c.repo, '--json', '--workspace', workspace, ...c.args], {
    cwd: c.repo,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: {...gitEnv(tmp), NO_COLOR: '1', NODE_ENV: 'production', LEAKCTL_ACTOR: 'golden', ...env},
  })
  return {code: r.status ?? -1, text: normalise(r.stdout, tmp), stderr: r.stderr}
}

export function normalise(stdout: string, tmp: string): string {
  let text = stdout
  for (const t of new Set([realpathSync(tmp), tmp])) text = text.split(JSON.stringify(t).slice(1, -1)).join('<tmp>')
  // stats.ms is the scan's duration: the one volatile number in the document.
  return text.replace(/("stats": \{[^}]*"ms": )\d+/, '$10')
}

export function goldenPath(name: string): string {
  return join(GOLDEN_DIR, `${name}.json`)
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check')
  const tmp = mkdtempSync(join(tmpdir(), 'leakctl-golden-'))
  let failed = 0
  try {
    const cases = buildCases(tmp)
    mkdirSync(GOLDEN_DIR, {recursive: true})
    for (const c of cases) {
      const r = scanJson(c, goldenWorkspace(join(tmp, `ws-${c.name}`)), tmp)
      if (r.code !== 0 && r.code !== 1) throw new Error(`${c.name}: scan git exited ${r.code}: ${r.stderr.trim().split('\n')[0]}`)
      const text = `${r.text.trimEnd()}\n`
      const file = goldenPath(c.name)
      if (check) {
        let old = ''
        try {
          old = readFileSync(file, 'utf8')
        } catch {}
        if (old !== text) {
          failed++
          process.stdout.write(`differs: ${c.name}\n`)
        }
      } else {
        mkdirSync(dirname(file), {recursive: true})
        writeFileSync(file, text)
        process.stdout.write(`wrote ${file} (exit ${r.code})\n`)
      }
    }
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
  if (failed) process.exitCode = 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
