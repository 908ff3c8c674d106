import {join} from 'node:path'

import {builtinDir, validatedBuiltins} from './compiled.js'
import type {Loaded} from './load.js'
import type {Playbook, Procedure} from './schema.js'

// The built-in playbooks and rotation procedures, each file as loadPlaybook
// and loadProcedures give it. When every file is the one the build validated,
// its values are taken as they are (no YAML parser, no zod: playbook list
// starts like a --help, docs/performance.md); otherwise they are loaded and
// validated now.

export interface Builtins {
  playbooks: Loaded<Playbook>[]
  procedures: Map<string, Procedure>
}

export async function loadBuiltins(): Promise<Builtins> {
  const dir = builtinDir()
  const values = validatedBuiltins(dir)
  if (values) {
    const playbooks: Loaded<Playbook>[] = []
    const procedures = new Map<string, Procedure>()
    for (const [name, {value, sha256}] of values) {
      if (name.startsWith('rotations/')) procedures.set((value as Procedure).id, value as Procedure)
      else playbooks.push({value: value as Playbook, file: join(dir, name), sha256})
    }
    return {playbooks, procedures}
  }
  const {builtinPlaybookFiles, loadPlaybook, loadProcedures} = await import('./load.js')
  const procedures = loadProcedures()
  return {playbooks: [...builtinPlaybookFiles().values()].map((f) => loadPlaybook(f, procedures)), procedures}
}
