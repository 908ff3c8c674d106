import {createHash} from 'node:crypto'
import {lstatSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {matchFindingBase} from '../detect/engine.js'
import type {FileFinding, GitFinding} from '../detect/finding.js'
import type {Fingerprinter} from '../fingerprint/key.js'
import {dependencyError, inputError} from '../errors.js'
import {joined} from '../parallel/pool.js'
import {openBlobCache} from './blob-cache.js'
import {blobScanner} from './blob-scanner.js'
import {BlobReader, presentObjects} from './blobs.js'
import {type Change, type Commit, HistoryError, readHistory, topoOrder} from './history.js'
import {git, GitError, gitMissing, openRepository, type Remote, type RepoInfo, spawnGit} from './repo.js'
import {type BlobResult, blobScan} from './scan-worker.js'
import {count} from '../text/count.js'

// The history scan: every commit reachable from the refs, every unique blob
// read and scanned once, findings mapped back to the commit that first put
// each secret at each path, the refs that still reach it, and whether it was
// pushed.

export interface GitScanOptions {
  /** The workspace's fingerprinter (or a baseline's, see src/git/baseline.ts). */
  fingerprinter: Fingerprinter
  /** Refs or revisions to walk instead of every ref. */
  branches?: string[]
  since?: string
  maxCommits?: number
  paths?: string[]
  includeStash?: boolean
  /** Also scan what is staged in the index (pre-commit). */
  staged?: boolean
  /** Also scan modified and untracked files of the working tree. */
  worktree?: boolean
  /** Blobs larger than this are skipped and reported. */
  maxBlobBytes?: number
  /** Fingerprints accepted earlier: not reported. */
  baseline?: ReadonlySet<string>
  /** A folder (the workspace) where what each blob yielded is kept, so the next scan of this repository skips it (src/git/blob-cache.ts). */
  cacheDir?: string
  onProgress?: (p: {phase: 'history' | 'blobs'; done: number; total?: number}) => void
}

/** A git finding with every history field filled in (they are optional in the recorded Finding). */
export type GitScanFinding = GitFinding & Required<Pick<GitFinding, 'committerDate' | 'reAddedIn' | 'removedIn' | 'removedAt' | 'pushed' | 'remotes'>>

export interface SkippedBlob {
  blob: string
  path: string
  reason: 'too-large' | 'binary' | 'missing' | 'unreadable'
  size?: number
}

export interface GitScanSummary {
  verdict: string
  secrets: number
  places: number
  atHead: number
  pushed: boolean
  pushedTo: string[]
  byRisk: Record<'critical' | 'high' | 'medium' | 'low', number>
  uncommitted: number
}

export interface GitScanResult {
  summary: GitScanSummary
  repository: {path: string; head: string | null; headRef: string | null; shallow: boolean; partial: boolean; remotes: Remote[]; refs: number}
  findings: GitScanFinding[]
  /** Staged or working-tree findings (not committed): source `file`. */
  uncommitted: (FileFinding & {state: 'staged' | 'worktree'})[]
  skipped: SkippedBlob[]
  warnings: string[]
  stats: {commits: number; blobs: number; bytes: number; baselined: number; ms: number}
}

interface BlobHit {
  fingerprint: string
  line: number
  base: ReturnType<typeof matchFindingBase>
}

interface Entry {
  /** Position in the walk (git's order). */
  commit: number
  path: string
  after: string
  before: string[]
}

const DEFAULT_MAX_BLOB = 20 * 1024 * 1024

export async function scanRepository(pathArg: string, opts: GitScanOptions): Promise<GitScanResult> {
  const t0 = performance.now()
  // git would take `--output=/tmp/x` as an option (write a file, print nothing: a "clean" scan).
  for (const b of opts.branches ?? []) if (b.startsWith('-')) throw inputError('git.bad-revision', `--branch ${JSON.stringify(b)}: a branch or revision cannot start with "-"`)
  for (const p of opts.paths ?? []) if (p.startsWith('-')) throw inputError('git.bad-path', `--path ${JSON.stringify(p)}: a path cannot start with "-" (write ./${p})`)
  const repo = await openRepository(pathArg)
  const warnings: string[] = []
  if (repo.shallow) warnings.push('shallow clone: history before the shallow boundary was not scanned, so a secret may have been introduced earlier than reported (git fetch --unshallow)')
  if (repo.partial) warnings.push('partial clone: objects that were never fetched cannot be scanned (they are listed as skipped)')
  const maxBlob = opts.maxBlobBytes ?? DEFAULT_MAX_BLOB
  // In a partial clone, only ask git for objects it has: asking for one it
  // never fetched makes git try to download it (and die when it cannot).
  const present = repo.partial ? await presentObjects(repo.path) : null
  const stash = opts.includeStash && repo.refs.some((r) => r.name === 'refs/stash') ? stashEntries(repo.path) : []

  // 1-2. The walk and the blobs, pipelined: each blob the walk meets for the
  // first time goes straight to cat-file, and from there to the detection
  // workers, while git log is still printing.
  const commits: Commit[] = []
  const entries: Entry[] = []
  const blobPath = new Map<string, string>()
  const skipped: SkippedBlob[] = []
  const hits = new Map<string, BlobHit[]>()
  const scanner = blobScanner(opts.fingerprinter)
  const cache = opts.cacheDir ? openBlobCache(opts.cacheDir, repo.path, opts.fingerprinter) : undefined
  /** Results of blobs an earlier scan already saw (not read again). */
  const cached: BlobResult[] = []
  /** The order in which the walk met each blob: binary blobs are listed in it, whatever order the threads finish in. */
  const met = new Map<string, number>()
  let bytes = 0
  let read = 0
  let requested = 0
  const counted = (size: number) => {
    bytes += size
    read++
    if (read % 2000 === 0) opts.onProgress?.({phase: 'blobs', done: read, total: requested})
  }
  const reader = new BlobReader(repo.path, maxBlob, {
    blob(sha, data, size) {
      counted(size)
      return scanner.add({sha, path: blobPath.get(sha)!}, data)
    },
    skip(sha, reason, detail) {
      skipped.push({blob: sha, path: blobPath.get(sha) ?? '', reason, ...(detail.size === undefined ? {} : {size: detail.size})})
      if (reason === 'unreadable') warnings.push(`object ${sha.slice(0, 12)} (${blobPath.get(sha) ?? '?'}) could not be read: ${detail.message ?? 'unreadable'}`)
    },
  })
  const want = (sha: string, path: string) => {
    if (blobPath.has(sha)) return
    blobPath.set(sha, path)
    met.set(sha, met.size)
    if (present && !present.has(sha)) {
      skipped.push({blob: sha, path, reason: 'missing'})
      return
    }
    requested++
    const known = cache?.get(sha, path)
    // A cached blob over this scan's size limit goes to cat-file like any other, to be skipped as too large.
    if (known && known.size <= maxBlob) {
      counted(known.size)
      cached.push({sha, binary: known.binary, hits: known.hits})
      if (known.binary) reader.sizes.set(sha, known.size)
      return
    }
    reader.request(sha)
  }
  let walkError: unknown
  try {
    await readHistory(repo.path, {revisions: opts.branches, extra: stash.map((e) => e.commit), since: opts.since, maxCommits: opts.maxCommits, paths: opts.paths, includeStash: opts.includeStash}, (c, changes: Change[]) => {
      const at = commits.length
      commits.push(c)
      for (const ch of changes) {
        if (ch.gitlink) continue
        entries.push({commit: at, path: ch.path, after: ch.after, before: ch.before})
        if (ch.after) want(ch.after, ch.path)
        for (const b of ch.before) if (b) want(b, ch.path)
      }
      if (commits.length % 1000 === 0) opts.onProgress?.({phase: 'history', done: commits.length})
    })
  } catch (error) {
    walkError = error
  }
  // Always drain the readers and workers, even when the walk failed: no process or thread is left behind.
  await reader.close()
  const scannedNow = await scanner.finish()
  if (walkError) {
    if (walkError instanceof HistoryError) {
      if (repo.partial && /promisor|could not fetch|not allowed/.test(walkError.stderr)) throw inputError('git.partial-clone', `${pathArg} is a partial clone without the trees of its history, and leakctl never downloads: fetch them first (git fetch --refetch with no filter) or scan a full clone`)
      if (opts.branches?.length) throw inputError('git.bad-revision', `cannot walk ${opts.branches.join(', ')}: ${walkError.message}`)
      throw inputError('git.unreadable', `git cannot read the history of ${pathArg}: ${walkError.message}`)
    }
    throw walkError
  }
  if (cache) {
    for (const r of scannedNow) cache.put(r.sha, blobPath.get(r.sha)!, {size: reader.sizes.get(r.sha)!, binary: r.binary, hits: r.hits})
    cache.save()
  }
  const results = [...cached, ...scannedNow].sort((a, b) => met.get(a.sha)! - met.get(b.sha)!)
  for (const r of results) {
    if (r.binary) skipped.push({blob: r.sha, path: blobPath.get(r.sha)!, reason: 'binary', size: reader.sizes.get(r.sha)})
    else if (r.hits.length) hits.set(r.sha, r.hits)
  }
  const missing = skipped.filter((s) => s.reason === 'missing')
  for (const m of missing.slice(0, 10)) warnings.push(`object ${m.blob.slice(0, 12)} (${m.path}) is missing or could not be read (a partial or damaged clone): not scanned`)
  if (missing.length > 10) warnings.push(`… and ${missing.length - 10} more missing or unreadable objects`)

  // 3. Back to commits: where each secret was introduced, re-added, removed.
  const ordered = topoOrder(commits)
  const limited = !!(opts.branches?.length || opts.since || opts.maxCommits !== undefined || opts.paths?.length)
  const graph = limited ? await fullGraph(repo.path, !!opts.includeStash, stash.map((e) => e.commit)) : ordered
  const findings = mapToCommits(repo, commits, entries, hits, graph, stash, opts.baseline)
  const baselined = findings.baselined

  // 4. Uncommitted work, when asked.
  const uncommitted = [...(opts.staged ? await stagedFindings(repo, opts.fingerprinter) : []), ...(opts.worktree ? worktreeFindings(repo, opts.fingerprinter) : [])].filter((f) => !opts.baseline?.has(f.fingerprint))

  const result: Omit<GitScanResult, 'summary'> = {
    repository: {path: repo.path, head: repo.head, headRef: repo.headRef, shallow: repo.shallow, partial: repo.partial, remotes: repo.remotes, refs: repo.refs.length},
    findings: findings.list,
    uncommitted,
    skipped,
    warnings,
    stats: {commits: commits.length, blobs: read, bytes, baselined, ms: Math.round(performance.now() - t0)},
  }
  return {summary: summarize(result), ...result}
}

/** The answer first: how many secrets, where they are now, whether they left this machine. */
export function summarize(r: Omit<GitScanResult, 'summary'>): GitScanSummary {
  const secrets = new Set(r.findings.map((f) => f.fingerprint)).size
  const atHead = new Set(r.findings.filter((f) => f.inHead).map((f) => f.fingerprint)).size
  const pushedTo = [...new Set(r.findings.filter((f) => f.pushed).flatMap((f) => f.remotes.map((m) => (m.github ? `github.com/${m.github}` : `${m.name} (${m.url})`))))]
  const byRisk = {critical: 0, high: 0, medium: 0, low: 0}
  for (const f of r.findings) byRisk[f.risk]++
  let verdict: string
  if (secrets === 0 && r.uncommitted.length === 0) verdict = `No secrets found in ${count(r.stats.commits)} commits (${count(r.stats.blobs)} blobs).`
  else {
    const parts = [`${secrets} secret${secrets === 1 ? '' : 's'} exposed in ${r.findings.length} place${r.findings.length === 1 ? '' : 's'}`, `${atHead} still at HEAD`]
    parts.push(pushedTo.length ? `pushed to ${pushedTo.join(', ')}` : 'not pushed to any remote this clone knows')
    if (r.uncommitted.length) parts.push(`${r.uncommitted.length} more in uncommitted changes`)
    verdict = parts.join('; ')
  }
  return {verdict, secrets, places: r.findings.length, atHead, pushed: pushedTo.length > 0, pushedTo, byRisk, uncommitted: r.uncommitted.length}
}

function blobHits(text: string, path: string, fp: Fingerprinter): BlobHit[] {
  return blobScan(fp)({sha: '', path}, Buffer.from(text, 'utf8')).hits
}

interface Intro {
  commit: Commit
  blob: string
}

function mapToCommits(repo: RepoInfo, commits: Commit[], entries: Entry[], hits: Map<string, BlobHit[]>, graph: readonly GraphNode[], stash: StashEntry[], baseline?: ReadonlySet<string>) {
  const has = (blob: string, fp: string) => (hits.get(blob) ?? []).some((h) => h.fingerprint === fp)
  interface Place {
    hit: BlobHit
    path: string
    intros: Intro[]
    removals: Commit[]
  }
  const places = new Map<string, Place>()
  // Only entries that touch a blob with a hit matter; everything else is skipped cheaply.
  for (const e of entries) {
    const afterHits = e.after ? hits.get(e.after) : undefined
    if (afterHits) {
      for (const h of afterHits) {
        if (e.before.some((b) => b && has(b, h.fingerprint))) continue // carried over, not introduced
        const key = `${h.fingerprint}\0${e.path}`
        const p = places.get(key)
        if (p) p.intros.push({commit: commits[e.commit]!, blob: e.after})
        else places.set(key, {hit: h, path: e.path, intros: [{commit: commits[e.commit]!, blob: e.after}], removals: []})
      }
    }
    for (const b of e.before) {
      const beforeHits = b ? hits.get(b) : undefined
      if (!beforeHits) continue
      for (const h of beforeHits) {
        if (e.after && has(e.after, h.fingerprint)) continue
        const key = `${h.fingerprint}\0${e.path}`
        const p = places.get(key)
        if (p) p.removals.push(commits[e.commit]!)
        else places.set(key, {hit: h, path: e.path, intros: [], removals: [commits[e.commit]!]})
      }
    }
  }
  const headTree = repo.head ? headBlobs(repo.path) : new Map<string, string>()
  const reach = reachability(repo, graph, stash)
  const remoteOf = (ref: string) => repo.remotes.find((r) => ref.startsWith(`refs/remotes/${r.name}/`))
  let baselined = 0
  const list: GitScanFinding[] = []
  for (const p of places.values()) {
    // A removal seen without any introduction: the secret was added before the walked range (--since, --max-commits, a shallow boundary).
    if (p.intros.length === 0) continue
    if (baseline?.has(p.hit.fingerprint)) {
      baselined++
      continue
    }
    // First = earliest committed among the introducing commits (parents-first order breaks ties).
    const intros = [...new Map(p.intros.map((i) => [i.commit.sha, i])).values()].sort((a, b) => a.commit.committerDate.localeCompare(b.commit.committerDate) || a.commit.index - b.commit.index)
    const first = intros[0]!.commit
    // The line where it sits in the blob the first commit wrote.
    const hit = (hits.get(intros[0]!.blob) ?? []).find((h) => h.fingerprint === p.hit.fingerprint) ?? p.hit
    const refs = [...new Set(intros.flatMap((i) => reach(i.commit.sha)))].sort()
    const remotes = [...new Map(refs.map(remoteOf).filter((r): r is Remote => r !== undefined).map((r) => [r.name, r])).values()]
    const headBlob = headTree.get(p.path)
    const inHead = headBlob !== undefined && has(headBlob, p.hit.fingerprint)
    // Removed: the first removal after the last (re-)introduction, else the first after the first one.
    const lastIntro = Math.max(...intros.map((i) => i.commit.index))
    const later = p.removals.filter((r) => r.index > first.index).sort((a, b) => a.index - b.index)
    const removal = inHead ? undefined : (later.find((r) => r.index >= lastIntro) ?? later[0])
    list.push({
      source: 'git',
      ...hit.base,
      commit: first.sha,
      path: p.path,
      line: hit.line,
      author: first.author,
      date: first.authorDate,
      committerDate: first.committerDate,
      inHead,
      refs,
      reAddedIn: intros.slice(1).map((i) => i.commit.sha),
      removedIn: removal?.sha ?? null,
      removedAt: removal?.committerDate ?? null,
      pushed: remotes.length > 0,
      remotes: remotes.map((r) => ({name: r.name, url: r.url, github: r.github})),
    })
  }
  list.sort((a, b) => a.date.localeCompare(b.date) || a.path.localeCompare(b.path))
  return {list, baselined}
}

/** HEAD's tree: path -> blob. */
function headBlobs(repo: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const rec of git(repo, ['ls-tree', '-r', '-z', '--full-tree', 'HEAD']).split('\0')) {
    const tab = rec.indexOf('\t')
    if (tab < 0) continue
    const [, type, sha] = rec.slice(0, tab).split(' ')
    if (type === 'blob') map.set(rec.slice(tab + 1), sha!)
  }
  return map
}

