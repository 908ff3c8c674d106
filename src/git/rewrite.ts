import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {detect, type Match} from '../detect/engine.js'
import {entropy} from '../detect/placeholder.js'
import type {GitFinding} from '../detect/finding.js'
import {fromSystemError, inputError} from '../errors.js'
import type {Fingerprinter} from '../fingerprint/key.js'
import {safeUrl} from '../text/url.js'
import {git} from './repo.js'
import {rewriteCommands} from './rewrite-commands.js'
import {writePrivateFile} from '../private-file.js'

// The history rewrite: `git filter-repo --replace-text` needs the leaked
// values themselves. This is the one file leakctl ever writes with secret
// values in it, on purpose: in a fresh private temp directory (0700/0600),
// never in the incident workspace, announced loudly, to be shredded.

export interface RewritePlan {
  /** The replacement file (values ==> markers); null when nothing can be replaced by value. */
  replacementsFile: string | null
  /** Secrets replaced by value, by fingerprint. */
  replaced: string[]
  /** Paths removed from history whole (multi-line secrets such as private keys). */
  removedPaths: string[]
  /** Branches and tags a rewrite must touch (as named on the remote). */
  refs: string[]
  remote: string | null
  remoteUrl: string | null
  commands: string[]
  /** Fingerprints whose value could not be read back (object missing). */
  unresolved: string[]
  /** Short or guessable values with no safe context to anchor a pattern on: edit these places by hand. */
  byHand: HandRewrite[]
}

/** A place to rewrite by hand: a global replace of a short value would rewrite unrelated text. */
export interface HandRewrite {
  fingerprint: string
  path: string
  line: number
  commit: string
}

/** The refs to rewrite, as branch and tag names on the remote (remote-tracking names mapped back). */
export function refsToRewrite(findings: readonly GitFinding[]): string[] {
  const out = new Set<string>()
  for (const f of findings) {
    for (const r of f.refs) {
      const m = /^refs\/remotes\/[^/]+\/(.+)$/.exec(r)
      if (m) out.add(`refs/heads/${m[1]}`)
      else if (r.startsWith('refs/heads/') || r.startsWith('refs/tags/')) out.add(r)
    }
  }
  return [...out].sort()
}

export interface RewriteTarget {
  fingerprint: string
  class: string
  path: string
  commit: string
  /** Every ref to rewrite for this finding, as named where it lives (remote-tracking refs mapped to the branch on the remote). */
  refs: string[]
  /** Those that exist on a remote (were pushed): a force-push there is needed. */
  remote: string[]
  /** Those only in this clone (unpushed branches, the stash, a detached HEAD): rewrite or drop them here. */
  localOnly: string[]
}

/** For `triage git-leak`: per finding, the refs a rewrite must clean, split by where they live. */
export function rewriteTargets(findings: readonly GitFinding[]): RewriteTarget[] {
  return findings.map((f) => {
    const remote = new Set<string>()
    const local = new Set<string>()
    for (const r of f.refs) {
      const m = /^refs\/remotes\/[^/]+\/(.+)$/.exec(r)
      if (m) {
        if (m[1] !== 'HEAD') remote.add(`refs/heads/${m[1]}`)
      } else local.add(r)
    }
    const localOnly = [...local].filter((r) => !remote.has(r)).sort()
    return {fingerprint: f.fingerprint, class: f.class, path: f.path, commit: f.commit, refs: [...new Set([...remote, ...local])].sort(), remote: [...remote].sort(), localOnly}
  })
}

/** `fp` must be the fingerprinter the findings were made with: a value is read back by its fingerprint. */
export function planRewrite(repo: string, findings: readonly GitFinding[], remote: {name: string; url: string} | null, fp: Fingerprinter, outDir?: string): RewritePlan {
  // Every finding is read back (not one per fingerprint): the same secret may be written differently
  // in two files (base64 in .npmrc, plain elsewhere), and a short one needs each place's context.
  const places: Array<{f: GitFinding; m: Match; text: string}> = []
  const multiLine = new Set<string>()
  const unresolved = new Set<string>()
  const blobs = new Map<string, {text: string; matches: Match[]} | null>()
  for (const f of findings) {
    if (multiLine.has(f.path)) continue
    const key = `${f.commit}:${f.path}`
    if (!blobs.has(key)) {
      try {
        const text = git(repo, ['cat-file', 'blob', key])
        blobs.set(key, {text, matches: detect(text, {path: f.path})})
      } catch {
        blobs.set(key, null)
      }
    }
    const blob = blobs.get(key)
    const m = blob?.matches.find((x) => fp.of(x.secret) === f.fingerprint)
    if (!blob || !m) unresolved.add(f.fingerprint)
    else if (/[\r\n]/.test(written(blob.text, m))) multiLine.add(f.path)
    else places.push({f, m, text: blob.text})
  }
  const resolved = new Set(places.map((p) => p.f.fingerprint))
  for (const r of resolved) unresolved.delete(r)
  const lines = replacementLines(places.filter((p) => !multiLine.has(p.f.path)))
  const refs = refsToRewrite(findings)
  let file: string | null = null
  if (lines.text.length) {
    const dir = outDir ?? mkdtempSync(join(tmpdir(), 'leakctl-rewrite-'))
    file = join(dir, 'replacements.txt')
    writeNewPrivateFile(file, lines.text.join('\n') + '\n')
  }
  const name = remote?.name ?? 'origin'
  // A token in the remote's user info is never printed: git's credential helper supplies it.
  const url = remote ? safeUrl(remote.url) : '<remote-url>'
  const byHand = lines.byHand
  const commands = rewriteCommands({url, replacementsFile: file, refs, removedPaths: [...multiLine], byHand: byHand.map(handPlace)})
  return {replacementsFile: file, replaced: lines.replaced, removedPaths: [...multiLine], refs, remote: remote ? name : null, remoteUrl: remote ? url : null, commands, unresolved: [...unresolved], byHand}
}

