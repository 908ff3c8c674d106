import {git, gitRun} from './repo.js'

// When did a commit leave this machine? The reflogs of remote-tracking refs
// record every push and fetch that moved them ("update by push"), with a
// time. The first entry whose commit contains the leaking commit is the
// earliest this clone knows the secret was on the remote.

export interface FirstSeenOnRemote {
  at: string
  ref: string
  how: 'push' | 'fetch' | 'other'
}

export function firstOnRemote(repo: string, commit: string): FirstSeenOnRemote | null {
  const refs = git(repo, ['for-each-ref', '--format=%(refname)', 'refs/remotes'])
    .split('\n')
    .filter((r) => r && !r.endsWith('/HEAD'))
  let best: FirstSeenOnRemote | null = null
  for (const ref of refs) {
    let log: string
    try {
      log = git(repo, ['reflog', 'show', '--date=iso-strict', '--format=%H%x1f%gd%x1f%gs', ref, '--'])
    } catch {
      continue // no reflog for this ref
    }
    // Oldest first; stop at the first entry that contains the commit.
    const entries = log.split('\n').filter(Boolean).reverse().slice(0, 500)
    for (const line of entries) {
      const [sha, selector, subject] = line.split('\x1f')
      const date = /@\{(.+)\}$/.exec(selector ?? '')?.[1]
      if (!sha || !date) continue
      if (!isAncestor(repo, commit, sha)) continue
      const at = new Date(date).toISOString()
      if (!best || at < best.at) best = {at, ref, how: subject?.startsWith('update by push') ? 'push' : subject?.startsWith('fetch') || subject?.startsWith('pull') ? 'fetch' : 'other'}
      break
    }
  }
  return best
}

function isAncestor(repo: string, ancestor: string, descendant: string): boolean {
  return gitRun(repo, ['merge-base', '--is-ancestor', ancestor, descendant]).status === 0
}
