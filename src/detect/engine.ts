import {safeUrl} from '../text/url.js'
import type {Fingerprinter} from '../fingerprint/key.js'
import {type ClassId, classInfo} from './classes.js'
import {credentialFilesFor} from './files/index.js'
import {type Finding, redact, type Risk, valueDigests} from './finding.js'
import {assignments, GENERIC_KEYWORDS, KEYWORD_GUARDS, SERVICE_KEYWORDS} from './generic.js'
import {HASH_KEYWORDS, passwordHashes} from './hashes.js'
import {kubernetesSecretData} from './kubernetes.js'
import {type KeywordHit, keywordMatcher} from './keywords.js'
import {entropy, isPlaceholder} from './placeholder.js'
import {RANK, type Rule, RULES} from './rules.js'
import {urlCredential, userTokenClass} from './userinfo.js'

// The detection engine every scanner shares. detect(text) returns one Match
// per credential found; the secret stays in memory (Match.secret) and leaves
// only as a fingerprint and a redacted preview (matchFindingBase).

export interface Match {
  rule: string
  family: string
  class: string
  risk: Risk
  reason: string
  /** The secret value: in memory only, never serialized or printed. */
  secret: string
  /** Public half of a pair (an AWS access key id); never the secret half. */
  keyId?: string
  /** Leading characters of `secret` that are a documented public prefix. */
  reveal: number
  /** Offsets of the secret in the text. */
  start: number
  end: number
  /** 1-based line of the secret. */
  line: number
  /** A preview built by the rule (e.g. a URL with only its password masked). */
  preview?: string
}

export interface DetectOptions {
  /** File path, for rules that depend on the kind of file (nuget.config, *.tf). */
  path?: string
  /**
   * The text as one byte per character: the character's code when below 0x80, any value of 0x80 or
   * more otherwise (an ASCII text's own bytes; a decoder's view). The keyword pass reads it, faster.
   */
  bytes?: Uint8Array
}

/** A match before overlaps are resolved; `rank` is the rule's specificity. */
export interface Candidate extends Omit<Match, 'line'> {
  rank: number
}

const PEM = '-----begin'
const KIND = 'kind:'

// One case-insensitive pass over the text finds which keywords occur, hence
// which rules can match at all; most text never meets a rule's expression.
const RULES_BY_KEYWORD = new Map<string, Rule[]>()
for (const rule of RULES) {
  if (!rule.pattern.global) throw new Error(`rule ${rule.id}: its pattern needs the g flag`)
  for (const k of rule.keywords) RULES_BY_KEYWORD.set(k, [...(RULES_BY_KEYWORD.get(k) ?? []), rule])
}
const GENERIC = new Set([...GENERIC_KEYWORDS, ...SERVICE_KEYWORDS])
const MATCHER = keywordMatcher([...RULES_BY_KEYWORD.keys(), ...GENERIC, PEM, KIND, ...HASH_KEYWORDS], KEYWORD_GUARDS)
const ALL_KEYWORDS = new Set([...RULES_BY_KEYWORD.keys(), ...GENERIC])

/** The keywords (lower case) of every rule that occur in the text: empty means detect() will find nothing. */
export function scanKeywords(text: string): Set<string> {
  return MATCHER.scan(text).found
}

/** Whether a credential-file reader claims the path, per path: callers pass a few fixed ones. */
const claimedPaths = new Map<string, boolean>()

/**
 * False when detect(text, {path}) on the UTF-8 decoding of these bytes finds nothing for sure:
 * no credential file claims the path and no keyword occurs (every rule and reader in detect()
 * is keyed on one). Read from the bytes, so a text that holds no keyword is never decoded.
 */
export function mayDetect(bytes: Uint8Array, path?: string): boolean {
  if (path) {
    let claimed = claimedPaths.get(path)
    if (claimed === undefined) {
      claimed = credentialFilesFor(path).length > 0
      if (claimedPaths.size >= 1024) claimedPaths.clear()
      claimedPaths.set(path, claimed)
    }
    if (claimed) return true
  }
  return bytes.length > 0 && MATCHER.occurs(bytes)
}

/** Below this size a rule's pattern runs on the whole text; above, on windows around its keywords. */
const WINDOWED_ABOVE = 8192

