import {execFileSync, spawn} from 'node:child_process'
import {chownSync, existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {freePort} from './postgres-login.js'

// A real MariaDB server (Debian's mariadb-server) in a throwaway data
// directory on 127.0.0.1. Users are created through the `mariadb` client over
// the server's socket as root (unix_socket authentication), by the test.

export interface TestMariaDb {
  port: number
  addUser(name: string, password: string): void
  stop(): Promise<void>
}

export async function startMariaDb(): Promise<TestMariaDb> {
  if (!existsSync('/usr/sbin/mariadbd')) throw new Error('MariaDB is not installed (apt-get install mariadb-server; scripts/setup.sh does it)')
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-mariadb-'))
  const root = process.getuid?.() === 0
  if (root) chownSync(dir, Number(execFileSync('id', ['-u', 'mysql'], {encoding: 'utf8'})), Number(execFileSync('id', ['-g', 'mysql'], {encoding: 'utf8'})))
  const user = root ? ['--user=mysql'] : []
  execFileSync('mariadb-install-db', [`--datadir=${join(dir, 'data')}`, ...user, '--auth-root-authentication-method=socket', '--skip-test-db'], {stdio: 'ignore'})
  const port = await freePort()
  const sock = join(dir, 'sock')
  const server = spawn('/usr/sbin/mariadbd', [`--datadir=${join(dir, 'data')}`, ...user, `--socket=${sock}`, `--port=${port}`, '--bind-address=127.0.0.1', `--pid-file=${join(dir, 'pid')}`, '--skip-log-bin', '--innodb-buffer-pool-size=16M'], {stdio: 'ignore'})
  for (let i = 0; i < 300 && !existsSync(join(dir, 'pid')); i++) await new Promise((r) => setTimeout(r, 100))
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('mariadb', [`--socket=${sock}`, '-u', 'root', '-e', 'SELECT 1'], {stdio: 'ignore'})
      break
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return {
    port,
    addUser(name, password) {
      execFileSync('mariadb', [`--socket=${sock}`, '-u', 'root', '-e', `CREATE USER '${name}'@'%' IDENTIFIED BY '${password.replace(/'/g, "''")}'; CREATE DATABASE ${name}; GRANT ALL ON ${name}.* TO '${name}'@'%';`])
    },
    async stop() {
      // The server's own process: wait for it to exit before its files go.
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r))
        server.kill()
        await exited
      }
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
