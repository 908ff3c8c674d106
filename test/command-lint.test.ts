import {execFileSync} from 'node:child_process'
import {copyFileSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type SampleIncident, sampleIncidents} from '../bench/samples.js'
import {type Finding, findingKey, findingVars} from '../src/detect/finding.js'
import {blanksIn, type RenderedCommand, renderAll, renderProcedures} from '../src/playbook/commands.js'
import {placeFacts} from '../src/playbook/place.js'
import {ROOT, tempDir} from './helpers/cli.js'
import {bashSyntax, fillBlanks, type LintContext, lintTools, manifestFlags, shellcheck, UNCHECKED} from './helpers/command-lint.js'
import {startPostgres, type ThrowawayPostgres} from './helpers/postgres.js'

// The never-again mechanism for generated commands (issue 14): every line
// every built-in playbook and rotation procedure shows, rendered for every
// finding of the sample inventories, must pass bash -n, shellcheck, and the
// real tool's own parser (kubectl, aws, gh, git, psql and PostgreSQL's SQL
// parser, jq, grep, leakctl's manifest). Blanks are allowed only as <…>, are
// counted, and fail where the finding itself holds the value.

const tmp = tempDir('leakctl-lint-')
let samples: SampleIncident[] = []
let pg: ThrowawayPostgres | undefined
let ctx: LintContext

beforeAll(async () => {
  samples = await sampleIncidents(join(tmp.dir, 'git'))
  pg = startPostgres()
  // git commands run in a clone of the sample's bare origin: pushes land in the temp origin.
  const cwd = join(tmp.dir, 'work')
  execFileSync('git', ['clone', '-q', join(tmp.dir, 'git', 'origin.git'), cwd])
  // Files earlier steps create (openssl, ssh-keygen) and later ones read: real PEM so kubectl's own checks run.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.crt', '-days', '1', '-subj', '/CN=lint'], {cwd, stdio: 'ignore'})
  // Inputs the responder writes: the CronJob manifest of docs/check-encryption.md (kubectl decodes it), a branch protection body.
  const doc = readFileSync(join(ROOT, 'docs', 'check-encryption.md'), 'utf8')
  const manifest = /leakctl:cronjob-manifest[^\n]*\n```yaml\n([\s\S]*?)```/.exec(doc)
  if (!manifest) throw new Error('docs/check-encryption.md lost its CronJob manifest block')
  writeFileSync(join(cwd, 'encryption-canary-cronjob.yaml'), fillBlanks(manifest[1]!))
  writeFileSync(join(cwd, 'protection.json'), '{"required_status_checks":null,"enforce_admins":true,"required_pull_request_reviews":{"required_approving_review_count":1},"restrictions":null}\n')
  for (const [from, to] of [['tls.key', 'new-ca.key'], ['tls.crt', 'new-ca.crt'], ['tls.crt', 'bundle-old-and-new.crt']]) copyFileSync(join(cwd, from!), join(cwd, to!))
  ctx = {cwd, pg, leakctl: manifestFlags(join(ROOT, 'oclif.manifest.json'))}
}, 120_000)

afterAll(() => {
  pg?.stop()
  tmp.cleanup()
})

/** Literals that look filled in but are someone else's names (issue 14, point 3). */
const FORBIDDEN: [RegExp, string][] = [
  [/\bapp_user(_new)?\b/, 'hard-coded database user app_user'],
  [/"name":"app"/, 'hard-coded container name app'],
  [/\blogs\s+(-f\s+)?-A\b/, 'kubectl logs has no -A'],
  [/--from-literal=(data|stringData)\./, 'a Secret field path used as the data key'],
  [/--set masterKey=/, 'the chart key is ironflow.masterKey'],
]

/** A blank the finding could have filled: the blank's name and the fact the finding holds. */
function blankProblems(c: RenderedCommand, f: Finding | undefined): string[] {
  const problems: string[] = []
  const facts: Record<string, string> = f ? {...findingVars(f), ...placeFacts(f)} : {}
  for (const b of blanksIn(c.text)) {
    const [root, field] = b.split('.')
    if (root === 'finding' && field && facts[field]) problems.push(`<${b}> left blank but the finding has ${field}`)
    if (root !== 'finding' && facts[b]) problems.push(`<${b}> left blank but the finding holds it (${facts[b]})`)
  }
  return problems
}

interface Tally {
  lines: number
  prose: number
  blanks: Map<string, number>
  tools: Map<string, number>
  problems: string[]
}

