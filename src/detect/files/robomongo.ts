import {jsonConfig} from './json-config.js'

// Robomongo / Robo 3T's settings (robomongo.json, robo3t.json): per connection the
// MongoDB `userPassword` and the SSH tunnel's `sshUserPassword` and `sshPassphrase`.
// Field names as Robo 3T writes them: https://github.com/Studio3T/robomongo

export const robomongo = jsonConfig({
  id: 'robomongo',
  path: /(?:^|\/)(?:robomongo|robo3t)\.json$/i,
  tool: 'Robomongo / Robo 3T connection settings',
  passwords: /^(?:userPassword|sshUserPassword|sshPassphrase)$/,
  passwordClass: 'database-password',
})
