import {spawn} from 'node:child_process'

import {gitEnv} from './repo.js'

// Reading every unique blob once through two long-lived `git cat-file`
// processes: --batch-check for sizes (so huge blobs are never read), then
// --batch for contents, streamed and parsed as they arrive.

export interface BlobSize {
  sha: string
  size: number
  missing: boolean
}

export async function blobSizes(repo: string, shas: string[]): Promise<Map<string, BlobSize>> {
  const out = new Map<string, BlobSize>()
  if (shas.length === 0) return out
  const child = spawn('git', ['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'], {cwd: repo, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe']})
  let buf = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (d: string) => {
    buf += d
    let nl = buf.indexOf('\n')
    while (nl >= 0) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      const [sha, type, size] = line.split(' ')
      if (type === 'missing') out.set(sha!, {sha: sha!, size: 0, missing: true})
      else out.set(sha!, {sha: sha!, size: Number(size), missing: false})
      nl = buf.indexOf('\n')
    }
  })
  child.stdin.on('error', () => {})
  child.stdin.end(shas.join('\n') + '\n')
  await new Promise((resolve) => child.on('close', resolve))
  return out
}

/**
 * Streams blob contents to `onBlob` in request order. A blob git cannot read
 * (a corrupt object) is reported to `onError` and the rest continue.
 */
export async function readBlobs(repo: string, shas: string[], onBlob: (sha: string, data: Uint8Array) => Promise<void> | undefined, onError: (sha: string, reason: string) => void): Promise<void> {
  let rest = shas
  while (rest.length) {
    const done = await readBatch(repo, rest, onBlob)
    if (done.next >= rest.length) break
    // git stopped at a damaged object: report it and carry on after it.
    onError(rest[done.next]!, done.error || 'unreadable object')
    rest = rest.slice(done.next + 1)
  }

  function readBatch(cwd: string, list: string[], each: typeof onBlob): Promise<{next: number; error: string}> {
    return new Promise((resolve) => {
      const child = spawn('git', ['cat-file', '--batch'], {cwd, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe']})
      let next = 0
      let stderr = ''
      let chunks: Buffer[] = []
      let buffered = 0
      // Parser state: waiting for a header, or for `need` bytes of content + LF.
      let need = -1
      let currentSha = ''
      let paused = false
      const take = (n: number): Buffer => {
        const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered)
        const head = all.subarray(0, n)
        const tail = all.subarray(n)
        chunks = tail.length ? [tail] : []
        buffered = tail.length
        return head
      }
      const pump = () => {
        for (;;) {
          if (need < 0) {
            const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered)
            chunks = all.length ? [all] : []
            const nl = all.indexOf(0x0a)
            if (nl < 0) return
            const header = take(nl + 1).toString('utf8').trimEnd()
            const [sha, type, size] = header.split(' ')
            if (type === 'missing' || type === 'ambiguous') {
              onError(sha!, `object ${type}`)
              next++
              continue
            }
            currentSha = sha!
            need = Number(size)
          } else {
            if (buffered < need + 1) return
            // A buffer of its own (never a slice of Node's shared pool), so it can be transferred to a worker.
            const data = new Uint8Array(need)
            data.set(take(need + 1).subarray(0, need))
            need = -1
            next++
            const wait = each(currentSha, data)
            if (wait) {
              child.stdout.pause()
              paused = true
              void wait.then(() => {
                paused = false
                child.stdout.resume()
                pump()
                maybeFinish()
              })
              return
            }
          }
        }
      }
      child.stdout.on('data', (d: Buffer) => {
        chunks.push(d)
        buffered += d.length
        if (!paused) pump()
      })
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.stdin.on('error', () => {})
      let closed = false
      let settled = false
      // Done when git has exited and every buffered blob has been delivered.
      const maybeFinish = () => {
        if (closed && !paused && !settled) {
          settled = true
          resolve({next, error: stderr.trim().split('\n')[0] ?? ''})
        }
      }
      child.on('close', () => {
        closed = true
        if (!paused) {
          pump()
          maybeFinish()
        }
      })
      // Feed requests without holding them all in a pipe buffer at once.
      let i = 0
      const feed = () => {
        while (i < list.length) {
          if (!child.stdin.write(`${list[i++]}\n`)) {
            child.stdin.once('drain', feed)
            return
          }
        }
        child.stdin.end()
      }
      feed()
    })
  }
}
