import type {Candidate} from '../engine.js'
import {lines, scalar} from './fields.js'
import type {CredentialFile} from './index.js'
import {notPassword, place, report, who} from './report.js'

// ~/.pypirc, read by twine and setuptools: INI, one section per index
// ([pypi], [testpypi], a private repository) with `username` and `password`
// (an API token `pypi-…` when the user name is `__token__`).
// https://packaging.python.org/en/latest/specifications/pypirc/

const SECTION = /^\s*\[([^\]]{1,128})\]/
const KEY = /^\s*(username|password|repository)\s*[=:]\s*/i

function read(text: string, out: Candidate[]): void {
  let section = ''
  let fields = new Map<string, {value: string; start: number; end: number}>()
  const flush = () => {
    const p = fields.get('password')
    if (p && !notPassword(p.value)) {
      const token = p.value.startsWith('pypi-')
      const host = fields.get('repository')?.value.replace(/^\w+:\/\/|\/.*$/g, '') || section
      report(out, 'pypirc', {
        secret: p.value,
        start: p.start,
        end: p.end,
        class: token ? 'pypi-token' : 'password',
        reveal: token ? 5 : 0,
        reason: `a ${token ? 'package index API token' : 'package index password'} in .pypirc [${place(section)}] (twine uploads with it)`,
        label: `pypirc [${place(section)}] ${who(token ? '' : fields.get('username')?.value, host)}`,
      })
    }
    fields = new Map()
  }
  for (const [line, at] of lines(text)) {
    const s = SECTION.exec(line)
    if (s) {
      flush()
      section = s[1]!.trim()
      continue
    }
    const k = KEY.exec(line)
    const v = k && scalar(line, k[0].length, false)
    if (k && v) fields.set(k[1]!.toLowerCase(), {value: v.value, start: at + v.start, end: at + v.end})
  }
  flush()
}

export const pypirc: CredentialFile = {id: 'pypirc', path: /(?:^|\/)\.pypirc$/i, read}
