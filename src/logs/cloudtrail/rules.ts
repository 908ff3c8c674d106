import {isQuarantinePolicy, PUBLIC_EXPOSURE_CALLS, publicTarget, type TrailEvent} from './record.js'

// What an event means when a leaked key makes it: rules as data. Each rule
// names API calls (by event source and name) and, where the call alone is not
// enough, a condition from CONDITIONS below. The judge (judge.ts) adds what
// depends on context: before or after the exposure, sources never seen
// before, bursts of AccessDenied, regions never used before.

export const CATEGORIES = [
  'reconnaissance',
  'persistence',
  'privilege-escalation',
  'defence-evasion',
  'credential-access',
  'exfiltration',
  'lateral-movement',
  'resource-abuse',
  'pivot',
  'provider-containment',
  'key-management',
] as const
export type Category = (typeof CATEGORIES)[number]

/**
 * Categories that make an event suspicious on their own once the key is
 * exposed, even from a familiar source: nobody's CI creates users or stops
 * the trail. Reading secrets or launching instances from the usual place is
 * what the key is for; those need an unfamiliar source or a new region.
 */
export const SEVERE: ReadonlySet<Category> = new Set(['persistence', 'privilege-escalation', 'defence-evasion', 'exfiltration'])

export const CONDITIONS = {
  'admin-policy': (e: TrailEvent) => e.adminPolicy === true,
  'quarantine-policy': (e: TrailEvent) => isQuarantinePolicy(e.policyArn),
  'not-quarantine-policy': (e: TrailEvent) => !isQuarantinePolicy(e.policyArn),
  'opens-to-world': (e: TrailEvent) => e.opensToWorld === true,
  'shared-outside': (e: TrailEvent) => e.sharedWith !== undefined,
  'makes-public': (e: TrailEvent) => e.madePublic !== undefined,
  'console-without-mfa': (e: TrailEvent) => e.mfaUsed === false,
} as const satisfies Record<string, (e: TrailEvent) => boolean>
export type Condition = keyof typeof CONDITIONS

export interface EventRule {
  id: string
  category: Category
  /** eventSource, e.g. `iam.amazonaws.com`. */
  source: string
  names: readonly string[]
  when?: Condition
  /** Why it matters, read aloud by a responder; `{target}`, `{policy}` and `{detail}` are filled in. */
  reason: string
}

const iam = 'iam.amazonaws.com'
const sts = 'sts.amazonaws.com'
const ec2 = 'ec2.amazonaws.com'