interface GraphNode {
  sha: string
  parents: string[]
}

/**
 * The whole commit graph (every ref), for reachability when the walk was
 * limited (--branch, --since, --path): a ref that reaches a finding through
 * commits the walk skipped must still be named. One `rev-list`, commits only.
 */
async function fullGraph(repo: string, includeStash: boolean, extra: string[]): Promise<GraphNode[]> {
  const child = spawnGit(repo, ['rev-list', '--parents', ...(includeStash ? [] : ['--exclude=refs/stash']), '--all', ...(extra.length ? ['--end-of-options', ...extra] : []), '--'], ['ignore', 'pipe', 'pipe'])
  const out: GraphNode[] = []
  let rest = ''
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString()
  })
  child.stdout!.setEncoding('latin1')
  child.stdout!.on('data', (d: string) => {
    const lines = (rest + d).split('\n')
    rest = lines.pop()!
    for (const l of lines) {
      const [sha, ...parents] = l.split(' ')
      if (sha) out.push({sha, parents})
    }
  })
  const code: number = await new Promise((resolve, reject) => {
    child.on('error', (e) => reject(gitMissing(e)))
    child.on('close', (c) => resolve(c ?? 1))
  })
  // A graph cut short would name fewer refs that still reach a secret: never a silent partial answer.
  if (code !== 0) throw dependencyError('git.failed', `git rev-list failed (exit ${code}): ${stderr.trim().split('\n')[0] ?? ''}`)
  return out
}

