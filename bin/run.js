#!/usr/bin/env node
// Entry point: oclif finds the compiled commands through package.json's "oclif" section.
import {execute} from '@oclif/core'

// Deprecation notices from dependencies (grpc-js naming a TLS server by IP) are
// not the user's business and would break the one-line error contract.
process.noDeprecation = true

await execute({dir: import.meta.url})