export function detect(text: string, opts: DetectOptions = {}): Match[] {
  if (text.length === 0) return []
  const out: Candidate[] = []
  for (const file of credentialFilesFor(opts.path)) file.read(text, out)
  const windowed = text.length > WINDOWED_ABOVE
  const {found, hits} = MATCHER.scan(text, windowed ? ALL_KEYWORDS : GENERIC, opts.bytes)
  if (found.size === 0) return out.length ? finish(text, out) : []
  const rules = new Set<Rule>()
  for (const k of found) for (const r of RULES_BY_KEYWORD.get(k) ?? []) rules.add(r)
  const at = windowed ? positionsByKeyword(hits) : undefined
  for (const rule of rules) {
    if (rule.requires && !rule.requires.every((r) => text.includes(r))) continue
    if (!at || rule.window === false) runRule(rule, text, 0, text.length, out)
    else for (const [s, e] of windowsOf(rule, at, text)) runRule(rule, text, s, e, out)
  }
  if (found.has(PEM)) privateKeys(text, out)
  if (HASH_KEYWORDS.some((k) => found.has(k))) passwordHashes(text, out)
  const generic = windowed ? hits.filter((h) => GENERIC.has(h.keyword)) : hits
  if (generic.length) assignments(text, generic, opts, out)
  if (found.has(KIND) && found.has('secret')) kubernetesSecretData(text, out)
  return finish(text, out)
}

/** Hosts reserved for documentation (RFC 2606): credentials in their URLs are examples. */
const DOC_HOST = /(?:^|\.)(?:example(?:\.(?:com|org|net))?|test|invalid)$/i

function positionsByKeyword(hits: KeywordHit[]): Map<string, number[]> {
  const at = new Map<string, number[]>()
  for (const h of hits) {
    const list = at.get(h.keyword)
    if (list) list.push(h.start)
    else at.set(h.keyword, [h.start])
  }
  return at
}

/** Characters a token may be made of: a window never starts or ends inside one. */
function isTokenChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 43 || c === 47 || c === 61 || c === 46 || c === 126
}

/** Merged [start, end) windows around the occurrences of a rule's keywords, widened to whole tokens. */
function windowsOf(rule: Rule, at: Map<string, number[]>, text: string): [number, number][] {
  const w = rule.window || {}
  const before = w.before ?? 256
  const after = w.after ?? 1024
  const starts: number[] = []
  for (const k of rule.keywords) for (const p of at.get(k) ?? []) starts.push(p)
  starts.sort((a, b) => a - b)
  const out: [number, number][] = []
  for (const p of starts) {
    let s = Math.max(0, p - before)
    let e = Math.min(text.length, p + after)
    const last = out[out.length - 1]
    if (last && s <= last[1]) {
      if (e > last[1]) last[1] = widenRight(text, e)
      continue
    }
    s = widenLeft(text, s)
    e = widenRight(text, e)
    if (last && s <= last[1]) last[1] = Math.max(last[1], e)
    else out.push([s, e])
  }
  return out
}

function widenLeft(text: string, s: number): number {
  const stop = Math.max(0, s - 65_536)
  while (s > stop && isTokenChar(text.charCodeAt(s - 1))) s--
  return s
}

function widenRight(text: string, e: number): number {
  const stop = Math.min(text.length, e + 65_536)
  while (e < stop && isTokenChar(text.charCodeAt(e))) e++
  return e
}

/** Each rule's pattern with the `d` flag: the secret group's exact offsets. */
const WITH_INDICES = new Map(RULES.map((r) => [r, new RegExp(r.pattern.source, r.pattern.flags.includes('d') ? r.pattern.flags : `${r.pattern.flags}d`)]))

