import {closeSync, constants, fchmodSync, fsyncSync, openSync, writeSync} from 'node:fs'

/**
 * Writes `text` to `file`, created 0600 (whatever the umask) and never through a
 * symbolic link. An existing file is an error (EEXIST) unless `replace`, then it is
 * truncated. Errors stay Node's own (EEXIST, ELOOP, EACCES): each caller words them.
 */
export function writePrivateFile(file: string, text: string, opts: {replace?: boolean; sync?: boolean} = {}): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (opts.replace ? constants.O_TRUNC : constants.O_EXCL), 0o600)
  try {
    fchmodSync(fd, 0o600)
    writeSync(fd, text)
    if (opts.sync) fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
