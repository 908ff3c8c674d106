// Edits to oclif's sources (and one of its dependencies) as vendor/bundle.ts bundles them
// (docs/performance.md, start-up).

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
  /** How many times `from` occurs in the file, each replaced (default 1). */
  count?: number
}

/**
 * The bundle runs as a vm.Script compiled from its code cache, where import() has no loader on
 * Node 20: each import() calls the one its loader passes in (src/code-cache.ts). The build fails
 * if an import() is left in the bundle.
 */
function importThroughLoader(why: string, from: string, count = 1): Edit {
  if (!from.includes('import(')) throw new Error(`not an import(): ${from}`)
  return {why, from, to: from.replace('import(', '__import('), count}
}

/**
 * Edits to the sources as they are bundled, by path under node_modules, each a literal text
 * replacement. The build fails when one is not found as often as it says, so an upgrade that
 * moves a line is noticed, not silently undone.
 */
export const EDITS: Record<string, Edit[]> = {
  '@oclif/core/lib/config/plugin.js': [
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
  '@oclif/core/lib/config/plugin-loader.js': [
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
  '@oclif/core/lib/main.js': [
    {
      why: 'help only for help',
      from: 'const help_1 = require("./help");',
      to: 'const help_1 = new Proxy({}, {get: (_, k) => (k === "getHelpFlagAdditions" || k === "normalizeArgv" ? require("./help/util") : require("./help"))[k]});',
    },
  ],
  // Timings only when oclif's performance debugging is on.
  '@oclif/core/lib/performance.js': [loadOnFirstUse('perf_hooks only when timing', 'node_perf_hooks_1', 'node:perf_hooks')],
  '@oclif/core/lib/errors/handle.js': [loadOnFirstUse('help only for help', 'index_1', '../help/index')],
  '@oclif/core/lib/flags.js': [loadOnFirstUse('help only for help', 'help_1', './help')],
  // How oclif loads each command (an ES module: ours are), and tsx when developing in TypeScript.
  '@oclif/core/lib/module-loader.js': [importThroughLoader('load commands', 'await import((0, node_url_1.pathToFileURL)(filePath).href)', 3)],
  '@oclif/core/lib/config/ts-path.js': [importThroughLoader('register tsx', 'await import(href)')],
  // Config files for a package without an oclif section in its package.json (ours has one).
  'lilconfig/src/index.js': [importThroughLoader('load config modules', 'await import(/* webpackIgnore: true */ fileUrl)')],
}
