import {createHash, randomBytes} from 'node:crypto'

import {stringify} from 'yaml'

import type {Finding} from '../detect/finding.js'
import {fromSystemError, inputError} from '../errors.js'
import {shQuote} from '../text/shell.js'
import type {EncryptionConfig, ProviderEntry} from './encryption-config.js'
import {writePrivateFile} from '../private-file.js'
import {lookupTable} from '../lookup.js'

// The fixed EncryptionConfiguration for an incident's cluster
// (apiserver.config.k8s.io/v1): a fresh key of an encrypting provider FIRST,
// for every resource the leak showed readable in etcd; the keys the current
// file already has after it, so values they wrote stay readable; identity
// LAST, so what is still stored in plaintext stays readable until rewritten.
// The key goes into a file created 0600 and nowhere else: never stdout, never
// an event.

export const FIX_PROVIDERS = ['secretbox', 'aescbc'] as const
export type FixProvider = (typeof FIX_PROVIDERS)[number]

/** Kinds of the inventory, as the EncryptionConfiguration names their resources. */
const RESOURCE_OF = lookupTable({
  Secret: 'secrets',
  ConfigMap: 'configmaps',
  Pod: 'pods',
  Deployment: 'deployments.apps',
  StatefulSet: 'statefulsets.apps',
  DaemonSet: 'daemonsets.apps',
  ReplicaSet: 'replicasets.apps',
  Job: 'jobs.batch',
  CronJob: 'cronjobs.batch',
})

/** `secrets` always, then each other built-in resource an etcd finding was read from (a ConfigMap, a Deployment's env). */
export function exposedResources(findings: readonly Finding[]): string[] {
  const out = new Set(['secrets'])
  for (const f of findings) if (f.source === 'etcd' && RESOURCE_OF[f.kind]) out.add(RESOURCE_OF[f.kind]!)
  return [...out]
}

export interface FixedConfigInput {
  resources: string[]
  provider: FixProvider
  keyName: string
  /** 32 random bytes (secretbox needs 32; aescbc takes 16, 24 or 32). */
  key: Buffer
  /** The current configuration: its encrypting providers for these resources stay, as read fallbacks. */
  current?: EncryptionConfig
}

function providerYaml(p: ProviderEntry): Record<string, unknown> | null {
  switch (p.type) {
    case 'identity':
      return null
    case 'kms': {
      const kms: Record<string, unknown> = {apiVersion: p.apiVersion, name: p.name}
      if (p.endpoint) kms.endpoint = p.endpoint
      if (p.timeout) kms.timeout = p.timeout
      if (p.apiVersion === 'v1' && typeof p.cachesize === 'number') kms.cachesize = p.cachesize
      return {kms}
    }
    default:
      return {[p.type]: {keys: p.keys.map((k) => ({name: k.name, secret: k.secret.toString('base64')}))}}
  }
}

/** The old providers that may have written these resources, in their order, each once. */
function fallbacks(current: EncryptionConfig | undefined, resources: string[]): Record<string, unknown>[] {
  const out = new Map<string, Record<string, unknown>>()
  for (const rule of current?.rules ?? []) {
    // A wildcard rule (`*.*`, `*.apps`) may have written them too: keeping one key too many costs nothing, one too few loses data.
    if (!rule.resources.some((r) => resources.includes(r) || r.startsWith('*.'))) continue
    for (const p of rule.providers) {
      const y = providerYaml(p)
      if (y) out.set(JSON.stringify(y), y)
    }
  }
  return [...out.values()]
}

/** The YAML text (it holds the key: write it with writeSecretFile only). */
export function fixedEncryptionConfig(o: FixedConfigInput): string {
  if (o.key.length !== 32) throw new Error('the key must be 32 bytes')
  const fresh = {[o.provider]: {keys: [{name: o.keyName, secret: o.key.toString('base64')}]}}
  const old = fallbacks(o.current, o.resources)
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{resources: o.resources, providers: [fresh, ...old, {identity: {}}]}],
  })
}

export function newKey(): Buffer {
  return randomBytes(32)
}

/** Creates `file` 0600 with `text`; an existing file is replaced only with `force` (never followed through a symlink). */
export function writeSecretFile(file: string, text: string, force: boolean): void {
  try {
    writePrivateFile(file, text, {replace: force})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw inputError('file.exists', `${file} exists: pass --force to replace it (the key in it is lost)`)
    throw fromSystemError(error) ?? error
  }
}

/** The digest every control-plane node's copy must show (`sha256sum`), safe to print: the file's key makes it unguessable. */
export function fileDigest(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`
}

export interface WriteFixedOptions {
  out: string
  provider: FixProvider
  /** The current EncryptionConfiguration, read (its keys stay as fallbacks), never written. */
  current?: EncryptionConfig
  /** Resources to cover besides those the findings show. */
  extraResources?: string[]
  force?: boolean
  /** Where the API servers read it (`--encryption-provider-config`). */
  target: string
  now?: Date
}

export interface FixedConfigWritten {
  file: string
  provider: FixProvider
  keyName: string
  resources: string[]
  /** Encrypting providers of the current file kept after the new key. */
  fallbacks: number
  sha256: string
  /** How to check and install it: no line holds the key. */
  next: string[]
}

/** Writes the fixed configuration for the incident's findings to `o.out` (0600) and says how to install it. */
export function writeFixedConfig(findings: readonly Finding[], o: WriteFixedOptions): FixedConfigWritten {
  const resources = [...new Set([...exposedResources(findings), ...(o.extraResources ?? [])])]
  const keyName = `leakctl-${(o.now ?? new Date()).toISOString().replace(/[-:]/g, '').slice(0, 13).toLowerCase()}`
  const text = fixedEncryptionConfig({resources, provider: o.provider, keyName, key: newKey(), current: o.current})
  writeSecretFile(o.out, text, o.force ?? false)
  const sha256 = fileDigest(text)
  return {
    file: o.out,
    provider: o.provider,
    keyName,
    resources,
    fallbacks: fallbacks(o.current, resources).length,
    sha256,
    next: [
      `leakctl check encryption --encryption-config ${shQuote(o.out)}`,
      `sudo install -m 600 -o root -g root ${shQuote(o.out)} ${shQuote(o.target)}   # on every control-plane node, then reload the API servers`,
      `sha256sum ${shQuote(o.target)}   # on every control-plane node: ${sha256.slice(7)}`,
    ],
  }
}
