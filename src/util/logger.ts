/** Structured logs: one pino logger, child loggers bound to { sourceId } or { reqId }. */
import { createRequire } from 'node:module'
import type pino from 'pino'
import type { Logger } from '../model/types.js'
import { prettyDestination } from './pretty-log.js'

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

/** `json`: one JSON object a line (pino's); `pretty`: for a person; `auto`: pretty on a terminal only. */
export type LogFormat = 'json' | 'pretty' | 'auto'

/** pino's rank of each level that logs (`silent` logs nothing). */
const RANK: Readonly<Record<LogLevel, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
}

/**
 * A pino logger writing to stderr (or the given stream): one JSON object a line, the form log
 * collectors read (journald, docker, a file), unless the stream is a terminal, where a person reads
 * it (`format: 'auto'`, the default; `LOG_FORMAT` in the CLI).
 *
 * pino (and what it requires: thread-stream, sonic-boom, fast-redact…) is loaded at the first line
 * the level lets through, not before: cron's `fetch --once` logs at `error` and usually writes
 * nothing, and loading pino was ~40 ms of CPU of its ~1 s second run (1,000 feeds answering 304).
 * The level is checked before that, as pino would; bindings of a child are given to pino's child.
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
  const level = opts.level ?? 'info'
  let root: pino.Logger | undefined
  const pinoLogger = (): pino.Logger => {
    if (root) return root
    // pino is CommonJS: required synchronously, so the line is written when it is logged.
    const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino')
    root = pino(
      {
        level,
        base: undefined,
        redact: { paths: ['token', 'adminToken', 'headers.authorization'], censor: '[redacted]' },
      },
      (pretty ? prettyDestination(out) : out) as pino.DestinationStream,
    )
    return root
  }
  const lazy = (bindings: readonly Record<string, unknown>[]): Logger => {
    let made: pino.Logger | undefined
    const logger = (): pino.Logger => {
      made ??= bindings.reduce<pino.Logger>((l, b) => l.child(b), pinoLogger())
      return made
    }
    // A level below the logger's is a function that does nothing, decided once.
    const at = (name: 'debug' | 'info' | 'warn' | 'error') =>
      RANK[name] >= RANK[level]
        ? (obj: object, msg: string): void => logger()[name](obj, msg)
        : (): void => undefined
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (b) => (made ? (made.child(b) as unknown as Logger) : lazy([...bindings, b])),
    }
  }
  return lazy([])
}

/** A logger that drops everything (tests, `--quiet`). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
}
