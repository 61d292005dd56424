/** The PostgreSQL database a `store` command works on. */
import { loadConfig } from '../config/load.js'
import { StoreError } from '../model/errors.js'
import type { AppConfig } from '../model/types.js'
import type { CliContext } from './context.js'

/**
 * The configuration and the database of its `storage.url` / `DATABASE_URL`, which `store COMMAND`
 * needs whatever `storage.driver` says.
 * @throws StoreError when neither names a database
 * @example const { url } = await postgresTarget(ctx, 'warm')
 */
export const postgresTarget = async (
  ctx: CliContext,
  command: string,
): Promise<{ config: AppConfig; url: string }> => {
  const config = await loadConfig(ctx.configPath, ctx.env)
  const url = config.storage.url
  if (!url) {
    throw new StoreError(
      `store ${command} needs the PostgreSQL database: set storage.url or DATABASE_URL`,
    )
  }
  return { config, url }
}
