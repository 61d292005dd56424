/** Structured logs: one pino logger, child loggers bound to { sourceId } or { reqId }. */
import { pino } from 'pino'
import type { Logger } from '../model/types.js'
import { prettyDestination } from './pretty-log.js'

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

/** `json`: one JSON object a line (pino's); `pretty`: for a person; `auto`: pretty on a terminal only. */
export type LogFormat = 'json' | 'pretty' | 'auto'

/**
 * A pino logger writing to stderr (or the given stream): one JSON object a line, the form log
 * collectors read (journald, docker, a file), unless the stream is a terminal, where a person reads
 * it (`format: 'auto'`, the default; `LOG_FORMAT` in the CLI).
 * @example createLogger({ level: 'info' }).child({ sourceId: 'dawn' }).warn({ err }, 'poll failed')
 */
export const createLogger = (opts: {
  level?: LogLevel
  stream?: NodeJS.WritableStream
  format?: LogFormat
}): Logger => {
  const out = opts.stream ?? process.stderr
  const format = opts.format ?? 'auto'
  const pretty =
    format === 'pretty' || (format === 'auto' && (out as { isTTY?: boolean }).isTTY === true)
  const logger = pino(
    {
      level: opts.level ?? 'info',
      base: undefined,
      redact: { paths: ['token', 'adminToken', 'headers.authorization'], censor: '[redacted]' },
    },
    (pretty ? prettyDestination(out) : out) as pino.DestinationStream,
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
