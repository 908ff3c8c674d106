import type {z} from '#zod'

import {findingSchema} from '../detect/finding.js'
import {playbookSchema, procedureSchema} from '../playbook/schema.js'
import {lazyTable} from '../lookup.js'
import {onFirstUse, zod} from '../zod.js'

// The event log's vocabulary. Every state leakctl shows (checklist, status,
// timeline, report) is a fold over these; nothing is stored twice.

export const INCIDENT_KINDS = ['etcd-leak', 'git-leak', 'encryption-gap', 'custom'] as const
export type IncidentKind = (typeof INCIDENT_KINDS)[number]

/** ISO-8601 UTC exactly as toISOString() writes it (milliseconds optional): nothing else can reach an attribute or a cell. */
const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/

/** A canonical UTC time that names a real instant (round-trips through Date). */
export function isCanonicalTime(s: string): boolean {
  if (!CANONICAL_TIME.test(s)) return false
  const ms = Date.parse(s)
  if (!Number.isFinite(ms)) return false
  const back = new Date(ms).toISOString()
  return back === s || back === s.replace(/Z$/, '.000Z')
}

/** An offset from the incident start: ±100 years keeps start + offset a valid date. */
export const MAX_OFFSET_MS = 100 * 366 * 24 * 3600 * 1000

/**
 * What a verification can say of a leaked credential. From the cluster:
 * current (the leaked value is served today), rotated, deleted. From the
 * issuer: live, revoked, expired, unverifiable (no safe check for the class).
 * unknown from either: the check could not be made (with the reason).
 */
export const VERIFICATION_STATES = ['current', 'rotated', 'deleted', 'live', 'revoked', 'expired', 'unknown', 'unverifiable'] as const
export type VerificationState = (typeof VERIFICATION_STATES)[number]
/** The leaked value still works or is still served: its items must not count as done. */
export const DANGEROUS_STATES: readonly VerificationState[] = ['current', 'live']
/** The leaked value is dead: its rotate/revoke items tick themselves. */
export const DEAD_STATES: readonly VerificationState[] = ['rotated', 'deleted', 'revoked', 'expired']

/** Times inside a finding are shown and sorted on like the event's own. */
function findingTimes(f: {source: string; date?: string; committerDate?: string; removedAt?: string | null}, ctx: z.RefinementCtx): void {
  for (const k of ['date', 'committerDate', 'removedAt'] as const) {
    const v = f[k]
    if (typeof v === 'string' && !isCanonicalTime(v)) ctx.addIssue({code: 'custom', path: [k], message: 'not a canonical ISO-8601 UTC time'})
  }
}

