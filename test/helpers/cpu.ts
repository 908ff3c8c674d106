/**
 * The CPU time (user + system, in ms) this process spends in `fn`. Bounds on work (linear, not
 * quadratic; no catastrophic backtracking) are checked against it rather than the wall clock: on
 * a busy two-core machine other processes stretch the wall clock, not this process's CPU time.
 * Each vitest worker is a process of its own, running one test file at a time.
 */
export function cpuMs(fn: () => void): number {
  const t0 = process.cpuUsage()
  fn()
  const d = process.cpuUsage(t0)
  return (d.user + d.system) / 1000
}
