import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

/** A real repository built with real git, with deterministic dates. */
export class TestRepo {
  private clock = Date.parse('2026-01-05T09:00:00Z')

  constructor(readonly dir: string) {
    mkdirSync(dir, {recursive: true})
    this.git('init', '-q', '-b', 'main')
    this.git('config', 'user.name', 'Dev One')
    this.git('config', 'user.email', 'dev1@example.com')
    this.git('config', 'commit.gpgsign', 'false')
  }

  git(...args: string[]): string {
    const date = new Date(this.clock).toISOString()
    return execFileSync('git', args, {cwd: this.dir, encoding: 'utf8', env: {...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_TERMINAL_PROMPT: '0'}, stdio: ['pipe', 'pipe', 'pipe']})
  }

  write(path: string, content: string | Buffer): this {
    const full = join(this.dir, path)
    mkdirSync(dirname(full), {recursive: true})
    writeFileSync(full, content)
    return this
  }

  /** Commits everything; returns the full sha. Each commit is an hour after the last. */
  commit(message: string, opts: {author?: string} = {}): string {
    this.clock += 3600_000
    this.git('add', '-A')
    const args = ['commit', '-q', '--allow-empty', '-m', message]
    if (opts.author) args.push(`--author=${opts.author}`)
    this.git(...args)
    return this.head()
  }

  head(ref = 'HEAD'): string {
    return this.git('rev-parse', ref).trim()
  }

  tick(): void {
    this.clock += 3600_000
  }
}
