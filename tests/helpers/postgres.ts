/** A throwaway PostgreSQL cluster for the PG suites: temp folder, loopback port, non-root, removed afterwards. */
import { spawnSync } from 'node:child_process'
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from './ports.js'

/** A running cluster: `url(db)` names a database on it; `createDatabase` makes a fresh one. */
export interface PgCluster {
  port: number
  url(database: string): string
  createDatabase(name: string): Promise<string>
  stop(): Promise<void>
}

/** The newest PostgreSQL `bin` folder (PG_BIN overrides), or undefined when none is installed. */
export const findPgBin = (): string | undefined => {
  const given = process.env.PG_BIN
  if (given) return existsSync(join(given, 'initdb')) ? given : undefined
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : undefined
}

/**
 * Why the PG suites cannot run here, or undefined when they can. In CI (CI=true) a missing
 * PostgreSQL is a failure, not a skip: the suites call {@link startPgCluster}, which throws.
 */
export const pgSkipReason = (): string | undefined =>
  process.env.CI || findPgBin()
    ? undefined
    : 'PostgreSQL binaries not found (/usr/lib/postgresql/*/bin/initdb or PG_BIN): install the Debian package "postgresql" to run the PostgreSQL suites'

/** The user the cluster runs as: initdb refuses root, so as root we run it as `nobody`. */
const asUser = (): string[] => (process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--'] : [])

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const run = (cmd: string[]): void => {
  const [file, ...args] = [...asUser(), ...cmd]
  const r = spawnSync(file!, args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr || r.stdout}`)
}

/**
 * Starts a cluster in a temp folder on a free loopback port (trust authentication, fsync off: it
 * is thrown away), with `settings` as server options (`{ shared_buffers: '1GB' }`). With `keep`
 * (a folder), the cluster lives there instead and outlives `stop()`: a folder that already holds
 * one is started again with its databases (the store benchmark's built stores, BENCH_PG_DIR).
 * Throws when PostgreSQL is not installed (see {@link pgSkipReason}).
 */
export const startPgCluster = async (
  settings: Readonly<Record<string, string>> = {},
  keep?: string,
): Promise<PgCluster> => {
  for (const [k, v] of Object.entries(settings)) {
    if (!/^[a-z_]+$/.test(k) || !/^[\w.]+$/.test(v)) throw new Error(`bad setting ${k}=${v}`)
  }
  const bin = findPgBin()
  if (!bin) throw new Error(pgSkipReason() ?? 'PostgreSQL binaries not found (CI=true: required)')
  if (keep) mkdirSync(keep, { recursive: true })
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'topicwire-pg-'))
  if (process.getuid?.() === 0) chownSync(dir, 65534, 65534)
  const data = join(dir, 'data')
  const port = await freePort()
  const made = !existsSync(join(data, 'PG_VERSION'))
  try {
    if (made) {
      run([
        join(bin, 'initdb'),
        '-D',
        data,
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
      ])
    }
    run([
      join(bin, 'pg_ctl'),
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200${Object.entries(
        settings,
      )
        .map(([k, v]) => ` -c ${k}=${v}`)
        .join('')}`,
      'start',
    ])
  } catch (err) {
    if (!keep) rmSync(dir, { recursive: true, force: true })
    throw err
  }
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`
  return {
    port,
    url,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url('postgres') })
      await c.connect()
      try {
        await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`)
      } finally {
        await c.end()
      }
      return url(name)
    },
    async stop() {
      // SIGQUIT is PostgreSQL's immediate shutdown: nothing to keep in a throwaway cluster. A
      // kept one gets SIGINT (fast shutdown: a checkpoint, so its databases start again as left).
      try {
        const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
        process.kill(pid, keep ? 'SIGINT' : 'SIGQUIT')
        const tries = keep ? 2_400 : 100
        for (let i = 0; i < tries && alive(pid); i++) await new Promise((ok) => setTimeout(ok, 50))
      } catch {
        // already stopped
      } finally {
        if (!keep) rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
