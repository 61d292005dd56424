/** The connection pool of the PostgreSQL store: opening it with errors that name the server (never the password), and transactions. */
import pg from 'pg'
import { StoreError } from '../../model/errors.js'

/** What runs a query: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>

/**
 * `user@host:port/database` of a connection URL, without the password, for messages.
 * @example describeTarget('postgres://tw:secret@db:5432/news') // 'tw@db:5432/news'
 */
export const describeTarget = (url: string): string => {
  try {
    const u = new URL(url)
    const user = u.username ? `${decodeURIComponent(u.username)}@` : ''
    const host = u.hostname || u.searchParams.get('host') || 'localhost'
    return `${user}${host}:${u.port || '5432'}${u.pathname || '/'}`
  } catch {
    return '(a storage.url that is not a URL)'
  }
}

/** A pg error's message with any password of `url` taken out (drivers sometimes echo the URL). */
const scrub = (message: string, url: string): string => {
  try {
    const pw = decodeURIComponent(new URL(url).password)
    return pw ? message.split(pw).join('***') : message
  } catch {
    return message
  }
}

export interface PgPoolOptions {
  url: string
  /** Connections at most (default 10). */
  max?: number
  /** Per statement, so a pathological query is cut off and reported (default 30 s). */
  statementTimeoutMs?: number
  /** Told of errors on idle connections (the pool replaces them). */
  log?: (message: string) => void
  /** Every transaction read-only (PostgreSQL refuses any write): `check --preview`. */
  readOnly?: boolean
}

/** How long a pool keeps an idle connection (and the statements prepared on it). */
export const IDLE_MS = 300_000

/**
 * Opens a pool and checks that the server answers.
 * @throws StoreError naming user, host, port and database (not the password) when it cannot connect.
 */
export const openPgPool = async (opts: PgPoolOptions): Promise<pg.Pool> => {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 10_000,
    // pg closes a connection idle for 10 s by default; the next page then connects and plans
    // its prepared statement again (30 ms instead of 1.5 for a latest page at 500,000 items):
    // a replica between readers kept paying it. Idle connections are kept for 5 minutes, and
    // do not keep a process alive that has nothing else to do (as pg's 10 s let it end soon).
    idleTimeoutMillis: IDLE_MS,
    allowExitOnIdle: true,
    statement_timeout: opts.statementTimeoutMs ?? 30_000,
    application_name: 'topicwire',
    // A statement is sent without waiting for the answers to those before it: a transaction's
    // statements that need no answer in between (a poll's write, its state and COMMIT) cost one
    // round trip, not one each. Code that awaits each query behaves as before.
    pipeline: true,
    // Every parameterised statement runs its generic plan: PostgreSQL otherwise plans a
    // prepared page again at every request whenever it guesses a plan for the values might be
    // cheaper (a topic page with `since`, a `q` page: planning cost more than the page), and the
    // statements here are written so that the generic plan is the right one (limits and a single
    // topic in the text; a statement whose plan hangs on its values, such as recentItems's time,
    // carries them in its text). A connection string's own `options` replace these.
    options: [
      '-c plan_cache_mode=force_generic_plan',
      ...(opts.readOnly ? ['-c default_transaction_read_only=on'] : []),
    ].join(' '),
  })
  pool.on('error', (err) =>
    opts.log?.(`PostgreSQL connection lost: ${scrub(err.message, opts.url)}`),
  )
  try {
    await pool.query('SELECT 1')
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw connectError(err, opts.url)
  }
  return pool
}

/** A StoreError for a failed connection: where to, and why, without the password. */
export const connectError = (err: unknown, url: string): StoreError => {
  const why =
    err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err)
  return new StoreError(
    `cannot connect to PostgreSQL at ${describeTarget(url)} (${scrub(why, url)}): check storage.url / DATABASE_URL and that the server runs`,
    { cause: err },
  )
}

/** Runs `fn` in a transaction on one client: committed when it returns, rolled back when it throws. */
export const inTransaction = async <T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> => {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const out = await fn(client)
    await client.query('COMMIT')
    return out
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}
