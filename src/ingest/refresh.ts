/** refreshSource: one source, one poll — fetch → decode → parse → normalise → tag → cluster → store. */
import { AppError, FetchError } from '../model/errors.js'
import type {
  GivenWordFilter,
  Item,
  Logger,
  PollOutcome,
  SaveSummary,
  Source,
  SourceState,
} from '../model/types.js'
import type { AnalysedFeed, AnalyseInput } from './analyse.js'
import { analyseHere } from './analyse-here.js'
import { fetchFeed } from './fetch/fetch-feed.js'
import type { PollDeps } from './poll-deps.js'
import { answeredState, failedState, type PollAnswer, type PollFailure } from './poll-state.js'

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
  /** The caller cancelled the poll (`claim` refused it): nothing of it was written. */
  cancelled?: true
}

/** A failed poll, not yet written to the store (see {@link recordFailure}). */
export interface HeldFailure {
  sourceId: string
  /** The state before the poll. */
  prev: SourceState
  /** When the poll started: the time its record, error and backoff are counted from. */
  now: Date
  failure: PollFailure
  /** The source's interval (`every`), for the backoff. */
  every: string
  /** The URL that was polled. */
  url: string
}

export interface RefreshOptions {
  /**
   * Do not record a transport failure (FetchError `fetch` or `timeout`: no HTTP answer at all);
   * return it as `report.held` instead, so that the caller can first tell whether the whole
   * network is down, then record it with {@link recordFailure}. runCycle uses this.
   */
  holdTransportFailures?: boolean
  /** Cancels the fetch and the analysis (see `claim` for what the poll then writes). */
  signal?: AbortSignal
  /**
   * Asked once, right before the poll's first write (or before it returns a held failure): false
   * means the caller has taken over this source's record (the cycle's deadline passed and it
   * recorded a timeout), so the poll writes nothing and returns a `cancelled` report. Without
   * it the poll writes unless `signal` has been aborted.
   */
  claim?: () => boolean
}

/**
 * How a poll ended, before it is recorded: answered (the state's part, and a 200's items), or
 * failed with an answer that is a failure (410, 429/503).
 */
