import type {ChildProcessWithoutNullStreams} from 'node:child_process'
import {closeSync} from 'node:fs'
import {type ConnectOpts, Socket, type SocketConstructorOpts} from 'node:net'
import type {Readable} from 'node:stream'

import {pipeEnds} from './fifo.js'
import {gitMissing, spawnGit} from './repo.js'

// One long-lived `git cat-file --batch` or `--batch-check`, fed object names
// as they become known and answering in request order. Requests are written
// in coalesced chunks (not one write per object); answers are parsed from the
// byte stream as it arrives. If git dies on a damaged object, that object is
// reported unreadable and a fresh process takes the rest of the queue, so one
// bad object never stops a scan. `--batch` answers (every blob of a history)
// are read into buffers reused from read to read (src/git/fifo.ts).

/**
 * `data`: the contents as the pieces of the pipe's chunks they sit in (views, valid only during the
 * call): a large blob is copied once, by its consumer, straight to where it goes (a worker's arena),
 * never first joined into a buffer of its own.
 */
export type Answer = {sha: string; type: 'missing'} | {sha: string; type: string; size: number; data?: Uint8Array[]}

export interface CatFileHandlers {
  /** An answer; a returned promise pauses reading until it settles (backpressure). */
  answer(a: Answer): Promise<void> | undefined
  /** git could not read this object (it died on it). */
  unreadable(sha: string, reason: string): void
}

const FLUSH_BYTES = 64 * 1024
/** A pipe holds 64 KiB (Linux): one read never brings more. */
const READ_BYTES = 64 * 1024

export class CatFile {
  private child!: ChildProcessWithoutNullStreams
  /** git's stdout: the child's own pipe, or a socket over a pipe of ours that reads into `free` buffers. */
  private out!: Readable
  /** Read buffers of ours that nothing buffered points into any more, and every one made (by its memory). */
  private free: Buffer[] = []
  private owned = new Set<ArrayBufferLike>()
  /** Requested, not yet answered, in order (a ring would do; an index into an array is simpler). */
  private queue: string[] = []
  private head = 0
  private outgoing = ''
  private flushScheduled = false
  private ending = false
  private stderr = ''
  // Parser state: `need` < 0 while waiting for a header line.
  private chunks: Buffer[] = []
  private buffered = 0
  private need = -1
  private current: {sha: string; type: string; size: number} | null = null
  private paused = false
  private exited = false
  private settle!: () => void
  private fail!: (e: Error) => void
  readonly done: Promise<void>

