/** Reads the configuration a command that tags needs: every check, the topic rules compiled. */
import type { AppConfig } from '../model/types.js'
import type { ConfigCache } from './config-cache.js'
import { readConfigFile } from './config-file.js'
import { readConfigText } from './read-config.js'
import { topicProblems } from './topic-problems.js'

type Env = Record<string, string | undefined>

/** Where `npm start` looks for the configuration. */
export const DEFAULT_CONFIG_PATH = 'config/topicwire.yaml'

/**
 * The configuration file to use: `--config PATH`, else `TOPICWIRE_CONFIG`, else the default.
 * @example resolveConfigPath(args.config) // 'config/topicwire.yaml'
 */
export const resolveConfigPath = (flag?: string, env: Env = process.env): string =>
  flag?.trim() || env.TOPICWIRE_CONFIG?.trim() || DEFAULT_CONFIG_PATH

/**
 * Parses configuration text (pure: the environment is a parameter), topic rules compiled and
 * model files read. Every problem in the file is thrown together as one ConfigError, each with
 * file, line and column.
 * @throws ConfigError
 * @example parseConfigText('sources: []', 'inline.yaml', {}).server.port // 8080
 */
export const parseConfigText = (text: string, file: string, env: Env = {}): AppConfig =>
  readConfigText(text, file, env, topicProblems)

/**
 * Reads and validates a configuration file; `storage.path` comes back absolute, resolved against
 * the file's folder. A missing or unreadable file is a ConfigError too. `cache`: see
 * config-cache.ts (for a command that reads an unchanged file over and over, such as cron's
 * `fetch --once`).
 * @throws ConfigError
 * @example const config = await loadConfig(resolveConfigPath(flags.config))
 */
export const loadConfig = (
  path: string,
  env: Env = process.env,
  cache?: ConfigCache,
): Promise<AppConfig> => readConfigFile(path, env, topicProblems, cache)
