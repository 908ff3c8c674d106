import type {Candidate} from '../engine.js'
import {type Field, jsonStrings} from './fields.js'
import type {CredentialFile} from './index.js'
import {base64Text, notPassword, notToken, place, report, who} from './report.js'

// Container registry credentials: ~/.docker/config.json (`{"auths": {REGISTRY: {…}}}`),
// the legacy ~/.dockercfg (`{REGISTRY: {…}}`) and the same format in podman/skopeo's
// containers/auth.json. Every entry counts, not only the first: `auth` (base64 of
// `user:password`), `identitytoken` (an OAuth refresh token), `registrytoken` (a bearer
// token) and a plain `password`. `auth` is reported as written (as the
// docker-config-auth rule does), so both give one fingerprint.
// https://docs.docker.com/reference/cli/docker/login/#credential-stores
// https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md

const FIELDS = /^(?:auth|identitytoken|registrytoken|password|username)$/i
const OBJECT_KEY = /"((?:[^"\\\r\n]|\\.){1,256})"\s{0,64}:\s{0,64}\{/g

/** Offsets and names of the keys that open an object, in text order: the registries. */
function registries(text: string): {at: number; name: string}[] {
  const out: {at: number; name: string}[] = []
  OBJECT_KEY.lastIndex = 0
  for (let m = OBJECT_KEY.exec(text); m; m = OBJECT_KEY.exec(text)) if (!/^(?:auths|credHelpers|HttpHeaders|proxies)$/i.test(m[1]!)) out.push({at: m.index, name: m[1]!})
  return out
}

function read(text: string, out: Candidate[]): void {
  const regs = registries(text)
  // Each field belongs to the registry whose key opens last before it.
  const placed: {f: Field; r: number}[] = []
  let r = -1
  for (const f of jsonStrings(text, FIELDS)) {
    while (r + 1 < regs.length && regs[r + 1]!.at < f.start) r++
    placed.push({f, r})
  }
  const users = new Map<number, string>()
  for (const {f, r} of placed) if (f.key.toLowerCase() === 'username') users.set(r, f.value)
  for (const {f, r} of placed) entryCredential(f, r >= 0 ? regs[r]!.name.replace(/^\w+:\/\/|\/.*$/g, '') : '?', users.get(r), out)
}

function entryCredential(f: Field, registry: string, username: string | undefined, out: Candidate[]): void {
  const key = f.key.toLowerCase()
  const base = {start: f.start, end: f.end, class: 'docker-config' as const}
  if (key === 'auth') {
    const decoded = base64Text(f.value)
    const colon = decoded?.indexOf(':') ?? -1
    if (!decoded || colon < 0 || notPassword(decoded.slice(colon + 1))) return
    report(out, 'docker-config', {...base, secret: f.value, reason: `container registry credentials for ${place(registry)} (docker config auth: base64 of user:password)`, label: `docker ${who(decoded.slice(0, colon), registry)} auth`})
  } else if (key === 'password') {
    if (notPassword(f.value)) return
    report(out, 'docker-config', {...base, secret: f.value, reason: `a container registry password for ${place(registry)} (docker config)`, label: `docker ${who(username, registry)} password`})
  } else if (key === 'identitytoken' || key === 'registrytoken') {
    if (notToken(f.value)) return
    const what = key === 'identitytoken' ? 'an OAuth refresh token (identitytoken)' : 'a bearer token (registrytoken)'
    report(out, 'docker-config', {...base, secret: f.value, reason: `${what} for container registry ${place(registry)} (docker config)`, label: `docker ${place(registry)} ${key}`})
  }
}

export const docker: CredentialFile = {
  id: 'docker-config',
  path: /(?:^|\/)(?:\.docker\/config\.json|\.dockercfg|\.dockerconfigjson|containers\/auth\.json)$/i,
  read,
}
