import {createHash, randomBytes} from 'node:crypto'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {detect, type Match, matchFindingBase} from '../src/detect/engine.js'
import {json, leakctl, tempDir} from './helpers/cli.js'
import {fingerprint, TEST_FINGERPRINTER, workspaceFingerprint} from './helpers/fingerprint.js'
import {TestRepo} from './helpers/git.js'

// Framework secrets and password hashes, with the look-alikes beside them that
// must stay quiet. Every sample is built here from the format's documentation
// with fresh random bytes; a failing assertion shows fingerprints, never a value.

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const CRYPT = `./${B62}`
function rand(n: number, alphabet = B62): string {
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('')
}
const hex = (n: number) => rand(n, '0123456789abcdef')
/** WordPress's salt generator alphabet (wp_generate_password with special characters). */
const wpSalt = () => rand(64, `${B62}!@#$%^&*()-_ []{}<>~\`+=,.;:/?|`)

const summary = (m: Match) => ({rule: m.rule, class: m.class, risk: m.risk, line: m.line, fingerprint: fingerprint(m.secret)})
const fps = (ms: Match[]) => ms.map((m) => fingerprint(m.secret))

const bcrypt = (v = '2y', cost = '10') => `$${v}$${cost}$${rand(53, CRYPT)}`
const sha512crypt = (rounds?: number) => `$6$${rounds ? `rounds=${rounds}$` : ''}${rand(16, CRYPT)}$${rand(86, CRYPT)}`
const sha256crypt = () => `$5$${rand(12, CRYPT)}$${rand(43, CRYPT)}`
const md5crypt = (id = '1') => `$${id}$${rand(8, CRYPT)}$${rand(22, CRYPT)}`
const yescrypt = () => `$y$j9T$${rand(22, CRYPT)}$${rand(43, CRYPT)}`
const argon2id = () => `$argon2id$v=19$m=65536,t=3,p=4$${randomBytes(16).toString('base64').replace(/=+$/, '')}$${randomBytes(32).toString('base64').replace(/=+$/, '')}`
/** RFC 2307 {SHA} and {SSHA} exactly as `htpasswd -s` and slappasswd compute them. */
const ldapSha = (pw = rand(10)) => `{SHA}${createHash('sha1').update(pw).digest('base64')}`
const ldapSsha = (pw = rand(10)) => {
  const salt = randomBytes(8)
  return `{SSHA}${Buffer.concat([createHash('sha1').update(pw).update(salt).digest(), salt]).toString('base64')}`
}

