// Tables that values read from outside are looked up in: a snapshot's kinds
// and resource names, a log's check ids, a hash's tag. In a plain object
// `constructor` or `toString` finds Object's own function, which then crashes
// a fold or ends up in a generated command; a table without a prototype finds
// nothing.

/** A frozen lookup table with no prototype: only its own entries are found. */
export function lookupTable<V>(entries: Readonly<Record<string, V>>): Readonly<Record<string, V | undefined>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, V>, entries))
}

/** The same, its values made on first access (schemas: most of them are never needed by one command). */
export function lazyTable<T extends Record<string, () => unknown>>(builders: T): {readonly [K in keyof T]: ReturnType<T[K]>} {
  const table = Object.create(null) as {[K in keyof T]: ReturnType<T[K]>}
  for (const key of Object.keys(builders) as (keyof T & string)[]) {
    let made: ReturnType<T[typeof key]> | undefined
    Object.defineProperty(table, key, {enumerable: true, get: () => (made ??= builders[key]!() as ReturnType<T[typeof key]>)})
  }
  return Object.freeze(table)
}
