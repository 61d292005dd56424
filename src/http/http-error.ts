/** toHttpError: the one mapping from an error to an HTTP status and JSON body. */
import {
  InvalidParamError,
  NotFoundError,
  OverloadedError,
  UnauthorizedError,
} from '../model/errors.js'

/** The JSON body of every error answer. */
export interface HttpErrorBody {
  error: { param?: string; message: string }
}

/** Maps an error to its HTTP status, JSON body and extra headers; the only place that does. */
export const toHttpError = (
  err: unknown,
): {
  status: 400 | 401 | 404 | 500 | 503
  body: HttpErrorBody
  headers?: Record<string, string>
} => {
  if (err instanceof OverloadedError) {
    return {
      status: 503,
      body: { error: { message: err.message } },
      headers: { 'Retry-After': String(err.retryAfterSeconds) },
    }
  }
  if (err instanceof UnauthorizedError) {
    return { status: 401, body: { error: { param: err.param, message: err.message } } }
  }
  if (err instanceof InvalidParamError) {
    return { status: 400, body: { error: { param: err.param, message: err.message } } }
  }
  if (err instanceof NotFoundError)
    return { status: 404, body: { error: { message: err.message } } }
  return { status: 500, body: { error: { message: 'internal error; see the server log' } } }
}
