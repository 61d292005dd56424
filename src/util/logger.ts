/** Structured logs: one pino logger, child loggers bound to { sourceId } or { reqId }. */
import { pino } from 'pino'
import type { Logger } from '../model/types.js'

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

/**
 * A pino logger writing JSON lines to stderr (or the given stream).
 * @example createLogger({ level: 'info' }).child({ sourceId: 'dawn' }).warn({ err }, 'poll failed')
 */
export const createLogger = (opts: {
  level?: LogLevel
  stream?: NodeJS.WritableStream
}): Logger => {
  const logger = pino(
    {
      level: opts.level ?? 'info',
      base: undefined,
      redact: { paths: ['token', 'adminToken', 'headers.authorization'], censor: '[redacted]' },
    },
    (opts.stream ?? process.stderr) as pino.DestinationStream,
  )
  return logger as unknown as Logger
}

/** A logger that drops everything (tests, `--quiet`). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
}
