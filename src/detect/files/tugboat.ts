import type {Candidate} from '../engine.js'
import {lineFields} from './fields.js'
import type {CredentialFile} from './index.js'
import {notToken, report} from './report.js'

// tugboat, a DigitalOcean command line client: ~/.tugboat (YAML) with
// `authentication: {client_key, api_key}` for the v1 API, or `access_token` for v2.
// The client key is the public half; the API key or the token is the credential.
// https://github.com/petems/tugboat#configuration

const LINE = /^\s*(?<k>client_key|api_key|access_token)\s*:\s*/

function read(text: string, out: Candidate[]): void {
  const fields = lineFields(text, LINE, true)
  const client = fields.find((f) => f.key === 'client_key')?.value
  const keyId = client && !notToken(client) && client.length <= 128 ? client : undefined
  for (const f of fields) {
    if (f.key === 'client_key' || notToken(f.value)) continue
    const token = f.key === 'access_token'
    report(out, 'tugboat', {
      secret: f.value,
      start: f.start,
      end: f.end,
      class: 'generic-api-key',
      reason: token ? 'a DigitalOcean API token (tugboat config): full control of the account' : 'a DigitalOcean v1 API key (tugboat config)',
      label: `tugboat ${f.key}`,
      ...(keyId && !token ? {keyId} : {}),
    })
  }
}

export const tugboat: CredentialFile = {id: 'tugboat', path: /(?:^|\/)\.tugboat$/i, read}
