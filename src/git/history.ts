import {spawn} from 'node:child_process'

import {dependencyError} from '../errors.js'
import {gitEnv} from './repo.js'

// One `git log --raw` stream over every commit: for each commit, the blobs it
// wrote at each path. For a merge, `-c` lists only the paths whose result
// differs from every parent — what the merge itself introduced (a conflict
// resolution that adds a secret), never what it merely carried over.

export interface Commit {
  sha: string
  parents: string[]
  author: string
  authorDate: string
  committerDate: string
  /** Position in topological order (parents first). */
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
  since?: string
  maxCommits?: number
  paths?: string[]
  includeStash?: boolean
}

const ZERO = /^0+$/

/** Streams commits with their changes, parents before children. */
export async function readHistory(repo: string, opts: HistoryOptions, onCommit: (c: Commit, changes: Change[]) => void): Promise<number> {
  const args = ['log', '--topo-order', '--reverse', '--no-abbrev', '--raw', '-c', '-z', '--no-renames', '--no-color', '--format=%x1eC%H%x1f%P%x1f%an <%ae>%x1f%aI%x1f%cI']
  if (opts.since) args.push(`--since=${opts.since}`)
  if (opts.maxCommits !== undefined) args.push(`--max-count=${opts.maxCommits}`)
  if (opts.revisions?.length) args.push(...opts.revisions)
  else args.push(...(opts.includeStash ? [] : ['--exclude=refs/stash']), '--all')
  args.push('--')
  if (opts.paths?.length) args.push(...opts.paths)

  const child = spawn('git', args, {cwd: repo, env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  let pending = ''
  let index = 0
  const flush = (chunk: string) => {
    // chunk = "C<header>\0\n:<raw>\0<path>\0:<raw>\0<path>\0…"
    const headerEnd = chunk.indexOf('\0')
    const header = (headerEnd < 0 ? chunk : chunk.slice(0, headerEnd)).slice(1)
    const [sha, parents, author, authorDate, committerDate] = header.split('\x1f')
    const commit: Commit = {sha: sha!, parents: parents ? parents.split(' ') : [], author: author!, authorDate: utc(authorDate!), committerDate: utc(committerDate!), index: index++}
    const changes: Change[] = []
    if (headerEnd >= 0) {
      // A merge's header ends in an extra NUL, a commit's in a newline.
      const fields = chunk.slice(headerEnd + 1).replace(/^[\n\0]+/, '').split('\0')
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const meta = fields[i]!
        const path = fields[i + 1]!
        if (!meta.startsWith(':')) continue
        const colons = meta.match(/^:+/)![0].length
        const parts = meta.slice(colons).split(' ')
        // modes (parents + 1), shas (parents + 1), status
        const modes = parts.slice(0, colons + 1)
        const shas = parts.slice(colons + 1, 2 * colons + 2)
        const afterMode = modes.at(-1)!
        changes.push({
          path,
          before: shas.slice(0, -1).map((s) => (ZERO.test(s) ? '' : s)),
          after: ZERO.test(shas.at(-1)!) ? '' : shas.at(-1)!,
          gitlink: afterMode === '160000' || modes.slice(0, -1).includes('160000'),
        })
      }
    }
    onCommit(commit, changes)
  }
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (data: string) => {
    pending += data
    let next = pending.indexOf('\x1e', 1)
    while (next > 0) {
      flush(pending.slice(pending.startsWith('\x1e') ? 1 : 0, next))
      pending = pending.slice(next)
      next = pending.indexOf('\x1e', 1)
    }
  })
  const code: number = await new Promise((resolve, reject) => {
    child.on('error', (e) => reject(dependencyError('git.missing', `cannot run git: ${e.message}`)))
    child.on('close', resolve)
  })
  if (pending.length > 1) flush(pending.slice(pending.startsWith('\x1e') ? 1 : 0))
  if (code !== 0) {
    // An empty repository has no revisions to walk: not an error.
    if (/does not have any commits|unknown revision|bad default revision/.test(stderr) && index === 0) return 0
    throw new HistoryError(stderr.trim().split('\n')[0] ?? `git log exited ${code}`)
  }
  return index
}

export class HistoryError extends Error {}

/** git prints local offsets (+02:00); every time leakctl stores is UTC. */
function utc(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toISOString()
}