/** The secret as it is written in the file: the decoded value (base64 in .npmrc, FileZilla, Kubernetes data) never occurs there. */
function written(text: string, m: Match): string {
  return text.slice(m.start, m.end)
}

/** Below this many characters, or this many bits of entropy per character, a value also occurs as ordinary text (`admin`, `postgres`). */
const SHORT_VALUE = 12
const LOW_ENTROPY = 3

export function isGuessable(value: string): boolean {
  return value.length < SHORT_VALUE || entropy(value) < LOW_ENTROPY
}

/** Longest context kept before a short value; past it the pattern is no longer anchored at the line start. */
const MAX_CONTEXT = 120

/**
 * The replacement lines. A long random value is replaced wherever it occurs
 * (`literal:`, so a value starting with `regex:` is not read as a pattern;
 * filter-repo splits at the LAST `==>`, so the value is taken whole). A short
 * one only where it follows the same context as at the finding's place
 * (`regex:` on the line's text before it, a backreference keeping that text);
 * with no such context, the place is listed to be edited by hand.
 */
function replacementLines(places: ReadonlyArray<{f: GitFinding; m: Match; text: string}>): {text: string[]; replaced: string[]; byHand: HandRewrite[]} {
  const values = new Set(places.map((p) => written(p.text, p.m)))
  const out = new Set<string>()
  const replaced = new Set<string>()
  const byHand: HandRewrite[] = []
  for (const {f, m, text} of places) {
    const value = written(text, m)
    const marker = `***REMOVED:${f.fingerprint.slice(7, 19)}***`
    if (!isGuessable(value)) {
      out.add(`literal:${value}==>${marker}`)
      replaced.add(f.fingerprint)
      continue
    }
    const pattern = anchoredPattern(text, m, value, values)
    if (pattern) {
      out.add(`regex:${pattern}==>\\g<1>${marker}`)
      replaced.add(f.fingerprint)
    } else if (!byHand.some((h) => h.fingerprint === f.fingerprint && h.path === f.path && h.line === m.line)) {
      byHand.push({fingerprint: f.fingerprint, path: f.path, line: m.line, commit: f.commit})
    }
  }
  return {text: [...out], replaced: [...replaced], byHand}
}

/**
 * `(?m)(^<line before the value>)<value>(?=<next character or line end>)`,
 * every character escaped for Python's `re` on bytes. None when the context
 * names nothing (fewer than 3 letters or digits: `*:*:*:*:admin`), or holds
 * another value of the plan (filter-repo replaces literals first, and the
 * context would no longer be there).
 */
function anchoredPattern(text: string, m: Match, value: string, values: ReadonlySet<string>): string | undefined {
  const lineStart = text.lastIndexOf('\n', m.start - 1) + 1
  let before = text.slice(lineStart, m.start)
  const anchored = before.length <= MAX_CONTEXT
  if (!anchored) before = before.slice(-MAX_CONTEXT)
  if ((before.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < 3) return undefined
  for (const v of values) if (v !== value && before.includes(v)) return undefined
  const next = text[m.end]
  const after = next === undefined || next === '\n' || next === '\r' ? '\\r?$' : pyEscape(next)
  return `(?m)(${anchored ? '^' : ''}${pyEscape(before)})${pyEscape(value)}(?=${after})`
}

/** Literal text for a Python `re` bytes pattern: ASCII punctuation escaped (`=` too, so `==>` never appears), control characters as \\xHH. */
function pyEscape(s: string): string {
  let out = ''
  for (const c of s) {
    const code = c.codePointAt(0)!
    if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`
    else if (code < 0x80 && !/[A-Za-z0-9_]/.test(c)) out += `\\${c}`
    else out += c
  }
  return out
}

/** `path:line (commit abcdef123456)` for the plan's output; the path is printed through safeLine by the renderer. */
function handPlace(h: HandRewrite): string {
  return `${h.path}:${h.line} (commit ${h.commit.slice(0, 12)})`
}

/** The plan's refs and whole-file removals as incident variables, so the checklist renders the same rewrite (src/playbook/generate.ts). */
export function rewriteVars(plan: RewritePlan): {rewriteRefs: string; rewritePaths: string; rewriteByHand: string} {
  return {rewriteRefs: plan.refs.join('\n'), rewritePaths: plan.removedPaths.join('\n'), rewriteByHand: plan.byHand.map(handPlace).join('\n')}
}

/**
 * The replacement file holds the leaked values: it must be a new file of
 * ours. O_EXCL refuses one that exists, a symbolic link included (it may
 * point anywhere, or be readable by others); O_NOFOLLOW refuses a link in
 * the last component. Created 0600 whatever the umask.
 */
function writeNewPrivateFile(file: string, text: string): void {
  try {
    writePrivateFile(file, text)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ELOOP') throw inputError('rewrite.replacements-exists', `${file} already exists (or is a symbolic link): the leaked values go only into a new file; remove it or choose another --replacements-dir`)
    throw fromSystemError(error) ?? error
  }
}
