import {gitMissing, spawnGit} from './repo.js'

// One `git log --raw` stream over every commit: for each commit, the blobs it
// wrote at each path. For a merge, `-c` lists only the paths whose result
// differs from every parent — what the merge itself introduced (a conflict
// resolution that adds a secret), never what it merely carried over.
//
// git's own order (newest first) streams from the first commit; sorting
// parents-first is done afterwards (topoOrder), which is cheap, instead of
// `--topo-order --reverse`, which makes git walk everything before printing.

export interface Commit {
  sha: string
  parents: string[]
  author: string
  authorDate: string
  committerDate: string
  /** Position in a topological order (parents first); set by topoOrder(). */
  index: number
}

export interface Change {
  path: string
  /** The blob before, one per parent ('' when the path did not exist there). */
  before: string[]
  /** The blob after ('' when the path was deleted). */
  after: string
  /** Submodule entries are not blobs. */
  gitlink: boolean
}

export interface HistoryOptions {
  /** Revisions to walk; default every ref but the stash. */
  revisions?: string[]
  /** Walked as well as the revisions (stash entries). */
  extra?: string[]
  since?: string
  maxCommits?: number
  paths?: string[]
  includeStash?: boolean
}

const FORMAT = '--format=%x1eC%H%x1f%P%x1f%an <%ae>%x1f%aI%x1f%cI'

export function historyArgs(opts: HistoryOptions): string[] {
  const args = ['log', '--no-abbrev', '--raw', '-c', '-z', '--no-renames', '--no-color', '--no-show-signature', '--no-mailmap', FORMAT]
  if (opts.since) args.push(`--since=${opts.since}`)
  if (opts.maxCommits !== undefined) args.push(`--max-count=${opts.maxCommits}`)
  // With a pathspec git would simplify history and hide side-branch commits
  // that added and later dropped a secret; a scan needs every one of them.
  if (opts.paths?.length) args.push('--full-history')
  if (!opts.revisions?.length) args.push(...(opts.includeStash ? [] : ['--exclude=refs/stash']), '--all')
  // Revisions come from the user (and stash entries from the repository):
  // after --end-of-options, `--output=/tmp/x` can only be a (bad) revision.
  const revisions = [...(opts.revisions ?? []), ...(opts.extra ?? [])]
  if (revisions.length) args.push('--end-of-options', ...revisions)
  args.push('--')
  if (opts.paths?.length) args.push(...opts.paths)
  return args
}

const isZero = (s: string) => /^0+$/.test(s)

/**
 * A streaming parser of `git log --raw -c -z` output. Tokens are NUL
 * separated; a path can hold any byte but NUL (newlines, quotes, \x1e), so a
 * path is always taken as the token after a `:` record, never searched for.
 */
export class RawLogParser {
  private rest = ''
  private commit: Commit | null = null
  private changes: Change[] = []
  private meta: string | null = null
  count = 0

  constructor(private readonly onCommit: (c: Commit, changes: Change[]) => void) {}

  push(text: string): void {
    const data = this.rest + text
    let start = 0
    for (;;) {
      const nul = data.indexOf('\0', start)
      if (nul < 0) break
      this.token(data.slice(start, nul))
      start = nul + 1
    }
    this.rest = data.slice(start)
  }

  end(): void {
    if (this.rest) this.token(this.rest)
    this.rest = ''
    this.emit()
  }

  private token(raw: string): void {
    if (this.meta !== null) {
      this.change(this.meta, raw)
      this.meta = null
      return
    }
    // Between records git may put a newline (after a header, between commits).
    const t = raw.replace(/^\n+/, '')
    if (t === '') return
    if (t.startsWith(':')) this.meta = t
    else if (t.startsWith('\x1eC')) this.header(t.slice(2))
  }

  private header(h: string): void {
    this.emit()
    const [sha = '', parents = '', author = '', authorDate = '', committerDate = ''] = h.split('\x1f')
    this.commit = {sha, parents: parents ? parents.split(' ') : [], author, authorDate: utc(authorDate), committerDate: utc(committerDate), index: -1}
  }

