import type {Candidate} from '../engine.js'
import {dbeaver} from './dbeaver.js'
import {docker} from './docker.js'
import {esmtprc} from './esmtprc.js'
import {filezilla} from './filezilla.js'
import {firefoxLogins} from './firefox.js'
import {gitCredentials} from './git-credentials.js'
import {heroku} from './heroku.js'
import {hub} from './hub.js'
import {netrc} from './netrc.js'
import {npmrc} from './npmrc.js'
import {pgpass} from './pgpass.js'
import {ppk} from './ppk.js'
import {pypirc} from './pypirc.js'
import {robomongo} from './robomongo.js'
import {s3cfg} from './s3cfg.js'
import {sftp} from './sftp.js'
import {terraform} from './terraform.js'
import {tugboat} from './tugboat.js'
import {ventrilo} from './ventrilo.js'
import {webServers} from './webservers.js'
import {PASSWD_FILES} from './passwd.js'
import {RAILS_FILES} from './rails.js'

// Credential files known by their name (.netrc, .pgpass, a docker config, a
// FileZilla site list, …): their format says where the secret is, with no
// keyword to find first. Each entry claims file paths and reads the text in
// its own format; a claimed file still goes through the keyword rules too.

export interface CredentialFile {
  /** Short id, also the Match's rule id prefix: `netrc`, `pgpass`, … */
  id: string
  /** Rule ids its candidates carry besides (or instead of) `id`: the account files report `password-hash`. */
  emits?: readonly string[]
  /** Matches the file's path (forward slashes, relative to the repository or as given). */
  path: RegExp
  /** Pushes one candidate per credential the text holds in this format. */
  read(text: string, out: Candidate[]): void
}

export const CREDENTIAL_FILES: CredentialFile[] = [
  netrc,
  pgpass,
  gitCredentials,
  npmrc,
  pypirc,
  docker,
  ppk,
  s3cfg,
  tugboat,
  terraform,
  heroku,
  hub,
  sftp,
  filezilla,
  dbeaver,
  robomongo,
  webServers,
  firefoxLogins,
  esmtprc,
  ventrilo,
  ...PASSWD_FILES,
  ...RAILS_FILES,
]

/** The credential-file readers that claim this path (usually none). */
export function credentialFilesFor(path: string | undefined): CredentialFile[] {
  if (!path) return []
  const p = path.replace(/\\/g, '/')
  return CREDENTIAL_FILES.filter((f) => f.path.test(p))
}
