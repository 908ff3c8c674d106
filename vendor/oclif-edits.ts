// Edits to oclif's sources as vendor/bundle.ts bundles them (docs/performance.md, start-up).

/**
 * A package name as npm spells it (`name` or `@scope/name`): no glob syntax, and no path forms
 * minimatch reads in its own way (`a/` matches `a`, `..` never matches itself). Two such names
 * match in minimatch exactly when they are identical (test/vendor-edits.test.ts holds that
 * against minimatch itself).
 */
export const PLAIN_NAME = /^(?:@[\w~-][\w.~-]*\/)?[\w~-][\w.~-]*$/

/** `const name = require(spec)` made to require `spec` on the first use of one of its exports. */
function loadOnFirstUse(why: string, name: string, spec: string): Edit {
  return {why, from: `const ${name} = require("${spec}");`, to: `const ${name} = new Proxy({}, {get: (_, k) => require("${spec}")[k]});`}
}

export interface Edit {
  /** Why: each edit removes start-up work that leakctl's use of oclif never needs. */
  why: string
  from: string
  to: string
}

/**
 * Edits to oclif's sources as they are bundled, each a literal text replacement. The build fails
 * when one is not found, so an oclif upgrade that moves a line is noticed, not silently undone.
 */
export const EDITS: Record<string, Edit[]> = {
  'config/plugin.js': [
    {
      // The first localeCompare builds ICU's collator: 8-14 ms of each start. Our ids are lower-case
      // ASCII words joined by `:` and `-`, which code-unit order sorts the same (test/cli-contracts.test.ts).
      why: 'sort command ids by code unit',
      from: '.sort((a, b) => a.id.localeCompare(b.id))',
      to: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))',
    },
    // Globbing finds commands only without a manifest; we always ship one.
    loadOnFirstUse('glob only without a manifest', 'tinyglobby_1', 'tinyglobby'),
  ],
  'config/plugin-loader.js': [
    {
      // Core plugins are matched by glob against every dependency: a Minimatch compiled per pair
      // (~5 ms) for our one plugin, named in full. Two plain names need no glob to compare.
      why: 'compare plain package names without minimatch',
      from: 'patterns.some((w) => (0, minimatch_1.minimatch)(p, w))',
      to: `patterns.some((w) => (${PLAIN_NAME}.test(w) && ${PLAIN_NAME}.test(p) ? p === w : (0, minimatch_1.minimatch)(p, w)))`,
    },
    loadOnFirstUse('minimatch only for a glob', 'minimatch_1', 'minimatch'),
  ],
  // oclif's help renderer (with its formatter, spinner frames, TypeScript path mapping: ~5 ms) was
  // loaded by every command, through three modules that use it only to show help. The runner's two
  // helpers that every command calls come from help/util, which the config loads anyway.
  'main.js': [
    {
      why: 'help only for help',
      from: 'const help_1 = require("./help");',
      to: 'const help_1 = new Proxy({}, {get: (_, k) => (k === "getHelpFlagAdditions" || k === "normalizeArgv" ? require("./help/util") : require("./help"))[k]});',
    },
  ],
  // Timings only when oclif's performance debugging is on.
  'performance.js': [loadOnFirstUse('perf_hooks only when timing', 'node_perf_hooks_1', 'node:perf_hooks')],
  'errors/handle.js': [loadOnFirstUse('help only for help', 'index_1', '../help/index')],
  'flags.js': [loadOnFirstUse('help only for help', 'help_1', './help')],
}
