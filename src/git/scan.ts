import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import type {matchFindingBase} from '../detect/engine.js'
import type {FileFinding, GitFinding} from '../detect/finding.js'
import {inputError} from '../errors.js'
import {blobScanner} from './blob-scanner.js'
import {blobSizes, readBlobs} from './blobs.js'
import {type Change, type Commit, HistoryError, readHistory} from './history.js'
import {git, GitError, openRepository, type Remote, type RepoInfo} from './repo.js'
import {scanBlob} from './scan-worker.js'

// The history scan: every commit reachable from the refs, every unique blob
// read and scanned once, findings mapped back to the commit that first put
// each secret at each path, the refs that still reach it, and whether it was
// pushed.

export interface GitScanOptions {
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
  commit: number
  path: string
  after: string
  before: string[]
}

const DEFAULT_MAX_BLOB = 20 * 1024 * 1024

export async function scanRepository(pathArg: string, opts: GitScanOptions = {}): Promise<GitScanResult> {
  const t0 = performance.now()
  const repo = await openRepository(pathArg)
  const warnings: string[] = []
  if (repo.shallow) warnings.push('shallow clone: history before the shallow boundary was not scanned, so a secret may have been introduced earlier than reported (git fetch --unshallow)')
  if (repo.partial) warnings.push('partial clone: objects that were never fetched cannot be scanned (they are listed as skipped)')

  // 1. The history: commits and the blobs each one wrote.
  const commits: Commit[] = []
  const entries: Entry[] = []
  const blobPath = new Map<string, string>()
  try {
    await readHistory(repo.path, {revisions: opts.branches, since: opts.since, maxCommits: opts.maxCommits, paths: opts.paths, includeStash: opts.includeStash}, (c, changes: Change[]) => {
      commits.push(c)
      for (const ch of changes) {
        if (ch.gitlink) continue
        if (ch.after) {
          entries.push({commit: c.index, path: ch.path, after: ch.after, before: ch.before})
          if (!blobPath.has(ch.after)) blobPath.set(ch.after, ch.path)
        } else {
          entries.push({commit: c.index, path: ch.path, after: '', before: ch.before})
        }
        for (const b of ch.before) if (b && !blobPath.has(b)) blobPath.set(b, ch.path)
      }
      if (commits.length % 1000 === 0) opts.onProgress?.({phase: 'history', done: commits.length})
    })
  } catch (error) {
    if (error instanceof HistoryError) {
      if (opts.branches?.length) throw inputError('git.bad-revision', `cannot walk ${opts.branches.join(', ')}: ${error.message}`)
      throw inputError('git.unreadable', `git cannot read the history of ${pathArg}: ${error.message}`)
    }
    throw error
  }

  // 2. Every unique blob once: sizes first, then contents of the ones worth reading.
  const maxBlob = opts.maxBlobBytes ?? DEFAULT_MAX_BLOB
  const sizes = await blobSizes(repo.path, [...blobPath.keys()])
  const skipped: SkippedBlob[] = []
  const toRead: string[] = []
  for (const [sha, path] of blobPath) {
    const s = sizes.get(sha)
    if (!s || s.missing) skipped.push({blob: sha, path, reason: 'missing'})
    else if (s.size > maxBlob) skipped.push({blob: sha, path, reason: 'too-large', size: s.size})
    else toRead.push(sha)
  }
  const hits = new Map<string, BlobHit[]>()
  const scanner = blobScanner()
  let bytes = 0
  let read = 0
  await readBlobs(
    repo.path,
    toRead,
    (sha, data) => {
      bytes += data.byteLength
      read++
      if (read % 2000 === 0) opts.onProgress?.({phase: 'blobs', done: read, total: toRead.length})
      return scanner.add({sha, path: blobPath.get(sha)!, data})
    },
    (sha, reason) => {
      skipped.push({blob: sha, path: blobPath.get(sha) ?? '', reason: 'unreadable'})
      warnings.push(`object ${sha.slice(0, 12)} (${blobPath.get(sha) ?? '?'}) could not be read: ${reason}`)
    },
  )
  for (const r of await scanner.finish()) {
    if (r.binary) skipped.push({blob: r.sha, path: blobPath.get(r.sha)!, reason: 'binary', size: sizes.get(r.sha)?.size})
    else if (r.hits.length) hits.set(r.sha, r.hits)
  }
  const missing = skipped.filter((s) => s.reason === 'missing')
  for (const m of missing.slice(0, 10)) warnings.push(`object ${m.blob.slice(0, 12)} (${m.path}) is missing or could not be read (a partial or damaged clone): not scanned`)
  if (missing.length > 10) warnings.push(`… and ${missing.length - 10} more missing or unreadable objects`)

  // 3. Back to commits: where each secret was introduced, re-added, removed.
  const findings = mapToCommits(repo, commits, entries, hits, opts.baseline)
  const baselined = findings.baselined

  // 4. Uncommitted work, when asked.
  const uncommitted = [...(opts.staged ? stagedFindings(repo) : []), ...(opts.worktree ? worktreeFindings(repo) : [])].filter((f) => !opts.baseline?.has(f.fingerprint))

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
  if (secrets === 0 && r.uncommitted.length === 0) verdict = `No secrets found in ${r.stats.commits.toLocaleString('en')} commits (${r.stats.blobs.toLocaleString('en')} blobs).`
  else {
    const parts = [`${secrets} secret${secrets === 1 ? '' : 's'} exposed in ${r.findings.length} place${r.findings.length === 1 ? '' : 's'}`, `${atHead} still at HEAD`]
    parts.push(pushedTo.length ? `pushed to ${pushedTo.join(', ')}` : 'not pushed to any remote this clone knows')
    if (r.uncommitted.length) parts.push(`${r.uncommitted.length} more in uncommitted changes`)
    verdict = parts.join('; ')
  }
  return {verdict, secrets, places: r.findings.length, atHead, pushed: pushedTo.length > 0, pushedTo, byRisk, uncommitted: r.uncommitted.length}
}

