/** refreshSource: one source, one poll — fetch → decode → parse → normalise → tag → cluster → store. */
import { AppError } from '../model/errors.js'
import type { Deps, Item, PollOutcome, SaveSummary, Source, SourceState } from '../model/types.js'
import { assignClusters } from './cluster.js'
import { decodeBody } from './decode.js'
import { dedupeWithinSource } from './dedupe.js'
import { type FetchResult, fetchFeed } from './fetch.js'
import { normalizeEntries } from './normalize.js'
import { parseFeed } from './parse.js'
import { nextPollAt } from './plan.js'

/** How far back an item may be to join a story. */
export const CLUSTER_WINDOW_MS = 72 * 3_600_000

/** What one poll did, for logs, metrics and `fetch --once`. */
export interface RefreshReport {
  sourceId: string
  outcome: PollOutcome
  summary: SaveSummary
  status?: number
  error?: string
  /** Parser repairs ("recovered from: …"). */
  recovered?: string[]
  seconds: number
}

const NO_ITEMS: SaveSummary = { new: 0, updated: 0, unchanged: 0 }

/** A fresh state for a source never polled. */
export const initialState = (sourceId: string, now: Date): SourceState => ({
  sourceId,
  failures: 0,
  nextPollAt: now.toISOString(),
})

/**
 * Polls one source and records the result in the store. Never throws for a failing source: the
 * error is stored on the source's state and returned in the report, so other sources go on.
 */
export const refreshSource = async (source: Source, deps: Deps): Promise<RefreshReport> => {
  const { store, clock, logger, config } = deps
  const started = clock.now()
  const log = logger.child({ sourceId: source.id })
  const prev = (await store.getState(source.id)) ?? initialState(source.id, started)
  const url = prev.effectiveUrl ?? source.url
  const every = source.every ?? config.fetch.every
  const base: SourceState = { ...prev, lastFetchAt: started.toISOString() }
  const plan = (
    outcome: PollOutcome,
    failures: number,
    extra: { retryAfterMs?: number; cacheMaxAgeMs?: number } = {},
  ) =>
    nextPollAt({
      every,
      now: clock.now(),
      random: deps.random,
      outcome,
      failures,
      ...extra,
    }).toISOString()
  const finish = (
    report: Omit<RefreshReport, 'seconds' | 'sourceId' | 'summary'> & { summary?: SaveSummary },
  ): RefreshReport => {
    const seconds = (clock.now().getTime() - started.getTime()) / 1000
    deps.metrics.recordPoll(source.id, report.outcome, seconds)
    return { sourceId: source.id, summary: NO_ITEMS, ...report, seconds }
  }

  let result: FetchResult
  try {
    result = await fetchFeed(
      { url, etag: prev.etag, lastModified: prev.lastModified },
      {
        fetch: deps.fetch,
        userAgent: config.fetch.userAgent,
        timeoutMs: config.fetch.timeoutMs,
        maxBytes: config.fetch.maxBytes,
      },
    )
    if (result.kind === 'ok') {
      const { text } = decodeBody(result.body, result.contentType)
      const feed = await parseFeed(text, result.effectiveUrl)
      const now = clock.now()
      const normalized = dedupeWithinSource(
        normalizeEntries(feed, source, now, result.effectiveUrl),
      )
      const tagged = normalized.map(
        (item): Item => ({ ...item, topics: deps.tagger(item, source) }),
      )
      const recent = await store.recentItems(
        new Date(now.getTime() - CLUSTER_WINDOW_MS).toISOString(),
      )
      const items = assignClusters(tagged, recent)
      const state: SourceState = {
        ...succeeded(base, result.status, clock.now()),
        etag: result.etag,
        lastModified: result.lastModified,
        effectiveUrl: result.permanentRedirect ?? prev.effectiveUrl,
        nextPollAt: plan('ok', 0, { cacheMaxAgeMs: result.cacheMaxAgeMs }),
        recovered: feed.recovered.length > 0 ? feed.recovered : undefined,
      }
      const summary = await store.saveIngest({ sourceId: source.id, items, state })
      deps.metrics.recordItems(source.id, summary)
      log.debug({ ...summary, status: result.status }, 'source polled')
      return finish({ outcome: 'ok', summary, status: result.status, recovered: feed.recovered })
    }
    if (result.kind === 'not-modified') {
      await store.saveState({
        ...succeeded(base, 304, clock.now()),
        effectiveUrl: result.permanentRedirect ?? prev.effectiveUrl,
        nextPollAt: plan('not-modified', 0, { cacheMaxAgeMs: result.cacheMaxAgeMs }),
      })
      return finish({ outcome: 'not-modified', status: 304 })
    }
    if (result.kind === 'gone') {
      const message = `HTTP 410 Gone from ${result.effectiveUrl}: the publisher removed this feed; polling stopped`
      await store.saveState({
        ...failed(base, 'http', message, clock.now()),
        lastStatus: 410,
        gone: true,
        nextPollAt: plan('gone', base.failures + 1),
      })
      log.warn({ status: 410 }, 'source is gone; polling stopped')
      return finish({ outcome: 'gone', status: 410, error: message })
    }
    const wait =
      result.retryAfterMs === undefined
        ? ''
        : ` (Retry-After ${Math.round(result.retryAfterMs / 1000)}s)`
    const message = `HTTP ${result.status} from ${result.effectiveUrl}: the server asked us to come back later${wait}`
    const failures = base.failures + 1
    await store.saveState({
      ...failed(base, 'http', message, clock.now()),
      lastStatus: result.status,
      nextPollAt: plan('retry-later', failures, { retryAfterMs: result.retryAfterMs }),
    })
    return finish({ outcome: 'retry-later', status: result.status, error: message })
  } catch (err) {
    const known = err instanceof AppError
    const message = known ? err.message : `internal error: ${String(err)}`
    // An expected failure is a sentence, not a stack trace; unknown errors keep the stack.
    if (known) log.warn({ code: err.code, error: message }, 'source poll failed')
    else log.error({ err }, 'source poll failed with an unexpected error')
    const failures = base.failures + 1
    const status =
      known && 'status' in err && typeof err.status === 'number' ? err.status : undefined
    try {
      await store.saveState({
        ...failed(base, known ? err.code : 'internal', message, clock.now()),
        lastStatus: status,
        nextPollAt: plan('error', failures),
      })
    } catch (storeErr) {
      log.error({ err: storeErr }, 'could not record the poll failure')
    }
    return finish({ outcome: 'error', status, error: message })
  }
}

const succeeded = (s: SourceState, status: number, now: Date): SourceState => ({
  ...s,
  lastSuccessAt: now.toISOString(),
  lastStatus: status,
  lastError: undefined,
  failures: 0,
  gone: undefined,
})

const failed = (
  s: SourceState,
  code: NonNullable<SourceState['lastError']>['code'],
  message: string,
  now: Date,
): SourceState => ({
  ...s,
  lastError: { code, message, at: now.toISOString() },
  failures: s.failures + 1,
})