type Polled =
  | { answer: PollAnswer; analysed?: AnalysedFeed; items?: Item[]; failure?: undefined }
  | { failure: PollFailure }

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
 * Polls one source and records the result in the store: one read of the source's state, one
 * write of the new state (with the poll's items, when there are any). Never throws for a failing
 * source: the error is stored on the source's state and returned in the report, so other sources
 * go on. Every poll appends a PollRecord to `state.history`.
 */
export const refreshSource = async (
  source: Source,
  deps: PollDeps,
  opts: RefreshOptions = {},
): Promise<RefreshReport> => {
  const now = deps.clock.now()
  const log = deps.logger.child({ sourceId: source.id })
  const prev = (await deps.store.getState(source.id)) ?? initialState(source.id, now)
  const url = prev.effectiveUrl ?? source.url
  const every = source.every ?? deps.config.fetch.every
  const finish = (
    report: Omit<RefreshReport, 'seconds' | 'sourceId' | 'summary'> & { summary?: SaveSummary },
  ): RefreshReport => {
    // The one other clock read of a poll: how long it took.
    const seconds = (deps.clock.now().getTime() - now.getTime()) / 1000
    deps.metrics.recordPoll(source.id, report.outcome, seconds)
    return { sourceId: source.id, summary: NO_ITEMS, ...report, seconds }
  }
  const held = (failure: PollFailure): HeldFailure => ({
    sourceId: source.id,
    prev,
    now,
    failure,
    every,
    url,
  })

  const claim = opts.claim ?? (() => !opts.signal?.aborted)
  const cancelled = (): RefreshReport => ({
    sourceId: source.id,
    outcome: 'error',
    summary: NO_ITEMS,
    error: 'cancelled',
    cancelled: true,
    seconds: (deps.clock.now().getTime() - now.getTime()) / 1000,
  })

  // The poll's outcome, then its claim to write it, then the writes: nothing is written for a
  // poll its caller gave up on, whatever it came back with.
  let polled: Polled
  let thrown: { err: unknown } | undefined
  try {
    polled = await poll(source, url, prev, now, deps, log, opts.signal)
  } catch (err) {
    thrown = { err }
    polled = { failure: { outcome: 'error', code: 'internal', message: '' } }
  }
  if (!claim()) return cancelled()
  if (thrown) {
    const { err } = thrown
    const failure = failureOf(err, log)
    if (opts.holdTransportFailures && isTransportFailure(err)) {
      log.debug(
        { code: err.code, error: failure.message },
        'source poll failed; recorded after the cycle',
      )
      return finish({
        outcome: 'error',
        status: failure.status,
        error: failure.message,
        held: held(failure),
      })
    }
    polled = { failure }
  }
  if (polled.failure) {
    const { failure } = polled
    await recordFailure(held(failure), deps)
    return finish({ outcome: failure.outcome, status: failure.status, error: failure.message })
  }
  const { answer, analysed, items = [] } = polled
  const state = answeredState(prev, answer, { now, every, random: deps.random })
  try {
    if (!analysed) {
      await deps.store.saveState(state)
      return finish({ outcome: 'not-modified', status: 304 })
    }
    const wordFilters = givenWordFilters(analysed)
    const save = (clustered: Item[]) =>
      deps.store.saveIngest({
        sourceId: source.id,
        items: clustered,
        state,
        ...(wordFilters && { wordFilters }),
      })
    const { cluster } = deps
    const saved =
      items.length === 0
        ? await deps.store.saveState(state).then(() => NO_ITEMS)
        : cluster.assignAndSave
          ? await cluster.assignAndSave(items, now, analysed.features, save)
          : await save(await cluster(items, now, analysed.features))
    const summary = { ...saved, unchanged: saved.unchanged + analysed.skipped }
    deps.entryMemo.set(source.id, analysed.entries)
    deps.metrics.recordItems(source.id, summary)
    log.debug({ ...summary, status: answer.status }, 'source polled')
    const { recovered } = analysed
    return finish({ outcome: 'ok', summary, status: answer.status, recovered })
  } catch (err) {
    // The store refused the poll: recorded as the poll's failure (nothing of it was kept).
    const failure = failureOf(err, log)
    await recordFailure(held(failure), deps)
    return finish({ outcome: 'error', status: failure.status, error: failure.message })
  }
}

/**
 * Records a failed poll, the one place failures are written: the error, one more consecutive
 * failure and the backoff — or, during a network outage (`outage` given), the error alone:
 * `failures` unchanged and the next poll at `outage.retryAt`. Appends the poll to the history.
 * Logs a warning for an ordinary error (the caller logs one line for a whole outage; a 410 logs
 * its own). Never throws (a store error is logged).
 */
export const recordFailure = async (
  f: HeldFailure,
  deps: PollDeps,
  opts: { outage?: { retryAt: Date } } = {},
): Promise<void> => {
  const log = deps.logger.child({ sourceId: f.sourceId })
  const { failure } = f
  // An unexpected error (`internal`) was logged with its stack where it was caught.
  if (failure.outcome === 'gone') log.warn({ status: 410 }, 'source is gone; polling stopped')
  else if (failure.outcome === 'error' && !opts.outage && failure.code !== 'internal')
    log.warn({ code: failure.code, error: failure.message }, 'source poll failed')
  const state = failedState(f.prev, failure, {
    now: f.now,
    every: f.every,
    random: deps.random,
    ...opts,
  })
  try {
    await deps.store.saveState(state)
  } catch (storeErr) {
    log.error({ err: storeErr }, 'could not record the poll failure')
  }
}

/**
 * Fetches and analyses: everything of a poll but clustering and recording it. Throws what went wrong
 * (FetchError, ParseError…); a 410 or a 429/503 is a failure it returns.
 */
const poll = async (
  source: Source,
  url: string,
  prev: SourceState,
  now: Date,
  deps: PollDeps,
  log: Logger,
  signal?: AbortSignal,
): Promise<Polled> => {
  const { config } = deps
  const result = await fetchFeed(
    {
      url,
      etag: prev.etag,
      lastModified: prev.lastModified,
      ...(source.allowPrivateNetworks ? { allowPrivateNetworks: true } : {}),
    },
    {
      fetch: deps.fetch,
      userAgent: config.fetch.userAgent,
      timeoutMs: config.fetch.timeoutMs,
      maxBytes: config.fetch.maxBytes,
      // Decompressing is the analysis's first step, off this thread when there are workers.
      leaveEncoded: true,
      ...(signal && { signal }),
      ...(deps.bodies && { bodies: deps.bodies }),
    },
  )
  if (result.kind === 'gone') {
    const message = `HTTP 410 Gone from ${result.effectiveUrl}: the publisher removed this feed; polling stopped`
    return { failure: { outcome: 'gone', code: 'http', message, status: 410 } }
  }
  if (result.kind === 'retry-later') {
    const wait =
      result.retryAfterMs === undefined
        ? ''
        : ` (Retry-After ${Math.round(result.retryAfterMs / 1000)}s)`
    const message = `HTTP ${result.status} from ${result.effectiveUrl}: the server asked us to come back later${wait}`
    const { status, retryAfterMs } = result
    return {
      failure: {
        outcome: 'retry-later',
        code: 'http',
        message,
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
    }
  }
  if (result.kind === 'not-modified') {
    const { permanentRedirect, cacheMaxAgeMs } = result
    return { answer: { outcome: 'not-modified', status: 304, permanentRedirect, cacheMaxAgeMs } }
  }
  const input: AnalyseInput = {
    body: result.body,
    ...(result.codings && { codings: result.codings, maxBytes: config.fetch.maxBytes }),
    ...(result.contentType === undefined ? {} : { contentType: result.contentType }),
    source,
    feedUrl: result.effectiveUrl,
    fetchedAt: now.toISOString(),
    ...withPrevious(deps.entryMemo.get(source.id)),
    storyFeatures: true,
    ...(deps.store.keepsWordFilters && { wordFilters: true }),
  }
  let analysed: AnalysedFeed
  try {
    analysed = await analyse(input, deps, log, signal)
  } finally {
    // The worker has its own copy and this thread's analysis keeps no view of the bytes: they
    // hold the next body instead of waiting for a full collection.
    deps.bodies?.give(result.body)
  }
  if (signal?.aborted) throw new AppError('timeout', 'poll cancelled')
  // Clustered when written (refreshSource, after the claim): the story index is read and
  // extended only for a poll that is stored, and with a shared store under its story lock.
  const items = analysed.items
  const answer: PollAnswer = {
    outcome: 'ok',
    status: result.status,
    etag: result.etag,
    lastModified: result.lastModified,
    permanentRedirect: result.permanentRedirect,
    cacheMaxAgeMs: result.cacheMaxAgeMs,
    ttlMinutes: analysed.ttlMinutes,
    recovered: analysed.recovered,
    // A poll without items changed none; with items the store counts them (saveIngest).
    ...(items.length === 0 && { changed: 0 }),
  }
  return { answer, analysed, items }
}

/** What the state records of a poll that threw; logs an unexpected error with its stack. */
const failureOf = (err: unknown, log: Logger): PollFailure => {
  if (!(err instanceof AppError)) {
    // An expected failure is a sentence, not a stack trace; unknown errors keep the stack.
    log.error({ err }, 'source poll failed with an unexpected error')
    return { outcome: 'error', code: 'internal', message: `internal error: ${String(err)}` }
  }
  const status = 'status' in err && typeof err.status === 'number' ? err.status : undefined
  return {
    outcome: 'error',
    code: err.code,
    message: err.message,
    ...(status === undefined ? {} : { status }),
  }
}

/**
 * Analyses on `deps.analyse` (the worker pool, or this thread). A failure that is not the
 * document's fault (a worker that stopped) must not count against the source: the document is
 * then analysed on this thread.
 */
const analyse = async (
  input: AnalyseInput,
  deps: PollDeps,
  log: Logger,
  signal?: AbortSignal,
): Promise<AnalysedFeed> => {
  try {
    return await deps.analyse(input, signal)
  } catch (err) {
    if (err instanceof AppError || signal?.aborted) throw err
    log.warn({ err }, 'analysis worker failed; analysing on the main thread')
    return analyseHere(input, deps.tagger)
  }
}

const withPrevious = (previous: ReadonlyMap<string, string> | undefined) =>
  previous === undefined ? {} : { previous }

/**
 * The analysis's word filters by item id, each with the item it was made of (clustering gives
 * the store copies of the items, and the store may merge an item into a stored one: it checks).
 */
const givenWordFilters = (
  analysed: AnalysedFeed,
): ReadonlyMap<string, GivenWordFilter> | undefined => {
  const { items, words } = analysed
  if (!words || words.length !== items.length) return undefined
  return new Map(items.map((of, k) => [of.id, { of, filter: words[k] as string }]))
}
