import type {Candidate} from '../engine.js'
import {lineFields} from './fields.js'
import type {CredentialFile} from './index.js'
import {notPassword, notToken, place, report} from './report.js'

// s3cmd's configuration (~/.s3cfg): INI `key = value` lines; `access_key` (public
// half) and `secret_key`, an optional session `access_token`, and `gpg_passphrase`
// (decrypts what `s3cmd put --encrypt` stored). `host_base` says which service:
// AWS by default, or any S3-compatible store (DigitalOcean Spaces, MinIO, Wasabi).
// https://s3tools.org/kb/item14.htm

const LINE = /^\s*(?<k>access_key|secret_key|access_token|gpg_passphrase|host_base)\s*=\s*/

function read(text: string, out: Candidate[]): void {
  const fields = lineFields(text, LINE, true)
  const get = (k: string) => fields.find((f) => f.key === k)
  const host = get('host_base')?.value ?? 's3.amazonaws.com'
  const aws = /(?:^|\.)amazonaws\.com(?:\.cn)?(?::\d+)?$/i.test(host)
  const id = get('access_key')?.value
  const keyId = id && !notToken(id) && id.length <= 128 ? id : undefined
  for (const f of fields) {
    if (f.key === 'secret_key' && !notToken(f.value)) {
      report(out, 's3cfg', {
        secret: f.value,
        start: f.start,
        end: f.end,
        class: aws ? 'aws-access-key' : 'generic-api-key',
        reason: aws ? 'an AWS secret access key in an s3cmd config (.s3cfg)' : `an S3-compatible storage secret key for ${place(host)} in an s3cmd config (.s3cfg)`,
        label: `s3cfg ${place(host)}`,
        ...(keyId ? {keyId} : {}),
      })
    } else if (f.key === 'access_token' && !notToken(f.value)) {
      report(out, 's3cfg', {secret: f.value, start: f.start, end: f.end, class: aws ? 'aws-session-token' : 'generic-api-key', reason: 'a session token in an s3cmd config (.s3cfg)', label: `s3cfg ${place(host)} access_token`})
    } else if (f.key === 'gpg_passphrase' && !notPassword(f.value)) {
      report(out, 's3cfg', {secret: f.value, start: f.start, end: f.end, class: 'password', reason: 'the GPG passphrase s3cmd encrypts uploads with (.s3cfg): it decrypts every object stored with --encrypt', label: `s3cfg ${place(host)} gpg_passphrase`})
    }
  }
}

export const s3cfg: CredentialFile = {id: 's3cfg', path: /(?:^|\/)\.s3cfg$/i, read}
