/** `topicwire store warm`: reads the PostgreSQL store's tables and indexes into the server's shared buffers (pg_prewarm), after a restart, a restore or a `store migrate`. */
import { describeTarget, openPgPool } from '../store/postgres/pg-pool.js'
import type { CliContext } from './context.js'
import { postgresTarget } from './store-target.js'

/**
 * Warms the database of `storage.url` / `DATABASE_URL` (see store/postgres/warm.ts) and prints
 * what it read; relations left out because the buffers would overflow are named. Changes no data,
 * runs beside `serve`.
 */
export const storeWarmCommand = async (ctx: CliContext): Promise<number> => {
  const { url } = await postgresTarget(ctx, 'warm')
  const { warmPg } = await import('../store/postgres/warm.js')
  // A relation of several GB takes longer than a page's statement timeout to read.
  const pool = await openPgPool({ url, max: 1, statementTimeoutMs: 0 })
  try {
    const r = await warmPg(pool)
    ctx.out(
      `read ${r.mb} MB of ${r.totalMb} MB (${r.read.length} tables and indexes of the items) into the shared buffers (${r.sharedBuffersMb} MB) of ${describeTarget(url)} in ${(r.ms / 1000).toFixed(1)} s`,
    )
    if (r.skipped.length > 0) {
      ctx.err(
        `store warm: left out, to keep 10% of the shared buffers free: ${r.skipped.map((s) => s.name).join(', ')} (raise shared_buffers to hold them)`,
      )
    }
  } finally {
    await pool.end()
  }
  return 0
}