export const RULES: readonly EventRule[] = [
  // Provider containment first: AWS attaches its quarantine policy to a user whose key it found exposed.
  {id: 'aws-quarantine', category: 'provider-containment', source: iam, names: ['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy'], when: 'quarantine-policy', reason: 'AWS quarantined the principal ({policy} attached to {target})'},

  // Reconnaissance: who am I, what is here.
  {id: 'recon-identity', category: 'reconnaissance', source: sts, names: ['GetCallerIdentity', 'GetAccessKeyInfo'], reason: 'reconnaissance: {name} (who am I)'},
  {id: 'recon-iam', category: 'reconnaissance', source: iam, names: ['ListUsers', 'ListRoles', 'ListGroups', 'ListAccessKeys', 'ListPolicies', 'GetAccountAuthorizationDetails', 'GetAccountSummary', 'ListAttachedUserPolicies', 'ListUserPolicies', 'ListGroupsForUser', 'GetUser', 'ListAccountAliases', 'GetAccountPasswordPolicy', 'ListMFADevices', 'SimulatePrincipalPolicy'], reason: 'reconnaissance: {name}'},
  {id: 'recon-regions', category: 'reconnaissance', source: ec2, names: ['DescribeRegions', 'DescribeAvailabilityZones', 'DescribeAccountAttributes'], reason: 'reconnaissance: {name}'},
  {id: 'recon-inventory', category: 'reconnaissance', source: '*', names: ['ListBuckets', 'DescribeInstances', 'ListFunctions20150331', 'ListFunctions', 'DescribeDBInstances', 'ListSecrets', 'DescribeParameters', 'ListClusters', 'DescribeClusters', 'ListTopics', 'ListQueues', 'DescribeTrails', 'GetTrailStatus', 'ListDetectors', 'DescribeOrganization', 'ListAccounts', 'GetFoundationModelAvailability', 'ListFoundationModels', 'GetSendQuota', 'ListIdentities', 'GetCostAndUsage'], reason: 'reconnaissance: {name}'},

  // Persistence: ways back in after the leaked key is disabled.
  {id: 'create-user', category: 'persistence', source: iam, names: ['CreateUser'], reason: 'persistence: created IAM user {target}'},
  {id: 'create-access-key', category: 'persistence', source: iam, names: ['CreateAccessKey'], reason: 'persistence: created access key {detail} for {target}'},
  {id: 'login-profile', category: 'persistence', source: iam, names: ['CreateLoginProfile', 'UpdateLoginProfile'], reason: 'persistence: console password set for {target}'},
  {id: 'admin-policy', category: 'privilege-escalation', source: iam, names: ['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy', 'CreatePolicyVersion'], when: 'admin-policy', reason: 'privilege escalation: administrator policy {policy} granted to {target}'},
  {id: 'policy-change', category: 'persistence', source: iam, names: ['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy', 'CreatePolicyVersion', 'AddUserToGroup'], when: 'not-quarantine-policy', reason: 'persistence: {name} on {target}'},
  {id: 'backdoor-role', category: 'persistence', source: iam, names: ['CreateRole', 'UpdateAssumeRolePolicy'], reason: 'persistence: {name} (a role someone outside can assume)'},
  {id: 'federation-token', category: 'persistence', source: sts, names: ['GetFederationToken'], reason: 'persistence: GetFederationToken minted credentials that outlive disabling the key'},
  {id: 'rolesanywhere', category: 'persistence', source: 'rolesanywhere.amazonaws.com', names: ['CreateTrustAnchor', 'CreateProfile'], reason: 'persistence: IAM Roles Anywhere {name}'},
  {id: 'lambda-backdoor', category: 'persistence', source: 'lambda.amazonaws.com', names: ['CreateFunction20150331', 'UpdateFunctionCode20150331v2', 'UpdateFunctionConfiguration20150331v2', 'AddPermission20150331v2', 'AddPermission20150331', 'PublishLayerVersion20181031'], reason: 'persistence: Lambda {name}'},
  {id: 'ssh-keys', category: 'persistence', source: ec2, names: ['ImportKeyPair', 'CreateKeyPair'], reason: 'persistence: {name}'},

  // Pivots: temporary credentials from the leaked key keep working after it is disabled.
  {id: 'mint-session', category: 'pivot', source: sts, names: ['GetSessionToken', 'AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity'], reason: 'pivot: {name} minted temporary key {detail}'},

  // Defence evasion: blinding the defenders.
  {id: 'trail-tamper', category: 'defence-evasion', source: 'cloudtrail.amazonaws.com', names: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors', 'DeleteEventDataStore', 'StopEventDataStoreIngestion'], reason: 'defence evasion: {name} (CloudTrail tampering)'},
  {id: 'detection-tamper', category: 'defence-evasion', source: '*', names: ['DeleteDetector', 'UpdateDetector', 'DeleteMembers', 'DisassociateFromMasterAccount', 'DisableSecurityHub', 'DeleteConfigRule', 'StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel', 'DeleteFlowLogs', 'DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig', 'DeleteLogGroup', 'DeleteLogStream', 'PutBucketLogging', 'LeaveOrganization', 'DeleteAlarms', 'DisableAlarmActions'], reason: 'defence evasion: {name}'},

  // Credential access: reading other secrets with the stolen key.
  {id: 'read-secrets', category: 'credential-access', source: '*', names: ['GetSecretValue', 'BatchGetSecretValue', 'GetParameter', 'GetParameters', 'GetParametersByPath', 'GetPasswordData', 'GetAuthorizationToken', 'GetClusterCredentials', 'GenerateCredentialReport', 'GetCredentialReport'], reason: 'credential access: {name}'},

  // Exfiltration: data shared outside the account.
  {id: 'share-outside', category: 'exfiltration', source: '*', names: ['ModifySnapshotAttribute', 'ModifyImageAttribute', 'ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'], when: 'shared-outside', reason: 'exfiltration: {name} shared with {detail}'},
  {id: 'open-ingress', category: 'exfiltration', source: ec2, names: ['AuthorizeSecurityGroupIngress'], when: 'opens-to-world', reason: 'exfiltration: security group opened to the whole internet'},
  {id: 'made-public', category: 'exfiltration', source: 's3.amazonaws.com', names: [...PUBLIC_EXPOSURE_CALLS], when: 'makes-public', reason: 'exfiltration: {name} made {detail} public'},
  {id: 'bucket-exposure', category: 'exfiltration', source: 's3.amazonaws.com', names: ['PutBucketPolicy', 'PutBucketAcl', 'DeletePublicAccessBlock', 'PutBucketPublicAccessBlock'], reason: 'exfiltration: {name} (bucket access changed)'},

  // Lateral movement: onto instances.
  {id: 'instance-access', category: 'lateral-movement', source: '*', names: ['SendSSHPublicKey', 'SendSerialConsoleSSHPublicKey', 'EnableSerialConsoleAccess', 'StartSession', 'SendCommand'], reason: 'lateral movement: {name}'},

  // Resource abuse: compute and models paid for by the victim.
  {id: 'run-instances', category: 'resource-abuse', source: ec2, names: ['RunInstances', 'RequestSpotInstances', 'RequestSpotFleet', 'CreateFleet'], reason: 'resource abuse: {name}{detail}'},
  {id: 'llm-jacking', category: 'resource-abuse', source: 'bedrock.amazonaws.com', names: ['InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream', 'PutFoundationModelEntitlement', 'PutUseCaseForModelAccess', 'CreateFoundationModelAgreement'], reason: 'resource abuse: Bedrock {name} (LLM-jacking)'},
  {id: 'console-no-mfa', category: 'persistence', source: 'signin.amazonaws.com', names: ['ConsoleLogin'], when: 'console-without-mfa', reason: 'console sign-in without MFA'},

  // Responders acting on the key (disabling or deleting it).
  {id: 'key-management', category: 'key-management', source: iam, names: ['UpdateAccessKey', 'DeleteAccessKey'], reason: '{name}: key {detail} set to {status}'},
]

/** User agents of offensive distributions and cloud attack tools (what GuardDuty's PenTest findings key on, and more). */
export const OFFENSIVE_AGENTS: readonly {pattern: RegExp; name: string}[] = [
  {pattern: /kali/i, name: 'Kali Linux'},
  {pattern: /parrot/i, name: 'Parrot OS'},
  {pattern: /pentoo/i, name: 'Pentoo'},
  {pattern: /\bpacu\b/i, name: 'Pacu'},
  {pattern: /scoutsuite/i, name: 'ScoutSuite'},
  {pattern: /cloudfox/i, name: 'CloudFox'},
  {pattern: /trufflehog/i, name: 'TruffleHog'},
  {pattern: /enumerate-iam/i, name: 'enumerate-iam'},
  {pattern: /weirdaal/i, name: 'WeirdAAL'},
  {pattern: /stratus-red-team/i, name: 'Stratus Red Team'},
]

/** AccessDenied-like error codes: a key being probed for what it can do. */
export const DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation', 'UnauthorizedAccess', 'Forbidden'])

/** Calls that launch compute: a new region for them is the crypto-mining pattern. */
export const LAUNCH_CALLS = new Set(['RunInstances', 'RequestSpotInstances', 'RequestSpotFleet', 'CreateFleet'])

/** Instance families attackers mine on (GPU, large compute). */
export const MINING_INSTANCE = /^(p2|p3|p4|p5|g3|g4|g5|g6|inf|trn|dl|x1|x2|c5\.(9|12|18|24)|c6|c7|m5\.(12|16|24)|r5\.(12|16|24))/

export interface RuleMatch {
  rule: EventRule
  reason: string
}

/** The rules an event matches, with their reasons filled in (pure). */
export function matchRules(e: TrailEvent, rules: readonly EventRule[] = RULES): RuleMatch[] {
  const out: RuleMatch[] = []
  for (const rule of rules) {
    if (!rule.names.includes(e.eventName)) continue
    if (rule.source !== '*' && rule.source !== e.eventSource) continue
    if (rule.when && !CONDITIONS[rule.when](e)) continue
    out.push({rule, reason: fill(rule.reason, e)})
    // A quarantine attachment is AWS acting, not a persistence move.
    if (rule.category === 'provider-containment') break
  }
  // An admin grant is also a policy change; keep the stronger one.
  if (out.some((m) => m.rule.id === 'admin-policy')) return out.filter((m) => m.rule.id !== 'policy-change')
  // Likewise a bucket made public is more than an access change.
  if (out.some((m) => m.rule.id === 'made-public')) return out.filter((m) => m.rule.id !== 'bucket-exposure')
  return out
}

function fill(template: string, e: TrailEvent): string {
  const detail =
    e.issuedKeyId ?? e.createdKeyId ?? e.keyActedOn ?? e.sharedWith ?? (e.madePublic ? publicTarget(e.madePublic) : undefined) ?? (e.instanceType ? ` of ${e.instanceCount ?? 1} × ${e.instanceType} in ${e.region}` : '')
  const policy = e.policyArn ? e.policyArn.replace(/^arn:aws:iam::(aws|\d+):policy\//, '') : e.adminPolicy ? 'an inline Allow *:*' : 'a policy'
  return template
    .replaceAll('{name}', e.eventName)
    .replaceAll('{target}', e.target ?? e.createdUser ?? 'a principal')
    .replaceAll('{policy}', policy)
    .replaceAll('{status}', e.keyStatus ?? 'unknown')
    .replaceAll('{detail}', detail)
}
