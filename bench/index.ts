import {readdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

// `npm run bench`: runs every bench/<area>.ts (compiled) in turn. Each prints
// its own figures beside a baseline measured in the same run. Pass area
// names to run only those: npm run bench -- startup etcd
const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
const areas = readdirSync(here)
  .filter((f) => f.endsWith('.js') && !['index.js', 'lib.js'].includes(f))
  .map((f) => f.replace(/\.js$/, ''))
  .filter((a) => only.length === 0 || only.includes(a))
  .sort()

process.stdout.write(`leakctl benchmarks on node ${process.version}, ${new Date().toISOString()}\n`)
for (const area of areas) {
  const mod = (await import(join(here, `${area}.js`))) as {default?: unknown}
  // Helper modules (shared code for several benchmarks) have no default export.
  if (typeof mod.default === 'function') await (mod.default as () => Promise<void>)()
}
