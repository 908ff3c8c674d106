import type {Risk} from './finding.js'

// The credential classes leakctl names, the default risk of each (the seed
// scenario's classification: a CA key, a cloud admin key or a bootstrap token
// is critical; database passwords and production API keys high; OAuth and
// session tokens medium; leaf TLS low) and the rotation procedure the
// playbooks follow (playbooks/rotations/<id>.yaml). Scanners may raise or
// lower a risk with a reason (e.g. a staging namespace, a read-only key).

export interface CredentialClass {
  title: string
  risk: Risk
  rotation: string
}

export const CLASSES = {
  'aws-access-key': {title: 'AWS access key', risk: 'critical', rotation: 'aws-access-key'},
  'aws-session-token': {title: 'AWS temporary credentials', risk: 'medium', rotation: 'aws-access-key'},
  'gcp-service-account': {title: 'Google Cloud service-account key', risk: 'critical', rotation: 'gcp-service-account'},
  'gcp-api-key': {title: 'Google API key', risk: 'high', rotation: 'api-key'},
  'azure-storage-key': {title: 'Azure storage account key', risk: 'critical', rotation: 'azure-storage-key'},
  'github-token': {title: 'GitHub token', risk: 'high', rotation: 'github-token'},
  'gitlab-token': {title: 'GitLab token', risk: 'high', rotation: 'api-key'},
  'slack-token': {title: 'Slack token', risk: 'medium', rotation: 'slack-token'},
  'slack-webhook': {title: 'Slack incoming webhook URL', risk: 'medium', rotation: 'slack-webhook'},
  'stripe-key': {title: 'Stripe API key', risk: 'high', rotation: 'api-key'},
  'sendgrid-key': {title: 'SendGrid API key', risk: 'high', rotation: 'api-key'},
  'twilio-key': {title: 'Twilio API key', risk: 'high', rotation: 'api-key'},
  'npm-token': {title: 'npm access token', risk: 'high', rotation: 'api-key'},
  'pypi-token': {title: 'PyPI API token', risk: 'high', rotation: 'api-key'},
  'openai-key': {title: 'OpenAI API key', risk: 'high', rotation: 'api-key'},
  'anthropic-key': {title: 'Anthropic API key', risk: 'high', rotation: 'api-key'},
  'generic-api-key': {title: 'API key', risk: 'high', rotation: 'api-key'},
  'database-url': {title: 'Database connection URL with password', risk: 'high', rotation: 'database-password'},
  'database-password': {title: 'Database password', risk: 'high', rotation: 'database-password'},
  password: {title: 'Password', risk: 'high', rotation: 'generic-secret'},
  'basic-auth': {title: 'Basic-auth credentials', risk: 'high', rotation: 'generic-secret'},
  'grafana-admin': {title: 'Grafana admin password', risk: 'high', rotation: 'grafana-admin'},
  'app-master-key': {title: 'Application master key (encrypts other secrets)', risk: 'critical', rotation: 'app-master-key'},
  'jwt-signing-key': {title: 'JWT / session signing key', risk: 'high', rotation: 'jwt-signing-key'},
  jwt: {title: 'JSON Web Token', risk: 'medium', rotation: 'oauth-token'},
  'oauth-client-secret': {title: 'OAuth client secret', risk: 'medium', rotation: 'oauth-token'},
  'oauth-token': {title: 'OAuth / session token', risk: 'medium', rotation: 'oauth-token'},
  'private-key': {title: 'Private key (SSH, PGP, generic PEM)', risk: 'high', rotation: 'private-key'},
  'tls-ca-key': {title: 'TLS certificate authority private key', risk: 'critical', rotation: 'tls-ca'},
  'tls-key': {title: 'TLS leaf certificate private key', risk: 'low', rotation: 'tls-leaf'},
  'docker-config': {title: 'Container registry credentials', risk: 'high', rotation: 'registry-credentials'},
  'k8s-service-account-token': {title: 'Kubernetes service-account token', risk: 'high', rotation: 'service-account-token'},
  'bootstrap-token': {title: 'Kubernetes bootstrap token', risk: 'critical', rotation: 'bootstrap-token'},
  // Not a credential by itself, but cracked offline (bcrypt slowly, crypt/MD5 fast): the password behind it changes.
  'password-hash': {title: 'Password hash (crackable offline)', risk: 'medium', rotation: 'generic-secret'},
  'generic-secret': {title: 'Secret value', risk: 'medium', rotation: 'generic-secret'},
} as const satisfies Record<string, CredentialClass>

export type ClassId = keyof typeof CLASSES

export function classInfo(id: string): CredentialClass {
  return (CLASSES as Record<string, CredentialClass>)[id] ?? {title: id, risk: 'medium', rotation: 'generic-secret'}
}
