// kube-apiserver's verbose health output (/healthz?verbose, /readyz?verbose):
//   [+]ping ok
//   [+]etcd ok
//   [+]kms-provider-0 ok          KMS v1, one check per provider
//   [-]kms-providers failed: reason withheld     KMS v2 / automatic reload: one check for all
//   healthz check passed
// The KMS checks are the only place the API server says whether its KMS
// plugin answers; a failing one means writes of the covered resources fail.

export interface HealthCheck {
  name: string
  ok: boolean
  /** The text after the name (`ok`, `failed: reason withheld`). */
  detail: string
}

export interface HealthReport {
  endpoint: string
  checks: HealthCheck[]
  kms: HealthCheck[]
  /** The closing line (`healthz check passed` / `... failed`). */
  summary: string | null
}

export function parseVerboseHealth(endpoint: string, text: string): HealthReport {
  const checks: HealthCheck[] = []
  let summary: string | null = null
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    const m = /^\[([+-])\]([^\s]+)\s*(.*)$/.exec(line)
    if (m) checks.push({name: m[2]!, ok: m[1] === '+', detail: m[3]!.trim()})
    else if (/check (passed|failed)/.test(line)) summary = line
  }
  return {endpoint, checks, kms: checks.filter((c) => c.name.startsWith('kms-provider')), summary}
}