function runRule(rule: Rule, text: string, from: number, to: number, out: Candidate[]): void {
  const re = WITH_INDICES.get(rule)!
  const sub = from === 0 && to === text.length ? text : text.slice(from, to)
  re.lastIndex = 0
  for (let m = re.exec(sub); m; m = re.exec(sub)) {
    if (m[0].length === 0) re.lastIndex++
    const cred = rule.userinfo ? urlCredential(m.groups!.u!) : undefined
    if (rule.userinfo && !cred) continue
    const secret = cred?.secret ?? m.groups?.s ?? m[0]
    const start = from + (cred ? m.indices!.groups!.u![0] + cred.offset : (m.indices?.groups?.s?.[0] ?? m.index))
    if (rule.placeholder ? rule.placeholder(secret) : isPlaceholder(secret, rule.typed)) continue
    if (m.groups?.h && DOC_HOST.test(m.groups.h)) continue
    if (rule.minEntropy && entropy(secret) < rule.minEntropy) continue
    if (rule.check && !rule.check(secret)) continue
    const refined = rule.refine?.(secret) ?? (cred?.part === 'user' ? userToken(rule, m.groups!.h!) : undefined)
    const cls = refined?.class ?? rule.class
    out.push({
      rule: rule.id,
      family: rule.family,
      class: cls,
      risk: refined?.risk ?? rule.risk ?? classInfo(cls).risk,
      reason: refined?.reason ?? rule.reason ?? classInfo(cls).title,
      secret,
      ...(m.groups?.k ? {keyId: m.groups.k} : {}),
      reveal: Math.min(rule.reveal ?? 0, secret.length),
      start,
      end: start + secret.length,
      preview: rule.userinfo ? urlPreview(m[0]) : undefined,
      rank: RANK[rule.specificity ?? 'format'],
    })
  }
}

/** `postgres://app:****@db.prod` — the host and a plain user name help find the credential; nothing else shows. */
function urlPreview(url: string): string {
  const masked = safeUrl(url)
  return masked.length > 120 ? `${masked.slice(0, 117)}...` : masked
}

/** A token in a URL's user position: its own class (by the host it opens), unless the rule is about a database. */
function userToken(rule: Rule, host: string): {class?: ClassId; risk?: Risk; reason: string} {
  if (rule.class === 'database-url') return {reason: 'a database connection URL with a token as its user name'}
  return {class: userTokenClass(host), reason: `a token as the user name of a URL to ${host.slice(0, 64)} (clients send it as the credential)`}
}

// --- PEM private keys: BEGIN, a body of base64, END (or the end of the text) ---

const BEGIN = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |ED25519 )?PRIVATE KEY(?: BLOCK)?)-----/g

function privateKeys(text: string, out: Candidate[]): void {
  for (const m of text.matchAll(BEGIN)) {
    const label = m[1]!
    const bodyStart = m.index! + m[0].length
    const endMarker = `-----END ${label}-----`
    const endAt = text.indexOf(endMarker, bodyStart)
    // Without its END line (a truncated paste), the body runs to the next dashes.
    const nextDashes = text.indexOf('-----', bodyStart)
    const stop = endAt >= 0 ? endAt : nextDashes >= 0 ? nextDashes : Math.min(text.length, bodyStart + 16_384)
    const body = text.slice(bodyStart, stop)
    // JSON-embedded keys carry literal \n sequences; legacy PEM has headers.
    const b64 = body.replace(/\\[nr]/g, '').replace(/^(?:Proc-Type|DEK-Info|Comment|Version):[^\n]*$/gm, '').replace(/\s/g, '')
    if (!/^[A-Za-z0-9+/=]{64,}$/.test(b64)) continue
    const encrypted = label.startsWith('ENCRYPTED') || body.includes('Proc-Type: 4,ENCRYPTED') || (label === 'OPENSSH PRIVATE KEY' && opensshEncrypted(b64))
    const end = endAt < 0 ? stop : endAt + endMarker.length
    out.push({
      rule: 'private-key',
      family: 'private-key',
      class: 'private-key',
      risk: encrypted ? 'medium' : 'high',
      reason: encrypted ? `an encrypted ${label.toLowerCase()} (useless without its passphrase, but replace it)` : `a ${label.replace('ENCRYPTED ', '').toLowerCase()} in PEM form`,
      secret: text.slice(m.index!, end),
      reveal: 0,
      start: m.index!,
      end,
      preview: `-----BEGIN ${label}----- … (${b64.length} base64 chars)`,
      rank: RANK.format,
    })
  }
}

function opensshEncrypted(b64: string): boolean {
  try {
    const head = Buffer.from(b64.slice(0, 64), 'base64').toString('latin1')
    return !head.includes('none')
  } catch {
    return false
  }
}

// --- Pairing, de-duplication, lines ---

/** Rules whose match is an AWS secret access key, to be paired with the key id beside it. */
const AWS_SECRET_RULES = new Set(['aws-secret-access-key', 'aws-key-pair-inline'])
/** How far (in characters) a key id may be from its secret key to be its pair. */
const AWS_PAIR_DISTANCE = 2048