// The schemas, built on first use: a command that reads a log already validated (log.ts, the
// validation record) starts without zod's schemas (docs/performance.md, start-up).
function buildSchemas() {
  const z = zod()
  const iso = z.string().max(30).refine(isCanonicalTime, 'not a canonical ISO-8601 UTC time (YYYY-MM-DDTHH:MM:SS[.mmm]Z)')
  const offsetMs = z.number().int().min(-MAX_OFFSET_MS).max(MAX_OFFSET_MS)

  const windowSchema = z.object({
    label: z.string(),
    startMs: offsetMs.nullable(),
    endMs: offsetMs.nullable(),
  })

  const phaseSchema = z.object({
    id: z.string(),
    title: z.string(),
    window: windowSchema,
  })

  const itemSchema = z.object({
    id: z.string(),
    phase: z.string(),
    title: z.string(),
    why: z.string().optional(),
    /** The step's own commands, rendered. */
    commands: z.array(z.string()),
    /**
     * The rotation procedure the item follows. Its steps are rendered when shown
     * (from the procedure in incident.opened and the item's finding), not stored
     * per item: 50,000 findings must not mean 50,000 copies of a runbook.
     */
    procedure: z.string().optional(),
    check: z.object({command: z.string(), description: z.string().optional()}).optional(),
    /** Set on the members of a grouped item. */
    parent: z.string().optional(),
    /** findingKey()s this item covers. */
    findings: z.array(z.string()).optional(),
    /** Due time as an offset from the incident start; null: no deadline. */
    dueOffsetMs: offsetMs.nullable(),
    /** Why this item is manual: the automated part could not run here. */
    gap: z.string().optional(),
  })

  const publicKeyId = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'an ed25519 public key (43 base64url characters)')

  // Each type's schema is built when first needed: a tick validates one small object, and the
  // playbook and finding schemas (most of the work) wait for the events that hold them.
  const dataSchemas = lazyTable({
    'incident.opened': () => z.object({
      incident: z.string(),
      title: z.string(),
      kind: z.enum(INCIDENT_KINDS),
      commander: z.string(),
      exposedAt: iso.nullable(),
      // The playbook and its procedures travel inside the log, so the incident
      // is self-contained: later findings expand the same checklist on any machine.
      playbook: z.object({
        name: z.string(),
        title: z.string(),
        version: z.number().int().min(0).max(1_000_000),
        file: z.string(),
        sha256: z.string(),
        definition: playbookSchema(),
        procedures: z.array(procedureSchema()),
      }),
      vars: z.record(z.string(), z.string()).optional(),
      /** Chosen at opening, the same on every machine: rotations use the graceful `-planned` procedures. */
      planned: z.boolean().optional(),
    }),
    'incident.noted': () => z.object({text: z.string()}),
    'checklist.items.added': () => z.object({phases: z.array(phaseSchema), items: z.array(itemSchema)}),
    'finding.recorded': () => z.object({finding: findingSchema().superRefine(findingTimes), scan: z.string().optional()}),
    'check.completed': () => z.object({
      check: z.string(),
      status: z.enum(['pass', 'fail', 'partial', 'unknown', 'skipped']),
      summary: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
    'evidence.found': () => z.object({
      source: z.string(),
      summary: z.string(),
      /** When it happened in the outside system (a CloudTrail eventTime). */
      at: iso.optional(),
      suspicious: z.boolean(),
      reasons: z.array(z.string()).optional(),
      ref: z.record(z.string(), z.unknown()).optional(),
    }),
    'item.ticked': () => z.object({item: z.string(), note: z.string().optional()}),
    'item.unticked': () => z.object({item: z.string(), note: z.string().optional()}),
    'item.noted': () => z.object({item: z.string(), text: z.string()}),
    'item.assigned': () => z.object({item: z.string(), owner: z.string()}),
    // Is a leaked credential still dangerous? One event per credential per check,
    // from the live cluster (`verify cluster`) or its issuer (`verify issuer`).
    'verification.recorded': () => z.object({
      fingerprint: z.string(),
      /** findingKey() of the finding checked, so the items covering it can follow the evidence. */
      finding: z.string(),
      class: z.string(),
      where: z.string(),
      verifier: z.enum(['cluster', 'issuer']),
      state: z.enum(VERIFICATION_STATES),
      /** When the state began, where the source tells (a Secret's last change). */
      since: iso.nullable().optional(),
      checkedAt: iso,
      /** What was asked: `GET /api/v1/secrets (list)`, `sts:GetCallerIdentity`, ... */
      via: z.string(),
      detail: z.string(),
      consumers: z.array(z.object({kind: z.string(), namespace: z.string().optional(), name: z.string()})).optional(),
    }),
    // A revocation asked of an issuer (`revoke --apply`), or planned (applied: false).
    'credential.revoked': () => z.object({
      fingerprint: z.string(),
      finding: z.string(),
      class: z.string(),
      where: z.string(),
      action: z.string(),
      applied: z.boolean(),
      result: z.string(),
    }),
    // Chain of custody: a responder asks to join with their signing key; the
    // commander admits a key under a name. Only admitted keys' events count.
    'responder.joined': () => z.object({name: z.string().min(1).max(200), key: publicKeyId}),
    'responder.admitted': () => z.object({name: z.string().min(1).max(200), key: publicKeyId}),
  })

  const envelope = z.object({
    id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'ULID'),
    time: iso,
    actor: z.string().min(1).max(200),
    type: z.string().max(100),
    data: z.unknown(),
    key: publicKeyId.optional(),
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'an ed25519 signature (86 base64url characters)').optional(),
  })

  return {windowSchema, phaseSchema, itemSchema, publicKeyId, dataSchemas, envelope}
}

type Schemas = ReturnType<typeof buildSchemas>
const schemas = onFirstUse(buildSchemas)

