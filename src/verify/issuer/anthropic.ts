import {keyInfoIssuer} from './key-info.js'

// Anthropic: GET /v1/models (List models, https://docs.anthropic.com/en/api/models-list),
// the key in x-api-key with anthropic-version. Read-only and free. ANTHROPIC_BASE_URL, as the SDKs read it.
export const anthropic = keyInfoIssuer({
  id: 'anthropic',
  classes: ['anthropic-key'],
  env: 'ANTHROPIC_BASE_URL',
  real: 'https://api.anthropic.com',
  path: '/v1/models',
  headers: (v) => ({'x-api-key': v, 'anthropic-version': '2023-06-01'}),
  carried: 'x-api-key: <the key>',
  describe: (b) => `the key lists ${Array.isArray(b?.data) ? b.data.length : '?'} model(s)`,
  refuse: (v) => (v.startsWith('sk-ant-admin') ? 'an Admin API key: it does not call /v1/models; ask in the Console' : null),
  revokeStep: 'Anthropic Console > Settings > API keys: disable or delete the key, create a replacement.',
})