  private change(meta: string, path: string): void {
    // ":<mode>… <sha>… <status>" with one colon, mode and sha per parent.
    const colons = /^:+/.exec(meta)![0].length
    const parts = meta.slice(colons).split(' ')
    const modes = parts.slice(0, colons + 1)
    const shas = parts.slice(colons + 1, 2 * colons + 2)
    const after = shas.at(-1) ?? ''
    this.changes.push({
      path,
      before: shas.slice(0, -1).map((s) => (isZero(s) ? '' : s)),
      after: isZero(after) ? '' : after,
      gitlink: modes.includes('160000'),
    })
  }

  private emit(): void {
    if (!this.commit) return
    const c = this.commit
    const ch = this.changes
    this.commit = null
    this.changes = []
    this.count++
    this.onCommit(c, ch)
  }
}

/** Streams commits with their changes in git's order (newest first); returns how many. */
export async function readHistory(repo: string, opts: HistoryOptions, onCommit: (c: Commit, changes: Change[]) => void): Promise<number> {
  const child = spawnGit(repo, historyArgs(opts), ['ignore', 'pipe', 'pipe'])
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString()
  })
  const parser = new RawLogParser(onCommit)
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (d: string) => parser.push(d))
  const code: number = await new Promise((resolve, reject) => {
    child.on('error', (e) => reject(gitMissing(e)))
    child.on('close', (c) => resolve(c ?? 1))
  })
  parser.end()
  if (code !== 0) {
    // An empty repository has no revisions to walk: not an error.
    if (/does not have any commits|bad default revision/.test(stderr) && parser.count === 0) return 0
    throw new HistoryError(stderr.trim().split('\n').find((l) => l.startsWith('fatal:') || l.startsWith('error:')) ?? stderr.trim().split('\n')[0] ?? `git log exited ${code}`, stderr)
  }
  return parser.count
}

export class HistoryError extends Error {
  constructor(
    message: string,
    /** All git said, for telling causes apart (a partial clone's missing trees). */
    readonly stderr = '',
  ) {
    super(message)
  }
}

/**
 * Numbers commits parents-first (Commit.index) and returns them in that
 * order; among commits ready at the same time, the older committer date goes
 * first. Parents outside the walked set (--since, --max-commits, a shallow
 * boundary) are ignored.
 */
export function topoOrder(commits: Commit[]): Commit[] {
  const bySha = new Map(commits.map((c) => [c.sha, c]))
  const pendingParents = new Map<string, number>()
  const children = new Map<string, Commit[]>()
  for (const c of commits) {
    let n = 0
    for (const p of c.parents) {
      if (!bySha.has(p)) continue
      n++
      const list = children.get(p)
      if (list) list.push(c)
      else children.set(p, [c])
    }
    pendingParents.set(c.sha, n)
  }
  // git printed newest first: walking that list backwards visits roots first, oldest first.
  const ready: Commit[] = []
  for (let i = commits.length - 1; i >= 0; i--) if (pendingParents.get(commits[i]!.sha) === 0) ready.push(commits[i]!)
  ready.reverse() // a stack: pop() takes the oldest
  const out: Commit[] = []
  while (ready.length) {
    const c = ready.pop()!
    c.index = out.length
    out.push(c)
    const kids = children.get(c.sha)
    if (!kids) continue
    const freed: Commit[] = []
    for (const k of kids) {
      const left = pendingParents.get(k.sha)! - 1
      pendingParents.set(k.sha, left)
      if (left === 0) freed.push(k)
    }
    // Newest pushed first so the oldest freed child is taken next (depth-first keeps a branch together).
    freed.sort((a, b) => b.committerDate.localeCompare(a.committerDate))
    ready.push(...freed)
  }
  return out
}

/** git prints local offsets (+02:00); every time leakctl stores is UTC. */
function utc(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toISOString()
}
