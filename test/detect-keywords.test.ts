import {randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {detect, type Match} from '../src/detect/engine.js'
import {passWordAt} from '../src/detect/generic.js'
import {isPlaceholderValue} from '../src/detect/placeholder.js'
import {fingerprint} from './helpers/fingerprint.js'
import {cpuMs} from './helpers/cpu.js'

// Keyword assignments, placeholders and login calls: each true positive beside the
// look-alike from real code that must stay quiet. Values are generated per run where the
// point is the syntax; fixed weak values where the point is that weak passwords count.

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const rand = (n: number) => [...randomBytes(n)].map((b) => B62[b % 62]).join('')
/**
 * A password a person might choose: letters and digits, not random-looking. Its eight characters are
 * distinct: with repeats (`Treqrer9`, 1 in 700 draws) it would fall under the entropy floor of 2.2 that
 * short typed values are held to (generic.ts), and the test would fail by chance.
 */
function pw(): string {
  const middle = [...new Set(rand(24))].filter((c) => !'Tr9'.includes(c)).slice(0, 5).join('')
  return `Tr${middle}9`
}

/** What a failing assertion may print about a match: never its value. */
const summary = (m: Match) => ({rule: m.rule, class: m.class, line: m.line, fingerprint: fingerprint(m.secret)})
const found = (text: string, path?: string) => detect(text, {path}).map(summary)
const one = (cls: string, secret: string) => [expect.objectContaining({class: cls, fingerprint: fingerprint(secret)})]

describe('names with pass, passphrase, pwd, pass_word, secret_key', () => {
  const cases: [string, (s: string) => string, string | undefined][] = [
    ['MLAB_PASS in a shell profile', (s) => `export MLAB_PASS='${s}'`, '.bash_profile'],
    ['camelCase passphrase in JSON', (s) => `{"sshPassphrase" : "${s}"}`, 'tunnel.json'],
    ['"pass" in JSON', (s) => `{"user": "root", "pass": "${s}"}`, '.ftpconfig'],
    ['PASS_WORD', (s) => `PASS_WORD=${s}`, '.env'],
    ['pass-word in YAML', (s) => `  smtp-pass-word: ${s}`, 'app.yaml'],
    ['passphrase in TOML', (s) => `key_passphrase = "${s}"`, 'deploy.toml'],
    ['passcode in PHP', (s) => `$config['db'][$passcode] = '${s}';`, 'config.php'],
    ['pwd', (s) => `DB_PWD=${s}`, '.env'],
    ['SECRET_KEY in Python', (s) => `SECRET_KEY = '${s}'`, 'settings.py'],
    ['dotted name in .properties', (s) => `spring.datasource.password = ${s}`, 'application.properties'],
    ['colon in .properties', (s) => `jdbc.pass: ${s}`, 'jdbc.properties'],
    ['INI with sections', (s) => `[server]\nhost = db1\n\n[smtp]\nPass=${s}\n`, 'srv.ini'],
    ['XML element', (s) => `<Server><Host>h</Host><Pass>${s}</Pass></Server>`, 'sites.xml'],
    ['XML attribute', (s) => `<login user="deploy" password="${s}" />`, 'settings.xml'],
  ]
  for (const [name, line, path] of cases) {
    it(name, () => {
      // A secret key is generated (at least 10 characters); a password may be short and typed.
      const secretKey = name.startsWith('SECRET_KEY')
      const s = secretKey ? rand(32) : pw()
      // SECRET_KEY in settings.py is Django's, whose rule outranks the generic one.
      const cls = secretKey ? 'jwt-signing-key' : 'password'
      expect(found(line(s), path)).toEqual(one(cls, s))
    })
  }

  it('a base64 XML element is decoded: the fingerprint is the real value, the offsets the base64 text', () => {
    const s = pw()
    const b64 = Buffer.from(s).toString('base64')
    const text = `<Server>\n  <Pass encoding="base64">${b64}</Pass>\n</Server>`
    const [m] = detect(text, {path: 'sites.xml'})
    expect(summary(m!)).toEqual({rule: 'generic-assignment', class: 'password', line: 2, fingerprint: fingerprint(s)})
    expect(text.slice(m!.start, m!.end)).toBe(b64)
  })

  it('pass inside another word, or before another word, is not a name of a password', () => {
    const v = pw()
    for (const text of [`bypass = "${v}"`, `compass: "${v}"`, `passive_mode = "${v}"`, `passenger_name = "${v}"`, `pass_through = "${v}"`, `passThrough: "${v}"`, `encompass="${v}"`]) {
      expect(found(text, 'x.yaml'), text.replace(v, '<v>')).toEqual([])
    }
    const at = (t: string) => passWordAt(t, t.toLowerCase().indexOf('pass'))
    expect([at('MLAB_PASS='), at('sshPassphrase'), at('"pass":'), at('PASS_WORD'), at('dbpassword'), at('pass2=')]).toEqual([true, true, true, true, true, true])
    expect([at('bypass'), at('passive'), at('pass_through'), at('passThrough'), at('compass')]).toEqual([false, false, false, false, false])
  })
})

describe('syntaxes where a space is the operator, flags, and defaults of references', () => {
  const key = () => `${rand(20)}7`
  const cases: [string, (s: string) => string, string, string][] = [
    ['Dockerfile ENV without =', (s) => `FROM alpine\nENV APIKEY ${s}\n`, 'Dockerfile', 'generic-api-key'],
    ['nginx set', (s) => `server {\n\tset $apikey ${s};\n}`, 'nginx.conf', 'generic-api-key'],
    ['nginx header value', (s) => `\tproxy_set_header x-apikey ${s};`, 'site.conf', 'generic-api-key'],
    ['Gradle credentials block', (s) => `credentials {\n  username "root"\n  password "${s}"\n}`, 'build.gradle', 'password'],
    ['a --flag and its value', (s) => `curl --tlspassword ${s} https://host`, 'get.sh', 'password'],
    ['the default of a shell reference', (s) => `export SERVICE_API_TOKEN=\${API_TOKEN:-${s}}`, 'run.sh', 'generic-api-key'],
    ['userpass in a query string', (s) => `jdbc:mysql://db/app?user=admin&userpass=${s}`, 'uri.yml', 'password'],
    ['keypass (a Java keystore)', (s) => `keypass=${s}`, 'signing.properties', 'password'],
  ]
  for (const [name, line, path, cls] of cases) {
    it(name, () => {
      const s = key()
      expect(found(line(s), path)).toEqual(one(cls, s))
    })
  }

  it('prose, references and other words are not', () => {
    const v = key()
    for (const [text, path] of [
      [`Password reset ${v}`, 'README.md'],
      ['ENV APIKEY $APIKEY', 'Dockerfile'],
      ['ENV APIKEY {{ APIKEY }}', 'Dockerfile'],
      [`password reset link sent to ${v} today`, 'notes.conf'],
      ['export SERVICE_API_TOKEN="${API_TOKEN}"', 'run.sh'],
      ['export SERVICE_API_TOKEN=${API_TOKEN:-$FALLBACK}', 'run.sh'],
      [`bypass=${v}`, 'app.properties'],
    ] as const) {
      expect(found(text, path), text.replace(v, '<v>')).toEqual([])
    }
  })
})

describe('values that mention their own kind are values; placeholders are whole values', () => {
  it('passwords that contain a credential word are reported', () => {
    for (const [text, path] of [
      ['Password=UserPassword123', 'srv.ini'],
      ['AdminPassword=AdminPassword123', 'srv.ini'],
      ['password = "OhYeahThisIS1SecrEtPas"', 'db.py'],
      ["export HEROKU_API_KEY='sampleHerokuKey'", '.bash_profile'],
      ['MLAB_PASS=password123', '.env'],
    ] as const) {
      const secret = text.replace(/^[^=]*=\s*["']?|["']$/g, '')
      expect(found(text, path).map((m) => m.fingerprint), text).toEqual([fingerprint(secret)])
    }
  })

  it('whole-value placeholders are not', () => {
    for (const text of [
      'password: changeme',
      'password: <password>',
      'password: ${DB_PASSWORD}',
      'password: "{{ .Values.password }}"',
      'password: "{ password }"',
      'api_key: xxxxxxxxxxxxxxxx',
      'api_key: "****************"',
      'password: some-password',
      'api_key: your_api_key_here',
      'client_secret: "secret-token"',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'SessionToken: "AQoDYXdzEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQ"',
      'clientSecret: "VERYLONGSECRETeyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6"',
    ]) {
      expect(found(text, 'app.yaml'), text).toEqual([])
    }
    expect([isPlaceholderValue('UserPassword123', true), isPlaceholderValue('dummy-pass', true), isPlaceholderValue('enter-password-here', true)]).toEqual([false, false, true])
  })

  it('short passwords count where a value is always a value: config files and PHP define()', () => {
    expect(found('DB_PASSWORD=admin', '.env')).toEqual(one('password', 'admin'))
    // WordPress's own rule outranks the generic one there; a define() of another PHP app is the generic rule's.
    expect(found("define('DB_PASSWORD', 'admin');", 'wp-config.php')).toEqual(one('database-password', 'admin'))
    expect(found("define('SMTP_PASSWORD', 'admin');", 'config.php')).toEqual(one('password', 'admin'))
    // In code, a five-letter string beside a password name is a label or a test's input more often than a secret.
    expect(found('const password = "admin"', 'login.ts')).toEqual([])
    expect(found('DB_PASSWORD=', '.env')).toEqual([])
  })
})

describe('a password as a positional argument of a known login call or command', () => {
  const cases: [string, (s: string) => string, string][] = [
    ['conn.login (jsforce)', (s) => `conn.login('user@corp.test', '${s}', function (err) {})`, 'sf.js'],
    ['smtp.login (Python)', (s) => `server.login(user, "${s}")`, 'mail.py'],
    ['ftp.login', (s) => `ftp.login("deploy", "${s}")`, 'up.py'],
    ['ldap_bind (PHP)', (s) => `ldap_bind($ds, $dn, "${s}");`, 'auth.php'],
    ['simple_bind_s (python-ldap)', (s) => `conn.simple_bind_s("cn=admin,dc=corp", "${s}")`, 'ldap.py'],
    ['mysql -p', (s) => `mysql -u root -p${s} appdb < dump.sql`, 'restore.sh'],
    ['mysqldump -p quoted', (s) => `mysqldump -uroot -p"${s}" appdb > x.sql`, 'backup.sh'],
    ['mysql --password=', (s) => `mysql --user=root --password=${s} appdb`, 'run.sh'],
    ['sshpass -p', (s) => `sshpass -p '${s}' ssh deploy@host`, 'deploy.sh'],
    ['ldapsearch -w', (s) => `ldapsearch -x -D cn=admin,dc=corp -w ${s} -b dc=corp`, 'q.sh'],
  ]
  for (const [name, line, path] of cases) {
    it(name, () => {
      const s = pw()
      expect(found(line(s), path)).toEqual(one('password', s))
    })
  }

  it('calls without a literal password, and prompts, are not', () => {
    for (const text of [
      'self.login(username, password)',
      'conn.login(user, process.env.SF_PASSWORD)',
      'ftp.login("anonymous", "")',
      'mysql -u root -p appdb',
      'mysql -u root -P 3306 -h db appdb',
      'sshpass -p "$SSHPASS" ssh host',
      'sshpass -e ssh host',
      'ldapsearch -x -W -D cn=admin',
    ]) {
      expect(found(text, 'x.sh'), text).toEqual([])
    }
  })

  it('stays linear on repeated keywords', () => {
    for (const text of ['mysql '.repeat(60_000), '.login('.repeat(60_000), `sshpass -p ${'x'.repeat(300_000)}`, `<Pass ${'a'.repeat(300_000)}`, 'pass'.repeat(100_000)]) {
      expect(cpuMs(() => detect(text)), text.slice(0, 12)).toBeLessThan(5000)
    }
  })
})

describe('real code that is not a secret', () => {
  const negatives: [string, string][] = [
    ['SecretTypeDockercfg SecretType = "kubernetes.io/dockercfg"', 'types.go'],
    ['SecretTypeBasicAuth SecretType = "kubernetes.io/basic-auth"', 'types.go'],
    ['SecretTypeTLS SecretType = "kubernetes.io/tls"', 'types.go'],
    ['SecretTypeServiceAccountToken SecretType = "kubernetes.io/service-account-token"', 'types.go'],
    ['SecretTypeBootstrapToken SecretType = "bootstrap.kubernetes.io/token"', 'types.go'],
    ['PasswordField = "password"', 'form.go'],
    ['TokenHeader = "X-Auth-Token"', 'client.go'],
    ['const SECRET_PATH = "/etc/secrets/db"', 'paths.js'],
    ['const secretStore = "dev/db/credentials"', 'store.ts'],
    ['tokenType = "Bearer"', 'auth.py'],
    ['ContentType: "application/x-secret"', 'mime.ts'],
    ['secretMime = "application/vnd.secret+json"', 'mime.go'],
    ['  gmsaCredentialSpec: gmsaCredentialSpecValue', 'pod.yaml'],
    ['  secretNamespace: secretNamespaceValue', 'pv.yaml'],
    ['\trepeatedStringForTokenRequests := "[]TokenRequest{"', 'generated.pb.go'],
    ["__all__ = ['HTTPPasswordMgr', 'HTTPPasswordMgrWithDefaultRealm', 'pass', 'public']", 'request.py'],
    ["valid_token_types = ('access_token', 'refresh_token')", 'introspect.py'],
    ["SECRET_KEY = 'AWSSecretKey'", 'credentials.py'],
    ["keywords = ['pass', 'return', 'pwd', 're_syntax']", 'lexer.py'],
  ]
  for (const [text, path] of negatives) it(text, () => expect(found(text, path)).toEqual([]))

  it('a docker config fixture built from obvious words is not registry credentials; a real one is', () => {
    const cfg = (userPass: string) => `{"auths":{"https://index.docker.io/v1/":{"auth":"${Buffer.from(userPass).toString('base64')}","email":"a@b.test"}}}`
    expect(found(`data := []byte(\`${cfg('bob:password')}\`)`, 'validation_test.go')).toEqual([])
    expect(found(`data := []byte(\`${cfg('robot:secret')}\`)`, 'validation_test.go')).toEqual([])
    const real = `robot$ci:${rand(24)}`
    expect(found(cfg(real), 'config.json')).toEqual([expect.objectContaining({class: 'docker-config', fingerprint: fingerprint(Buffer.from(real).toString('base64'))})])
  })
})
