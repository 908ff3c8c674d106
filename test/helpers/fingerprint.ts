import {readWorkspaceKey, Fingerprinter} from '../../src/fingerprint/key.js'

// Fingerprints in tests. In-process scans take this fixed test key; a CLI run
// fingerprints with its workspace's key, read back here from the key file.

export const TEST_FINGERPRINTER = new Fingerprinter(Buffer.alloc(32, 0x5a))

/** The fingerprint an in-process scan given TEST_FINGERPRINTER computes. */
export const fingerprint = (value: string | Uint8Array) => TEST_FINGERPRINTER.of(value)

/** The fingerprint a CLI run in that workspace computes (its key must exist). */
export function workspaceFingerprint(workspaceDir: string, value: string | Uint8Array): string {
  const fp = readWorkspaceKey(workspaceDir)
  if (!fp) throw new Error(`no fingerprint key in ${workspaceDir}`)
  return fp.of(value)
}
