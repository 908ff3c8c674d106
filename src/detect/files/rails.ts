import type {Candidate} from '../engine.js'
import {RANK} from '../rules.js'
import type {CredentialFile} from './index.js'

// Rails keeps the key of config/credentials.yml.enc in config/master.key, and
// per-environment keys in config/credentials/<env>.key: the whole file is 32
// hex characters (https://guides.rubyonrails.org/security.html#custom-credentials).

const KEY = /^[0-9a-f]{32}$/

function readMasterKey(text: string, out: Candidate[], encrypted: string): void {
  const lead = text.length - text.trimStart().length
  const key = text.trim()
  if (!KEY.test(key) || /^(.)\1+$/.test(key)) return
  out.push({
    rule: 'rails-master-key-file',
    family: 'rails',
    class: 'app-master-key',
    risk: 'critical',
    reason: `a Rails master key: decrypts ${encrypted}, every secret the app keeps there`,
    secret: key,
    reveal: 0,
    start: lead,
    end: lead + key.length,
    rank: RANK.format,
  })
}

// Both readers report rule `rails-master-key-file` (`rails-master-key` is the
// RAILS_MASTER_KEY= rule of frameworks.ts).
export const RAILS_FILES: CredentialFile[] = [
  {id: 'rails-master-key-file', path: /(?:^|\/)master\.key$/, read: (text, out) => readMasterKey(text, out, 'config/credentials.yml.enc')},
  {id: 'rails-credentials-key', emits: ['rails-master-key-file'], path: /(?:^|\/)config\/credentials\/[\w.-]+\.key$/, read: (text, out) => readMasterKey(text, out, 'config/credentials/<environment>.yml.enc')},
]
