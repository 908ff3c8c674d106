import {field, keyInfoIssuer} from './key-info.js'

// Stripe: GET /v1/account (Retrieve account, https://docs.stripe.com/api/accounts/retrieve),
// the key as the basic-auth user name (https://docs.stripe.com/api/authentication).
// Read-only; a restricted key without account read answers 403 (still valid).
export const stripe = keyInfoIssuer({
  id: 'stripe',
  classes: ['stripe-key'],
  env: 'STRIPE_API_URL',
  real: 'https://api.stripe.com',
  path: '/v1/account',
  headers: (v) => ({authorization: `Basic ${Buffer.from(`${v}:`).toString('base64')}`}),
  carried: 'basic auth, the key as user name',
  describe: (b) => `account ${field(b, 'id')}${b?.livemode === false ? ' (test mode)' : ''}`,
  expired: /expired api key/i,
  revokeStep: 'Stripe Dashboard > Developers > API keys: roll the key (choose "now" as expiry), or delete a restricted key.',
})
