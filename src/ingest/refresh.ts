/** refreshSource: one source, one poll — fetch → decode → parse → normalise → tag → cluster → store. */
import { AppError, FetchError } from '../model/errors.js'
import type {
  AnalysedFeed,
  AnalyseInput,
  Deps,
  ErrorCode,
  Item,
  PollOutcome,
  SaveSummary,
  Source,
  SourceState,
} from '../model/types.js'
import { assignClusters } from '../stories/clusterer.js'
import { analyseFeed } from './analyse.js'
import { type FetchResult, fetchFeed } from './fetch/fetch-feed.js'
import { nextPollAt } from './plan.js'
import {
  confirmRedirect,
  failed,
  outageFailure,
  succeeded,
  withChangedCount,
  withHistory,
} from './poll-state.js'
import { loadRecentItems, type RecentItems } from './recent.js'

export { CLUSTER_WINDOW_MS } from './recent.js'

/** What one poll did, for logs, metrics and `fetch --once`. */
export interface RefreshReport {
  sourceId: string
  outcome: PollOutcome
  summary: SaveSummary
  status?: number
  error?: string
  /** Parser repairs and clamped future dates ("recovered from: …"). */
  recovered?: string[]
  seconds: number
  /** Only with `holdTransportFailures`: a transport failure the caller must record. */
  held?: HeldFailure
}

/** A failed poll, not yet written to the store. */
export interface HeldFailure {
  sourceId: string
  /** The state before the poll, with `lastFetchAt` set to the poll's start. */
  base: SourceState
  code: ErrorCode
  message: string
  status?: number
  /** The source's interval (`every`), for the backoff. */
  every: string
  /** The URL that was polled. */
  url: string
}

export interface RefreshOptions {
  /** The cycle's shared window of recent items (see lazyRecentItems); default: read for this poll. */
  recent?: () => Promise<RecentItems>
  /**
   * Do not record a transport failure (FetchError `fetch` or `timeout`: no HTTP answer at all);
   * return it as `report.held` instead, so that the caller can first tell whether the whole
   * network is down, then record it with {@link recordFailure}. runCycle uses this.
   */
  holdTransportFailures?: boolean
}

const NO_ITEMS: SaveSummary = { new: 0, updated: 0, unchanged: 0 }

/** A fresh state for a source never polled. */
export const initialState = (sourceId: string, now: Date): SourceState => ({
  sourceId,
  failures: 0,
  nextPollAt: now.toISOString(),
})

/** True for failures where no server answered: the kind a network outage produces. */
export const isTransportFailure = (err: unknown): err is FetchError =>
  err instanceof FetchError && (err.code === 'fetch' || err.code === 'timeout')

/**
 * Polls one source and records the result in the store. Never throws for a failing source: the
 * error is stored on the source's state and returned in the report, so other sources go on.
 * Every poll appends a PollRecord to `state.history`.
 */
export const refreshSource = async (
  source: Source,
  deps: Deps,
  opts: RefreshOptions = {},
): Promise<RefreshReport> => {
  const { store, clock, logger, config } = deps
  const started = clock.now()
  const log = logger.child({ sourceId: source.id })
  const prev = (await store.getState(source.id)) ?? initialState(source.id, started)
  const url = prev.effectiveUrl ?? source.url
  const every = source.every ?? config.fetch.every
  const base: SourceState = { ...prev, lastFetchAt: started.toISOString() }
  const polled = (outcome: PollOutcome, status?: number): SourceState =>
    withHistory(base, {
      at: started.toISOString(),
      outcome,
      ...(status === undefined ? {} : { status }),
    })
  const plan = (
    outcome: PollOutcome,
    failures: number,
    extra: { retryAfterMs?: number; cacheMaxAgeMs?: number; ttlMinutes?: number } = {},
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
        // Decompressing is the analysis's first step, off this thread when there are workers.
        leaveEncoded: true,
      },
    )
    if (result.kind === 'ok') {
      const input: AnalyseInput = {
        body: result.body,
        ...(result.codings && { codings: result.codings, maxBytes: config.fetch.maxBytes }),
        ...(result.contentType === undefined ? {} : { contentType: result.contentType }),
        source,
        feedUrl: result.effectiveUrl,
        fetchedAt: clock.now().toISOString(),
        ...withPrevious(deps.entryMemo?.get(source.id)),
        storyFeatures: deps.cluster !== undefined,
      }
      const analysed = await analyse(input, deps, log)
      const now = new Date(input.fetchedAt)
      const items = await clusterItems(analysed, deps, now, opts)
      const { recovered } = analysed
      const state: SourceState = {
        ...succeeded(polled('ok', result.status), result.status, clock.now()),
        etag: result.etag,
        lastModified: result.lastModified,
        ...confirmRedirect(prev, result.permanentRedirect, clock.now()),
        nextPollAt: plan('ok', 0, {
          cacheMaxAgeMs: result.cacheMaxAgeMs,
          ttlMinutes: analysed.ttlMinutes,
        }),
        recovered: recovered.length > 0 ? recovered : undefined,
      }
      const saved = await store.saveIngest({ sourceId: source.id, items, state })
      const summary = { ...saved, unchanged: saved.unchanged + analysed.skipped }
      deps.entryMemo?.set(source.id, analysed.entries)
      // How many items changed is known only now; the store filled in itemCount meanwhile.
      const stored = await store.getState(source.id)
      if (stored) await store.saveState(withChangedCount(stored, summary.new + summary.updated))
      deps.metrics.recordItems(source.id, summary)
      log.debug({ ...summary, status: result.status }, 'source polled')
      return finish({ outcome: 'ok', summary, status: result.status, recovered })
    }
    if (result.kind === 'not-modified') {
      await store.saveState({
        ...succeeded(polled('not-modified', 304), 304, clock.now()),
        ...confirmRedirect(prev, result.permanentRedirect, clock.now()),
        nextPollAt: plan('not-modified', 0, { cacheMaxAgeMs: result.cacheMaxAgeMs }),
      })
      return finish({ outcome: 'not-modified', status: 304 })
    }
    if (result.kind === 'gone') {
      const message = `HTTP 410 Gone from ${result.effectiveUrl}: the publisher removed this feed; polling stopped`
      await store.saveState({
        ...failed(polled('gone', 410), 'http', message, clock.now()),
        lastStatus: 410,
        gone: true,
        pendingRedirect: undefined,
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
      ...failed(polled('retry-later', result.status), 'http', message, clock.now()),
      lastStatus: result.status,
      nextPollAt: plan('retry-later', failures, { retryAfterMs: result.retryAfterMs }),
    })
    return finish({ outcome: 'retry-later', status: result.status, error: message })
  } catch (err) {
    const known = err instanceof AppError
    const message = known ? err.message : `internal error: ${String(err)}`
    const status =
      known && 'status' in err && typeof err.status === 'number' ? err.status : undefined
    const failure: HeldFailure = {
      sourceId: source.id,
      base,
      code: known ? err.code : 'internal',
      message,
      ...(status === undefined ? {} : { status }),
      every,
      url,
    }
    if (opts.holdTransportFailures && isTransportFailure(err)) {
      log.debug({ code: err.code, error: message }, 'source poll failed; recorded after the cycle')
      return finish({ outcome: 'error', status, error: message, held: failure })
    }
    // An expected failure is a sentence, not a stack trace; unknown errors keep the stack.
    if (!known) log.error({ err }, 'source poll failed with an unexpected error')
    await recordFailure(failure, deps, { quiet: !known })
    return finish({ outcome: 'error', status, error: message })
  }
}

