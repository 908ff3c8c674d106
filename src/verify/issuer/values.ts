import {existsSync, readFileSync, statSync} from 'node:fs'
import {isAbsolute, resolve} from 'node:path'

import {detect, detectValue} from '../../detect/engine.js'
import {type Finding, findingKey, findingWhere} from '../../detect/finding.js'
import {readEnvelope} from '../../etcd/envelope.js'
import {decodeConfigMap, decodeSecret, decodeStored, ProtoError} from '../../etcd/k8s/objects.js'
import {openSnapshot} from '../../etcd/snapshot.js'
import {git} from '../../git/repo.js'
import type {FingerprintFn, Leaked} from './types.js'

// The incident never holds a value: to ask an issuer, each finding's value is
// read again from where it was found — the blob at commit:path in the
// repository, the revision of the key in the snapshot, the file — and
// recognised by its fingerprint, computed with the workspace's function
// (passed in). A value that is no longer there stays unresolved, with why.

export interface Sources {
  /** The repository git findings came from. */
  repo?: string
  /** The etcd snapshot etcd findings came from. */
  snapshot?: string
  /** Where relative file paths are read from. */
  cwd: string
}

interface Candidate {
  value: string
  /** Bytes the fingerprint was taken over, when they are not the string's UTF-8 (a Secret's raw data). */
  bytes?: Uint8Array
  url?: string
}

const MAX_FILE = 64 * 1024 * 1024
const URL_AROUND = /(?:jdbc:)?[a-z][a-z0-9+.-]{1,20}:\/\/[^\s'"`<>]{1,1024}/gi

/** The URL a match sits in (a database password inside its connection URL). */
function urlAround(text: string, start: number, end: number): string | undefined {
  const from = Math.max(0, start - 512)
  const window = text.slice(from, Math.min(text.length, end + 1100))
  for (const m of window.matchAll(URL_AROUND)) {
    const s = from + m.index
    if (s <= start && s + m[0].length >= end) return m[0]
  }
  return undefined
}

/** Every credential detection sees in a text, with its URL where it has one. */
export function candidatesIn(text: string, path?: string): Candidate[] {
  return detect(text, {path}).map((m) => ({value: m.secret, ...(m.class === 'database-url' ? {url: urlAround(text, m.start, m.end)} : {})}))
}

/** A stored Kubernetes object's credentials: every data value whole, what detection finds in each, a bootstrap token's id.secret. */
function objectCandidates(value: Buffer): Candidate[] | string {
  const env = readEnvelope(value)
  if (env.storage === 'encrypted') return 'stored encrypted in the snapshot: re-read it with the keys (scan etcd --encryption-config) or ask the issuer by hand'
  let obj
  try {
    obj = decodeStored(value)
  } catch (error) {
    if (error instanceof ProtoError) return 'the stored object does not decode'
    throw error
  }
  if (!obj) return 'the stored value is not a Kubernetes object'
  const out: Candidate[] = []
  const fromData = (data: Map<string, Buffer>) => {
    for (const [k, v] of data) {
      const s = v.toString('utf8')
      out.push({value: s, bytes: v})
      for (const m of detectValue(k, s)) out.push({value: m.secret, ...(m.class === 'database-url' ? {url: urlAround(s, m.start, m.end)} : {})})
    }
    const id = data.get('token-id')
    const secret = data.get('token-secret')
    if (id && secret) out.push({value: `${id.toString()}.${secret.toString()}`})
  }
  try {
    if (obj.kind === 'Secret') fromData(decodeSecret(obj).data)
    else if (obj.kind === 'ConfigMap') fromData(decodeConfigMap(obj).data)
  } catch (error) {
    if (!(error instanceof ProtoError)) throw error
  }
  // Everything else (workload env, command lines, custom resources, annotations): detection over the stored text.
  const text = obj.encoding === 'json' ? JSON.stringify(obj.raw) : (obj.raw as Buffer).toString('utf8')
  out.push(...candidatesIn(text))
  return out
}

function leaked(f: Finding, found: Candidate | undefined, unresolved: string): Leaked {
  const base = {finding: f, key: findingKey(f), where: findingWhere(f)}
  if (!found) return {...base, value: null, unresolved}
  return {...base, value: found.value, ...(found.url ? {url: found.url} : {})}
}

function pick(f: Finding, candidates: Candidate[], fp: FingerprintFn): Candidate | undefined {
  return candidates.find((c) => fp(c.bytes ?? c.value) === f.fingerprint)
}

/** Re-reads every finding's value from its source. The result holds values: keep it in memory, hand it to issuers only. */
export function rereadValues(findings: readonly Finding[], sources: Sources, fp: FingerprintFn): Leaked[] {
  const out = new Map<Finding, Leaked>()
  const texts = new Map<string, Candidate[] | string>()

  const gitFindings = findings.filter((f) => f.source === 'git')
  for (const f of gitFindings) {
    if (!sources.repo) {
      out.set(f, leaked(f, undefined, 'no repository to read it from (give --repo)'))
      continue
    }
    const at = `${f.commit}:${f.path}`
    let c = texts.get(at)
    if (c === undefined) {
      try {
        c = candidatesIn(git(sources.repo, ['cat-file', 'blob', at]), f.path)
      } catch {
        c = `${f.commit.slice(0, 12)}:${f.path} is not in ${sources.repo} (rewritten history, or another clone)`
      }
      texts.set(at, c)
    }
    out.set(f, typeof c === 'string' ? leaked(f, undefined, c) : leaked(f, pick(f, c, fp), 'not found again at that place (the fingerprint matches nothing there)'))
  }

  for (const f of findings) {
    if (f.source !== 'file') continue
    const path = isAbsolute(f.path) ? f.path : resolve(sources.repo ?? sources.cwd, f.path)
    let c = texts.get(path)
    if (c === undefined) {
      c = !existsSync(path) ? `${f.path}: no such file here` : statSync(path).size > MAX_FILE ? `${f.path}: larger than 64 MB` : candidatesIn(readFileSync(path, 'utf8'), f.path)
      texts.set(path, c)
    }
    out.set(f, typeof c === 'string' ? leaked(f, undefined, c) : leaked(f, pick(f, c, fp), 'not found again in the file'))
  }

  const etcd = findings.filter((f) => f.source === 'etcd')
  if (etcd.length) {
    if (!sources.snapshot) for (const f of etcd) out.set(f, leaked(f, undefined, 'no snapshot to read it from (give --snapshot)'))
    else {
      const wanted = new Map<string, Finding[]>()
      for (const f of etcd) {
        const k = `${f.revision} ${f.key}`
        wanted.set(k, [...(wanted.get(k) ?? []), f])
      }
      const snap = openSnapshot(sources.snapshot, {verifyTrailer: false})
      try {
        for (const r of snap.revisions()) {
          if (r.tombstone) continue
          const group = wanted.get(`${r.main} ${r.key.toString('utf8')}`)
          if (!group) continue
          const c = objectCandidates(Buffer.from(r.value))
          for (const f of group) out.set(f, typeof c === 'string' ? leaked(f, undefined, c) : leaked(f, pick(f, c, fp), 'not found again in that revision'))
        }
      } finally {
        snap.close()
      }
      for (const f of etcd) if (!out.has(f)) out.set(f, leaked(f, undefined, `revision ${f.revision} of ${f.key} is not in ${sources.snapshot}`))
    }
  }
  return findings.map((f) => out.get(f)!)
}
