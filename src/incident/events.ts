import {z} from 'zod'

import {findingSchema} from '../detect/finding.js'
import {playbookSchema, procedureSchema} from '../playbook/schema.js'

// The event log's vocabulary. Every state leakctl shows (checklist, status,
// timeline, report) is a fold over these; nothing is stored twice.

export const INCIDENT_KINDS = ['etcd-leak', 'git-leak', 'encryption-gap', 'custom'] as const
export type IncidentKind = (typeof INCIDENT_KINDS)[number]

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 time')

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

export const windowSchema = z.object({
  label: z.string(),
  startMs: z.number().nullable(),
  endMs: z.number().nullable(),
})

export const phaseSchema = z.object({
  id: z.string(),
  title: z.string(),
  window: windowSchema,
})

export const itemSchema = z.object({
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
  dueOffsetMs: z.number().nullable(),
  /** Why this item is manual: the automated part could not run here. */
  gap: z.string().optional(),
})

const dataSchemas = {
  'incident.opened': z.object({
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
      version: z.number(),
      file: z.string(),
      sha256: z.string(),
      definition: playbookSchema,
      procedures: z.array(procedureSchema),
    }),
    vars: z.record(z.string(), z.string()).optional(),
  }),
  'incident.noted': z.object({text: z.string()}),
  'checklist.items.added': z.object({phases: z.array(phaseSchema), items: z.array(itemSchema)}),
  'finding.recorded': z.object({finding: findingSchema, scan: z.string().optional()}),
  'check.completed': z.object({
    check: z.string(),
    status: z.enum(['pass', 'fail', 'partial', 'unknown', 'skipped']),
    summary: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
  'evidence.found': z.object({
    source: z.string(),
    summary: z.string(),
    /** When it happened in the outside system (a CloudTrail eventTime). */
    at: iso.optional(),
    suspicious: z.boolean(),
    reasons: z.array(z.string()).optional(),
    ref: z.record(z.string(), z.unknown()).optional(),
  }),
  'item.ticked': z.object({item: z.string(), note: z.string().optional()}),
  'item.unticked': z.object({item: z.string(), note: z.string().optional()}),
  'item.noted': z.object({item: z.string(), text: z.string()}),
  'item.assigned': z.object({item: z.string(), owner: z.string()}),
  // Is a leaked credential still dangerous? One event per credential per check,
  // from the live cluster (`verify cluster`) or its issuer (`verify issuer`).
  'verification.recorded': z.object({
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
  'credential.revoked': z.object({
    fingerprint: z.string(),
    finding: z.string(),
    class: z.string(),
    where: z.string(),
    action: z.string(),
    applied: z.boolean(),
    result: z.string(),
  }),
} as const

export type EventType = keyof typeof dataSchemas
export const EVENT_TYPES = Object.keys(dataSchemas) as EventType[]

export type EventData<T extends EventType> = z.infer<(typeof dataSchemas)[T]>

export type IncidentEvent = {
  [T in EventType]: {
    /** Sortable unique id (ULID): time order across machines. */
    id: string
    /** ISO-8601 UTC. */
    time: string
    actor: string
    type: T
    data: EventData<T>
  }
}[EventType]

export type EventOf<T extends EventType> = Extract<IncidentEvent, {type: T}>
export type ChecklistItem = z.infer<typeof itemSchema>
export type Phase = z.infer<typeof phaseSchema>

const envelope = z.object({
  id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'ULID'),
  time: iso,
  actor: z.string().min(1),
  type: z.string(),
  data: z.unknown(),
})

export type ParsedEvent = {ok: true; event: IncidentEvent} | {ok: false; unknownType: string} | {ok: false; error: string}

/** Validates one decoded log line. Unknown types are reported, not fatal: a newer leakctl may have written them. */
export function parseEvent(raw: unknown): ParsedEvent {
  const env = envelope.safeParse(raw)
  if (!env.success) return {ok: false, error: zodMessage(env.error)}
  const schema = (dataSchemas as Record<string, z.ZodType>)[env.data.type]
  if (!schema) return {ok: false, unknownType: env.data.type}
  const data = schema.safeParse(env.data.data)
  if (!data.success) return {ok: false, error: `${env.data.type}: ${zodMessage(data.error)}`}
  return {ok: true, event: {...env.data, data: data.data} as IncidentEvent}
}

export function validateData<T extends EventType>(type: T, data: unknown): EventData<T> {
  return dataSchemas[type].parse(data) as EventData<T>
}

export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`)
    .join('; ')
}
