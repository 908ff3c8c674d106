import {createHash, randomBytes} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync} from 'node:fs'
import {join, relative} from 'node:path'

import type {Fingerprinter} from '../fingerprint/key.js'
import type {BlobResult} from './scan-worker.js'
import {sourceRoot} from '../paths.js'
import {writePrivateFile} from '../private-file.js'

// What an earlier scan of the same repository learned about each blob, so a
// second scan reads and scans only the blobs it has not seen: a blob's
// result depends on its bytes (its id), the path it was scanned under (the
// rules read file names) and the detection code. The file holds blob ids,
// path digests, sizes and the value-free hits (fingerprints, previews):
// never a value. One file per repository and fingerprint key, 0600 in a 0700
// folder of the workspace; a file written by other detection code (another
// leakctl version, rules changed) or unreadable is ignored and replaced.

const FORMAT = 'leakctl-blob-cache 1'

export interface CachedBlob {
  size: number
  binary: boolean
  hits: BlobResult['hits']
}

export interface BlobCache {
  get(sha: string, path: string): CachedBlob | undefined
  put(sha: string, path: string, entry: CachedBlob): void
  /** Writes the file when anything was added (atomic: a reader never sees half of it). */
  save(): void
}

let rulesDigest: string | undefined

/** A digest of the detection code as loaded (src/detect and the blob scanner): any change to a rule changes it. */
export function detectionVersion(): string {
  if (rulesDigest) return rulesDigest
  const h = createHash('sha256').update(FORMAT)
  const here = join(sourceRoot().dir, 'git')
  const files = (dir: string): string[] =>
    readdirSync(dir, {withFileTypes: true})
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.(js|ts)$/.test(e.name) ? [join(dir, e.name)] : []))
  for (const f of [...files(join(here, '..', 'detect')), ...files(here).filter((f) => /scan-worker\.(js|ts)$/.test(f))]) h.update(relative(here, f)).update('\0').update(readFileSync(f)).update('\0')
  rulesDigest = h.digest('hex')
  return rulesDigest
}

const pathDigest = (path: string) => createHash('sha256').update(path).digest('hex').slice(0, 16)
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

/** The cache of one repository's blobs under `dir` (the workspace), for results fingerprinted by `fp`. */
export function openBlobCache(dir: string, repoPath: string, fp: Fingerprinter): BlobCache {
  const folder = join(dir, 'cache', 'scan-git')
  // The key's identity, not the key: an HMAC of a fixed text.
  const keyId = fp.of('leakctl scan git blob cache').slice(7, 23)
  const file = join(folder, `${createHash('sha256').update(repoPath).digest('hex').slice(0, 16)}-${keyId}.cache`)
  const header = `${FORMAT} ${detectionVersion()}`
  const entries = load(file, header)
  let added = 0
  return {
    get: (sha, path) => entries.get(`${sha} ${pathDigest(path)}`),
    put(sha, path, entry) {
      entries.set(`${sha} ${pathDigest(path)}`, entry)
      added++
    },
    save() {
      if (added === 0) return
      const lines = [header]
      for (const [k, e] of entries) lines.push(`${k} ${e.size} ${e.binary ? 'b' : e.hits.length ? `h ${JSON.stringify(e.hits)}` : '-'}`)
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
      try {
        mkdirSync(folder, {recursive: true, mode: 0o700})
        writePrivateFile(tmp, `${lines.join('\n')}\n`)
        renameSync(tmp, file)
      } catch {
        // A cache that cannot be written costs the next scan time, never an answer.
        rmSync(tmp, {force: true})
      }
    },
  }
}

/** The entries of a cache file written by this detection code; anything else (absent, other version, damaged) is empty. */
function load(file: string, header: string): Map<string, CachedBlob> {
  const out = new Map<string, CachedBlob>()
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return out
  }
  const lines = text.split('\n')
  if (lines[0] !== header) return out
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!
    if (!l) continue
    const [sha = '', path = '', size = '', kind = ''] = l.split(' ', 4)
    const entry: CachedBlob = {size: Number(size), binary: kind === 'b', hits: []}
    if (!OBJECT_ID.test(sha) || !/^[0-9a-f]{16}$/.test(path) || !/^\d+$/.test(size) || !['b', 'h', '-'].includes(kind)) return new Map()
    if (kind === 'h') {
      try {
        entry.hits = JSON.parse(l.slice(sha.length + path.length + size.length + 5)) as CachedBlob['hits']
      } catch {
        return new Map()
      }
      if (!Array.isArray(entry.hits) || !entry.hits.every((h) => typeof h?.fingerprint === 'string' && h.fingerprint.startsWith('sha256:') && Number.isInteger(h.line) && typeof h.base === 'object' && h.base !== null)) return new Map()
    }
    out.set(`${sha} ${path}`, entry)
  }
  return out
}
