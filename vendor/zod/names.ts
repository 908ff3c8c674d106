// What leakctl's schemas use of zod, and only that: bundling zod's whole
// namespace would bring its 40-odd locales (~0.5 MB) to every start-up.
export {array, boolean, discriminatedUnion, enum, literal, number, object, record, strictObject, string, unknown, ZodError, ZodType} from 'zod'
export type {infer, RefinementCtx} from 'zod'
