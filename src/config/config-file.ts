/** A configuration file read and validated: from its validated data in the cache when that answers (without loading the YAML reader or the schema), else the full way (read-config.ts). */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { ConfigError } from '../model/errors.js'
import type { AppConfig } from '../model/types.js'
import { type ConfigCache, cacheable, readCachedConfig, writeCachedConfig } from './config-cache.js'
import { resolveConfig, type TopicCheck } from './resolve.js'
import type { ParsedConfig } from './schema.js'

type Env = Record<string, string | undefined>

/** `parsed` as JSON, when JSON gives it back exactly (no undefined, dates or other classes). */
const exactJson = (parsed: ParsedConfig): string | undefined => {
  const json = JSON.stringify(parsed)
  return isDeepStrictEqual(JSON.parse(json), parsed) ? json : undefined
}

/** `resolveConfig` of cached data; undefined when that data is not what it should be (a full read then says why). */
const resolveCached = (
  cached: ParsedConfig,
  path: string,
  env: Env,
  checkTopics?: TopicCheck,
): ReturnType<typeof resolveConfig> | undefined => {
  try {
    return resolveConfig(cached, path, env, checkTopics)
  } catch {
    return undefined
  }
}

/**
 * Reads and validates a configuration file; `storage.path` comes back absolute, resolved against
 * the file's folder. A missing or unreadable file is a ConfigError too. With `cache`, the schema's
 * output for these bytes is taken from it when there (ids, environment and topic checks are
 * applied afresh: model files are read again), and stored there after a valid read; an entry that
 * the environment would change is never made (config-cache.ts).
 * @throws ConfigError
 * @example const config = await loadConfig(resolveConfigPath(flags.config))
 */
export const readConfigFile = async (
  path: string,
  env: Env,
  checkTopics?: TopicCheck,
  cache?: ConfigCache,
  /** Called when the cache does not answer, before the file is parsed and validated (the slow way). */
  onFullRead?: () => void,
): Promise<AppConfig> => {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    const notFound = (e as NodeJS.ErrnoException).code === 'ENOENT'
    const message = notFound
      ? `the configuration file ${path} does not exist (give another one with --config PATH or TOPICWIRE_CONFIG)`
      : `the configuration file ${path} cannot be read: ${e instanceof Error ? e.message : String(e)}`
    throw new ConfigError([{ file: path, line: 1, column: 1, path: '', message }], { cause: e })
  }
  const cached = cache && readCachedConfig(cache, path, text)
  const resolved = cached && resolveCached(cached, path, env, checkTopics)
  // A cached file with problems (an environment override gone wrong) is read again for their places.
  let config = resolved && resolved.problems.length === 0 ? resolved.config : undefined
  if (config === undefined) {
    let json: string | undefined
    const keep = (p: ParsedConfig) => {
      json = exactJson(p)
    }
    onFullRead?.()
    const { readConfigText } = await import('./read-config.js')
    config = readConfigText(
      text,
      path,
      env,
      checkTopics,
      cache && cacheable(text) ? keep : undefined,
    )
    if (cache && json !== undefined) writeCachedConfig(cache, path, text, json)
  }
  // Data paths are the configuration's, wherever the command runs from: a file in
  // /etc/topicwire names its store the same way from a service manager, cron or a shell.
  return {
    ...config,
    storage: { ...config.storage, path: resolve(dirname(path), config.storage.path) },
  }
}
