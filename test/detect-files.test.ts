import {randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {type Candidate, detect, type Match, matchFindingBase} from '../src/detect/engine.js'
import {CREDENTIAL_FILES, credentialFilesFor} from '../src/detect/files/index.js'
import {jetbrainsDecode} from '../src/detect/files/webservers.js'
import {fingerprint, TEST_FINGERPRINTER} from './helpers/fingerprint.js'
import {cpuMs} from './helpers/cpu.js'

// Credential files known by name: each reader on synthetic files written here from
// the tool's documented format, with values generated per run (a test passes only by
// reading the format), beside look-alikes that must stay quiet.

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const rand = (n: number, alphabet = B62) => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('')
const hex = (n: number) => rand(n, '0123456789abcdef')
/** A typed password: letters, digits and a sign, random per run. */
const pw = () => `Pw${rand(9)}!7`
const b64 = (s: string) => Buffer.from(s).toString('base64')

/** The matches of the credential-file readers (family credential-file) for a file at `path`. */
function files(path: string, text: string): Match[] {
  return detect(text, {path}).filter((m) => m.family === 'credential-file')
}

/** The secrets found, and a check that each lies at its offsets as written (or encoded there). */
function secrets(path: string, text: string): string[] {
  const found = files(path, text)
  for (const m of found) expect(m.end, `${m.rule} offsets`).toBeGreaterThan(m.start)
  return found.map((m) => m.secret)
}

/** Every match's value sits exactly at its offsets. */
function exactOffsets(path: string, text: string): void {
  for (const m of files(path, text)) expect(text.slice(m.start, m.end), `${m.rule} at line ${m.line}`).toBe(m.secret)
}

const preview = (m: Match) => matchFindingBase(m, TEST_FINGERPRINTER).preview

describe('the registry', () => {
  it('every reader has a unique id and claims only its files', () => {
    const ids = CREDENTIAL_FILES.map((f) => f.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(credentialFilesFor('home/alice/.netrc').map((f) => f.id)).toEqual(['netrc'])
    expect(credentialFilesFor('C:\\Users\\bob\\_netrc').map((f) => f.id)).toEqual(['netrc'])
    expect(credentialFilesFor('src/netrc.py')).toEqual([])
    expect(credentialFilesFor('README.md')).toEqual([])
    expect(credentialFilesFor(undefined)).toEqual([])
  })
})

describe('.netrc', () => {
  it('every machine, any whitespace layout, default, quoted values; login after password too', () => {
    const [a, b, c, d] = [pw(), pw(), pw(), 'admin']
    const text = [
      `machine ftp.acme.io login deploy password ${a}`,
      'machine\tbuild.acme.io',
      '    login ci',
      `    password   ${b}`,
      `machine mail.acme.io password "${c.slice(0, 4)} ${c.slice(4)}" login ops`,
      `default login root password ${d}`,
      '',
    ].join('\n')
    expect(secrets('.netrc', text)).toEqual([a, b, `${c.slice(0, 4)} ${c.slice(4)}`, d])
    const found = files('.netrc', text)
    expect(found.map((m) => m.line)).toEqual([1, 4, 5, 6])
    expect(preview(found[0]!)).toMatch(/^netrc deploy@ftp\.acme\.io \*{8} \(8-15 chars\)$/)
    expect(preview(found[2]!)).toContain('ops@mail.acme.io')
    expect(preview(found[3]!)).toContain('root@default')
    for (const m of found) expect(preview(m)).not.toContain(m.secret)
  })

  it('a short password is real here; a token for GitHub is a GitHub token; Heroku is an API key', () => {
    const gh = `ghp_${rand(36)}`
    const heroku = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`
    const found = files('_netrc', `machine db login a password pw1\nmachine github.com login x password ${gh}\nmachine api.heroku.com login me@acme.io password ${heroku}\n`)
    expect(found.map((m) => [m.secret, m.class])).toEqual([
      ['pw1', 'password'],
      [gh, 'github-token'],
      [heroku, 'generic-api-key'],
    ])
  })

  it('quiet: empty, ${VAR}, <password>, changeme, anonymous FTP, macro bodies, comment lines', () => {
    const text = [
      '# machine old.acme.io login a password Old-Secret-1',
      'machine a.acme.io login a password ${NETRC_PASSWORD}',
      'machine b.acme.io login b password <password>',
      'machine c.acme.io login c password changeme',
      'machine ftp.gnu.org login anonymous password me@acme.io',
      'macdef init',
      'password NotAToken1 in a macro',
      '',
      'machine d.acme.io login d password',
    ].join('\n')
    expect(files('.netrc', text)).toEqual([])
  })
})

describe('.pgpass', () => {
  it('host:port:db:user:password with \\: escapes; the password runs to the end of the line', () => {
    const a = pw()
    const text = `# hostname:port:database:username:password\ndb.prod:5432:app:app_rw:${a}\n*:*:*:postgres:admin\nlocalhost:5432:x:svc:p\\:w\\\\d:tail\n`
    const found = files('.pgpass', text)
    expect(found.map((m) => m.secret)).toEqual([a, 'admin', 'p:w\\d:tail'])
    expect(found.every((m) => m.class === 'database-password')).toBe(true)
    expect(preview(found[0]!)).toMatch(/^pgpass app_rw@db\.prod:5432\/app \*{8}/)
    expect(preview(found[1]!)).toContain('postgres@*:*/*')
    expect(found[0]!.start).toBe(text.indexOf(a))
    expect(found[2]!.end).toBe(text.indexOf(':tail') + 5)
  })

  it('quiet: comments, short lines, an empty password, a template', () => {
    expect(files('.pgpass', '#db:5432:app:u:Secret-1x\nnot a pgpass line\ndb:5432:app:u:\ndb:5432:app:u:${PGPASSWORD}\n')).toEqual([])
  })
})

describe('.git-credentials', () => {
  it('the password of each URL, a token in the user position, percent-encoding kept as written', () => {
    const gh = `ghp_${rand(36)}`
    const gl = `glpat-${rand(20)}`
    const p = `${rand(10)}%40x`
    const text = `https://alice:${gh}@github.com\nhttps://${gl}@gitlab.com\nhttps://bob:${p}@git.acme.io:8443\n`
    const found = files('.git-credentials', text)
    expect(found.map((m) => [m.secret, m.class])).toEqual([
      [gh, 'github-token'],
      [gl, 'gitlab-token'],
      [p, 'password'],
    ])
    exactOffsets('.git-credentials', text)
    expect(preview(found[2]!)).toMatch(/^https:\/\/bob@git\.acme\.io \*{8}/)
  })

  it('a token in the user position is found by its format, digits or none (one random GitLab token in 30 has none)', () => {
    const gh = `ghp_${rand(36, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`
    const gl = `glpat-${rand(20, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`
    const text = `https://${gh}@github.com\nhttps://${gl}@gitlab.com\nhttps://${gl.slice(6)}@gitlab.com\n`
    expect(files('.git-credentials', text).map((m) => [m.secret, m.class])).toEqual([
      [gh, 'github-token'],
      [gl, 'gitlab-token'],
    ])
    expect(detect(`clone https://${gl}@gitlab.example.com/group/repo.git`).map((m) => m.secret)).toContain(gl)
  })

  it('a password holding @ splits at the last @; quiet on x-oauth-basic and plain names', () => {
    const text = `https://carol:a@b#c@host.acme.io\nhttps://dave@host.acme.io\nhttps://${'ghp_' + rand(36)}:x-oauth-basic@github.com\n`
    const found = files('.config/git/credentials', text)
    expect(found.map((m) => m.secret)).toEqual(['a@b#c', found[1]!.secret])
    expect(found[1]!.secret.startsWith('ghp_')).toBe(true)
  })
})

describe('.npmrc', () => {
  it('_auth decodes to user:password (the password is the secret), _authToken per registry, _password base64', () => {
    const [a, b] = [pw(), pw()]
    const tok = `npm_${rand(36)}`
    const gh = `ghp_${rand(36)}`
    const text = [
      'registry=https://registry.npmjs.org/',
      `_auth = ${b64(`admin:${a}`)}`,
      `//registry.npmjs.org/:_authToken=${tok}`,
      `//npm.pkg.github.com/:_authToken="${gh}"`,
      '//nexus.acme.io/repository/npm/:username=builder',
      `//nexus.acme.io/repository/npm/:_password=${b64(b)}`,
    ].join('\n')
    const found = files('.npmrc', text)
    expect(found.map((m) => [m.secret, m.class])).toEqual([
      [a, 'password'],
      [tok, 'npm-token'],
      [gh, 'github-token'],
      [b, 'password'],
    ])
    // Decoded secrets sit where their base64 is.
    expect(text.slice(found[0]!.start, found[0]!.end)).toBe(b64(`admin:${a}`))
    expect(preview(found[0]!)).toContain('admin@registry.npmjs.org _auth')
    expect(preview(found[3]!)).toContain('builder@nexus.acme.io _password')
    expect(found[1]!.reveal).toBe(4)
  })

  it('npm expands only ${NAME}: a token starting with $ is literal', () => {
    const tok = `$${rand(6)}-${rand(20)}`
    expect(secrets('.npmrc', `//registry.npmjs.org/:_authToken=${tok}\n`)).toEqual([tok])
  })

  it('a short password is a finding; undecodable _auth is reported as written', () => {
    const found = files('.npmrc', `_auth=${b64('admin:admin')}\n_auth=${rand(6)}%%${rand(6)}\n`)
    expect(found.map((m) => m.class)).toEqual(['password', 'basic-auth'])
    expect(found[0]!.secret).toBe('admin')
  })

  it('quiet: ${NPM_TOKEN}, empty, base64 of a name without a password, comments', () => {
    const text = ['//registry.npmjs.org/:_authToken=${NPM_TOKEN}', '_authToken=', '_authToken=$NPM_TOKEN', '_authToken={}', '_authToken=<NPM_TOKEN>', `_auth=${b64('justauser')}`, `; _password=${b64(pw())}`, 'always-auth=true'].join('\n')
    expect(files('.npmrc', text)).toEqual([])
  })
})

describe('.pypirc', () => {
  it('the password of each section; a pypi- token is a PyPI token', () => {
    const tok = `pypi-AgEIcHlwaS5vcmc${rand(70)}`
    const p = pw()
    const text = `[distutils]\nindex-servers =\n    pypi\n    private\n\n[pypi]\nusername = __token__\npassword = ${tok}\n\n[private]\nrepository: https://pypi.acme.io/simple\nusername: deploy\npassword: ${p}\n`
    const found = files('.pypirc', text)
    expect(found.map((m) => [m.secret, m.class])).toEqual([
      [tok, 'pypi-token'],
      [p, 'password'],
    ])
    expect(preview(found[1]!)).toContain('pypirc [private] deploy@pypi.acme.io')
    exactOffsets('.pypirc', text)
  })

  it('quiet: no password, a placeholder', () => {
    expect(files('.pypirc', '[pypi]\nusername = __token__\n\n[test]\npassword = <your-token>\n')).toEqual([])
  })
})

describe('docker config', () => {
  const auth = (u: string, p: string) => b64(`${u}:${p}`)
  it('every auths entry, identitytoken and registrytoken, each with its registry', () => {
    const [a, b] = [pw(), pw()]
    const idt = `${rand(40)}.${rand(20)}`
    const text = JSON.stringify(
      {
        auths: {
          'https://index.docker.io/v1/': {auth: auth('alice', a)},
          'registry.acme.io': {auth: auth('robot$ci', b), email: 'ci@acme.io'},
          'acme.azurecr.io': {identitytoken: idt},
        },
        credHelpers: {'gcr.io': 'gcloud'},
      },
      null,
      2,
    )
    const found = files('.docker/config.json', text)
    expect(found.map((m) => m.rule)).toEqual(['docker-config', 'docker-config', 'docker-config'])
    expect(found.map((m) => m.secret)).toEqual([auth('alice', a), auth('robot$ci', b), idt])
    expect(found.every((m) => m.class === 'docker-config')).toBe(true)
    expect(preview(found[0]!)).toContain('alice@index.docker.io')
    expect(preview(found[1]!)).toContain('****@registry.acme.io')
    expect(preview(found[2]!)).toContain('acme.azurecr.io identitytoken')
    exactOffsets('.docker/config.json', text)
    // One finding per auth: the generic docker-config-auth rule does not add a second.
    expect(detect(text, {path: '.docker/config.json'}).length).toBe(3)
  })

  it('the legacy .dockercfg, keyed by registry at the top level', () => {
    const a = pw()
    const text = `{\n  "https://index.docker.io/v1/": {"auth": "${auth('u1', a)}", "email": "u1@acme.io"},\n  "quay.io": {"auth": "${auth('u2', a)}"}\n}`
    expect(files('.dockercfg', text).map((m) => m.line)).toEqual([2, 3])
  })

  it('quiet: credential helpers, an empty auth, an auth without a password', () => {
    const text = JSON.stringify({auths: {'ghcr.io': {}, 'quay.io': {auth: ''}, 'x.io': {auth: b64('useronly')}}, credsStore: 'desktop'})
    expect(files('.docker/config.json', text)).toEqual([])
  })
})

describe('PuTTY .ppk', () => {
  const body = (n: number) => Array.from({length: n}, () => rand(64, `${B62}+/`)).join('\n')
  const ppk = (enc: string, lines = 8) => `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: ${enc}\nComment: deploy@acme\nPublic-Lines: 2\n${body(2)}\nPrivate-Lines: ${lines}\n${body(lines)}\nPrivate-MAC: ${hex(64)}\n`

  it('Private-Lines are the key: unencrypted high, encrypted medium', () => {
    const plain = ppk('none')
    const [m] = files('keys/deploy.ppk', plain)
    expect(m!.class).toBe('private-key')
    expect(m!.risk).toBe('high')
    expect(m!.secret.split('\n')).toHaveLength(8)
    expect(plain.slice(m!.start, m!.end)).toBe(m!.secret)
    expect(preview(m!)).toContain('PuTTY-User-Key-File-3 ssh-ed25519 Private-Lines: 8')
    expect(files('k.ppk', ppk('aes256-cbc'))[0]!.risk).toBe('medium')
  })

  it('CRLF line ends; a truncated file keeps the lines it has; quiet on a public-only file', () => {
    const crlf = ppk('none').replace(/\n/g, '\r\n')
    const [m] = files('k.ppk', crlf)
    expect(m!.secret.includes('\r')).toBe(false)
    expect(m!.secret.split('\n')).toHaveLength(8)
    expect(files('k.ppk', ppk('none', 8).split('Private-MAC')[0]!.split('\n').slice(0, 9).join('\n'))).toHaveLength(1)
    expect(files('k.ppk', `PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nPublic-Lines: 1\n${rand(64)}\n`)).toEqual([])
  })
})

describe('.s3cfg, .tugboat, heroku.json, hub', () => {
  it('.s3cfg: the secret key with its access key as keyId, AWS by host_base', () => {
    const id = `AKIA${rand(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`
    const secret = rand(40, `${B62}/+`)
    const [m] = files('.s3cfg', `[default]\naccess_key = ${id}\nsecret_key = ${secret}   # keep private\nhost_base = s3.amazonaws.com\n`)
    expect([m!.secret, m!.class, m!.keyId]).toEqual([secret, 'aws-access-key', id])
    const [spaces] = files('.s3cfg', `[default]\naccess_key = ${rand(20)}\nsecret_key = ${rand(43)}\nhost_base = nyc3.digitaloceanspaces.com\ngpg_passphrase = ${pw()}\n`).filter((x) => x.class === 'generic-api-key')
    expect(spaces!.reason).toContain('nyc3.digitaloceanspaces.com')
    expect(files('.s3cfg', '[default]\naccess_key =\nsecret_key =\ngpg_passphrase =\n')).toEqual([])
  })

  it('.tugboat: the API key (client key as keyId) and a v2 access token', () => {
    const [client, key, token] = [hex(32), hex(32), hex(64)]
    const found = files('.tugboat', `---\nauthentication:\n  client_key: ${client}\n  api_key: '${key}'\n  access_token: ${token}\nssh:\n  ssh_user: root\n`)
    expect(found.map((m) => [m.secret, m.keyId])).toEqual([
      [key, client],
      [token, undefined],
    ])
    expect(files('.tugboat', 'authentication:\n  client_key: CLIENT_KEY\n  api_key: YOUR_API_KEY\n')).toEqual([])
  })

  it('heroku.json: the API key', () => {
    const key = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`
    const found = files('config/heroku.json', `{"heroku": {"HEROKU_EMAIL": "ops@acme.io", "HEROKU_API_KEY": "${key}", "HEROKU_APP": "acme-web"}}`)
    expect(found.map((m) => [m.secret, m.class])).toEqual([[key, 'generic-api-key']])
    expect(files('heroku.json', '{"HEROKU_API_KEY": "${HEROKU_API_KEY}"}')).toEqual([])
  })

  it('hub: the OAuth token of each host with its user', () => {
    const [t1, t2] = [hex(40), `gho_${rand(36)}`]
    const found = files('.config/hub', `github.com:\n- user: octo\n  oauth_token: ${t1}\n  protocol: https\nghe.acme.io:\n- user: ops\n  oauth_token: "${t2}"\n`)
    expect(found.map((m) => [m.secret, m.class])).toEqual([
      [t1, 'github-token'],
      [t2, 'github-token'],
    ])
    expect(preview(found[1]!)).toContain('ops@ghe.acme.io')
    expect(found[1]!.reveal).toBe(4)
    expect(files('bin/hub', '#!/bin/sh\nexec hub "$@"\n')).toEqual([])
  })
})

describe('editor deployment settings (JSON with comments)', () => {
  it('sftp-config.json: password and passphrase; commented-out lines are not', () => {
    const [p, q] = [pw(), pw()]
    const text = `{\n  // "password": "OldPass-${rand(6)}",\n  "type": "sftp",\n  "host": "web1.acme.io",\n  "user": "deploy",\n  "password": "${p}",\n  "ssh_key_file": "~/.ssh/id_rsa",\n  "passphrase": "${q}", // the key's\n  "remote_path": "/var/www/",\n}\n`
    const found = files('sftp-config.json', text)
    expect(found.map((m) => m.secret)).toEqual([p, q])
    expect(preview(found[0]!)).toContain('deploy@web1.acme.io password')
    expect(found[1]!.reason).toContain('passphrase')
  })

  it('.ftpconfig pass, .remote-sync.json, .vscode/sftp.json arrays, deployment-config.json', () => {
    const ps = [pw(), pw(), pw(), pw(), pw()]
    expect(secrets('.ftpconfig', `{"protocol": "ftp", "host": "h", "user": "u", "pass": "${ps[0]}", "promptForPass": false}`)).toEqual([ps[0]])
    expect(secrets('.remote-sync.json', `{"hostname": "h", "username": "u", "password": "${ps[1]}"}`)).toEqual([ps[1]])
    expect(secrets('.vscode/sftp.json', `[{"name": "a", "host": "a.acme.io", "password": "${ps[2]}"}, {"name": "b", "host": "b.acme.io", "password": "${ps[3]}"}]`)).toEqual([ps[2], ps[3]])
    expect(secrets('deployment-config.json', `{"host": "h", "username": "u", "password": "${ps[4]}"}`)).toEqual([ps[4]])
  })

  it('a JSON escape: the secret unescaped; quiet on empty and template values', () => {
    expect(secrets('.vscode/sftp.json', '{"password": "a\\"b\\\\c-9x"}')).toEqual(['a"b\\c-9x'])
    expect(files('sftp-config.json', '{"password": "", "passphrase": "${SFTP_PASSPHRASE}", "pass": "<password>"}')).toEqual([])
  })
})

describe('FileZilla', () => {
  const site = (pass: string, user = 'deploy', host = 'ftp.acme.io') => `    <Server>\n      <Host>${host}</Host>\n      <Port>21</Port>\n      <User>${user}</User>\n      ${pass}\n    </Server>\n`
  const xml = (servers: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<FileZilla3 version="3.66.0">\n  <Servers>\n${servers}  </Servers>\n</FileZilla3>\n`

  it('base64 passwords decoded (the fingerprint is the password\'s), plain ones as written, each with its server', () => {
    const [a, b] = [pw(), `${pw()}&<`]
    const text = xml(site(`<Pass encoding="base64">${b64(a)}</Pass>`) + site(`<Pass>${b.replace('&', '&amp;').replace('<', '&lt;')}</Pass>`, 'ops', 'sftp.acme.io'))
    const found = files('sitemanager.xml', text)
    expect(found.map((m) => m.secret)).toEqual([a, b])
    expect(matchFindingBase(found[0]!, TEST_FINGERPRINTER).fingerprint).toBe(fingerprint(a))
    expect(text.slice(found[0]!.start, found[0]!.end)).toBe(b64(a))
    expect(preview(found[0]!)).toContain('deploy@ftp.acme.io')
    expect(preview(found[1]!)).toContain('ops@sftp.acme.io')
  })

  it('an exported site list under any .xml name; a crypt password is low', () => {
    const found = files('backup/sites-2024.xml', xml(site(`<Pass encoding="crypt" pubkey="${hex(40)}">${rand(60)}</Pass>`)))
    expect(found.map((m) => m.risk)).toEqual(['low'])
  })

  it('quiet: invalid base64, anonymous logon, an empty Pass, <Pass> in an XML that is not FileZilla\'s', () => {
    const text = xml(site('<Pass encoding="base64">!!!not base64!!!</Pass>') + site('<Pass>guest@acme.io</Pass>', 'anonymous') + site('<Pass></Pass>'))
    expect(files('recentservers.xml', text)).toEqual([])
    expect(files('pom.xml', `<project><Pass>${pw()}</Pass></project>`)).toEqual([])
  })
})

describe('DBeaver, Robomongo, JetBrains WebServers.xml, esmtp, Ventrilo', () => {
  it('DBeaver XML: the password attribute of each connection', () => {
    const p = pw()
    const text = `<?xml version="1.0"?>\n<data-sources>\n\t<data-source id="pg-1" provider="postgresql" save-password="true">\n\t\t<connection host="db.acme.io" port="5432" database="app" user="report" password="${p}"/>\n\t</data-source>\n\t<data-source id="x"><connection host="h" user="u" password=""/></data-source>\n</data-sources>\n`
    const found = files('.dbeaver-data-sources.xml', text)
    expect(found.map((m) => [m.secret, m.class])).toEqual([[p, 'database-password']])
    expect(preview(found[0]!)).toContain('report@db.acme.io')
  })

  it('DBeaver JSON: configuration.password', () => {
    const p = pw()
    const text = `{"connections": {"pg-1": {"provider": "postgresql", "configuration": {"host": "db.acme.io", "user": "report", "password": "${p}"}}}}`
    expect(secrets('.dbeaver/data-sources.json', text)).toEqual([p])
  })

  it('Robomongo: userPassword, sshPassphrase, sshUserPassword', () => {
    const ps = [pw(), pw(), pw()]
    const text = `{"connections": [{"credentials": [{"userName": "app", "userPassword": "${ps[0]}"}], "serverHost": "mongo.acme.io", "sshHost": "bastion", "sshPassphrase": "${ps[1]}", "sshUserName": "ops", "sshUserPassword": "${ps[2]}", "sshPrivateKey": ""}]}`
    expect(secrets('robomongo.json', text)).toEqual(ps)
  })

  it('WebServers.xml: the XOR-encoded password is decoded', () => {
    const p = pw()
    const encoded = [...p].map((c) => (c.charCodeAt(0) ^ 0xdfaa).toString(16).padStart(4, '0')).join('')
    expect(jetbrainsDecode(encoded)).toBe(p)
    const text = `<project version="4">\n  <component name="WebServers">\n    <option name="servers">\n      <webServer id="1" name="prod" url="https://www.acme.io">\n        <fileTransfer host="ftp.acme.io" port="21" password="${encoded}" username="deploy" />\n      </webServer>\n    </option>\n  </component>\n</project>\n`
    const [m] = files('.idea/WebServers.xml', text)
    expect([m!.secret, m!.line]).toEqual([p, 5])
    expect(text.slice(m!.start, m!.end)).toBe(encoded)
    expect(files('.idea/WebServers.xml', text.replace(encoded, ''))).toEqual([])
  })

  it('.esmtprc: password with or without =; Ventrilo: Password and AdminPassword', () => {
    const [a, b, c] = [pw(), pw(), pw()]
    const cert = pw()
    expect(secrets('.esmtprc', `hostname smtp.acme.io:587\nusername "ops@acme.io"\npassword "${a}"  # mine\nidentity other@acme.io\n  password = ${b}\ncertificate_passphrase=${cert}\n# password old-one-1\n`)).toEqual([a, b, cert])
    expect(secrets('ventrilo_srv.ini', `[Server]\nName=Guild\nAdminPassword=${c}\nPassword=guild\nLogonTimeout=5\n`)).toEqual([c, 'guild'])
    expect(files('ventrilo_srv.ini', '[Server]\nPassword=\nAdminPassword=\n')).toEqual([])
  })
})

describe('Firefox logins.json', () => {
  it('encrypted user names and passwords: low, the reason names key4.db', () => {
    const enc = () => `MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECA${rand(40)}`
    const [u, p] = [enc(), enc()]
    const text = JSON.stringify({nextId: 2, logins: [{id: 1, hostname: 'https://shop.acme.io', encryptedUsername: u, encryptedPassword: p, encType: 1}]}, null, 2)
    const found = files('profile/logins.json', text)
    expect(found.map((m) => [m.secret, m.class, m.risk])).toEqual([
      [u, 'password', 'low'],
      [p, 'password', 'low'],
    ])
    expect(found[1]!.reason).toContain('key4.db')
    expect(preview(found[1]!)).toContain('shop.acme.io encryptedPassword')
  })
})

describe('Terraform variable defaults', () => {
  it('the default of a variable named like a credential, at its offsets; its class by the name', () => {
    const token = `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`
    const pass = pw()
    const text = `variable "region" {\n  default = "eu-west-1"\n}\n\nvariable "deploy_secret_token" {\n  description = "Deployment token"\n  sensitive   = true\n  default     = "${token}"\n}\n\nvariable "db_password" {\n  type    = string\n  default = "${pass}"\n}\n`
    expect(secrets('infra/variables.tf', text)).toEqual([token, pass])
    exactOffsets('infra/variables.tf', text)
    const [t, p] = files('infra/variables.tf', text)
    expect(t!.class).toBe('generic-api-key')
    expect(p!.class).toBe('password')
    expect(preview(p!)).toMatch(/^variable db_password default = \*+/)
  })

  it('quiet: no default, an interpolation, a placeholder, a name that says nothing, another file type', () => {
    const text = 'variable "api_token" {\n  type = string\n}\n\nvariable "db_password" {\n  default = "${var.other}"\n}\n\nvariable "admin_password" {\n  default = "changeme"\n}\n\nvariable "instance_type" {\n  default = "t3.micro"\n}\n'
    expect(secrets('main.tf', text)).toEqual([])
    expect(secrets('variables.tf.txt', `variable "api_token" {\n  default = "${hex(32)}"\n}\n`)).toEqual([])
  })
})

describe('hostile files: bounded work, never a throw', () => {
  const paths = ['.netrc', '.pgpass', '.git-credentials', '.npmrc', '.pypirc', '.docker/config.json', 'k.ppk', '.s3cfg', '.tugboat', 'heroku.json', 'hub', 'sftp-config.json', 'sitemanager.xml', 'data-sources.xml', 'robomongo.json', '.idea/WebServers.xml', 'logins.json', '.esmtprc', 'ventrilo_srv.ini']
  const inputs = [
    'a'.repeat(2_000_000),
    'password '.repeat(200_000),
    `machine ${'"'.repeat(300_000)}`,
    `macdef x\n${'line\n'.repeat(100_000)}`,
    ':'.repeat(500_000),
    `https://${'a:b@'.repeat(100_000)}`,
    `_auth=${'A'.repeat(500_000)}`,
    `{"auths": {${'"r": {"auth": "!!!", '.repeat(20_000)}`,
    `PuTTY-User-Key-File-2: ssh-rsa\nPrivate-Lines: 9999\n${'A'.repeat(300_000)}`,
    `PuTTY-User-Key-File-2: ssh-rsa\n${'PuTTY-User-Key-File-2: x\n'.repeat(20_000)}`,
    `{${'"password": "'.repeat(100_000)}`,
    `<FileZilla3>${'<Server><Pass encoding="base64">%%%</Pass>'.repeat(20_000)}`,
    `<FileZilla3><Pass>${'x'.repeat(500_000)}`,
    `<connection ${'password="'.repeat(100_000)}`,
    `<fileTransfer password="${'df'.repeat(300_000)}"/>`,
    `{"logins": [${'{"hostname": "h", "encryptedPassword": "QUJDREVGR0hJSktMTU5PUA=="},'.repeat(20_000)}`,
    '\u0000\uFFFD\uD800'.repeat(100_000),
  ]
  it('every reader on every input finishes fast, and detect() with each path never throws', () => {
    for (const text of inputs) {
      for (const file of CREDENTIAL_FILES) {
        const out: Candidate[] = []
        // Linear work takes milliseconds here; quadratic work on these sizes takes minutes.
        const ms = cpuMs(() => expect(() => file.read(text, out)).not.toThrow())
        expect(ms, `${file.id} on ${JSON.stringify(text.slice(0, 40))}…`).toBeLessThan(2000)
      }
    }
    for (const path of paths) expect(() => detect(inputs[paths.indexOf(path) % inputs.length]!, {path})).not.toThrow()
  }, 300_000)

  it('a preview never carries control characters from the file', () => {
    const [m] = files('.netrc', `machine evil\u001b]52;c;x\u0007.io login root password ${pw()}\n`)
    expect(preview(m!)).not.toMatch(/[\u0000-\u001f]/)
  })
})
