import type {z} from '#zod'

import {RISKS} from '../detect/finding.js'
import {parseWindow} from '../time/window.js'
import {onFirstUse, zod} from '../zod.js'
import {PROCEDURE_GENERATORS, STEP_GENERATORS} from './generators.js'

// The playbook format. Strict everywhere: a misspelt field is an error with
// its line, not a silently ignored step.

// Built on first use: reading a validated incident log needs none of them (docs/performance.md, start-up).
function buildSchemas() {
  const z = zod()
  const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes')

  const windowText = z.string().superRefine((text, ctx) => {
    const w = parseWindow(text)
    if (typeof w === 'string') ctx.addIssue({code: 'custom', message: w})
  })

  const findingFilterSchema = z.strictObject({
    class: z.array(z.string()).optional(),
    notClass: z.array(z.string()).optional(),
    risk: z.array(z.enum(RISKS)).optional(),
    source: z.array(z.enum(['git', 'etcd', 'file'])).optional(),
    /** etcd findings only: `deleted` matches values from deleted objects or old revisions. */
    state: z.array(z.enum(['live', 'deleted'])).optional(),
    /** etcd findings only: the Kubernetes kind holding the value (Secret, ConfigMap, ...). */
    kind: z.array(z.string()).optional(),
  })

  const duration = z.string().regex(/^(\d+[smhd])+$/, 'a duration such as 1h, 24h, 1h30m')

  const stepSchema = z.strictObject({
    id,
    title: z.string().min(1),
    why: z.string().optional(),
    /** The title and why under a planned rotation (`incident open --planned`), when they differ: "Revoke NOW" is wrong there. */
    plannedTitle: z.string().min(1).optional(),
    plannedWhy: z.string().optional(),
    commands: z.array(z.string()).default([]),
    /** Commands leakctl writes from the incident's facts, after `commands` (see src/playbook/generate.ts). */
    generate: z.enum(STEP_GENERATORS).optional(),
    /** An automated check leakctl (or the responder) can run to verify the step. */
    check: z.strictObject({command: z.string(), description: z.string().optional()}).optional(),
    /** A rotation procedure whose steps this item follows. */
    procedure: id.optional(),
    /** One item per finding matching the filter. */
    forEach: z
      .strictObject({
        findings: findingFilterSchema,
        /** Take each finding's own rotation procedure as the item's steps. */
        rotation: z.boolean().default(false),
        /** Gather the items under one parent when there are at least `min` of them. */
        group: z.strictObject({title: z.string(), plannedTitle: z.string().optional(), min: z.number().int().min(1).default(2)}).optional(),
        /** Title of the single item made when nothing matches (a visible gap rather than nothing). */
        ifNone: z.string().optional(),
        /** Commands of that single item: how to produce the findings (`leakctl scan … --json | leakctl incident add-findings -`). */
        ifNoneCommands: z.array(z.string()).optional(),
      })
      .optional(),
    /** Due this long after the incident opened (`24h`), when the seed gives the step its own time rather than its phase's end. */
    due: duration.optional(),
    /** Include the step only when some finding matches. */
    when: z.strictObject({findings: findingFilterSchema}).optional(),
  })

  const phaseSchema = z.strictObject({
    id,
    title: z.string().min(1),
    window: windowText,
    steps: z.array(stepSchema).min(1),
  })

  const playbookSchema = z.strictObject({
    name: id,
    title: z.string().min(1),
    version: z.number().int().min(1),
    kind: z.enum(['etcd-leak', 'git-leak', 'encryption-gap', 'custom']).optional(),
    description: z.string().optional(),
    /** Where the steps come from (runbooks, scenarios), for reviewers. */
    sources: z.array(z.string()).optional(),
    phases: z.array(phaseSchema).min(1),
  })

  const procedureSchema = z.strictObject({
    id,
    title: z.string().min(1),
    /** Finding classes this procedure rotates. */
    classes: z.array(z.string()).min(1),
    description: z.string().optional(),
    sources: z.array(z.string()).optional(),
    steps: z
      .array(
        z.strictObject({
          title: z.string().min(1),
          why: z.string().optional(),
          commands: z.array(z.string()).default([]),
          /** Commands written from the finding's place, after `commands` (see src/playbook/generate.ts). */
          generate: z.enum(PROCEDURE_GENERATORS).optional(),
          /** Due this long after the step before it is done (a grace period): shown beside the step, as text. */
          due: duration.optional(),
        }),
      )
      .min(1),
    verify: z.array(z.string()).optional(),
  })

  return {findingFilterSchema, playbookSchema, procedureSchema}
}

type Schemas = ReturnType<typeof buildSchemas>
const schemas = onFirstUse(buildSchemas)
export const playbookSchema = (): Schemas['playbookSchema'] => schemas().playbookSchema
export const procedureSchema = (): Schemas['procedureSchema'] => schemas().procedureSchema

export type Playbook = z.infer<Schemas['playbookSchema']>
export type PlaybookPhase = Playbook['phases'][number]
export type PlaybookStep = PlaybookPhase['steps'][number]
export type FindingFilter = z.infer<Schemas['findingFilterSchema']>
export type Procedure = z.infer<Schemas['procedureSchema']>
