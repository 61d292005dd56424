/** The configuration of a command run over and over (cron's `fetch --once`): loadConfig's checks, through the cache; the YAML reader and the schema loaded only when the cache does not answer. */
import type { AppConfig } from '../model/types.js'
import { buildConfigCache } from './config-cache.js'
import { readConfigFile } from './config-file.js'
import { topicProblems } from './topic-problems.js'

type Env = Record<string, string | undefined>

/**
 * What `loadConfig` (load.ts) gives, taken from the cache of a build when it holds these bytes
 * (config-cache.ts: source ids, environment overrides and model files applied afresh).
 * @throws ConfigError
 * @example const config = await loadCachedConfig(ctx.configPath, ctx.env)
 */
export const loadCachedConfig = (
  path: string,
  env: Env,
  /** Called when the cache does not answer, before the YAML is read (the slow way). */
  onFullRead?: () => void,
): Promise<AppConfig> => readConfigFile(path, env, topicProblems, buildConfigCache(env), onFullRead)
