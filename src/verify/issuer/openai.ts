import {keyInfoIssuer} from './key-info.js'

// OpenAI: GET /v1/models (List models, https://platform.openai.com/docs/api-reference/models/list),
// Bearer auth: read-only and free. OPENAI_BASE_URL, as the OpenAI SDKs read it.
export const openai = keyInfoIssuer({
  id: 'openai',
  classes: ['openai-key'],
  env: 'OPENAI_BASE_URL',
  real: 'https://api.openai.com/v1',
  path: '/models',
  headers: (v) => ({authorization: `Bearer ${v}`}),
  carried: 'Authorization: Bearer <the key>',
  describe: (b) => `the key lists ${Array.isArray(b?.data) ? b.data.length : '?'} model(s)`,
  revokeStep: 'OpenAI platform > API keys (project settings): revoke the key, create a replacement.',
})
