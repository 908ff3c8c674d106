import {type Answer, CatFile} from './catfile.js'
import {spawnGit} from './repo.js'

// Every unique blob read once, while the history is still being walked: each
// blob name goes to a `cat-file --batch-check` as soon as the walk meets it;
// its answer (size) decides whether the name goes on to a `cat-file --batch`
// for the contents, so a huge blob is never read. Two long-lived processes,
// pipelined behind `git log`.

export type SkipReason = 'too-large' | 'missing' | 'unreadable'

export interface BlobSink {
  /** A blob's contents, `size` bytes in pieces (views into the reader's buffers: use or copy them now); a promise = wait before sending more. */
  blob(sha: string, data: readonly Uint8Array[], size: number): Promise<void> | undefined
  skip(sha: string, reason: SkipReason, detail: {size?: number; message?: string}): void
}

export class BlobReader {
  private readonly check: CatFile
  private readonly batch: CatFile
  /** Sizes of the blobs read, for reporting binary ones. */
  readonly sizes = new Map<string, number>()

  constructor(repo: string, maxBytes: number, sink: BlobSink) {
    this.batch = new CatFile(repo, '--batch', {
      answer: (a) => {
        if (a.type === 'missing') {
          sink.skip(a.sha, 'missing', {})
          return undefined
        }
        if (a.type !== 'blob' || !('data' in a) || !a.data) return undefined
        return sink.blob(a.sha, a.data, a.size)
      },
      unreadable: (sha, message) => sink.skip(sha, 'unreadable', {message}),
    })
    this.check = new CatFile(repo, '--batch-check', {
      answer: (a: Answer) => {
        if (a.type === 'missing') sink.skip(a.sha, 'missing', {})
        else if (a.type !== 'blob') return undefined // a submodule commit or tree named by a damaged tree entry
        else if (a.size > maxBytes) sink.skip(a.sha, 'too-large', {size: a.size})
        else {
          this.sizes.set(a.sha, a.size)
          this.batch.request(a.sha)
        }
        return undefined
      },
      unreadable: (sha, message) => sink.skip(sha, 'unreadable', {message}),
    })
  }

  request(sha: string): void {
    this.check.request(sha)
  }

  /** Resolves when every requested blob has been delivered or skipped. */
  async close(): Promise<void> {
    this.check.end()
    await this.check.done
    this.batch.end()
    await this.batch.done
  }
}

/**
 * The objects present in this clone's own object store, listed without
 * touching a promisor remote: in a partial clone, asking git for an object it
 * never fetched would make it try to download it.
 */
export function presentObjects(repo: string): Promise<Set<string>> {
  return new Promise((resolve, reject) => {
    const child = spawnGit(repo, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname)', '--unordered'], ['ignore', 'pipe', 'ignore'])
    const out = new Set<string>()
    let rest = ''
    child.stdout!.setEncoding('latin1')
    child.stdout!.on('data', (d: string) => {
      const lines = (rest + d).split('\n')
      rest = lines.pop()!
      for (const l of lines) out.add(l)
    })
    child.on('error', reject)
    child.on('close', () => {
      if (rest) out.add(rest)
      resolve(out)
    })
  })
}