describe('framework secrets', () => {
  const WP_KEYS = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT']
  const wpLine = (name: string, v: string) => `define( '${name}',${' '.repeat(18 - name.length)}'${v}' );`

  it('wp-config.php: all eight keys and salts, and a short DB_PASSWORD; names, hosts and the sample placeholders stay quiet', () => {
    const salts = WP_KEYS.map(() => wpSalt())
    const text = [
      '<?php',
      "define( 'DB_NAME', 'wordpress' );",
      "define( 'DB_USER', 'wp' );",
      "define( 'DB_PASSWORD', 'admin' );",
      "define( 'DB_HOST', 'localhost' );",
      ...WP_KEYS.map((k, i) => wpLine(k, salts[i]!)),
      "$table_prefix = 'wp_';",
    ].join('\n')
    const found = detect(text, {path: 'public_html/wp-config.php'})
    expect(found.map(summary)).toEqual([
      {rule: 'wordpress-db-password', class: 'database-password', risk: 'high', line: 4, fingerprint: fingerprint('admin')},
      ...salts.map((s, i) => ({rule: 'wordpress-auth-key', class: 'jwt-signing-key', risk: 'high', line: 6 + i, fingerprint: fingerprint(s)})),
    ])
  })

  it("wp-config-sample.php: `put your unique phrase here`, a translated phrase, 'password_here', getenv() and empty values are not secrets", () => {
    const text = [
      "define( 'DB_PASSWORD', 'password_here' );",
      ...WP_KEYS.map((k) => wpLine(k, 'put your unique phrase here')),
      wpLine('AUTH_KEY', 'mettez une phrase unique ici'),
      "define( 'NONCE_SALT', getenv('WP_NONCE_SALT') );",
      "define( 'AUTH_SALT', '' );",
      "define( 'DB_PASSWORD', getenv('WORDPRESS_DB_PASSWORD') );",
    ].join('\n')
    expect(detect(text, {path: 'wp-config-sample.php'}).map(summary)).toEqual([])
  })

  it('Laravel .env: APP_KEY=base64:… is an app master key (preview: the base64: prefix only); empty and old defaults are not', () => {
    const key = `base64:${randomBytes(32).toString('base64')}`
    const [m, ...rest] = detect(`APP_NAME=Shop\nAPP_KEY=${key}\nAPP_DEBUG=false\n`, {path: '.env'})
    expect(rest).toEqual([])
    expect(summary(m!)).toEqual({rule: 'laravel-app-key', class: 'app-master-key', risk: 'critical', line: 2, fingerprint: fingerprint(key)})
    expect(matchFindingBase(m!, TEST_FINGERPRINTER).preview).toBe('base64:******** (51 chars)')
    for (const quiet of ['APP_KEY=', 'APP_KEY=SomeRandomString', "'key' => env('APP_KEY'),", 'APP_KEY=${LARAVEL_KEY}', 'APP_KEY=base64:', "define( 'AUTH_KEY', '${WP_AUTH_KEY:-$(openssl rand -base64 48)}' );", "define( 'NONCE_SALT', '$(vault kv get -field=nonce_salt secret/wp)' );"])
      expect(detect(quiet, {path: '.env'}).map(summary), quiet).toEqual([])
  })

  it('Rails: config/master.key (the whole file) and per-environment keys are app master keys; the same bytes elsewhere, or not 32 hex, are not', () => {
    const key = hex(32)
    for (const path of ['config/master.key', 'web/app/config/master.key', 'config/credentials/production.key']) {
      const found = detect(`${key}\n`, {path})
      expect(found.map(summary), path).toEqual([{rule: 'rails-master-key-file', class: 'app-master-key', risk: 'critical', line: 1, fingerprint: fingerprint(key)}])
      expect(found[0]!.reason).toMatch(/credentials.*\.yml\.enc/)
    }
    expect(detect(`${key}\n`, {path: 'notes/build-id.txt'})).toEqual([])
    expect(detect(`${hex(30)}\n`, {path: 'config/master.key'})).toEqual([])
    expect(detect(`${key}\n${hex(32)}\n`, {path: 'config/master.key'})).toEqual([])
    expect(detect('0'.repeat(32), {path: 'config/master.key'})).toEqual([])
    const env = hex(32)
    expect(detect(`RAILS_MASTER_KEY=${env}`, {path: 'deploy/.env.production'}).map(summary)).toEqual([{rule: 'rails-master-key', class: 'app-master-key', risk: 'critical', line: 1, fingerprint: fingerprint(env)}])
  })

  it('Rails: secret_key_base in secrets.yml (128 hex) signs sessions; ERB lookups are not secrets', () => {
    const dev = hex(128)
    const text = `development:\n  secret_key_base: ${dev}\n\nproduction:\n  secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>\n`
    expect(detect(text, {path: 'config/secrets.yml'}).map(summary)).toEqual([{rule: 'rails-secret-key-base', class: 'jwt-signing-key', risk: 'high', line: 2, fingerprint: fingerprint(dev)}])
    const token = hex(128)
    expect(detect(`Shop::Application.config.secret_token = '${token}'`, {path: 'config/initializers/secret_token.rb'}).map((m) => m.rule)).toEqual(['rails-secret-key-base'])
  })

  it('Django: SECRET_KEY in settings.py, the django-insecure- prefix included; environment lookups and placeholders are not', () => {
    const key = `django-insecure-${rand(50, 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)')}`
    expect(detect(`DEBUG = True\nSECRET_KEY = '${key}'\n`, {path: 'mysite/settings.py'}).map(summary)).toEqual([
      {rule: 'django-secret-key', class: 'jwt-signing-key', risk: 'high', line: 2, fingerprint: fingerprint(key)},
    ])
    const raw = rand(50, 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)')
    expect(fps(detect(`SECRET_KEY = "${raw}"`, {path: 'settings/prod.py'}))).toEqual([fingerprint(raw)])
    for (const quiet of ["SECRET_KEY = os.environ['DJANGO_SECRET_KEY']", 'SECRET_KEY = os.environ.get("SECRET_KEY")', "SECRET_KEY = ''", "SECRET_KEY = 'changeme'", "SECRET_KEY = '<your-secret-key>'", 'SECRET_KEY = get_random_secret_key()'])
      expect(detect(quiet, {path: 'settings.py'}).map(summary), quiet).toEqual([])
  })

  it("Flask: app.secret_key and app.config['SECRET_KEY']; os.urandom() and the tutorial's 'dev' are not", () => {
    const a = `_${hex(30)}`
    const b = rand(32)
    const text = `app = Flask(__name__)\napp.secret_key = b'${a}'\napp.config['SECRET_KEY'] = "${b}"\napp.config["SECRET_KEY"] = os.urandom(24)\napp.config.from_mapping(SECRET_KEY='dev')\n`
    expect(detect(text, {path: 'app.py'}).map(summary)).toEqual([
      {rule: 'flask-secret-key', class: 'jwt-signing-key', risk: 'high', line: 2, fingerprint: fingerprint(a)},
      {rule: 'flask-secret-key', class: 'jwt-signing-key', risk: 'high', line: 3, fingerprint: fingerprint(b)},
    ])
  })

  it('Symfony: APP_SECRET in .env; empty, %env()% and the old ThisTokenIsNotSoSecretChangeIt default are not', () => {
    const s = hex(32)
    expect(detect(`APP_ENV=prod\nAPP_SECRET=${s}\n`, {path: '.env.local'}).map(summary)).toEqual([{rule: 'symfony-app-secret', class: 'jwt-signing-key', risk: 'high', line: 2, fingerprint: fingerprint(s)}])
    for (const quiet of ['APP_SECRET=', 'APP_SECRET=ThisTokenIsNotSoSecretChangeIt', "secret: '%env(APP_SECRET)%'", 'APP_SECRET=${SYMFONY_SECRET}'])
      expect(detect(quiet, {path: '.env'}).map(summary), quiet).toEqual([])
  })
})

