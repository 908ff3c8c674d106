import {entropy, isPlaceholder, lowVariety, SHIPPED_DEFAULTS} from './placeholder.js'
import type {Rule} from './rules.js'

// Secrets web frameworks keep in their own settings, by the names and value
// shapes their documentation and generators use. A framework's settings file
// is where the value is real: a short DB_PASSWORD in wp-config.php is the
// database's password, not an example.

/** A quoted PHP/Python string literal: the opening quote in `q`, the value (escapes kept) in `s`. */
const QUOTED = (min: number, max: number) => `(?<q>['"])(?<s>(?:(?!\\k<q>)[^\\n\\\\]|\\\\.){${min},${max}})\\k<q>`

/** Whole values that mark a slot to fill, beside the skeletons' shipped defaults (SHIPPED_DEFAULTS), in any case. */
const SHIPPED = new Set(SHIPPED_DEFAULTS.map((d) => d.toLowerCase()))
const KNOWN_PLACEHOLDERS = /^(?:password_here|your[-_ ]?secret[-_ ]?key(?:[-_ ]?here)?|secret[-_]?key|changeme|change[-_]?me|development|dev|test)$/i

/**
 * A template or lookup standing for the whole value: `${APP_KEY}`, `<%= ENV[...] %>`, `{{ secret }}`, `%kernel.secret%`, `<secret>`.
 * Inside `<…>` and `#{…}` only names and lookups: a generated WordPress key may start with `<` and end with `>`.
 */
const TEMPLATE = /^(?:\$\{[\w\s.:/=@'"?+$()-]*\}|\$\([\w\s.:/=@'"|$-]*\)|\$[A-Za-z_]\w*|<%=?[^%]*%>|\{\{[^}]*\}\}|%[\w.]+%|#\{[\w\s.'"[\]():-]*\}|<[\w\s.:/-]*>)$/

/**
 * Placeholders for framework settings. A generated key (long and varied, such as WordPress's 64
 * characters of punctuation) may hold `<…>` or a leading `$x` by chance, so there only masks and
 * examples count; short values get the full placeholder check for values people type.
 */