export interface StashEntry {
  commit: string
  /** stash@{n} */
  name: string
}

/** Every stash entry (not only the newest, which is all `refs/stash` names). */
function stashEntries(repo: string): StashEntry[] {
  return git(repo, ['log', '-g', '--no-abbrev', '--no-show-signature', '--format=%H%x1f%gd', 'refs/stash', '--'])
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [commit, name] = l.split('\x1f')
      return {commit: commit!, name: name!}
    })
}

/** refs (and HEAD, stash entries) from which a commit is reachable, by walking descendants. */
function reachability(repo: RepoInfo, graph: readonly GraphNode[], stash: StashEntry[]): (sha: string) => string[] {
  const children = new Map<string, string[]>()
  for (const c of graph) {
    for (const p of c.parents) {
      const list = children.get(p)
      if (list) list.push(c.sha)
      else children.set(p, [c.sha])
    }
  }
  const tips = new Map<string, string[]>()
  const tip = (commit: string, name: string) => tips.set(commit, [...(tips.get(commit) ?? []), name])
  for (const r of repo.refs) tip(r.commit, r.name)
  if (repo.head && !repo.headRef) tip(repo.head, 'HEAD')
  for (const e of stash.slice(1)) tip(e.commit, e.name) // stash@{0} is refs/stash
  const cache = new Map<string, string[]>()
  return (sha) => {
    const cached = cache.get(sha)
    if (cached) return cached
    const seen = new Set<string>([sha])
    const stack = [sha]
    const refs = new Set<string>()
    while (stack.length) {
      const s = stack.pop()!
      for (const r of tips.get(s) ?? []) refs.add(r)
      for (const c of children.get(s) ?? []) {
        if (!seen.has(c)) {
          seen.add(c)
          stack.push(c)
        }
      }
    }
    const out = [...refs].sort()
    cache.set(sha, out)
    return out
  }
}