describe('password hashes in any text', () => {
  const schemes: [string, () => string, RegExp, boolean][] = [
    ['bcrypt $2y$', () => bcrypt('2y', '12'), /^\$2y\$12\$\*\*\*\*$/, false],
    ['bcrypt $2b$', () => bcrypt('2b', '10'), /^\$2b\$10\$\*\*\*\*$/, false],
    ['bcrypt $2a$', () => bcrypt('2a', '08'), /^\$2a\$08\$\*\*\*\*$/, false],
    ['SHA-512 crypt', () => sha512crypt(), /^\$6\$\*\*\*\*$/, false],
    ['SHA-512 crypt, rounds=', () => sha512crypt(656000), /^\$6\$rounds=656000\$\*\*\*\*$/, false],
    ['SHA-256 crypt', sha256crypt, /^\$5\$\*\*\*\*$/, false],
    ['MD5 crypt', () => md5crypt('1'), /^\$1\$\*\*\*\*$/, true],
    ['Apache apr1', () => md5crypt('apr1'), /^\$apr1\$\*\*\*\*$/, true],
    ['yescrypt', yescrypt, /^\$y\$j9T\$\*\*\*\*$/, false],
    ['argon2id', argon2id, /^\$argon2id\$v=19\$m=65536,t=3,p=4\$\*\*\*\*$/, false],
    ['{SHA}', () => ldapSha(), /^\{SHA\}\*\*\*\*$/, true],
    ['{SSHA}', () => ldapSsha(), /^\{SSHA\}\*\*\*\*$/, true],
  ]
  for (const [name, make, preview, fast] of schemes) {
    it(`${name}: class password-hash, medium; the preview shows the scheme and its cost, never salt or hash`, () => {
      const h = make()
      const found = detect(`users:\n  - name: ops\n    hash: "${h}"\n`, {path: 'seed/users.yaml'})
      expect(found.map(summary)).toEqual([{rule: 'password-hash', class: 'password-hash', risk: 'medium', line: 3, fingerprint: fingerprint(h)}])
      const base = matchFindingBase(found[0]!, TEST_FINGERPRINTER)
      expect(base.preview).toMatch(preview)
      expect(base.rotation).toBe('generic-secret')
      expect(found[0]!.reason).toMatch(/crackable offline, rotate the password/)
      expect(/fast hash/.test(found[0]!.reason), 'a fast hash says so').toBe(fast)
    })
  }

  it('an SQL dump: each row’s hash with the account name of its row, in the reason and the preview', () => {
    const rows = ['alice', 'bob.smith', 'carol'].map((u, i) => ({u, h: bcrypt('2y', '12'), i}))
    const text = `INSERT INTO \`users\` (\`id\`, \`username\`, \`password\`, \`active\`) VALUES\n${rows.map(({u, h, i}) => `(${i + 1}, '${u}', '${h}', 1)`).join(',\n')};\n`
    const found = detect(text, {path: 'db/dump.sql'})
    expect(found.map(summary)).toEqual(rows.map(({h, i}) => ({rule: 'password-hash', class: 'password-hash', risk: 'medium', line: i + 2, fingerprint: fingerprint(h)})))
    expect(found.map((m) => matchFindingBase(m, TEST_FINGERPRINTER).preview)).toEqual(['alice:$2y$12$****', 'bob.smith:$2y$12$****', 'carol:$2y$12$****'])
    expect(found[0]!.reason).toMatch(/of account alice/)
  })

  it('JSON fixtures: the user field on the same line names the account', () => {
    const h = sha512crypt()
    const [m] = detect(`[{"username": "deploy", "password_hash": "${h}"}]`, {path: 'fixtures/users.json'})
    expect(matchFindingBase(m!, TEST_FINGERPRINTER).preview).toBe('deploy:$6$****')
  })

  it('the hash rule wins over the generic password assignment it sits in (format > generic)', () => {
    for (const [text, path] of [
      [`password: "${bcrypt()}"`, 'config/users.yml'],
      [`ADMIN_PASSWORD=${md5crypt('apr1')}`, '.env'],
      [`{"password": "${sha512crypt()}"}`, 'seed.json'],
    ] as const) {
      const found = detect(text, {path})
      expect(found.map((m) => [m.rule, m.class]), text.slice(0, 12)).toEqual([['password-hash', 'password-hash']])
    }
  })

  it('look-alikes: truncated, over-long, bad cost, filler bodies, $1 in shell, wrong-length {SHA}, a hash inside a longer token', () => {
    const quiet = [
      `'${bcrypt().slice(0, -1)}'`, // 52 characters after the cost
      `'${bcrypt()}x'`, // one too many
      `'$2y$99$${rand(53, CRYPT)}'`, // no such cost
      `'$2y$10$${'a'.repeat(53)}'`, // a template
      `'$6$${rand(8, CRYPT)}$${rand(85, CRYPT)}'`,
      `'$5$${rand(8, CRYPT)}$${rand(86, CRYPT)}'`, // a SHA-512 length behind the SHA-256 id
      'echo "$1$2$3" > out; printf "%s" "$1$HOME"',
      `{SHA}${randomBytes(24).toString('base64')}`, // 24 bytes: not a SHA-1 digest
      `{SSHA}${randomBytes(20).toString('base64')}`, // a salted hash without its salt
      `x${bcrypt()}`,
      '$2y$10$ is the bcrypt prefix PHP writes; password_hash() returns 60 characters',
    ]
    for (const q of quiet) expect(detect(q, {path: 'notes.md'}).map(summary), q.slice(0, 20)).toEqual([])
  })
})

