import {field, keyInfoIssuer} from './key-info.js'

// npm: GET /-/whoami on the registry (what `npm whoami` calls,
// https://docs.npmjs.com/cli/commands/npm-whoami), Bearer auth. Read-only.
// NPM_CONFIG_REGISTRY points at another registry, as it does for npm.
export const npm = keyInfoIssuer({
  id: 'npm',
  classes: ['npm-token'],
  env: 'NPM_CONFIG_REGISTRY',
  real: 'https://registry.npmjs.org',
  path: '/-/whoami',
  headers: (v) => ({authorization: `Bearer ${v}`}),
  carried: 'Authorization: Bearer <the token>',
  describe: (b) => `user ${field(b, 'username')}`,
  revokeStep: 'npm token revoke <token-id> (npm token list shows the id), or npmjs.com > Access Tokens > Delete.',
})