function lint(commands: RenderedCommand[], findings: ReadonlyMap<string, Finding>, label: string): Tally {
  const t: Tally = {lines: 0, prose: 0, blanks: new Map(), tools: new Map(), problems: []}
  const unique = [...new Set(commands.map((c) => c.text))]
  const syntax = bashSyntax(unique, tmp.dir)
  const checked = shellcheck(unique, join(tmp.dir, 'shellcheck', label.replace(/\W+/g, '-')))
  const toolsOf = new Map<string, string[]>()
  unique.forEach((text, i) => {
    const where = commands.find((c) => c.text === text)!
    const at = `${where.item} (${where.part}): ${text}`
    if (syntax.has(i)) t.problems.push(`bash -n: ${syntax.get(i)}\n    ${at}`)
    for (const m of checked.get(i) ?? []) t.problems.push(`shellcheck ${m}\n    ${at}`)
    for (const [re, why] of FORBIDDEN) if (re.test(text)) t.problems.push(`${why}\n    ${at}`)
    if (text.trim().startsWith('#')) return
    const r = lintTools(text, ctx)
    toolsOf.set(text, r.tools)
    for (const p of r.problems) t.problems.push(`${p.tool}: ${p.message}\n    ${at}`)
  })
  for (const c of commands) {
    t.lines++
    if (c.text.trim().startsWith('#')) {
      t.prose++
      continue
    }
    for (const b of blanksIn(c.text)) t.blanks.set(b, (t.blanks.get(b) ?? 0) + 1)
    for (const tool of toolsOf.get(c.text) ?? []) t.tools.set(tool, (t.tools.get(tool) ?? 0) + 1)
    for (const p of blankProblems(c, c.finding ? findings.get(c.finding) : undefined)) t.problems.push(`${p}\n    ${c.item} (${c.part}): ${c.text}`)
  }
  const blanks = [...t.blanks.values()].reduce((a, b) => a + b, 0)
  const tools = [...t.tools].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}${UNCHECKED.has(k) ? ' (not installable here: bash/shellcheck only)' : ''}`)
  console.log(
    `${label}: ${t.lines} lines (${t.prose} prose), ${blanks} blanks <…> [${[...t.blanks].map(([k, v]) => `${k}×${v}`).join(', ')}]\n  tools: ${tools.join(', ')}`,
  )
  return t
}

describe('command lint: every generated line passes the real tools', () => {
  it('renders every built-in playbook for the sample inventories', () => {
    expect(samples.map((s) => s.name)).toEqual(expect.arrayContaining(['etcd-leak × etcd sample', 'git-leak × git sample']))
    for (const s of samples) expect(renderAll(s.input).commands.length, s.name).toBeGreaterThan(0)
  })

  for (const name of ['etcd-leak × etcd sample', 'etcd-leak × no findings yet', 'git-leak × git sample', 'custom × both samples', 'encryption-gap']) {
    it(`${name}: bash -n, shellcheck and the tools' parsers accept every line`, () => {
      const s = samples.find((x) => x.name === name)!
      const findings = new Map(s.input.findings.map((f) => [findingKey(f), f]))
      const t = lint(renderAll(s.input).commands, findings, name)
      expect(t.problems, t.problems.join('\n')).toEqual([])
    }, 600_000)
  }

  it('every rotation procedure, rendered for every sample finding it applies to', () => {
    const all = samples.find((x) => x.name === 'custom × both samples')!.input
    const findings = new Map(all.findings.map((f) => [findingKey(f), f]))
    const t = lint(renderProcedures(all), findings, 'rotation procedures')
    expect(t.problems, t.problems.join('\n')).toEqual([])
  }, 600_000)
})

describe('command lint: the lint itself catches the defects', () => {
  it('fails a wrong flag, a bad SQL statement, a bad kubectl shorthand and a hard-coded blank', () => {
    const bad = [
      'kubectl logs -A --all-containers=true --since=2h',
      'aws iam update-access-key --access-key-id AKIAQ3LMZ7TR4NBX2KDW --state Inactive',
      'psql -c "ALTER USR payments WITH PASSWORD \'x\';"',
      'gh api --bogus repos/o/r',
      'git log --bogus-option',
      'leakctl logs cloudtrail --no-such-flag',
    ]
    for (const line of bad) expect(lintTools(line, ctx).problems, line).not.toEqual([])
    expect(lintTools('kubectl -n prod get secret db-credentials -o yaml', ctx).problems).toEqual([])
    expect(lintTools('psql -c "SELECT usename FROM pg_stat_activity;"', ctx).problems).toEqual([])
    expect(bashSyntax(['echo "unterminated'], tmp.dir).size).toBe(1)
    expect(shellcheck(['kubectl get secret $NAME'], join(tmp.dir, 'sc-self')).size).toBe(1)
  }, 120_000)
})
