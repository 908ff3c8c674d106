import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import pg from 'pg'

// A real PostgreSQL server (Debian's postgresql package) in a throwaway data
// directory on 127.0.0.1, password authentication (scram-sha-256) required
// for every TCP login. Run as the postgres user when the tests run as root.

export interface TestPostgres {
  port: number
  /** Creates a login role with this password (through a superuser connection of the test, not leakctl). */
  addRole(name: string, password: string): Promise<void>
  stop(): void
}

export function postgresBin(): string | null {
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    return versions.length ? `/usr/lib/postgresql/${versions[0]}/bin` : null
  } catch {
    return null
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as {port: number}).port
      s.close(() => resolve(port))
    })
  })
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin()
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql; scripts/setup.sh does it)')
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-pg-'))
  const root = process.getuid?.() === 0
  const as = (cmd: string, args: string[]) => (root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]) as [string, string[]]
  const superPassword = `super-${Date.now()}`
  writeFileSync(join(dir, 'pw'), superPassword)
  if (root) {
    const ids = execFileSync('id', ['-u', 'postgres'], {encoding: 'utf8'}).trim()
    const gid = execFileSync('id', ['-g', 'postgres'], {encoding: 'utf8'}).trim()
    chownSync(dir, Number(ids), Number(gid))
    chownSync(join(dir, 'pw'), Number(ids), Number(gid))
  }
  chmodSync(dir, 0o700)
  const data = join(dir, 'data')
  execFileSync(...as(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${join(dir, 'pw')}`]), {stdio: 'ignore'})
  const port = await freePort()
  const r = spawnSync(...as(join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '60', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']), {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.stderr}`)
  return {
    port,
    async addRole(name, password) {
      const c = new pg.Client({host: '127.0.0.1', port, user: 'postgres', password: superPassword, database: 'postgres'})
      await c.connect()
      try {
        await c.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`)
        await c.query(`CREATE DATABASE ${name} OWNER ${name}`)
      } finally {
        await c.end()
      }
    },
    stop() {
      spawnSync(...as(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']), {stdio: 'ignore'})
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
