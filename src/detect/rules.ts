import type {ClassId} from './classes.js'
import type {Risk} from './finding.js'
import {FRAMEWORK_RULES} from './frameworks.js'
import {entropy, isPlaceholder} from './placeholder.js'

// One rule per credential format, written from the providers' documented
// token formats. A rule runs only when one of its keywords occurs in the text
// (case-insensitive), so most text never meets its regular expression.
// Patterns are linear: bounded repetitions of disjoint character classes, no
// nested quantifiers. The secret is the named group `s` (else the match;
// for URL rules, the credential in the user info); a pair's public key id, `k`.

export type Specificity = 'format' | 'context' | 'generic'

/** Overlapping matches: the more specific rule wins. */
export const RANK: Record<Specificity, number> = {format: 3, context: 2, generic: 1}

export interface Rule {
  id: string
  /** Rule family for reports (github, slack, aws, ...). */
  family: string
  class: ClassId
  keywords: readonly string[]
  pattern: RegExp
  /** Substrings that must all occur too (cheap checks before the expression runs). */
  requires?: readonly string[]
  /** Characters of a documented public prefix that a preview may show. */
  reveal?: number
  /** Minimum Shannon entropy (bits/char) of the secret. */
  minEntropy?: number
  risk?: Risk
  reason?: string
  /** A format rule's own checks: structure, length, checksum. */
  check?: (secret: string) => boolean
  /** A different class or risk decided from the secret itself (e.g. test-mode keys). */
  refine?: (secret: string) => {class?: ClassId; risk?: Risk; reason?: string} | undefined
  specificity?: Specificity
  /**
   * The group `u` is a URL's user info, up to the last `@` before the host (group `h`): the
   * secret is its password, or its user name when that is a token (see urlCredential).
   */
  userinfo?: boolean
  /** The value may be typed by a person (passwords in URLs, …): keyboard runs do not make it a placeholder. */
  typed?: boolean
  /** Replaces the shared placeholder check (isPlaceholder) where the format's values differ (generated framework keys). */
  placeholder?: (secret: string) => boolean
  /**
   * In a large text the pattern runs only on windows around its keywords' occurrences:
   * `before`/`after` characters (defaults 256 and 1024), widened to whole tokens. The
   * window must hold any match the keyword belongs to. `false`: always the whole text.
   */
  window?: {before?: number; after?: number} | false
}

/** A JWT part (base64url JSON) as an object, or undefined. */
/**
 * `someLongMethodName`: no two capitals side by side, a vowel in every word, no five consonants in a row.
 * About one in 25,000 strings of 24 random letters is (measured), none in millions at 40.
 */
function camelCaseWords(s: string): boolean {
  return /^[A-Za-z][a-z]*(?:[A-Z][a-z]+)*$/.test(s) && !/[^aeiouy]{5}/i.test(s) && s.split(/(?=[A-Z])/).every((word) => /[aeiouy]/i.test(word))
}

/** Base64 of printable `user:password` text (undecodable bytes, controls and U+FFFD rule it out). */
function isBasicCredentials(s: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return false
  return /^[^:\x00-\x1f\x7f-\x9f\ufffd]+:[^\x00-\x1f\x7f-\x9f\ufffd]*$/u.test(Buffer.from(s, 'base64').toString('utf8'))
}

function jsonPart(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) return undefined
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Kubernetes service-account tokens by their claims; expired tokens matter less. */
function jwtRefine(s: string): {class?: ClassId; risk?: Risk; reason?: string} | undefined {
  const claims = jsonPart(s.split('.')[1]) ?? {}
  const k8s = claims['kubernetes.io'] as {namespace?: string; serviceaccount?: {name?: string}} | undefined
  const legacyNs = claims['kubernetes.io/serviceaccount/namespace']
  const legacySa = claims['kubernetes.io/serviceaccount/service-account.name']
  const exp = typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined
  const expired = exp !== undefined && exp.getTime() < Date.now()
  const until = exp ? (expired ? `; expired ${exp.toISOString()}` : `; valid until ${exp.toISOString()}`) : '; no expiry'
  if (k8s || typeof legacyNs === 'string' || claims.iss === 'kubernetes/serviceaccount') {
    const ns = String(k8s?.namespace ?? legacyNs ?? '?').slice(0, 63)
    const sa = String(k8s?.serviceaccount?.name ?? legacySa ?? '?').slice(0, 253)
    return {class: 'k8s-service-account-token', risk: expired ? 'low' : 'high', reason: `a Kubernetes service-account token of ${ns}/${sa}: acts as that workload against the API server${until}`}
  }
  if (expired) return {risk: 'low', reason: `a JSON Web Token${until} (useless as a bearer credential now)`}
  return undefined
}

