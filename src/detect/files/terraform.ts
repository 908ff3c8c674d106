import {classInfo} from '../classes.js'
import type {Candidate} from '../engine.js'
import {classForName, looksLikeName} from '../generic.js'
import {isPlaceholderValue} from '../placeholder.js'
import type {CredentialFile} from './index.js'
import {place, report} from './report.js'

// Terraform input variables: `variable "db_password" { default = "…" }`. The name
// says what the value is and `default` is its literal value, committed with the
// module; `sensitive = true` hides it from plans, not from the repository.
// https://developer.hashicorp.com/terraform/language/values/variables

/** The block's opening line; its body runs to the first `}` at the start of a line. */
const BLOCK = /^[ \t]*variable[ \t]+"(?<name>[\w-]{1,128})"[ \t]*\{/gm
const DEFAULT = /^[ \t]*default[ \t]*=[ \t]*"(?<v>[^"\n\\$]{1,512})"[ \t]*$/m

function read(text: string, out: Candidate[]): void {
  for (const m of text.matchAll(BLOCK)) {
    const name = m.groups!.name!
    const cls = classForName(name)
    if (!cls) continue
    const bodyStart = m.index! + m[0].length
    const close = text.slice(bodyStart, bodyStart + 8192).search(/^[ \t]*\}/m)
    if (close < 0) continue
    const body = text.slice(bodyStart, bodyStart + close)
    const d = DEFAULT.exec(body)
    if (!d) continue
    const value = d.groups!.v!
    if (isPlaceholderValue(value, cls === 'password') || looksLikeName(value, name)) continue
    const start = bodyStart + d.index + d[0].indexOf(`"${value}"`) + 1
    report(out, 'terraform-variable-default', {
      secret: value,
      start,
      end: start + value.length,
      class: cls,
      reason: `the default of the Terraform variable "${place(name)}" (${classInfo(cls).title.toLowerCase()}), committed with the module`,
      label: `variable ${place(name)} default =`,
    })
  }
}

export const terraform: CredentialFile = {id: 'terraform-variable-default', path: /\.tf$/i, read}
