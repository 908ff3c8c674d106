import type {Issuer} from './types.js'

// PyPI documents no read-only call that authenticates an API token
// (https://docs.pypi.org/api/: the JSON, Simple and stats APIs are
// anonymous; only uploads take a token). Sending the token to the upload
// endpoint to see whether it is refused is not a safe check, so a PyPI token
// stays `unverifiable`; its revoke step is printed.
export const pypi: Issuer = {
  id: 'pypi',
  classes: ['pypi-token'],
  cannotVerify: () => 'PyPI documents no read-only call that authenticates a token (only uploads take one)',
  calls: () => [],
  verify: () => Promise.reject(new Error('pypi: not verifiable')),
  revokePlan: () => ({action: 'print the revoke step', steps: ['pypi.org > Account settings > API tokens: remove the token (PyPI also revokes tokens GitHub secret scanning reports to it).'], automatic: false}),
}