/**
 * Records a failed poll: the error, one more consecutive failure and the backoff — or, during a
 * network outage (`outage` given), the error alone: `failures` unchanged and the next poll at
 * `outage.retryAt`. Appends the poll to the history. Logs a warning unless `quiet` or an outage
 * (the caller logs one line for the whole outage). Never throws (a store error is logged).
 */
export const recordFailure = async (
  f: HeldFailure,
  deps: Deps,
  opts: { outage?: { retryAt: Date }; quiet?: boolean } = {},
): Promise<void> => {
  const { outage } = opts
  const log = deps.logger.child({ sourceId: f.sourceId })
  const now = deps.clock.now()
  const polled = withHistory(f.base, {
    at: f.base.lastFetchAt ?? now.toISOString(),
    outcome: 'error',
    ...(f.status === undefined ? {} : { status: f.status }),
  })
  let state: SourceState
  if (outage) {
    state = {
      ...outageFailure(polled, f.code, f.message, now, outage.retryAt),
      lastStatus: undefined,
    }
  } else {
    if (!opts.quiet) log.warn({ code: f.code, error: f.message }, 'source poll failed')
    const failures = f.base.failures + 1
    state = {
      ...failed(polled, f.code, f.message, now),
      lastStatus: f.status,
      nextPollAt: nextPollAt({
        every: f.every,
        now,
        random: deps.random,
        outcome: 'error',
        failures,
      }).toISOString(),
    }
  }
  try {
    await deps.store.saveState(state)
  } catch (storeErr) {
    log.error({ err: storeErr }, 'could not record the poll failure')
  }
}

/**
 * Assigns stories: with the runtime's story index, or else (tests, tools) by canonical URL
 * against the cycle's window of stored items.
 */
const clusterItems = async (
  { items, features }: AnalysedFeed,
  deps: Deps,
  now: Date,
  opts: RefreshOptions,
): Promise<Item[]> => {
  if (deps.cluster) return deps.cluster(items, now, features)
  const recent = await (opts.recent?.() ?? loadRecentItems(deps.store, now))
  const clustered = assignClusters(items, recent.candidatesFor(items))
  // At once, in the same tick as the clustering: a source polled alongside sees these items.
  recent.add(clustered)
  return clustered
}

/**
 * Analyses on `deps.analyse` (the worker pool) when there is one. A failure that is not the
 * document's fault (a worker that stopped) must not count against the source: the document is
 * then analysed on this thread.
 */
const analyse = async (
  input: AnalyseInput,
  deps: Deps,
  log: Deps['logger'],
): Promise<AnalysedFeed> => {
  if (!deps.analyse) return analyseFeed(input, deps.tagger)
  try {
    return await deps.analyse(input)
  } catch (err) {
    if (err instanceof AppError) throw err
    log.warn({ err }, 'analysis worker failed; analysing on the main thread')
    return analyseFeed(input, deps.tagger)
  }
}

const withPrevious = (previous: ReadonlyMap<string, string> | undefined) =>
  previous === undefined ? {} : { previous }