export function frameworkPlaceholder(value: string): boolean {
  const v = value.trim()
  if (v.length === 0 || SHIPPED.has(v.toLowerCase()) || KNOWN_PLACEHOLDERS.test(v) || TEMPLATE.test(v)) return true
  // Translated wp-config-sample.php phrases: only letters and spaces, four words or more.
  if (/^[\p{L}' ]+$/u.test(v) && v.split(/ +/).length >= 4) return true
  if (v.length >= 32 && entropy(v) >= 4) return /example|x{6,}|\*{6,}|change_?me|change_?it/i.test(v) // Django's alphabet has `*`: one key in 130,000 holds four in a row || lowVariety(v, true)
  return isPlaceholder(v, true)
}

const WORDPRESS_KEYS = '(?:SECURE_)?AUTH_KEY|LOGGED_IN_KEY|NONCE_KEY|(?:SECURE_)?AUTH_SALT|LOGGED_IN_SALT|NONCE_SALT'

export const FRAMEWORK_RULES: Rule[] = [
  {
    // https://developer.wordpress.org/apis/wp-config-php/#security-keys
    id: 'wordpress-auth-key',
    family: 'wordpress',
    class: 'jwt-signing-key',
    keywords: ['auth_key', 'auth_salt', 'logged_in_key', 'logged_in_salt', 'nonce_key', 'nonce_salt'],
    pattern: new RegExp(`\\bdefine\\(\\s{0,8}(['"])(?:${WORDPRESS_KEYS})\\1\\s{0,8},\\s{0,32}${QUOTED(1, 512)}`, 'g'),
    placeholder: frameworkPlaceholder,
    reason: 'a WordPress authentication key or salt: signs login cookies and nonces (sessions forged as any user, admins included)',
  },
  {
    // https://developer.wordpress.org/apis/wp-config-php/#database-configuration
    id: 'wordpress-db-password',
    family: 'wordpress',
    class: 'database-password',
    keywords: ['db_password'],
    pattern: new RegExp(`\\bdefine\\(\\s{0,8}(['"])DB_PASSWORD\\1\\s{0,8},\\s{0,32}${QUOTED(1, 256)}`, 'g'),
    placeholder: frameworkPlaceholder,
    typed: true,
    reason: 'the WordPress database password (wp-config.php)',
  },
  {
    // https://laravel.com/docs/encryption#configuration: `php artisan key:generate` writes base64 of 32 random bytes.
    id: 'laravel-app-key',
    family: 'laravel',
    class: 'app-master-key',
    keywords: ['app_key'],
    pattern: /\bAPP_KEY["']?\s{0,4}(?:=>|[=:,])\s{0,4}["']?(?<s>base64:[A-Za-z0-9+/]{22,86}={0,2}|[A-Za-z0-9]{32})(?![\w+/=])/g,
    placeholder: frameworkPlaceholder,
    // The cipher takes 16 or 32 bytes; hand-made keys of other lengths still unlock a misconfigured app's data.
    check: (s) => (s.startsWith('base64:') ? Buffer.from(s.slice(7), 'base64').length >= 16 : entropy(s) >= 3.5),
    reveal: 7,
    reason: 'a Laravel APP_KEY: decrypts every value the app encrypted and forges its encrypted cookies (old versions: remote code execution)',
  },
  {
    // https://guides.rubyonrails.org/security.html#custom-credentials: `bin/rails secret` prints 128 hex characters.
    id: 'rails-secret-key-base',
    family: 'rails',
    class: 'jwt-signing-key',
    keywords: ['secret_key_base', 'secret_token'],
    pattern: /\b(?:secret_key_base|secret_token)["']?\s{0,4}(?:=>|[=:])\s{0,4}["']?(?<s>[0-9a-f]{64,256})(?![0-9A-Za-z])/g,
    placeholder: frameworkPlaceholder,
    reason: 'a Rails secret_key_base: signs and encrypts cookies and sessions (sessions forged as any user)',
  },
  {
    // https://guides.rubyonrails.org/security.html#custom-credentials: RAILS_MASTER_KEY replaces config/master.key.
    id: 'rails-master-key',
    family: 'rails',
    class: 'app-master-key',
    keywords: ['rails_master_key'],
    pattern: /\bRAILS_MASTER_KEY["']?\s{0,4}[=:]\s{0,4}["']?(?<s>[0-9a-f]{32})(?![0-9A-Za-z])/g,
    placeholder: frameworkPlaceholder,
    reason: 'a Rails master key: decrypts config/credentials.yml.enc, every secret the app keeps there',
  },
  {
    // https://docs.djangoproject.com/en/stable/ref/settings/#secret-key; Flask reads the same name from its config module.
    id: 'django-secret-key',
    family: 'django',
    class: 'jwt-signing-key',
    keywords: ['secret_key'],
    pattern: new RegExp(`(?<![\\w.])SECRET_KEY\\s{0,4}=\\s{0,4}[rbuRBU]{0,2}${QUOTED(8, 512)}`, 'g'),
    placeholder: frameworkPlaceholder,
    // `SECRET_KEY = 'AWSSecretKey'`: a constant naming another setting, letters only and spelling the key's own words.
    check: (s) => !(/^[A-Za-z_]+$/.test(s) && /secret/i.test(s) && /key/i.test(s)),
    typed: true,
    reason: 'a Django or Flask SECRET_KEY: signs sessions, cookies and password-reset links (sessions forged as any user)',
  },
  {
    // https://flask.palletsprojects.com/en/stable/config/#SECRET_KEY
    id: 'flask-secret-key',
    family: 'flask',
    class: 'jwt-signing-key',
    keywords: ['secret_key'],
    pattern: new RegExp(`(?:\\.secret_key|\\.config\\[\\s{0,4}['"]SECRET_KEY['"]\\s{0,4}\\])\\s{0,4}=\\s{0,4}[rbuRBU]{0,2}${QUOTED(8, 512)}`, 'g'),
    placeholder: frameworkPlaceholder,
    typed: true,
    reason: 'a Flask secret key: signs the session cookie (sessions forged as any user)',
  },
  {
    // https://symfony.com/doc/current/reference/configuration/framework.html#secret
    id: 'symfony-app-secret',
    family: 'symfony',
    class: 'jwt-signing-key',
    keywords: ['app_secret'],
    pattern: /\bAPP_SECRET["']?\s{0,4}[=:]\s{0,4}["']?(?<s>[A-Za-z0-9]{16,128})(?![\w+/=])/g,
    placeholder: frameworkPlaceholder,
    // Symfony generates 32 hex digits; about 1 in 9,000 of those has an entropy under 3 (none of
    // 1,000,000 under 2.5), so hex is held to 2.5 and any other alphabet to 3.
    check: (s) => entropy(s) >= (/^[0-9a-f]+$/i.test(s) ? 2.5 : 3),
    reason: 'a Symfony APP_SECRET: signs CSRF tokens, remember-me cookies and login links',
  },
]
