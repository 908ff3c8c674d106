import type {Candidate} from '../engine.js'
import {lines, scalar} from './fields.js'
import type {CredentialFile} from './index.js'
import {notToken, passwordClass, place, report, who} from './report.js'

// hub, GitHub's older command line wrapper: ~/.config/hub (YAML), per host a list of
// `- user: NAME` / `oauth_token: TOKEN` / `protocol: https`. The token is a GitHub OAuth
// token (40 hex in older files, `gho_…` now).
// https://hub.github.com/hub.1.html#configuration

const HOST = /^([\w.-]{1,253}):\s*$/
const KEY = /^\s*-?\s*(user|oauth_token)\s*:\s*/

function read(text: string, out: Candidate[]): void {
  let host = 'github.com'
  let user: string | undefined
  for (const [line, at] of lines(text)) {
    const h = HOST.exec(line)
    if (h) host = h[1]!
    const k = !h && KEY.exec(line)
    const v = k && scalar(line, k[0].length, true)
    if (!k || !v) continue
    if (k[1] === 'user') user = v.value
    else if (!notToken(v.value)) {
      report(out, 'hub', {
        secret: v.value,
        start: at + v.start,
        end: at + v.end,
        class: 'github-token',
        reveal: passwordClass(v.value, host, 'github-token').reveal,
        reason: `a GitHub OAuth token in hub's config: acts as its user on ${place(host)}`,
        label: `hub ${who(user, host)} oauth_token`,
      })
    }
  }
}

export const hub: CredentialFile = {id: 'hub', path: /(?:^|\/)hub$/, read}
