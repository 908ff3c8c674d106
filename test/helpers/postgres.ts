import {spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

// A throwaway PostgreSQL in a temp directory: unix socket only (no TCP),
// trust authentication, gone with the directory. PostgreSQL refuses to run
// as root, so as root it runs as the `postgres` (or `nobody`) account.

export interface ThrowawayPostgres {
  host: string
  port: number
  user: string
  stop(): void
}

function binDir(): string | null {
  const base = '/usr/lib/postgresql'
  if (existsSync(base)) {
    const v = readdirSync(base).filter((d) => existsSync(join(base, d, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))[0]
    if (v) return join(base, v, 'bin')
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], {encoding: 'utf8'})
  return which.status === 0 ? join(which.stdout.trim(), '..') : null
}

function runAs(user: string | null, cmd: string, args: string[]) {
  const argv = user ? ['runuser', '-u', user, '--', cmd, ...args] : [cmd, ...args]
  return spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8', timeout: 60_000})
}

/** Starts a server in its own temp directory (removed by stop()). */
export function startPostgres(): ThrowawayPostgres {
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-pg-'))
  const bin = binDir()
  if (!bin) throw new Error('PostgreSQL server binaries not found (Debian package postgresql; scripts/setup.sh installs it)')
  const root = process.getuid?.() === 0
  const account = root ? (spawnSync('id', ['-u', 'postgres']).status === 0 ? 'postgres' : 'nobody') : null
  const data = join(dir, 'data')
  const sock = join(dir, 'sock')
  mkdirSync(sock, {recursive: true})
  if (account) {
    const uid = Number(spawnSync('id', ['-u', account], {encoding: 'utf8'}).stdout.trim())
    const gid = Number(spawnSync('id', ['-g', account], {encoding: 'utf8'}).stdout.trim())
    chmodSync(dir, 0o755)
    chownSync(dir, uid, gid)
    chownSync(sock, uid, gid)
  }
  const init = runAs(account, join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'lint', '--no-sync', '-E', 'UTF8'])
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`)
  const port = 20000 + Math.floor(Math.random() * 20000)
  const opts = `-c listen_addresses='' -c unix_socket_directories=${sock} -p ${port} -c fsync=off`
  const start = runAs(account, join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start'])
  if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}${start.stdout}`)
  return {
    host: sock,
    port,
    user: 'lint',
    stop: () => {
      runAs(account, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'])
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
