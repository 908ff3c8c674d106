#!/usr/bin/env node
// Entry point: oclif finds the compiled commands through package.json's "oclif" section.
// Start-up is what a responder waits for on every command (docs/performance.md):
// only oclif's runner is loaded here (bundled in one file at build: #oclif/run in
// package.json), not its index (which checks its own engine range with all of
// semver), and the error renderer (the detection engine behind
// the scrubber, zod) only when there is an error to render.
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {arch, platform} from 'node:os'

// Deprecation notices from dependencies (grpc-js naming a TLS server by IP) are
// not the user's business and would break the one-line error contract.
process.noDeprecation = true

// What oclif's index warned about before it was left out.
try {
  process.cwd()
} catch (error) {
  if (error.code === 'ENOENT') process.stderr.write('WARNING: current directory does not exist\n')
}

const argv = process.argv.slice(2)

if (argv[0] === '--version') {
  // oclif's answer (config.userAgent, when --version comes first) without loading oclif.
  const {name, version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  // The same is-wsl oclif itself asks.
  const wsl = createRequire(createRequire(import.meta.url).resolve('@oclif/core'))('is-wsl')
  const cpu = arch() === 'ia32' ? 'x86' : arch()
  process.stdout.write(`${name}/${version || '0.0.0'} ${wsl ? 'wsl' : platform()}-${cpu} node-${process.version}\n`)
} else {
  const {run} = await import('#oclif/run')
  const {flush} = await import('#oclif/flush')
  // oclif's execute() would print errors raised before a command runs (an
  // unknown command repeats the argument: maybe a pasted secret) unscrubbed:
  // they go through the same renderer as every command's errors.
  try {
    await run(argv, import.meta.url)
    await flush()
  } catch (error) {
    const {handleTopLevel} = await import('../dist/cli/errors.js')
    await handleTopLevel(error)
  }
}