describe('account files: shadow, htpasswd, proftpd, passwd', () => {
  it('/etc/shadow: hashed accounts with their names; *, !, !!, empty and x fields are not findings; a !-locked hash still is', () => {
    const root = sha512crypt()
    const ubuntu = yescrypt()
    const old = sha256crypt()
    const des = rand(13, CRYPT)
    const text = [
      `root:${root}:19700:0:99999:7:::`,
      'daemon:*:19700:0:99999:7:::',
      'nobody:!:19700:0:99999:7:::',
      'sshd:!!:19700::::::',
      'guest::19700:0:99999:7:::',
      `ubuntu:${ubuntu}:19701:0:99999:7:::`,
      `olduser:!${old}:19000:0:99999:7:::`,
      `legacy:${des}:12000:0:99999:7:::`,
    ].join('\n')
    const found = detect(text, {path: 'etc/shadow'})
    expect(found.map(summary)).toEqual([
      {rule: 'password-hash', class: 'password-hash', risk: 'medium', line: 1, fingerprint: fingerprint(root)},
      {rule: 'password-hash', class: 'password-hash', risk: 'medium', line: 6, fingerprint: fingerprint(ubuntu)},
      {rule: 'password-hash', class: 'password-hash', risk: 'medium', line: 7, fingerprint: fingerprint(old)},
      {rule: 'password-hash', class: 'password-hash', risk: 'medium', line: 8, fingerprint: fingerprint(des)},
    ])
    const previews = found.map((m) => matchFindingBase(m, TEST_FINGERPRINTER).preview)
    expect(previews).toEqual(['root:$6$****', 'ubuntu:$y$j9T$****', 'olduser:$5$****', 'legacy:****'])
    expect(found[2]!.reason).toMatch(/locked/)
    expect(found[3]!.reason).toMatch(/DES crypt.*first 8 characters.*fast hash/)
  })

  it('a 13-character DES-like field is a hash only in an account file', () => {
    const line = `legacy:${rand(13, CRYPT)}:12000:0:99999:7:::`
    expect(detect(line, {path: 'docs/notes.txt'})).toEqual([])
    expect(detect(line, {path: 'backup/shadow-'}).map((m) => m.rule)).toEqual(['password-hash'])
  })

  it('htpasswd: apr1, {SHA}, bcrypt and DES with the user; a plain-text password (htpasswd -p) is a password', () => {
    const hashes = [md5crypt('apr1'), ldapSha(), bcrypt('2y', '05'), rand(13, CRYPT)]
    const plain = `Pl41n-${rand(6)}`
    // Disabled and empty entries are not passwords.
    const text = `${['admin', 'web', 'ci', 'old'].map((u, i) => `${u}:${hashes[i]}`).join('\n')}\nwin:${plain}\ndisabled:*\nlocked:!\nempty:\n# a comment: here\n`
    const found = detect(text, {path: 'web/var/www/public_html/.htpasswd'})
    expect(found.map(summary)).toEqual([
      ...hashes.map((h, i) => ({rule: 'password-hash', class: 'password-hash', risk: 'medium', line: i + 1, fingerprint: fingerprint(h)})),
      {rule: 'htpasswd-plaintext', class: 'password', risk: 'high', line: 5, fingerprint: fingerprint(plain)},
    ])
    expect(found.map((m) => matchFindingBase(m, TEST_FINGERPRINTER).preview)).toEqual(['admin:$apr1$****', 'web:{SHA}****', 'ci:$2y$05$****', 'old:****', 'win:****'])
  })

  it('proftpd AuthUserFile (ftpasswd): user:hash:uid:gid:gecos:home:shell', () => {
    const h = md5crypt('1')
    const found = detect(`ftpuser:${h}:1001:1001::/srv/ftp:/bin/false\n`, {path: 'proftpdpasswd'})
    expect(found.map(summary)).toEqual([{rule: 'password-hash', class: 'password-hash', risk: 'medium', line: 1, fingerprint: fingerprint(h)}])
    expect(matchFindingBase(found[0]!, TEST_FINGERPRINTER).preview).toBe('ftpuser:$1$****')
    expect(detect(`ftpuser:${h}:1001:1001::/srv/ftp:/bin/false\n`, {path: 'etc/proftpd/ftpd.passwd'}).map((m) => m.rule)).toEqual(['password-hash'])
  })

  it('/etc/passwd with x in the password field has nothing; an account name with control characters is not echoed', () => {
    expect(detect('root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::/:/usr/sbin/nologin\n', {path: 'etc/passwd'})).toEqual([])
    const h = sha512crypt()
    const found = detect(`ev\u001b[2Jil:${h}:19700:0:99999:7:::`, {path: 'etc/shadow'})
    for (const m of found) expect(matchFindingBase(m, TEST_FINGERPRINTER).preview).not.toMatch(/\u001b/)
  })
})

