import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

// A throwaway PKI made with the real openssl: a CA, a server certificate for
// 127.0.0.1/localhost and a client certificate signed by it — for the etcd
// TLS test and the fake API server — plus an unrelated CA for "wrong
// certificate" cases. EC P-256 keys: fast to make.

export interface Pair {
  cert: string
  key: string
}

export interface Pki {
  dir: string
  ca: Pair
  server: Pair
  client: Pair
  /** A CA and a client certificate the first CA never signed. */
  otherCa: Pair
  otherClient: Pair
  pem(file: string): string
}

function run(dir: string, args: string[]): void {
  execFileSync('openssl', args, {cwd: dir, stdio: ['ignore', 'ignore', 'pipe']})
}

function key(dir: string, name: string): string {
  run(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`])
  return join(dir, `${name}.key`)
}

function makeCa(dir: string, name: string): Pair {
  const k = key(dir, name)
  run(dir, ['req', '-x509', '-new', '-key', k, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`])
  return {cert: join(dir, `${name}.crt`), key: k}
}

function sign(dir: string, ca: Pair, name: string, cn: string, ext: string): Pair {
  const k = key(dir, name)
  run(dir, ['req', '-new', '-key', k, '-out', `${name}.csr`, '-subj', `/CN=${cn}`])
  writeFileSync(join(dir, `${name}.ext`), ext)
  run(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`])
  return {cert: join(dir, `${name}.crt`), key: k}
}

export function makePki(dir: string): Pki {
  const ca = makeCa(dir, 'ca')
  const server = sign(dir, ca, 'server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n')
  const client = sign(dir, ca, 'client', 'kube-apiserver-etcd-client', 'extendedKeyUsage=clientAuth\n')
  const otherCa = makeCa(dir, 'other-ca')
  const otherClient = sign(dir, otherCa, 'other-client', 'intruder', 'extendedKeyUsage=clientAuth\n')
  return {dir, ca, server, client, otherCa, otherClient, pem: (f) => readFileSync(f, 'utf8')}
}
