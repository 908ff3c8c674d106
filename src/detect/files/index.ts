import type {Candidate} from '../engine.js'
import {PASSWD_FILES} from './passwd.js'
import {RAILS_FILES} from './rails.js'

// Credential files known by their name (.netrc, .pgpass, a docker config, a
// FileZilla site list, …): their format says where the secret is, with no
// keyword to find first. Each entry claims file paths and reads the text in
// its own format; a claimed file still goes through the keyword rules too.

export interface CredentialFile {
  /** Short id, also the Match's rule id prefix: `netrc`, `pgpass`, … */
  id: string
  /** Matches the file's path (forward slashes, relative to the repository or as given). */
  path: RegExp
  /** Pushes one candidate per credential the text holds in this format. */
  read(text: string, out: Candidate[]): void
}

export const CREDENTIAL_FILES: CredentialFile[] = [
  ...PASSWD_FILES,
  ...RAILS_FILES,
]

/** The credential-file readers that claim this path (usually none). */
export function credentialFilesFor(path: string | undefined): CredentialFile[] {
  if (!path) return []
  const p = path.replace(/\\/g, '/')
  return CREDENTIAL_FILES.filter((f) => f.path.test(p))
}