function finish(text: string, found: Candidate[]): Match[] {
  const used = pairAwsKeys(found)
  for (const c of found) if (c.rule === 'aws-access-key-id' && !used.has(c)) c.keyId = c.secret
  const kept = resolveOverlaps(found.filter((c) => !used.has(c)))
  // Lines: count newlines forward from one match to the next (they are in order). The next
  // newline is remembered, so thousands of matches on one long line do not each rescan it.
  const out: Match[] = []
  let line = 1
  let next = text.indexOf('\n')
  for (const {rank: _rank, ...c} of kept) {
    while (next >= 0 && next < c.start) {
      line++
      next = text.indexOf('\n', next + 1)
    }
    out.push({...c, line})
  }
  return out
}

/**
 * AWS: a secret key takes the nearest key id (within AWS_PAIR_DISTANCE) as its keyId; that id is then
 * not a finding of its own. Both lists in text order, one pass with a cursor: a blob of thousands of
 * `id,secret` lines pairs in linear time, where comparing every secret with every id took seconds.
 * Returns the ids that were paired.
 */
function pairAwsKeys(found: Candidate[]): Set<Candidate> {
  const byStart = (a: Candidate, b: Candidate) => a.start - b.start
  const ids = found.filter((c) => c.rule === 'aws-access-key-id').sort(byStart)
  const used = new Set<Candidate>()
  if (ids.length === 0) return used
  let j = 0 // ids[j] is the last id starting at or before the secret (or the first id)
  for (const c of found.filter((x) => AWS_SECRET_RULES.has(x.rule)).sort(byStart)) {
    while (j + 1 < ids.length && ids[j + 1]!.start <= c.start) j++
    const before = ids[j]!
    const after = ids[j + 1]
    // Ties go to the id before the secret, as in `id,secret` lines.
    const nearest = after && Math.abs(after.start - c.start) < Math.abs(before.start - c.start) ? after : before
    if (Math.abs(nearest.start - c.start) > AWS_PAIR_DISTANCE) continue
    // A pair matched as one (`id,secret`) already names its id; the nearest id is that one, or not its pair.
    if (c.keyId && c.keyId !== nearest.secret) continue
    c.keyId = nearest.secret
    used.add(nearest)
  }
  return used
}

/**
 * Where matches overlap, the more specific rule wins; among equals, the longer match.
 * Overlaps are rare and local, so each cluster of overlapping matches is settled on its
 * own: sorting dominates, never a comparison of every pair in the text.
 */
function resolveOverlaps(list: Candidate[]): Candidate[] {
  list.sort((a, b) => a.start - b.start || b.end - a.end)
  const kept: Candidate[] = []
  for (let i = 0; i < list.length; ) {
    let end = list[i]!.end
    let j = i + 1
    while (j < list.length && list[j]!.start < end) end = Math.max(end, list[j++]!.end)
    if (j === i + 1) kept.push(list[i]!)
    else {
      const cluster = list.slice(i, j).sort((a, b) => b.rank - a.rank || b.end - b.start - (a.end - a.start) || a.start - b.start)
      const won: Candidate[] = []
      for (const c of cluster) if (!won.some((k) => c.start < k.end && k.start < c.end)) won.push(c)
      kept.push(...won.sort((a, b) => a.start - b.start))
    }
    i = j
  }
  return kept
}

/** The value-free fields of a Finding for a match; `fp` is the workspace's fingerprinter. */
export function matchFindingBase(m: Match, fp: Fingerprinter): Pick<Finding, 'class' | 'risk' | 'reason' | 'fingerprint' | 'hashedToken' | 'preview' | 'rotation' | 'keyId'> {
  return {
    class: m.class,
    risk: m.risk,
    reason: m.reason,
    ...valueDigests(fp, m.secret),
    preview: m.preview ?? redact(m.secret, m.reveal),
    rotation: classInfo(m.class).rotation,
    ...(m.keyId ? {keyId: m.keyId} : {}),
  }
}

/**
 * What a named value holds (a Secret's data key, an env var): format rules on
 * the value first, then the name. `name: value` is scanned as one assignment.
 */
export function detectValue(name: string, value: string): Match[] {
  const direct = detect(value)
  if (direct.length) return direct
  if (value.includes('\n')) return []
  const prefix = `${name}: `
  return detect(`${prefix}${JSON.stringify(value)}`).map((m) => ({...m, start: m.start - prefix.length - 1, end: m.end - prefix.length - 1, line: 1}))
}
