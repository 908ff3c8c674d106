import {spawnSync} from 'node:child_process'
import {closeSync, constants, mkdtempSync, openSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

// A pipe whose read end Node reads into buffers the reader supplies and
// reuses (net.Socket's `onread`), where the pipe spawn() makes hands over a
// fresh 64 KiB buffer per read: on a 2 GB history those buffers were most of
// the main thread's garbage collection (docs/performance.md). Node makes no
// anonymous pipe pair, so this is a named one (FIFO), made in a private
// folder (0700) and unlinked as soon as both ends are open: nothing else can
// open it, and nothing is left behind.

export interface PipeEnds {
  readFd: number
  writeFd: number
}

/** Both ends of a fresh pipe, or undefined where a FIFO cannot be made (no mkfifo): the caller falls back to spawn's pipe. */
export function pipeEnds(): PipeEnds | undefined {
  let dir: string | undefined
  let readFd: number | undefined
  try {
    dir = mkdtempSync(join(tmpdir(), 'leakctl-pipe-'))
    const path = join(dir, 'p')
    if (spawnSync('mkfifo', ['-m', '600', path], {stdio: 'ignore'}).status !== 0) return undefined
    // The read end first, without waiting for a writer; then the write end finds its reader at once.
    readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
    const writeFd = openSync(path, constants.O_WRONLY)
    return {readFd, writeFd}
  } catch {
    if (readFd !== undefined) closeSync(readFd)
    return undefined
  } finally {
    if (dir) rmSync(dir, {recursive: true, force: true})
  }
}
