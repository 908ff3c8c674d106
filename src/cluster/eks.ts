import type {Missing} from './missing.js'
import {firstLine, networkMissing} from './missing.js'

// Amazon EKS runs the API servers and etcd out of sight: neither flags nor
// raw values can be read. What EKS does say (DescribeCluster):
//   cluster.encryptionConfig: [{resources: ['secrets'], provider: {keyArn}}]  a customer KMS key
// and what it documents: clusters on Kubernetes 1.28+ get envelope encryption
// of all Kubernetes API data by default (KMS v2, an AWS-owned key).
// The SDK takes credentials and endpoints the usual way (AWS_PROFILE,
// AWS_ENDPOINT_URL_EKS, ...); it is loaded only when --eks-cluster is given.

export interface EksEvidence {
  cluster: string
  region: string
  version: string | null
  status: string | null
  /** Customer KMS keys per resource list, as DescribeCluster reports them. */
  encryptionConfig: {resources: string[]; keyArn: string | null}[]
  /** How Secrets are encrypted at rest on this cluster. */
  secrets: 'customer-kms-key' | 'aws-owned-key' | 'not-envelope-encrypted'
  summary: string
  /** Facts a responder should know (re-encryption after enabling a key, ...). */
  notes: string[]
}

export async function describeEks(cluster: string, region: string): Promise<{eks: EksEvidence | null; missing: Missing[]}> {
  const {EKSClient, DescribeClusterCommand} = await import('@aws-sdk/client-eks')
  const client = new EKSClient({region, maxAttempts: Number(process.env.AWS_MAX_ATTEMPTS) || 3})
  try {
    const out = await client.send(new DescribeClusterCommand({name: cluster}))
    const c = out.cluster
    const config = (c?.encryptionConfig ?? []).map((e) => ({resources: e.resources ?? [], keyArn: e.provider?.keyArn ?? null}))
    return {eks: judgeEks(cluster, region, c?.version ?? null, c?.status ?? null, config), missing: []}
  } catch (e) {
    return {eks: null, missing: [eksMissing(cluster, region, e)]}
  } finally {
    client.destroy()
  }
}

export function judgeEks(cluster: string, region: string, version: string | null, status: string | null, encryptionConfig: EksEvidence['encryptionConfig']): EksEvidence {
  const secretsKey = encryptionConfig.find((e) => e.resources.includes('secrets') && e.keyArn)
  const [major, minor] = (version ?? '').split('.').map(Number)
  const defaultOn = major === 1 && (minor ?? 0) >= 28 ? true : major !== undefined && major > 1
  const notes: string[] = []
  let secrets: EksEvidence['secrets']
  let summary: string
  if (secretsKey) {
    secrets = 'customer-kms-key'
    summary = `EKS ${cluster}: Secrets are envelope-encrypted with your KMS key ${secretsKey.keyArn}`
    notes.push('Secrets created before the key was associated are encrypted again only when rewritten: kubectl get secrets -A -o json | kubectl annotate --overwrite -f - leakctl.io/reencrypted-at="$(date -u +%FT%TZ)"')
    notes.push(`anyone who can use that key (kms:Decrypt through EKS) and read etcd could read Secrets; review its key policy: aws kms get-key-policy --key-id ${secretsKey.keyArn} --policy-name default`)
  } else if (defaultOn) {
    secrets = 'aws-owned-key'
    summary = `EKS ${cluster} (Kubernetes ${version}): no customer KMS key; EKS documents default envelope encryption of all Kubernetes API data (KMS v2, AWS-owned key) on 1.28+`
    notes.push('encryption with an AWS-owned key: you cannot audit or revoke it; associate your own key with: aws eks associate-encryption-config')
  } else {
    secrets = 'not-envelope-encrypted'
    summary = `EKS ${cluster} (Kubernetes ${version ?? 'unknown version'}): no KMS envelope encryption of Secrets (only EBS encryption of the etcd volumes)`
    notes.push('associate a KMS key: aws eks associate-encryption-config --cluster-name NAME --encryption-config \'[{"resources":["secrets"],"provider":{"keyArn":"arn:aws:kms:..."}}]\', then rewrite every Secret')
  }
  notes.push('EKS runs etcd out of sight: the raw count and the canary cannot be done; etcd backups are not exposed to customers')
  return {cluster, region, version, status, encryptionConfig, secrets, summary, notes}
}

function eksMissing(cluster: string, region: string, e: unknown): Missing {
  const err = e as {name?: string; message?: string; $metadata?: {httpStatusCode?: number}}
  const name = err?.name ?? ''
  const msg = firstLine(err?.message ?? String(e))
  const what = `EKS DescribeCluster ${cluster} (${region})`
  if (name === 'ResourceNotFoundException') return {evidence: 'eks', kind: 'not-found', reason: `${what}: no such cluster in ${region}`, fix: 'aws eks list-clusters --region REGION'}
  if (name === 'AccessDeniedException' || err?.$metadata?.httpStatusCode === 403) return {evidence: 'eks', kind: 'forbidden', reason: `${what}: access denied — ${msg}`, fix: 'allow eks:DescribeCluster on this cluster for the caller (aws sts get-caller-identity)'}
  if (/ExpiredToken|UnrecognizedClient|InvalidClientTokenId|InvalidSignature|SignatureDoesNotMatch|CredentialsProviderError|Could not load credentials/i.test(name + ' ' + msg)) {
    return {evidence: 'eks', kind: 'unauthorized', reason: `${what}: AWS credentials missing or refused — ${msg}`, fix: 'aws sso login / set AWS_PROFILE, then run again'}
  }
  if (/Throttl|TooManyRequests/i.test(name)) return {evidence: 'eks', kind: 'unreachable', reason: `${what}: throttled — ${msg}`, fix: 'retry in a minute'}
  return networkMissing('eks', `EKS in ${region}`, e) ?? {evidence: 'eks', kind: 'failed', reason: `${what}: ${name ? `${name}: ` : ''}${msg}`}
}
