/** LOG_LEVEL and LOG_FORMAT read from the environment for the commands that log, checked. */
import { AppError } from '../model/errors.js'
import type { LogFormat, LogLevel } from '../util/logger.js'

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']
const FORMATS: readonly LogFormat[] = ['json', 'pretty', 'auto']

/**
 * The logger's level (LOG_LEVEL, else `fallback`) and format (LOG_FORMAT, else auto: JSON lines
 * unless stderr is a terminal). A value that is neither is an error naming the variable, before
 * anything starts.
 * @throws AppError (code config)
 * @example logOptions(ctx.env, 'info') // { logLevel: 'info', logFormat: 'auto' }
 */
export const logOptions = (
  env: Record<string, string | undefined>,
  fallback: LogLevel,
): { logLevel: LogLevel; logFormat: LogFormat } => {
  const level = env.LOG_LEVEL?.trim().toLowerCase() || fallback
  const format = env.LOG_FORMAT?.trim().toLowerCase() || 'auto'
  if (!(LEVELS as readonly string[]).includes(level))
    throw new AppError(
      'config',
      `LOG_LEVEL must be one of ${LEVELS.join(', ')}; got "${env.LOG_LEVEL}"`,
    )
  if (!(FORMATS as readonly string[]).includes(format))
    throw new AppError(
      'config',
      `LOG_FORMAT must be one of ${FORMATS.join(', ')}; got "${env.LOG_FORMAT}"`,
    )
  return { logLevel: level as LogLevel, logFormat: format as LogFormat }
}
