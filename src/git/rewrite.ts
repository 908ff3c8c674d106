import {closeSync, constants, fchmodSync, mkdtempSync, openSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {detect} from '../detect/engine.js'
import type {GitFinding} from '../detect/finding.js'
import {fromSystemError, inputError} from '../errors.js'
import type {Fingerprinter} from '../fingerprint/key.js'
import {isBlank, shJoin, shQuote} from '../text/shell.js'
import {safeUrl} from '../text/url.js'
import {git} from './repo.js'

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
  const values = new Map<string, string>()
  const multiLine = new Set<string>()
  const unresolved: string[] = []
  for (const f of findings) {
    if (values.has(f.fingerprint) || multiLine.has(f.path)) continue
    let text: string
    try {
      text = git(repo, ['cat-file', 'blob', `${f.commit}:${f.path}`])
    } catch {
      unresolved.push(f.fingerprint)
      continue
    }
    const m = detect(text, {path: f.path}).find((x) => fp.of(x.secret) === f.fingerprint)
    if (!m) unresolved.push(f.fingerprint)
    else if (m.secret.includes('\n') || m.secret.includes('\r')) multiLine.add(f.path)
    else values.set(f.fingerprint, m.secret)
  }
  const refs = refsToRewrite(findings)
  let file: string | null = null
  if (values.size) {
    const dir = outDir ?? mkdtempSync(join(tmpdir(), 'leakctl-rewrite-'))
    file = join(dir, 'replacements.txt')
    // `literal:` always: a value starting with `regex:` or `glob:` would otherwise be read as a pattern.
    // filter-repo splits at the LAST `==>` and strips only the line end, so the value is taken whole.
    const lines = [...values].map(([fp, v]) => `literal:${v}==>***REMOVED:${fp.slice(7, 19)}***`)
    writeNewPrivateFile(file, lines.join('\n') + '\n')
  }
  const name = remote?.name ?? 'origin'
  // A token in the remote's user info is never printed: git's credential helper supplies it.
  const url = remote ? safeUrl(remote.url) : '<remote-url>'
  const commands = rewriteCommands({url, replacementsFile: file, refs, removedPaths: [...multiLine]})
  return {replacementsFile: file, replaced: [...values.keys()], removedPaths: [...multiLine], refs, remote: remote ? name : null, remoteUrl: remote ? url : null, commands, unresolved}
}

/** The plan's refs and whole-file removals as incident variables, so the checklist renders the same rewrite (src/playbook/generate.ts). */
export function rewriteVars(plan: RewritePlan): {rewriteRefs: string; rewritePaths: string} {
  return {rewriteRefs: plan.refs.join('\n'), rewritePaths: plan.removedPaths.join('\n')}
}

export interface RewriteInput {
  url: string
  replacementsFile: string | null
  refs: readonly string[]
  removedPaths: readonly string[]
}

/**
 * The rewrite, in a mirror clone (never the responder's working copy), as
 * both `triage git-leak` and the checklist's rewrite-history item show it.
 */
export function rewriteCommands(p: RewriteInput): string[] {
  const q = (s: string) => (isBlank(s) ? s : shQuote(s))
  const refArgs = p.refs.length ? ` --refs ${shJoin(p.refs)}` : ''
  return [
    `git clone --mirror ${q(p.url)} rewrite.git`,
    ...(p.replacementsFile ? [`git -C rewrite.git filter-repo --replace-text ${q(p.replacementsFile)}${refArgs} --force`] : []),
    ...p.removedPaths.map((path) => `git -C rewrite.git filter-repo --invert-paths --path ${shQuote(path)}${refArgs} --force`),
    'git -C rewrite.git reflog expire --expire=now --all && git -C rewrite.git gc --prune=now --aggressive',
    'leakctl scan git rewrite.git --json   # must report nothing before you push',
    `git -C rewrite.git push --force --mirror ${q(p.url)}`,
    '# Then: every collaborator deletes their clone and clones again; forks and pull-request refs (refs/pull/*) keep the old commits: ask GitHub Support to purge cached views and PR refs.',
  ]
}

/**
 * The replacement file holds the leaked values: it must be a new file of
 * ours. O_EXCL refuses one that exists, a symbolic link included (it may
 * point anywhere, or be readable by others); O_NOFOLLOW refuses a link in
 * the last component. Created 0600 whatever the umask.
 */
function writeNewPrivateFile(file: string, text: string): void {
  let fd: number
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ELOOP') throw inputError('rewrite.replacements-exists', `${file} already exists (or is a symbolic link): the leaked values go only into a new file; remove it or choose another --replacements-dir`)
    throw fromSystemError(error) ?? error
  }
  try {
    fchmodSync(fd, 0o600)
    writeSync(fd, text)
  } finally {
    closeSync(fd)
  }
}