function blobHits(text: string, path: string): BlobHit[] {
  return scanBlob({sha: '', path, data: Buffer.from(text, 'utf8')}).hits
}

function mapToCommits(repo: RepoInfo, commits: Commit[], entries: Entry[], hits: Map<string, BlobHit[]>, baseline?: ReadonlySet<string>) {
  const has = (blob: string, fp: string) => (hits.get(blob) ?? []).some((h) => h.fingerprint === fp)
  interface Place {
    hit: BlobHit
    path: string
    intros: number[]
    removals: number[]
  }
  const places = new Map<string, Place>()
  for (const e of entries) {
    for (const h of e.after ? (hits.get(e.after) ?? []) : []) {
      if (e.before.some((b) => b && has(b, h.fingerprint))) continue // carried over, not introduced
      const key = `${h.fingerprint}\0${e.path}`
      const p = places.get(key) ?? {hit: h, path: e.path, intros: [], removals: []}
      p.intros.push(e.commit)
      places.set(key, p)
    }
    for (const b of e.before) {
      for (const h of b ? (hits.get(b) ?? []) : []) {
        if (e.after && has(e.after, h.fingerprint)) continue
        places.get(`${h.fingerprint}\0${e.path}`)?.removals.push(e.commit)
      }
    }
  }
  const headTree = repo.head ? headBlobs(repo.path) : new Map<string, string>()
  const reach = reachability(repo, commits)
  const remoteOf = (ref: string) => repo.remotes.find((r) => ref.startsWith(`refs/remotes/${r.name}/`))
  let baselined = 0
  const list: GitScanFinding[] = []
  for (const p of places.values()) {
    if (baseline?.has(p.hit.fingerprint)) {
      baselined++
      continue
    }
    // First = earliest committed among the introducing commits (topological order breaks ties).
    const intros = [...new Set(p.intros)].map((i) => commits[i]!).sort((a, b) => a.committerDate.localeCompare(b.committerDate) || a.index - b.index)
    const first = intros[0]!
    const refs = [...new Set(intros.flatMap((c) => reach(c.sha)))].sort()
    const remotes = [...new Map(refs.map(remoteOf).filter((r): r is Remote => r !== undefined).map((r) => [r.name, r])).values()]
    const headBlob = headTree.get(p.path)
    const inHead = headBlob !== undefined && has(headBlob, p.hit.fingerprint)
    const lastIntro = Math.max(...p.intros)
    const removal = inHead ? undefined : p.removals.filter((r) => r > first.index).sort((a, b) => a - b).find((r) => r >= lastIntro) ?? p.removals.filter((r) => r > first.index).sort((a, b) => a - b)[0]
    list.push({
      source: 'git',
      ...p.hit.base,
      commit: first.sha,
      path: p.path,
      line: p.hit.line,
      author: first.author,
      date: first.authorDate,
      committerDate: first.committerDate,
      inHead,
      refs,
      reAddedIn: intros.slice(1).map((c) => c.sha),
      removedIn: removal === undefined ? null : commits[removal]!.sha,
      removedAt: removal === undefined ? null : commits[removal]!.committerDate,
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

/** refs (and HEAD) from which a commit is reachable, by walking descendants in the scanned graph. */
function reachability(repo: RepoInfo, commits: Commit[]): (sha: string) => string[] {
  const children = new Map<string, string[]>()
  for (const c of commits) for (const p of c.parents) children.set(p, [...(children.get(p) ?? []), c.sha])
  const tips = new Map<string, string[]>()
  for (const r of repo.refs) tips.set(r.commit, [...(tips.get(r.commit) ?? []), r.name])
  if (repo.head && !repo.headRef) tips.set(repo.head, [...(tips.get(repo.head) ?? []), 'HEAD'])
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
      for (const c of children.get(s) ?? []) if (!seen.has(c)) (seen.add(c), stack.push(c))
    }
    const out = [...refs].sort()
    cache.set(sha, out)
    return out
  }
}

function stagedFindings(repo: RepoInfo): (FileFinding & {state: 'staged'})[] {
  let raw: string
  try {
    raw = git(repo.path, ['diff', '--cached', '--raw', '-z', '--no-abbrev', '--no-renames', '--diff-filter=AMT'])
  } catch (error) {
    if (error instanceof GitError) return []
    throw error
  }
  const out: (FileFinding & {state: 'staged'})[] = []
  const fields = raw.split('\0')
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const blob = fields[i]!.split(' ')[3]
    const path = fields[i + 1]!
    if (!blob) continue
    const data = Buffer.from(git(repo.path, ['cat-file', 'blob', blob]), 'utf8')
    if (data.subarray(0, 8000).includes(0)) continue
    for (const h of blobHits(data.toString('utf8'), path)) out.push({source: 'file', ...h.base, path, line: h.line, state: 'staged'})
  }
  return out
}

function worktreeFindings(repo: RepoInfo): (FileFinding & {state: 'worktree'})[] {
  const changed = git(repo.path, ['ls-files', '-z', '--modified', '--others', '--exclude-standard']).split('\0').filter(Boolean)
  const out: (FileFinding & {state: 'worktree'})[] = []
  for (const path of [...new Set(changed)]) {
    const file = join(repo.path, path)
    try {
      const st = statSync(file)
      if (!st.isFile() || st.size > DEFAULT_MAX_BLOB) continue
      const data = readFileSync(file)
      if (data.subarray(0, 8000).includes(0)) continue
      for (const h of blobHits(data.toString('utf8'), path)) out.push({source: 'file', ...h.base, path, line: h.line, state: 'worktree'})
    } catch {
      // deleted since listed: nothing to scan
    }
  }
  return out
}
