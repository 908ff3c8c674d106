import {isBlank, shJoin, shQuote} from '../text/shell.js'

// The commands of a history rewrite, from what the plan decided (src/git/rewrite.ts):
// text only, so the checklist that shows them (src/playbook/generate.ts) loads
// neither git nor the detection engine the plan needs.

export interface RewriteInput {
  url: string
  replacementsFile: string | null
  refs: readonly string[]
  removedPaths: readonly string[]
  /** Places (`path:line (commit …)`) of short values no pattern can safely replace. */
  byHand?: readonly string[]
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
    ...(p.byHand?.length
      ? ['# Rewrite by hand: a short value with no safe context to match on; a global replace would rewrite the same word everywhere. Edit these places (every commit holding them, e.g. with --blob-callback), then rescan:', ...p.byHand.map((h) => `#   ${h}`)]
      : []),
    'git -C rewrite.git reflog expire --expire=now --all && git -C rewrite.git gc --prune=now --aggressive',
    'leakctl scan git rewrite.git --json   # must report nothing before you push',
    `git -C rewrite.git push --force --mirror ${q(p.url)}`,
    '# Then: every collaborator deletes their clone and clones again; forks and pull-request refs (refs/pull/*) keep the old commits: ask GitHub Support to purge cached views and PR refs.',
  ]
}