/** Reads a few blobs (staged changes) through the same cat-file pipeline. */
async function readSome(repo: string, shas: string[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>()
  if (shas.length === 0) return out
  const reader = new BlobReader(repo, DEFAULT_MAX_BLOB, {
    blob(sha, data) {
      out.set(sha, new Uint8Array(joined(data))) // a copy: the views are the reader's, valid only during the call
      return undefined
    },
    skip() {},
  })
  for (const sha of new Set(shas)) reader.request(sha)
  await reader.close()
  return out
}

const textHits = (data: Uint8Array | undefined, path: string, fp: Fingerprinter): BlobHit[] => {
  if (!data) return []
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return buf.subarray(0, 8000).includes(0) ? [] : blobHits(buf.toString('utf8'), path, fp)
}

/**
 * What the staged change adds (a pre-commit hook's question): secrets in the
 * staged version of a file that its HEAD version does not already hold.
 */
async function stagedFindings(repo: RepoInfo, fp: Fingerprinter): Promise<(FileFinding & {state: 'staged'})[]> {
  // A failure here is no "nothing staged": GitError goes up (exit 3).
  const raw = git(repo.path, ['diff', '--cached', '--raw', '-z', '--no-abbrev', '--no-renames', '--no-ext-diff', '--no-textconv', '--diff-filter=AMT'])
  const changes: {path: string; before: string; after: string}[] = []
  const fields = raw.split('\0')
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, , before = '', after = ''] = fields[i]!.replace(/^\n+/, '').slice(1).split(' ')
    if (after && !/^0+$/.test(after)) changes.push({path: fields[i + 1]!, before: /^0+$/.test(before) ? '' : before, after})
  }
  const blobs = await readSome(repo.path, changes.flatMap((c) => (c.before ? [c.before, c.after] : [c.after])))
  const out: (FileFinding & {state: 'staged'})[] = []
  for (const c of changes) {
    const old = new Set(textHits(blobs.get(c.before), c.path, fp).map((h) => h.fingerprint))
    for (const h of textHits(blobs.get(c.after), c.path, fp)) if (!old.has(h.fingerprint)) out.push({source: 'file', ...h.base, path: c.path, line: h.line, state: 'staged'})
  }
  return out
}