describe('scan git reports them with the account, never the hash', () => {
  const tmp = tempDir('leakctl-fw-')
  afterAll(() => tmp.cleanup())

  it('a repository with etc/shadow, an SQL dump and config/master.key', () => {
    const repo = new TestRepo(join(tmp.dir, 'repo'))
    const root = sha512crypt()
    const row = bcrypt('2y', '12')
    const key = hex(32)
    repo.write('etc/shadow', `root:${root}:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\n`)
    repo.write('db/dump.sql', `INSERT INTO users VALUES\n(1, 'alice', '${row}', 1);\n`)
    repo.write('config/master.key', key)
    repo.commit('initial import')
    const ws = join(tmp.dir, 'ws')
    const r = leakctl(['scan', 'git', repo.dir, '--json'], {env: {LEAKCTL_WORKSPACE: ws}})
    expect(r.code).toBe(1)
    for (const secret of [root, row, key]) expect(r.stdout.includes(secret.slice(7)) || r.stderr.includes(secret.slice(7))).toBe(false)
    const found = json<{findings: {path: string; class: string; preview: string; fingerprint: string}[]}>(r).findings
    const by = (p: string) => found.filter((f) => f.path === p).map((f) => [f.class, f.preview, f.fingerprint])
    expect(by('etc/shadow')).toEqual([['password-hash', 'root:$6$****', workspaceFingerprint(ws, root)]])
    expect(by('db/dump.sql')).toEqual([['password-hash', 'alice:$2y$12$****', workspaceFingerprint(ws, row)]])
    expect(by('config/master.key').map(([c, , f]) => [c, f])).toEqual([['app-master-key', workspaceFingerprint(ws, key)]])
  })
})
