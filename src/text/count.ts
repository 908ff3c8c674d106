// Counts with thousands separators, `12,345`, as toLocaleString('en') writes
// them: its first call builds ICU's number formatter, 27-33 ms of a command
// that prints one verdict (docs/performance.md).

/** `12,345` for an integer; anything else as toLocaleString('en') writes it. */
export function count(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en')
  const digits = String(Math.abs(n))
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1)
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`
  return n < 0 ? `-${out}` : out
}
