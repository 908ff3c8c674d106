import {keyInfoIssuer} from './key-info.js'

// SendGrid: GET /v3/scopes (Retrieve a list of scopes for which this user has
// access, https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions/retrieve-a-list-of-scopes-for-which-this-user-has-access),
// Bearer auth. Read-only: the key's own permissions.
export const sendgrid = keyInfoIssuer({
  id: 'sendgrid',
  classes: ['sendgrid-key'],
  env: 'SENDGRID_API_URL',
  real: 'https://api.sendgrid.com',
  path: '/v3/scopes',
  headers: (v) => ({authorization: `Bearer ${v}`}),
  carried: 'Authorization: Bearer <the key>',
  describe: (b) => `${Array.isArray(b?.scopes) ? b.scopes.length : '?'} scope(s)${Array.isArray(b?.scopes) && b.scopes.includes('mail.send') ? ', including mail.send' : ''}`,
  revokeStep: 'SendGrid > Settings > API Keys: delete the key, create a replacement.',
})
