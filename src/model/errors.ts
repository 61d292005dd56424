/** Typed errors: every expected failure has a class and a code; HTTP mapping uses `instanceof`. */
import type { ErrorCode } from './types.js'

export class AppError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** One problem in a configuration file, located for a human. */
export interface ConfigIssue {
  file: string
  line: number
  column: number
  /** Dotted path in the YAML, e.g. `sources[2].url`; empty for the document. */
  path: string
  message: string
}

/** Formats one issue as `file:line:col: message (at path)`. */
export const formatConfigIssue = (i: ConfigIssue): string =>
  `${i.file}:${i.line}:${i.column}: ${i.message}${i.path ? ` (at ${i.path})` : ''}`

export class ConfigError extends AppError {
  readonly issues: ConfigIssue[]
  constructor(issues: ConfigIssue[], options?: { cause?: unknown }) {
    super('config', issues.map(formatConfigIssue).join('\n'), options)
    this.issues = issues
  }
}

export class FetchError extends AppError {
  /** HTTP status when the server answered. */
  readonly status?: number
  constructor(
    code: Extract<
      ErrorCode,
      'fetch' | 'timeout' | 'too-large' | 'http' | 'redirect' | 'private-network'
    >,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(code, message, options)
    if (options?.status !== undefined) this.status = options.status
  }
}

export class ParseError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('parse', message, options)
  }
}

export class StoreError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store', message, options)
  }
}

export class NotFoundError extends AppError {
  readonly kind: 'feed' | 'topic' | 'source' | 'item' | 'route'
  /** The name that was asked for. */
  readonly target: string
  constructor(kind: NotFoundError['kind'], target: string) {
    // The name comes from the request: repeat enough of it to recognise, never kilobytes.
    const shown = target.length > 60 ? `${target.slice(0, 59)}…` : target
    super('not-found', `unknown ${kind} "${shown}"`)
    this.kind = kind
    this.target = target
  }
}

/** A read that needs the feed token came without it, or with a wrong one (HTTP 401). */
export class UnauthorizedError extends AppError {
  /** Where the credential goes (`token`). */
  readonly param: string
  constructor(param: string, message: string) {
    super('unauthorized', message)
    this.param = param
  }
}

export class InvalidParamError extends AppError {
  readonly param: string
  constructor(param: string, message: string) {
    super('invalid-param', message)
    // An unknown parameter's name comes from the request: clipped like any echoed input.
    this.param = param.length > 60 ? `${param.slice(0, 59)}…` : param
  }
}

/** Too much work is already waiting for the caller, or for everyone (HTTP 503 + Retry-After). */
export class OverloadedError extends AppError {
  /** Seconds after which a retry may find room. */
  readonly retryAfterSeconds: number
  constructor(message: string, retryAfterSeconds: number) {
    super('overloaded', message)
    this.retryAfterSeconds = retryAfterSeconds
  }
}