/**
 * Modified and untracked files: secrets their HEAD version does not already hold.
 * `ls-files --modified` would make git hash working-tree files, which runs
 * the repository's clean/process filters (programs its config names): the
 * files are compared with their index blobs here instead, by hashing them as
 * git does, with no filter. Symbolic links are not followed (a tracked link
 * to ~/.aws/credentials is not the repository's content).
 */
function worktreeFindings(repo: RepoInfo, fp: Fingerprinter): (FileFinding & {state: 'worktree'})[] {
  const indexed = new Map<string, string>()
  for (const rec of git(repo.path, ['ls-files', '-z', '--stage']).split('\0')) {
    const tab = rec.indexOf('\t')
    if (tab > 0) indexed.set(rec.slice(tab + 1), rec.slice(0, tab).split(' ')[1]!)
  }
  const untracked = git(repo.path, ['ls-files', '-z', '--others', '--exclude-standard']).split('\0').filter(Boolean)
  const head = repo.head ? headBlobs(repo.path) : new Map<string, string>()
  const out: (FileFinding & {state: 'worktree'})[] = []
  for (const path of [...new Set([...indexed.keys(), ...untracked])]) {
    const file = join(repo.path, path)
    try {
      const st = lstatSync(file)
      if (!st.isFile() || st.size > DEFAULT_MAX_BLOB) continue
      const data = readFileSync(file)
      const staged = indexed.get(path)
      if (staged && blobId(data, staged.length) === staged) continue
      if (data.subarray(0, 8000).includes(0)) continue
      const before = head.get(path)
      const old = new Set(before ? textHits(Buffer.from(git(repo.path, ['cat-file', 'blob', before]), 'utf8'), path, fp).map((h) => h.fingerprint) : [])
      for (const h of blobHits(data.toString('utf8'), path, fp)) if (!old.has(h.fingerprint)) out.push({source: 'file', ...h.base, path, line: h.line, state: 'worktree'})
    } catch (error) {
      if (error instanceof GitError) throw error
      // deleted since listed: nothing to scan
    }
  }
  return out
}

/** git's object name of a blob with these bytes (SHA-1, or SHA-256 in a repository of 64-digit names). */
function blobId(data: Buffer, digits: number): string {
  return createHash(digits === 64 ? 'sha256' : 'sha1').update(`blob ${data.byteLength}\0`).update(data).digest('hex')
}
