// The names of the generators a playbook step or a procedure step may ask for
// (`generate: store-new-value`), apart from the generators themselves
// (generate.ts): the playbook schema needs only the names, and must not load
// what the generators use (git, the detection engine) to read a playbook.

export const PROCEDURE_GENERATORS = ['revoke-now', 'store-new-value', 'reader-auth-logs'] as const
export const STEP_GENERATORS = ['workload-logs', 'restart-consumers', 'rewrite-history'] as const
export type ProcedureGenerator = (typeof PROCEDURE_GENERATORS)[number]
export type StepGenerator = (typeof STEP_GENERATORS)[number]
