/** Reads the configuration a command that never tags needs: topics checked as YAML, their rules not compiled. */
import type { AppConfig } from '../model/types.js'
import { readConfigFile } from './config-file.js'

type Env = Record<string, string | undefined>

/**
 * Reads and validates a configuration file as `loadConfig` (load.ts) does, except that topic rules
 * are checked only as YAML (not compiled) and model files are not read: what a command that
 * uses the sources, server or storage (export-opml) needs, without loading the rule compiler.
 * @throws ConfigError
 * @example const { sources } = await loadSourcesConfig(ctx.configPath, ctx.env)
 */
export const loadSourcesConfig = (path: string, env: Env): Promise<AppConfig> =>
  readConfigFile(path, env)