  constructor(
    private readonly repo: string,
    private readonly mode: '--batch' | '--batch-check',
    private readonly handlers: CatFileHandlers,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.settle = resolve
      this.fail = reject
    })
    this.done.catch(() => {}) // awaited by the owner; never an unhandled rejection meanwhile
    this.start()
  }

  /** Queue a request; written out in coalesced chunks. */
  request(sha: string): void {
    if (this.ending) throw new Error('cat-file: request after end()')
    this.queue.push(sha)
    this.outgoing += `${sha}\n`
    if (this.outgoing.length >= FLUSH_BYTES) this.flush()
    else if (!this.flushScheduled) {
      this.flushScheduled = true
      setImmediate(() => this.flush())
    }
  }

  /** No more requests: resolves `done` once every request is answered. */
  end(): void {
    this.ending = true
    this.flush()
    this.child.stdin.end()
    this.maybeDone()
  }

  get pending(): number {
    return this.queue.length - this.head
  }

  private start(): void {
    const format = this.mode === '--batch' ? '--batch' : '--batch-check=%(objectname) %(objecttype) %(objectsize)'
    // Blobs (gigabytes) come through a pipe read into reused buffers; anything else through spawn's own.
    const ends = this.mode === '--batch' ? pipeEnds() : undefined
    this.child = spawnGit(this.repo, ['cat-file', format], ['pipe', ends ? ends.writeFd : 'pipe', 'pipe']) as ChildProcessWithoutNullStreams
    if (ends) closeSync(ends.writeFd) // git holds it now: its exit is the pipe's end
    this.exited = false
    this.stderr = ''
    this.chunks = []
    this.free = []
    this.owned = new Set()
    this.buffered = 0
    this.need = -1
    this.current = null
    const child = this.child
    child.on('error', (e) => this.fail(gitMissing(e)))
    child.stdin.on('error', () => {}) // git died: handled on close
    child.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += d.toString()
    })
    // Done when git has exited and all it wrote is read (with a pipe of ours, two separate events).
    let open = ends ? 2 : 1
    const closed = () => {
      if (--open > 0 || child !== this.child) return
      this.exited = true
      if (!this.paused) this.afterExit()
    }
    if (ends) {
      // `onread` is a documented option of the Socket constructor too (its types know it only for connect()).
      const opts: SocketConstructorOpts & ConnectOpts = {
        fd: ends.readFd,
        readable: true,
        writable: false,
        onread: {
          buffer: () => this.readBuffer(),
          callback: (n: number, buf: Uint8Array) => {
            this.received(buf.subarray(0, n) as Buffer)
            return true
          },
        },
      }
      const out = new Socket(opts)
      out.on('error', () => {}) // git died: handled on close
      out.on('close', closed)
      this.out = out
    } else {
      child.stdout.on('data', (d: Buffer) => this.received(d))
      this.out = child.stdout
    }
    child.on('close', closed)
  }

  private received(d: Buffer): void {
    this.chunks.push(d)
    this.buffered += d.length
    if (!this.paused) {
      this.pump()
      this.maybeDone()
    }
  }

  /** The buffer the next read goes into: one nothing points into any more, or a new one. */
  private readBuffer(): Buffer {
    const b = this.free.pop()
    if (b) return b
    const fresh = Buffer.allocUnsafeSlow(READ_BYTES)
    this.owned.add(fresh.buffer)
    return fresh
  }

  /** A chunk let go: its buffer, if one of ours, takes reads again. */
  private release(c: Uint8Array): void {
    if (this.owned.has(c.buffer)) this.free.push(Buffer.from(c.buffer))
  }

  private flush(): void {
    this.flushScheduled = false
    if (!this.outgoing) return
    const text = this.outgoing
    this.outgoing = ''
    this.child.stdin.write(text)
  }

  /**
   * Drops `n` bytes from the front. Only whole chunks are let go or one is
   * cut: the rest is never concatenated (joining every buffered chunk for
   * each small blob was most of the main thread's garbage on a real history).
   */
  private consume(n: number): void {
    this.buffered -= n
    let i = 0
    while (n > 0) {
      const c = this.chunks[i]!
      if (c.length > n) {
        this.chunks[i] = c.subarray(n)
        break
      }
      n -= c.length
      this.release(c)
      i++
    }
    if (i) this.chunks.splice(0, i)
  }

  /** The header line at the front, without its LF; null until all of it is here. */
  private headerLine(): string | null {
    const first = this.chunks[0]
    if (!first) return null
    const nl = first.indexOf(0x0a)
    if (nl >= 0) {
      const line = first.toString('latin1', 0, nl)
      this.consume(nl + 1)
      return line
    }
    if (this.chunks.length === 1) return null
    // Split across chunks (rare: a header is ~50 bytes): join only the chunks up to its end.
    let upTo = 1
    while (upTo < this.chunks.length && this.chunks[upTo]!.indexOf(0x0a) < 0) upTo++
    if (upTo === this.chunks.length) return null
    const joined = Buffer.concat(this.chunks.slice(0, upTo + 1))
    for (const c of this.chunks.splice(0, upTo + 1, joined)) this.release(c)
    return this.headerLine()
  }

  /** The next `n` bytes as views of the chunks they span (their buffers take no read before the answer is handled), then drops n+1 (the LF). */
  private takeBody(n: number): Uint8Array[] {
    const parts: Uint8Array[] = []
    let filled = 0
    for (const c of this.chunks) {
      if (filled === n) break
      const part = Math.min(c.length, n - filled)
      parts.push(part === c.length ? c : c.subarray(0, part))
      filled += part
    }
    this.consume(n + 1) // the contents and the LF after them
    return parts
  }

  private pump(): void {
    for (;;) {
      if (this.need < 0) {
        const header = this.headerLine()
        if (header === null) return
        const [sha = '', type = '', size = ''] = header.split(' ')
        if (type === 'missing' || type === 'ambiguous') {
          this.head++
          if (this.deliver({sha, type: 'missing'})) return
          continue
        }
        if (this.mode === '--batch-check') {
          this.head++
          if (this.deliver({sha, type, size: Number(size)})) return
          continue
        }
        this.current = {sha, type, size: Number(size)}
        this.need = Number(size)
      } else {
        if (this.buffered < this.need + 1) return
        const data = this.takeBody(this.need)
        const cur = this.current!
        this.need = -1
        this.current = null
        this.head++
        if (this.deliver({...cur, data})) return
      }
    }
  }

  /** Hands an answer over; true when the handler asked us to wait. */
  private deliver(a: Answer): boolean {
    const wait = this.handlers.answer(a)
    this.compact()
    if (!wait) return false
    this.paused = true
    this.out.pause()
    void wait.then(
      () => {
        this.paused = false
        this.out.resume()
        this.pump()
        if (this.exited && !this.paused) this.afterExit()
        else this.maybeDone()
      },
      (e: Error) => this.fail(e),
    )
    return true
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
  }

  private afterExit(): void {
    this.pump()
    if (this.paused) return
    if (this.pending === 0) {
      if (!this.ending) this.start() // exited early with nothing owed: be ready for more
      return this.maybeDone()
    }
    // git stopped before answering everything: the first unanswered object is the one it died on.
    const bad = this.queue[this.head]!
    const reason = this.stderr.trim().split('\n').find(Boolean) ?? 'git cat-file stopped'
    this.head++
    this.handlers.unreadable(bad, reason)
    const rest = this.queue.slice(this.head)
    this.queue = []
    this.head = 0
    this.start()
    for (const sha of rest) {
      this.queue.push(sha)
      this.outgoing += `${sha}\n`
    }
    this.flush()
    if (this.ending) {
      this.child.stdin.end()
      this.maybeDone()
    }
  }

  private maybeDone(): void {
    if (this.ending && this.pending === 0 && this.outgoing === '' && !this.paused) {
      // Every answer is in; the process exits on its own once stdin is closed.
      this.settle()
    }
  }
}