export const RULES: Rule[] = [
  // --- AWS (docs: IAM identifiers, "Unique ID prefixes") ---
  {
    id: 'aws-access-key-id',
    family: 'aws',
    class: 'aws-access-key',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    pattern: /\b(?<s>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/g,
    reveal: 20,
    risk: 'high',
    reason: 'an AWS access key id; its secret key was not found beside it (it may be elsewhere)',
    refine: (s) => (s.startsWith('ASIA') ? {class: 'aws-session-token', risk: 'medium', reason: 'an AWS temporary access key id (ASIA…)'} : undefined),
  },
  {
    id: 'aws-secret-access-key',
    family: 'aws',
    class: 'aws-access-key',
    keywords: ['aws', 'secret_access', 'secretaccess', 'secret-access'],
    pattern: /(?:aws|secret)[\w.-]{0,24}?(?:secret|key)[\w.-]{0,24}?["']?\s{0,4}(?:=|:|=>|:=)\s{0,4}["']?(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    minEntropy: 3.8,
    typed: true,
    reason: 'an AWS secret access key: full access as the key’s IAM principal',
  },
  {
    // The IAM console's credentials download (CSV) and most pastes: the key id, a separator or spaces, the secret.
    id: 'aws-key-pair-inline',
    family: 'aws',
    class: 'aws-access-key',
    keywords: ['akia', 'asia'],
    pattern: /\b(?<k>(?:AKIA|ASIA)[A-Z2-7]{16})["']?(?:[ \t]{1,4}|[ \t]{0,4}[,;|:/][ \t]{0,4})["']?(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/g,
    minEntropy: 3.8,
    typed: true,
    reason: 'an AWS secret access key beside its key id: full access as the key’s IAM principal',
  },
  {
    id: 'aws-bedrock-api-key',
    family: 'aws',
    class: 'generic-api-key',
    keywords: ['absk', 'bedrock-api-key-'],
    pattern: /\b(?<s>ABSKQmVkcm9ja0FQSUtleS1[A-Za-z0-9+/]{110,}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=&%-]{0,2000})/g,
    reveal: 4,
    reason: 'an Amazon Bedrock API key',
    window: {after: 4096},
  },
  // --- GitHub (docs: "About authentication to GitHub", token formats) ---
  {
    id: 'github-token',
    family: 'github',
    class: 'github-token',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    pattern: /\b(?<s>gh[pousr]_[A-Za-z0-9]{36,251})\b/g,
    reveal: 4,
    reason: 'a GitHub token (acts as its user or app on every repository it can reach)',
    refine: (s) => (s.startsWith('ghs_') ? {risk: 'medium', reason: 'a GitHub App installation token (expires within an hour of issue)'} : undefined),
  },
  {
    id: 'github-fine-grained-pat',
    family: 'github',
    class: 'github-token',
    keywords: ['github_pat_'],
    pattern: /\b(?<s>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/g,
    reveal: 11,
    reason: 'a GitHub fine-grained personal access token',
  },
  // --- GitLab (docs: "GitLab token overview", prefixes) ---
  {
    id: 'gitlab-token',
    family: 'gitlab',
    class: 'gitlab-token',
    keywords: ['glpat-', 'gldt-', 'glptt-', 'glrt-', 'glcbt-', 'gloas-', 'glft-', 'glimt-', 'glagent-', 'glsoat-', 'glffct-', 'glrtr-'],
    pattern: /\b(?<s>gl(?:pat|dt|ptt|rt|rtr|cbt|oas|ft|imt|agent|soat|ffct)-[A-Za-z0-9_-]{20,64}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,9}|\.[0-9a-z]{9,11})?)(?![\w-])/g,
    reveal: 6,
    reason: 'a GitLab token',
  },
  {
    id: 'gitlab-runner-registration-token',
    family: 'gitlab',
    class: 'gitlab-token',
    keywords: ['gr1348941'],
    pattern: /\b(?<s>GR1348941[A-Za-z0-9_-]{20})(?![\w-])/g, // may end in '-', where \b would not hold
    reveal: 9,
    reason: 'a GitLab runner registration token',
  },
  // --- Slack (docs: "Token types") ---
  {
    id: 'slack-token',
    family: 'slack',
    class: 'slack-token',
    keywords: ['xoxa-', 'xoxb-', 'xoxp-', 'xoxo-', 'xoxs-', 'xoxr-', 'xoxe-'],
    pattern: /\b(?<s>xox[abposre]-(?:\d{1,20}-){1,4}[0-9A-Za-z]{8,64})\b/g,
    reveal: 5,
    // The random tail mixes letters and digits, or both cases when it has no digit (one in 60);
    // RANDOMSTRINGHERE, SlackAppTokenHere or a bare number is a placeholder.
    check: (s) => {
      const tail = s.slice(s.lastIndexOf('-') + 1)
      if (/\d/.test(tail)) return /[A-Za-z]/.test(tail)
      return /[a-z]/.test(tail) && /[A-Z]/.test(tail) && !camelCaseWords(tail)
    },
    reason: 'a Slack token (reads and posts as its bot or user)',
  },
  {
    id: 'slack-config-token',
    family: 'slack',
    class: 'slack-token',
    keywords: ['xoxe'],
    pattern: /\b(?<s>xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{100,300})\b/g,
    reveal: 5,
    reason: 'a Slack app configuration token',
  },
  {
    id: 'slack-app-token',
    family: 'slack',
    class: 'slack-token',
    keywords: ['xapp-'],
    pattern: /\b(?<s>xapp-\d-[A-Z0-9]{6,20}-\d{6,20}-[a-f0-9]{32,80})\b/g,
    reveal: 5,
    reason: 'a Slack app-level token',
  },
  {
    id: 'slack-webhook',
    family: 'slack',
    class: 'slack-webhook',
    keywords: ['hooks.slack.com'],
    pattern: /(?<s>https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{30,160})/g,
    reveal: 33,
    reason: 'a Slack incoming webhook URL (anyone can post to the channel)',
  },
  // --- Payment and messaging ---
  {
    id: 'stripe-key',
    family: 'stripe',
    class: 'stripe-key',
    keywords: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'sk_prod_', 'rk_prod_'],
    pattern: /\b(?<s>[rs]k_(?:live|test|prod)_[A-Za-z0-9]{20,247})\b/g,
    reveal: 8,
    reason: 'a Stripe secret or restricted key',
    refine: (s) => (s.includes('_test_') ? {risk: 'low', reason: 'a Stripe test-mode key (no real money, but rotate it)'} : undefined),
  },
  {
    id: 'sendgrid-key',
    family: 'sendgrid',
    class: 'sendgrid-key',
    keywords: ['sg.'],
    pattern: /\b(?<s>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![\w-])/g,
    reveal: 3,
    reason: 'a SendGrid API key (sends mail as you)',
  },
  {
    id: 'twilio-key',
    family: 'twilio',
    class: 'twilio-key',
    keywords: ['twilio'],
    pattern: /twilio[\w.-]{0,24}?["']?\s{0,4}(?:=|:|=>|:=)\s{0,4}["']?(?<s>SK[0-9a-fA-F]{32}|[0-9a-f]{32})\b/gi,
    // 32 random hex digits fall under 3 about once in 9,000; under 2.5 none in a million.
    minEntropy: 2.5,
    reason: 'a Twilio API key or auth token',
  },
  {
    id: 'mailchimp-key',
    family: 'mailchimp',
    class: 'generic-api-key',
    keywords: ['mailchimp', 'mc_api', 'mailchimpe'],
    pattern: /(?:mailchimp|mc_api)[\w.-]{0,24}?["']?\s{0,4}(?:=|:)\s{0,4}["']?(?<s>[0-9a-f]{32}-us\d{1,2})\b/gi,
    reason: 'a Mailchimp API key',
  },
  // --- Package registries ---
  {
    id: 'npm-token',
    family: 'npm',
    class: 'npm-token',
    keywords: ['npm_'],
    pattern: /\b(?<s>npm_[A-Za-z0-9]{36})\b/g,
    reveal: 4,
    reason: 'an npm access token (can publish packages)',
  },
  {
    id: 'npmrc-auth-token',
    family: 'npm',
    class: 'npm-token',
    keywords: ['_authtoken'],
    pattern: /:_authToken\s{0,4}=\s{0,4}(?<s>[A-Za-z0-9_.-]{20,200})/g,
    minEntropy: 3,
    reason: 'an .npmrc registry auth token',
  },
  {
    id: 'pypi-token',
    family: 'pypi',
    class: 'pypi-token',
    keywords: ['pypi-ageichlwas5vcmc'],
    pattern: /\b(?<s>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300})(?![\w-])/g,
    reveal: 5,
    reason: 'a PyPI API token (can publish packages)',
  },
  // --- Google, Azure ---
  {
    id: 'gcp-api-key',
    family: 'google',
    class: 'gcp-api-key',
    keywords: ['aiza'],
    pattern: /\b(?<s>AIza[0-9A-Za-z_-]{35})(?![\w-])/g,
    reveal: 4,
    reason: 'a Google API key',
  },
  {
    id: 'gcp-service-account',
    family: 'google',
    class: 'gcp-service-account',
    keywords: ['service_account'],
    pattern: /"private_key"\s{0,4}:\s{0,4}"(?<s>-----BEGIN (?:RSA )?PRIVATE KEY-----[A-Za-z0-9+/=\\\n\r ]{64,8192}-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)"/g,
    reason: 'a Google Cloud service-account key file (acts as the service account)',
    window: false, // "type": "service_account" may come before or after the key
    specificity: 'format',
  },
  {
    id: 'azure-storage-key',
    family: 'azure',
    class: 'azure-storage-key',
    keywords: ['accountkey'],
    pattern: /AccountKey=(?<s>[A-Za-z0-9+/]{86}==)/g,
    reason: 'an Azure storage account key (full access to the account)',
  },
  {
    id: 'azure-ad-client-secret',
    family: 'azure',
    class: 'oauth-client-secret',
    keywords: ['q~'],
    pattern: /(?:^|[^\w~.-])(?<s>[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![\w~.-])/g,
    minEntropy: 3.5,
    // Dots are part of the alphabet (one secret in 7,000 holds `...`), so they are no ellipsis here.
    placeholder: (s) => isPlaceholder(s.replace(/\./g, '-')),
    reason: 'an Azure AD (Entra ID) application client secret',
  },
  // --- AI providers ---
  {
    id: 'openai-key',
    family: 'openai',
    class: 'openai-key',
    keywords: ['t3blbkfj'],
    pattern: /\b(?<s>sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200})(?![\w-])/g,
    reveal: 3,
    reason: 'an OpenAI API key (spends your quota)',
  },
  {
    id: 'anthropic-key',
    family: 'anthropic',
    class: 'anthropic-key',
    keywords: ['sk-ant-'],
    pattern: /\b(?<s>sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA)(?![\w-])/g,
    reveal: 7,
    reason: 'an Anthropic API key',
  },
  {
    id: 'huggingface-token',
    family: 'huggingface',
    class: 'generic-api-key',
    keywords: ['hf_', 'api_org_'],
    pattern: /\b(?<s>(?:hf_|api_org_)[A-Za-z]{34})\b/g,
    reveal: 3,
    check: (s) => /[A-Z]/.test(s.slice(3)) && /[a-z]/.test(s.slice(3)),
    reason: 'a Hugging Face token',
  },
  {
    id: 'perplexity-key',
    family: 'perplexity',
    class: 'generic-api-key',
    keywords: ['pplx-'],
    pattern: /\b(?<s>pplx-[A-Za-z0-9]{48})\b/g,
    reveal: 5,
    reason: 'a Perplexity API key',
  },
  // --- Infrastructure services ---
  {
    id: 'vault-token',
    family: 'vault',
    class: 'generic-api-key',
    keywords: ['hvs.', 'hvb.', 'hvr.'],
    pattern: /\b(?<s>hv[sbr]\.[A-Za-z0-9_-]{24,400})(?![\w-])/g,
    reveal: 4,
    reason: 'a HashiCorp Vault token (reads the secrets its policies allow)',
  },
  {
    // Before Vault 1.10 service tokens were `s.` + 24 base62 characters (batch `b.`, recovery `r.`):
    // too short a prefix to find alone, so only where the text speaks of Vault or a token.
    id: 'vault-legacy-token',
    family: 'vault',
    class: 'generic-api-key',
    keywords: ['vault', 'token'],
    pattern: /(?<![\w.])(?<s>[sbr]\.[A-Za-z0-9]{24})(?![\w.])/g,
    minEntropy: 3.5,
    // One token in 70 has no digit; without one, `s.someLongMethodName` (camel case, a vowel in each word) is code.
    check: (s) => /[a-z]/.test(s) && /[A-Z]/.test(s.slice(2)) && (/\d/.test(s) || !camelCaseWords(s.slice(2))),
    reveal: 2,
    reason: 'a HashiCorp Vault token, legacy format (reads the secrets its policies allow)',
  },
  {
    id: 'terraform-cloud-token',
    family: 'hashicorp',
    class: 'generic-api-key',
    keywords: ['.atlasv1.'],
    pattern: /\b(?<s>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?![\w=-])/g,
    reason: 'a Terraform Cloud API token',
  },
  {
    id: 'cloudflare-origin-ca-key',
    family: 'cloudflare',
    class: 'generic-api-key',
    keywords: ['v1.0-'],
    pattern: /\b(?<s>v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b/g,
    reason: 'a Cloudflare Origin CA key',
  },
  {
    id: 'grafana-token',
    family: 'grafana',
    class: 'generic-api-key',
    keywords: ['glc_', 'glsa_'],
    pattern: /\b(?<s>glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})(?![\w+/=])/g,
    reveal: 4,
    reason: 'a Grafana Cloud or service-account token',
  },
  {
    id: 'openshift-token',
    family: 'kubernetes',
    class: 'k8s-service-account-token',
    keywords: ['sha256~'],
    pattern: /(?<s>sha256~[A-Za-z0-9_-]{43})(?![\w-])/g,
    reveal: 7,
    reason: 'an OpenShift user token (acts as the user against the cluster)',
  },
  {
    id: 'flyio-token',
    family: 'flyio',
    class: 'generic-api-key',
    keywords: ['fo1_', 'fm1r_', 'fm2_'],
    pattern: /\b(?<s>(?:fo1|fm1r|fm2)_[A-Za-z0-9+/_=-]{43,4000})(?![\w+/=-])/g, // macaroons: standard base64
    reveal: 4,
    reason: 'a Fly.io token',
  },
  {
    id: 'databricks-token',
    family: 'databricks',
    class: 'generic-api-key',
    keywords: ['dapi'],
    pattern: /\b(?<s>dapi[a-f0-9]{32}(?:-\d)?)\b/g,
    reveal: 4,
    reason: 'a Databricks personal access token',
  },
  {
    id: 'heroku-key-v2',
    family: 'heroku',
    class: 'generic-api-key',
    keywords: ['hrku-'],
    pattern: /\b(?<s>HRKU-AA[0-9A-Za-z_-]{58})(?![\w-])/g,
    reveal: 5,
    reason: 'a Heroku API key',
  },
  {
    id: 'age-secret-key',
    family: 'age',
    class: 'private-key',
    keywords: ['age-secret-key-1'],
    pattern: /\b(?<s>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b/g,
    reveal: 16,
    reason: 'an age encryption secret key',
  },
  {
    id: 'onepassword-service-account',
    family: '1password',
    class: 'generic-api-key',
    keywords: ['ops_eyj'],
    pattern: /\b(?<s>ops_eyJ[A-Za-z0-9+/]{250,}={0,3})/g,
    reveal: 4,
    reason: 'a 1Password service-account token',
    window: {after: 8192},
  },
  {
    id: 'onepassword-secret-key',
    family: '1password',
    class: 'generic-api-key',
    keywords: ['a3-'],
    pattern: /\b(?<s>A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})\b/g,
    reveal: 3,
    reason: 'a 1Password account secret key',
  },
  {
    id: 'square-token',
    family: 'square',
    class: 'generic-api-key',
    keywords: ['sq0atp-', 'sq0csp-', 'eaaa'],
    pattern: /\b(?<s>sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}|EAAA[A-Za-z0-9_-]{60})(?![\w-])/g,
    reveal: 4,
    reason: 'a Square access token',
  },
  {
    id: 'facebook-page-token',
    family: 'facebook',
    class: 'oauth-token',
    keywords: ['eaam', 'eaac'],
    pattern: /\b(?<s>EAA[MC][A-Za-z0-9]{100,300})\b/g,
    reveal: 4,
    reason: 'a Facebook access token',
  },
  {
    // An app access token is the app id and the app secret joined by a bar: the secret itself.
    id: 'facebook-app-token',
    family: 'facebook',
    class: 'oauth-client-secret',
    keywords: ['facebook', 'fb_', 'fb.', 'access_token', 'graph.'],
    pattern: /(?<![\w|])(?<s>\d{15,16}\|[A-Za-z0-9_-]{27})(?![\w|-])/g,
    minEntropy: 3.5,
    reason: 'a Facebook app access token (contains the app secret)',
  },
  {
    id: 'notion-token',
    family: 'notion',
    class: 'generic-api-key',
    keywords: ['ntn_'],
    pattern: /\b(?<s>ntn_\d{11}[A-Za-z0-9]{35})\b/g,
    reveal: 4,
    reason: 'a Notion integration token',
  },
  {
    id: 'sourcegraph-token',
    family: 'sourcegraph',
    class: 'generic-api-key',
    keywords: ['sgp_'],
    pattern: /\b(?<s>sgp_(?:(?:[A-Fa-f0-9]{16}|local)_)?[A-Fa-f0-9]{40})\b/g, // with or without the instance id
    minEntropy: 3,
    reveal: 4,
    reason: 'a Sourcegraph access token',
  },
  {
    id: 'atlassian-token',
    family: 'atlassian',
    class: 'generic-api-key',
    keywords: ['atatt3'],
    pattern: /\b(?<s>ATATT3[A-Za-z0-9_=-]{186})(?![\w=-])/g,
    reveal: 6,
    reason: 'an Atlassian API token',
  },
  {
    id: 'maxmind-license-key',
    family: 'maxmind',
    class: 'generic-api-key',
    keywords: ['_mmk'],
    pattern: /\b(?<s>[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk)\b/g,
    reason: 'a MaxMind license key',
  },
  {
    id: 'intra42-secret',
    family: 'intra42',
    class: 'oauth-client-secret',
    keywords: ['s-s4t2'],
    pattern: /\b(?<s>s-s4t2(?:ud|af)-[a-f0-9]{64})\b/g,
    reveal: 6,
    reason: 'a 42 intra OAuth client secret',
  },
  {
    id: 'scalingo-token',
    family: 'scalingo',
    class: 'generic-api-key',
    keywords: ['tk-us-'],
    pattern: /\b(?<s>tk-us-[A-Za-z0-9_-]{48})(?![\w-])/g,
    reveal: 6,
    reason: 'a Scalingo API token',
  },
  {
    id: 'octopus-deploy-key',
    family: 'octopus',
    class: 'generic-api-key',
    keywords: ['api-'],
    pattern: /\b(?<s>API-[A-Z0-9]{26})\b/g,
    minEntropy: 3.5,
    check: (s) => /\d/.test(s.slice(4)),
    reason: 'an Octopus Deploy API key',
  },
  {
    id: 'sidekiq-credentials',
    family: 'sidekiq',
    class: 'basic-auth',
    keywords: ['contribsys'],
    pattern: /BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM["']?\s{0,4}[:=]\s{0,4}["']?(?<s>[a-f0-9]{8}:[a-f0-9]{8})\b/gi,
    reason: 'Sidekiq Pro/Enterprise gem server credentials',
  },
  // --- Structured secrets ---
  {
    id: 'jwt',
    family: 'jwt',
    class: 'jwt',
    keywords: ['eyj'],
    pattern: /\b(?<s>eyJ[A-Za-z0-9_-]{10,2000}\.eyJ[A-Za-z0-9_-]{10,8000}\.[A-Za-z0-9_-]{0,2000})/g,
    reveal: 3,
    typed: true, // base64 of JSON repeats itself ("XXXX" claims): no run or repeat makes it a placeholder
    reason: 'a JSON Web Token (a bearer credential until it expires)',
    // A header or claims that decode to a JSON object: `eyJ…` alone is only `{"`.
    check: (s) => {
      const [header, claims] = s.split('.').map(jsonPart)
      return header !== undefined || claims !== undefined
    },
    refine: jwtRefine,
    window: {after: 12_288},
  },
  {
    id: 'database-url',
    family: 'database',
    class: 'database-url',
    keywords: ['postgres', 'mysql', 'mariadb', 'mongodb', 'redis', 'amqp', 'mssql', 'sqlserver', 'jdbc:'],
    requires: ['://', '@'],
    pattern: /\b(?:jdbc:)?(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver):\/\/(?<u>[^\s/'"`]{1,400})@(?<h>[\w.-]{1,253})/g,
    userinfo: true,
    reason: 'a database connection URL with its password',
    typed: true,
  },
  {
    id: 'url-credentials',
    family: 'url',
    class: 'basic-auth',
    keywords: ['://'],
    requires: ['@'],
    pattern: /\b(?:https?|ftps?|sftp|ssh|git\+https|smtps?|ldaps?):\/\/(?<u>[^\s/'"`]{1,400})@(?<h>[\w.-]{1,253})/g,
    userinfo: true,
    check: (s) => s.length >= 3,
    reason: 'a URL with a user name and password',
    typed: true,
    specificity: 'context',
  },
  {
    id: 'docker-config-auth',
    family: 'docker',
    class: 'docker-config',
    keywords: ['"auth"'],
    pattern: /"auth"\s{0,4}:\s{0,4}"(?<s>[A-Za-z0-9+/]{8,2048}={0,2})"/g,
    // user:password, where the password is not a word of a fixture (`bob:password`, `user:secret`).
    check: (s) => /^[^:]*:(.+)$/s.test(Buffer.from(s, 'base64').toString('utf8')) && !isPlaceholder(Buffer.from(s, 'base64').toString('utf8').replace(/^[^:]*:/, ''), true),
    reason: 'container registry credentials (docker config auths)',
  },
  {
    id: 'authorization-header',
    family: 'http',
    class: 'generic-api-key',
    keywords: ['authorization', 'bearer'],
    pattern: /(?:authorization["']?\s{0,4}[:=]\s{0,4}["']?\s{0,4}(?:(?:bearer|basic|token|apikey)\s{1,4})?|\bbearer\s{1,4})(?<s>[A-Za-z0-9._~+/=-]{8,2048})/gi,
    minEntropy: 2.8,
    // A credential has digits or is long and random; `validateToken`, `options.authorizationToken` are code.
    check: (s) =>
      !/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(s) ||
      (entropy(s) >= 3.5 && (/\d/.test(s) || (s.length >= 24 && !s.split(/[._$]+/).every((w) => w === '' || camelCaseWords(w) || /^[A-Z]*[AEIOUY][A-Z]*$/.test(w))))),
    reason: 'an HTTP Authorization credential',
    window: {after: 2304},
    // Basic credentials are base64 of printable `user:password`; random token bytes hold a ':' one time in ten.
    refine: (s) => (isBasicCredentials(s) ? {class: 'basic-auth', reason: 'HTTP basic-auth credentials'} : undefined),
    specificity: 'context',
  },
  {
    id: 'curl-user',
    family: 'http',
    class: 'basic-auth',
    keywords: ['curl'],
    pattern: /\bcurl\b[^;|&]{0,600}?\s(?:-u|--user)(?:\s{1,4}|=)(?<s>"[^"\n]{1,256}"(?::"[^"\n]{0,256}")?|'[^'\n]{1,256}'|[^\s'":]{1,128}:(?:'[^'\n]{1,256}'|"[^"\n]{1,256}"|[^\s'"]{1,256}))/g,
    reason: 'credentials passed to curl',
    window: {after: 2048},
    check: (s) => {
      const cred = s.replace(/^"(.*)"$|^'(.*)'$/s, '$1$2')
      if (!cred.includes(':')) return false // a user name alone: curl will prompt for the password
      const [user = '', pass = ''] = cred.replace(/["']/g, '').split(/:(.*)/s)
      const strong = (x: string) => x.length >= 6 && !isPlaceholder(x) && !/^(?:password|passwd|secret|pass)$/i.test(x) && entropy(x) >= 2.5
      return strong(pass) || (pass === '' && strong(user))
    },
    specificity: 'context',
  },
  ...FRAMEWORK_RULES,
]

/** PEM private keys are found by a scanner of their own (BEGIN … END with a body). */
export const PRIVATE_KEY_FAMILY = 'private-key'
