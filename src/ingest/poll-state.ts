/** Pure SourceState transitions of one poll: the state after an answer or a failure, history, redirects, outages. */
import type { ErrorCode, PollRecord, SourceState } from '../model/types.js'
import { nextPollAt } from './plan.js'

/** Polls kept in `SourceState.history` (oldest dropped first). */
export const HISTORY_MAX = 100

/**
 * How long the same permanent redirect (301/308) must be seen on consecutive polls before the new
 * URL becomes the one we poll. A day rides out a misconfigured server that is fixed the same day.
 */
export const REDIRECT_CONFIRM_MS = 24 * 60 * 60 * 1000

/** Appended to `lastError.message` when a failure was not counted because the network was down. */
export const OUTAGE_NOTE =
  'every source failed at once, so the network looks down: not counted against this source'

/** The state after an answer we could use (200 or 304): failures reset, error cleared. */
export const succeeded = (s: SourceState, status: number, now: Date): SourceState => ({
  ...s,
  lastSuccessAt: now.toISOString(),
  lastStatus: status,
  lastError: undefined,
  failures: 0,
  gone: undefined,
})

/** The state after a failure: the error recorded, one more consecutive failure. */
export const failed = (
  s: SourceState,
  code: ErrorCode,
  message: string,
  now: Date,
): SourceState => ({
  ...s,
  lastError: { code, message, at: now.toISOString() },
  failures: s.failures + 1,
})

/**
 * A transport failure during a network outage: the error is recorded (with {@link OUTAGE_NOTE}),
 * `failures` stays as it was, and the source is retried at `retryAt` with the rest of the set.
 */
export const outageFailure = (
  s: SourceState,
  code: ErrorCode,
  message: string,
  now: Date,
  retryAt: Date,
): SourceState => ({
  ...s,
  lastError: { code, message: `${message} (${OUTAGE_NOTE})`, at: now.toISOString() },
  nextPollAt: retryAt.toISOString(),
})

/** Appends one poll to the history, keeping the newest {@link HISTORY_MAX}. */
export const withHistory = (s: SourceState, record: PollRecord): SourceState => {
  // Spread, not slice: the stored history is frozen, and V8 (Node 20) slices and filters frozen
  // arrays on a slow path, ~40× the cost (over a microsecond for 30 records).
  const history = [...(s.history ?? []), record]
  if (history.length > HISTORY_MAX) history.splice(0, history.length - HISTORY_MAX)
  return { ...s, history }
}

/**
 * Where to poll after a poll that reached a feed (200 or 304), given the permanent redirect it
 * followed (`seen`, undefined when there was none):
 * - no redirect: the stored URL stays and any pending redirect is forgotten;
 * - a new target: it becomes pending (`firstSeenAt` = now), the stored URL stays;
 * - the pending target again, `windowMs` or more after it was first seen: it is adopted;
 * - the pending target again, sooner: it stays pending.
 * A window of 0 adopts at once. Failed polls do not call this: they neither confirm nor refute.
 * @example confirmRedirect(prev, result.permanentRedirect, now)
 */
export const confirmRedirect = (
  prev: SourceState,
  seen: string | undefined,
  now: Date,
  windowMs: number = REDIRECT_CONFIRM_MS,
): Pick<SourceState, 'effectiveUrl' | 'pendingRedirect'> => {
  const effectiveUrl = prev.effectiveUrl
  if (seen === undefined) return { effectiveUrl, pendingRedirect: undefined }
  const pending = prev.pendingRedirect
  const since = pending?.url === seen ? Date.parse(pending.firstSeenAt) : Number.NaN
  const firstSeen = Number.isNaN(since) ? now.getTime() : since
  if (now.getTime() - firstSeen >= windowMs)
    return { effectiveUrl: seen, pendingRedirect: undefined }
  return {
    effectiveUrl,
    pendingRedirect: { url: seen, firstSeenAt: new Date(firstSeen).toISOString() },
  }
}

/** What a source's state records of a poll the feed answered (200 or 304). */
export interface PollAnswer {
  outcome: 'ok' | 'not-modified'
  status: number
  etag?: string
  lastModified?: string
  /** The 301/308 target followed, if any (see {@link confirmRedirect}). */
  permanentRedirect?: string
  cacheMaxAgeMs?: number
  /** RSS `<ttl>` in minutes. */
  ttlMinutes?: number
  /** Parser repairs and clamped future dates. */
  recovered?: string[]
  /** Items new or updated, when known before saving (none to save: 0); else the store counts them. */
  changed?: number
}

/** What a source's state records of a failed poll. */
export interface PollFailure {
  outcome: 'error' | 'gone' | 'retry-later'
  code: ErrorCode
  message: string
  status?: number
  /** 429/503: the server's Retry-After. */
  retryAfterMs?: number
}

/** The time a poll started (all its times are counted from it), its interval and the jitter source. */
export interface PollContext {
  now: Date
  every: string
  random: () => number
}

/** The state after a poll the feed answered (200 or 304), history record included. */
export const answeredState = (prev: SourceState, a: PollAnswer, ctx: PollContext): SourceState => {
  const at = ctx.now.toISOString()
  const polled = withHistory(
    { ...prev, lastFetchAt: at },
    {
      at,
      outcome: a.outcome,
      status: a.status,
      ...(a.changed === undefined ? {} : { changed: a.changed }),
    },
  )
  const answered = {
    ...succeeded(polled, a.status, ctx.now),
    ...confirmRedirect(prev, a.permanentRedirect, ctx.now),
    nextPollAt: nextPollAt({
      every: ctx.every,
      now: ctx.now,
      random: ctx.random,
      outcome: a.outcome,
      failures: 0,
      cacheMaxAgeMs: a.cacheMaxAgeMs,
      ...(a.ttlMinutes === undefined ? {} : { ttlMinutes: a.ttlMinutes }),
    }).toISOString(),
  }
  // A 304 keeps the validators and the repairs of the document it confirms.
  if (a.outcome === 'not-modified') return answered
  return {
    ...answered,
    etag: a.etag,
    lastModified: a.lastModified,
    recovered: a.recovered?.length ? a.recovered : undefined,
  }
}

/**
 * The state after a failed poll, history record included: the error, one more consecutive
 * failure and the backoff (a 410 also stops polling) — or, during a network outage (`outage`
 * given), the error alone (see {@link outageFailure}).
 */
export const failedState = (
  prev: SourceState,
  f: PollFailure,
  ctx: PollContext & { outage?: { retryAt: Date } },
): SourceState => {
  const at = ctx.now.toISOString()
  const polled = withHistory(
    { ...prev, lastFetchAt: at },
    { at, outcome: f.outcome, ...(f.status === undefined ? {} : { status: f.status }) },
  )
  if (ctx.outage) {
    return {
      ...outageFailure(polled, f.code, f.message, ctx.now, ctx.outage.retryAt),
      lastStatus: undefined,
    }
  }
  return {
    ...failed(polled, f.code, f.message, ctx.now),
    lastStatus: f.status,
    ...(f.outcome === 'gone' && { gone: true, pendingRedirect: undefined }),
    nextPollAt: nextPollAt({
      every: ctx.every,
      now: ctx.now,
      random: ctx.random,
      outcome: f.outcome,
      failures: prev.failures + 1,
      ...(f.retryAfterMs === undefined ? {} : { retryAfterMs: f.retryAfterMs }),
    }).toISOString(),
  }
}
