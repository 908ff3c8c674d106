#!/usr/bin/env node
// Entry point: oclif finds the compiled commands through package.json's "oclif" section.
import {flush, run} from '@oclif/core'

import {handleTopLevel} from '../dist/cli/errors.js'

// Deprecation notices from dependencies (grpc-js naming a TLS server by IP) are
// not the user's business and would break the one-line error contract.
process.noDeprecation = true

// oclif's execute() would print errors raised before a command runs (an
// unknown command repeats the argument: maybe a pasted secret) unscrubbed:
// they go through the same renderer as every command's errors.
try {
  await run(process.argv.slice(2), import.meta.url)
  await flush()
} catch (error) {
  await handleTopLevel(error)
}
