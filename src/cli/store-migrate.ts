/** `topicwire store migrate --from lowdb --to postgres`: copies the embedded store into PostgreSQL with every id, story, state and verdict. */
import { openStore } from '../runtime.js'
import { describeTarget } from '../store/postgres/pg-pool.js'
import type { CliContext } from './context.js'
import { postgresTarget } from './store-target.js'

/**
 * Opens the embedded store of `storage.path` (taking its writer's lock, so `serve` must be
 * stopped) and copies it into the empty database of `storage.url` / `DATABASE_URL`. The embedded
 * store is only read; switch `storage.driver` to `postgres` afterwards.
 */
export const storeMigrateCommand = async (
  ctx: CliContext,
  opts: { from: string; to: string },
): Promise<number> => {
  if (opts.from !== 'lowdb' || opts.to !== 'postgres') {
    ctx.err(
      `topicwire: "store migrate" copies --from lowdb --to postgres (got --from ${opts.from || '(none)'} --to ${opts.to || '(none)'})`,
    )
    return 2
  }
  const { config, url } = await postgresTarget(ctx, 'migrate')
  const { copyStoreToPostgres } = await import('../store/postgres/copy-store.js')
  // The embedded store of storage.path, whichever driver the file names now.
  const from = await openStore(
    { ...config, storage: { ...config.storage, driver: 'lowdb' } },
    undefined,
    { log: ctx.err },
  )
  try {
    const n = await copyStoreToPostgres(from, url)
    ctx.out(
      `copied ${n.items} items, ${n.states} source states and ${n.verdicts} verdicts from ${config.storage.path} to ${describeTarget(url)}; set storage.driver: postgres to use it`,
    )
  } finally {
    await from.close()
  }
  return 0
}
