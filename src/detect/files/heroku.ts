import {jsonConfig} from './json-config.js'

// heroku.json: a deploy tool's Heroku settings (the key names vary: HEROKU_API_KEY,
// api_key, token). The Heroku CLI itself keeps its key in .netrc (netrc.ts).
// https://devcenter.heroku.com/articles/authentication

export const heroku = jsonConfig({
  id: 'heroku-json',
  path: /(?:^|\/)heroku\.json$/i,
  tool: 'a Heroku settings file',
  passwords: /^(?:password|HEROKU_PASSWORD)$/i,
  tokens: /^(?:(?:heroku[_-]?)?api[_-]?key|(?:heroku[_-]?)?(?:api[_-]?|auth[_-]?|oauth[_-]?)?token)$/i,
  hosts: /^(?:app|app_name|HEROKU_APP)$/i,
  users: /^(?:email|HEROKU_EMAIL|user|username)$/i,
})