/** An ed25519 public key, raw 32 bytes in base64url: a responder's signing identity. */
export const publicKeyId = (): Schemas['publicKeyId'] => schemas().publicKeyId

export type EventType = keyof Schemas['dataSchemas']

export type EventData<T extends EventType> = z.infer<Schemas['dataSchemas'][T]>

export type IncidentEvent = {
  [T in EventType]: {
    /** Sortable unique id (ULID): time order across machines. */
    id: string
    /** ISO-8601 UTC. */
    time: string
    actor: string
    type: T
    data: EventData<T>
  } & Signature
}[EventType]

/** Who vouches for an event: the signer's public key, its running count of events in this incident, and the signature. */
export interface Signature {
  key?: string
  /** 1, 2, 3, ... per signing key per incident: a gap means an event was deleted. */
  seq?: number
  /** ed25519 over canonicalEvent(event without sig), base64url. */
  sig?: string
}

export type EventOf<T extends EventType> = Extract<IncidentEvent, {type: T}>
export type ChecklistItem = z.infer<Schemas['itemSchema']>
export type Phase = z.infer<Schemas['phaseSchema']>


/** How far ahead of this machine's clock another machine's event may be (clocks drift; a year does not). */
export const MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000

export type ParsedEvent = {ok: true; event: IncidentEvent} | {ok: false; unknownType: string} | {ok: false; error: string}

/**
 * Validates one decoded event in full: envelope, data schema, every number
 * bounded, id and time not beyond this machine's clock plus a day. Unknown
 * types are reported, not fatal: a newer leakctl may have written them.
 */
export function parseEvent(raw: unknown, nowMs = Date.now()): ParsedEvent {
  const {envelope, dataSchemas} = schemas()
  const env = envelope.safeParse(raw)
  if (!env.success) return {ok: false, error: zodMessage(env.error)}
  const idTime = ulidTime(env.data.id)
  if (idTime > nowMs + MAX_CLOCK_SKEW_MS) return {ok: false, error: `id: its time (${idTime > 8.64e15 ? 'beyond any date' : new Date(idTime).toISOString()}) is in the future`}
  if (Date.parse(env.data.time) > nowMs + MAX_CLOCK_SKEW_MS) return {ok: false, error: `time: ${env.data.time} is in the future`}
  // The table has no prototype (lazyTable): a hostile log's `constructor` or `toString` is an unknown type, not a crash.
  const schema = (dataSchemas as Record<string, z.ZodType | undefined>)[env.data.type]
  if (!schema) return {ok: false, unknownType: env.data.type}
  const wild = unboundedNumber(env.data.data, 'data')
  if (wild) return {ok: false, error: `${env.data.type}: ${wild}: number out of range`}
  const data = schema.safeParse(env.data.data)
  if (!data.success) return {ok: false, error: `${env.data.type}: ${zodMessage(data.error)}`}
  const event = {id: env.data.id, time: env.data.time, actor: env.data.actor, type: env.data.type, data: data.data} as IncidentEvent
  if (env.data.key !== undefined) event.key = env.data.key
  if (env.data.seq !== undefined) event.seq = env.data.seq
  if (env.data.sig !== undefined) event.sig = env.data.sig
  return {ok: true, event}
}

/** The millisecond time in a ULID's first ten characters (Crockford base32); may exceed 2^48 for hostile ids. */
export function ulidTime(id: string): number {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
  let t = 0
  for (const c of id.slice(0, 10)) t = t * 32 + alphabet.indexOf(c)
  return t
}

/** The path of the first number no event needs (not a safe integer's size, or not finite), else null. */
function unboundedNumber(v: unknown, path: string, depth = 0): string | null {
  if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? null : path
  if (depth > 32 || v === null || typeof v !== 'object') return null
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = unboundedNumber(v[i], `${path}.${i}`, depth + 1)
      if (bad) return bad
    }
    return null
  }
  for (const [k, x] of Object.entries(v)) {
    const bad = unboundedNumber(x, `${path}.${k}`, depth + 1)
    if (bad) return bad
  }
  return null
}

export function validateData<T extends EventType>(type: T, data: unknown): EventData<T> {
  return schemas().dataSchemas[type].parse(data) as EventData<T>
}

export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`)
    .join('; ')
}
