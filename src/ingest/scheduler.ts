/** The poll loop: each tick claims due sources from the store and refreshes them under limits. */
import { setMaxListeners } from 'node:events'
import { schedule } from 'node-cron'
import type {
  AppConfig,
  FetchConfig,
  Retention,
  SaveSummary,
  Source,
  Store,
} from '../model/types.js'
import { intervalMs, parseEvery } from '../util/every.js'
import { createKeyedLimiter } from '../util/limit.js'
import type { PollDeps } from './poll-deps.js'
import { initialState, type RefreshReport, recordFailure, refreshSource } from './refresh.js'
import { DEFAULT_ANALYSIS_DEADLINE_MS } from './workers/pool.js'

/** Seconds-resolution node-cron pattern: a tick every 15 s picks whatever has become due. */
export const DEFAULT_TICK = '*/15 * * * * *'

/** Tick lengths (seconds) that divide a minute, so a `*\/n` seconds pattern ticks evenly. */
const TICK_SECONDS = [15, 12, 10, 6, 5, 4, 3, 2, 1]

/**
 * The tick for a configuration: {@link DEFAULT_TICK}, or faster when a source polls more often
 * than every minute (a quarter of the shortest duration `every`, at least 1 s), so that such a
 * source is polled close to its interval and not only every 15 s.
 */
export const tickFor = (config: Pick<AppConfig, 'fetch' | 'sources'>): string => {
  let shortest = Number.POSITIVE_INFINITY
  for (const every of [config.fetch.every, ...config.sources.map((s) => s.every)]) {
    const schedule = every === undefined ? undefined : parseEvery(every)
    if (schedule?.kind === 'duration') shortest = Math.min(shortest, schedule.ms)
  }
  const seconds = TICK_SECONDS.find((n) => n * 4_000 <= shortest) ?? 1
  return seconds === 15 ? DEFAULT_TICK : `*/${seconds} * * * * *`
}

/** A cycle needs at least this many polled sources (on two hosts or more) to call an outage. */
const OUTAGE_MIN_SOURCES = 3
/** During an outage the failed set is retried after min(interval, this). */
const OUTAGE_RETRY_MAX_MS = 5 * 60_000

export interface CycleSummary {
  startedAt: string
  reports: RefreshReport[]
  totals: SaveSummary & { errors: number; notModified: number }
  pruned: number
  /** When retention last ran, this cycle or before (ISO); pass it to the next cycle. */
  prunedAt?: string
  /** The cycle found the network down (see {@link isNetworkOutage}); failures were not counted. */
  networkDown: boolean
}

export interface CycleOptions {
  /** Poll every selected source whatever its nextPollAt. */
  force?: boolean
  sourceIds?: string[]
  /** The previous cycle found the network down: transport failures alone keep it so. */
  networkDown?: boolean
  /**
   * When retention last ran (the previous cycle's `prunedAt`). Retention walks every stored item
   * whenever one is past its age (a story kept by a recent copy stays so), so a cycle that stored
   * nothing runs it only an hour after this (age limits are in days); absent: it runs.
   */
  prunedAt?: string
  /**
   * Stops the cycle (a shutdown): fetches and analyses in flight are cancelled, sources not yet
   * polled are left for later, nothing is recorded for them; what was polled is written.
   */
  signal?: AbortSignal
  /**
   * Called once every source of the cycle is polled, before retention and the flush: a one-shot
   * command stops its analysis workers there, so that their memory is given back before the
   * flush of a first import, the peak of its run.
   */
  afterPolls?: () => Promise<void>
}

/**
 * Network-down detection. runCycle polls with `holdTransportFailures`, so a poll that got no HTTP
 * answer at all (refused, DNS, timeout) is not written yet but comes back as `report.held`; every
 * other outcome is stored at once as usual (later sources cluster against its items). When all
 * polls of the cycle are done this decides, and runCycle then records the held failures:
 * - outage: every polled source failed in transport, and either at least
 *   {@link OUTAGE_MIN_SOURCES} sources on two or more hosts were polled (one host failing is that
 *   host's problem, not the network's), or the previous cycle already was an outage (the
 *   scheduler remembers it until any source gets an answer). Each failure is recorded with
 *   `failures` unchanged and a note in its error, and the whole set is retried together, without
 *   jitter, after min(interval, 5 min); one warning is logged for the cycle;
 * - otherwise: each is recorded as an ordinary failure (failures + 1, backoff).
 */
export const isNetworkOutage = (reports: RefreshReport[], wasDown = false): boolean => {
  if (reports.length === 0 || !reports.every((r) => r.held)) return false
  if (wasDown) return true
  const hosts = new Set(reports.map((r) => hostOf(r.held?.url ?? '')))
  return reports.length >= OUTAGE_MIN_SOURCES && hosts.size >= 2
}

export interface Scheduler {
  /** One cycle now. `force` polls every selected source whatever its nextPollAt. */
  runOnce(opts?: { force?: boolean; sourceIds?: string[] }): Promise<CycleSummary>
  /**
   * Stops ticking and cancels the running cycle (its fetches and analyses in flight; the sources
   * they were for are left for the next start), which then writes what it has; resolves when
   * that is done.
   */
  stop(): Promise<void>
}

/** Retention runs at least this often; see CycleOptions.prunedAt. */
const PRUNE_EVERY_MS = 3_600_000

/**
 * Runs one poll cycle: claim due sources, refresh them (global and per-host limits), prune, flush.
 * Cycles never overlap: a tick that finds one running is skipped.
 */
export const runCycle = async (deps: PollDeps, opts: CycleOptions = {}): Promise<CycleSummary> => {
  const { config, store, clock } = deps
  const now = clock.now()
  const enabled = config.sources.filter(
    (s) => s.enabled && (!opts.sourceIds || opts.sourceIds.includes(s.id)),
  )
  const byId = new Map(enabled.map((s) => [s.id, s]))
  // Replicas sharing the store claim as their slots free (see pollClaimed), so that a tick's due
  // sources are split among them rather than all going to whichever ticks first.
  const chunked = !opts.force && store.shared === true
  let due: Source[] = []
  if (opts.force) {
    due = enabled
  } else if (!chunked) {
    const states = await store.claimDue(now, [...byId.keys()], Number.MAX_SAFE_INTEGER)
    due = states.flatMap((st) => byId.get(st.sourceId) ?? [])
  }
  const limit = createKeyedLimiter(config.fetch.concurrency, config.fetch.perHost)
  // The cycle's deadline: a source still polling when it passes (a hung worker, a limiter queue
  // that never drains) is recorded as timed out, its fetch or analysis cancelled, and the cycle
  // goes on to write what it has. A shutdown (opts.signal) cancels the same way but records
  // nothing for the sources it stopped. Claiming as it goes, a cycle may take every enabled source.
  const deadlineMs = cycleDeadlineMs(config.fetch, chunked ? enabled.length : due.length)
  const cancel = new AbortController()
  // Every poll in flight listens to it (its fetch, then its analysis) and lets go when done: up
  // to two listeners per slot, which past ten slots would trip node's leak warning.
  setMaxListeners(Math.max(10, 2 * config.fetch.concurrency + 2), cancel.signal)
  const stop = () => cancel.abort()
  opts.signal?.addEventListener('abort', stop, { once: true })
  if (opts.signal?.aborted) cancel.abort()
  let timer: NodeJS.Timeout | undefined
  const deadlineAt = performance.now() + deadlineMs
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => {
      // Aborted before the race settles: a poll still running can no longer claim its write.
      cancel.abort()
      resolve('late')
    }, deadlineMs)
  })
  // Who records each source: its poll (claimed before its first write) or the cycle.
  const owner = new Map<string, 'poll' | 'cycle'>()
  const claim = (id: string) => (): boolean => {
    if (!owner.has(id)) owner.set(id, cancel.signal.aborted ? 'cycle' : 'poll')
    return owner.get(id) === 'poll'
  }
  const pollOne = async (source: Source): Promise<RefreshReport | undefined> => {
    const poll = limit(hostOf(source.url), () =>
      cancel.signal.aborted
        ? Promise.resolve(undefined)
        : refreshSource(source, deps, {
            holdTransportFailures: true,
            signal: cancel.signal,
            claim: claim(source.id),
          }),
    )
    const r = await Promise.race([poll, late])
    if (r !== 'late' && r !== undefined && !r.cancelled) return r
    // Claimed before the deadline: the poll is writing its outcome; that is the record.
    if (owner.get(source.id) === 'poll') return (await poll) ?? undefined
    owner.set(source.id, 'cycle')
    if (opts.signal?.aborted) return undefined
    return timedOut(source, deps, now, deadlineMs)
  }
  const polled = (
    chunked
      ? await pollClaimed(deps, now, byId, pollOne, cancel.signal, deadlineAt)
      : await Promise.all(due.map(pollOne))
  ).filter((r): r is RefreshReport => r !== undefined)
  clearTimeout(timer)
  opts.signal?.removeEventListener('abort', stop)
  await opts.afterPolls?.()
  const outage = isNetworkOutage(polled, opts.networkDown)
  if (outage && !opts.networkDown) {
    deps.logger.warn(
      { sources: polled.length, error: polled[0]?.error },
      'network appears to be down: every source failed to connect; not counted against them, retrying soon',
    )
  }
  const reports: RefreshReport[] = []
  for (const { held, ...report } of polled) {
    if (held && outage) {
      const at = clock.now()
      const wait = Math.min(intervalMs(held.every, at), OUTAGE_RETRY_MAX_MS)
      await recordFailure(held, deps, { outage: { retryAt: new Date(at.getTime() + wait) } })
    } else if (held) {
      await recordFailure(held, deps)
    }
    reports.push(report)
  }
  const totals = { new: 0, updated: 0, unchanged: 0, errors: 0, notModified: 0 }
  for (const r of reports) {
    totals.new += r.summary.new
    totals.updated += r.summary.updated
    totals.unchanged += r.summary.unchanged
    if (r.outcome === 'error' || r.outcome === 'gone' || r.outcome === 'retry-later')
      totals.errors++
    if (r.outcome === 'not-modified') totals.notModified++
  }
  // After a cycle that stored something, else hourly: cycles of 304s stay cheap.
  const at = clock.now()
  const prune =
    totals.new + totals.updated > 0 ||
    opts.prunedAt === undefined ||
    Math.abs(at.getTime() - Date.parse(opts.prunedAt)) >= PRUNE_EVERY_MS
  const pruned = prune ? await pruneOnce(store, config.storage.retention, at) : 0
  const prunedAt = prune ? at.toISOString() : opts.prunedAt
  try {
    await store.flush()
  } catch (err) {
    // One line a cycle (the store's message says what and where), not a stack trace each time;
    // /readyz and /metrics report it until a write succeeds.
    deps.logger.error(
      { error: err instanceof Error ? err.message : String(err) },
      'poll cycle not written',
    )
  }
  if (reports.length > 0) {
    deps.logger.info({ sources: reports.length, ...totals, pruned }, 'poll cycle finished')
  }
  // No poll, no evidence: the network keeps the state the previous cycle found.
  const networkDown = reports.length === 0 ? (opts.networkDown ?? false) : outage
  return {
    startedAt: now.toISOString(),
    reports,
    totals,
    pruned,
    ...(prunedAt === undefined ? {} : { prunedAt }),
    networkDown,
  }
}

/**
 * Starts polling: a first cycle right away, then a node-cron tick (default every 15 s) that polls
 * whatever has become due by its stored nextPollAt.
 * @example const s = startScheduler(deps); …; await s.stop()
 */
export const startScheduler = (
  deps: PollDeps,
  opts: { tick?: string; onCycle?: (c: CycleSummary) => void; runNow?: boolean } = {},
): Scheduler => {
  let running: Promise<CycleSummary> | undefined
  let stopped = false
  // Whether the last cycle that polled anything found the network down (see isNetworkOutage).
  let networkDown = false
  // When retention last ran (see CycleOptions.prunedAt).
  let prunedAt: string | undefined
  const stopping = new AbortController()
  const run = (o?: { force?: boolean; sourceIds?: string[] }): Promise<CycleSummary> => {
    // Chain behind a running cycle so two cycles never touch one source at once.
    const prev = running ?? Promise.resolve(undefined)
    const next = prev
      .catch(() => undefined)
      .then(() =>
        runCycle(deps, {
          ...o,
          networkDown,
          ...(prunedAt && { prunedAt }),
          signal: stopping.signal,
        }),
      )
      .then((c) => {
        if (!c.networkDown && networkDown) deps.logger.info({}, 'network is back')
        networkDown = c.networkDown
        prunedAt = c.prunedAt
        opts.onCycle?.(c)
        return c
      })
    running = next
    void next
      .finally(() => {
        if (running === next) running = undefined
      })
      .catch(() => {})
    return next
  }
  const tick = () => {
    if (stopped || running) return
    run().catch((err: unknown) => deps.logger.error({ err }, 'poll cycle failed'))
  }
  const task = schedule(opts.tick ?? DEFAULT_TICK, tick, {
    name: 'topicwire-poll',
    noOverlap: true,
  })
  if (opts.runNow ?? true) tick()
  return {
    runOnce: (o) => run(o),
    stop: async () => {
      stopped = true
      stopping.abort()
      await task.stop()
      await task.destroy()
      await running?.catch(() => undefined)
    },
  }
}

/**
 * Polls the due sources of a shared store as this replica's slots free: `fetch.concurrency`
 * workers, each polling one source at a time and, when none is left in hand, claiming the next
 * chunk (at most `concurrency`, one claim in flight). The other replicas' claims skip what this
 * one leases, so the due sources are split among the replicas that tick; claiming stops when
 * nothing due is left, the cycle is cancelled, or the cycle's deadline (`deadlineAt`, on
 * `performance.now()`) is nearer than one poll's whole budget (fetch and analysis timeouts): a
 * source claimed then would be cut by the deadline and counted as failed through no fault of its
 * own (on a busy machine, most of a tick's late claims), so it is left due for the next tick's
 * cycle. The first claim is made whatever the deadline. A failed claim is logged and ends the
 * claiming (what was claimed is still polled).
 */
const pollClaimed = async (
  deps: PollDeps,
  now: Date,
  byId: ReadonlyMap<string, Source>,
  pollOne: (source: Source) => Promise<RefreshReport | undefined>,
  cancelled: AbortSignal,
  deadlineAt: number,
): Promise<(RefreshReport | undefined)[]> => {
  const { fetch } = deps.config
  const chunk = Math.max(1, fetch.concurrency)
  const pollBudgetMs = fetch.timeoutMs + (fetch.analysisTimeoutMs ?? DEFAULT_ANALYSIS_DEADLINE_MS)
  const claimed = new Set<string>()
  const inHand: Source[] = []
  const polls: Promise<RefreshReport | undefined>[] = []
  let exhausted = false
  let claiming: Promise<void> | undefined
  const claimMore = (): Promise<void> => {
    claiming ??= (async () => {
      try {
        // Its own leases do not keep a holder out: what it claimed already is left out here.
        const rest = [...byId.keys()].filter((id) => !claimed.has(id))
        // The first claim is always made: a cycle_timeout shorter than one poll's budget would
        // otherwise poll nothing at all.
        const late = claimed.size > 0 && performance.now() + pollBudgetMs > deadlineAt
        if (rest.length === 0 || late) {
          if (rest.length > 0) {
            deps.logger.debug(
              { claimed: claimed.size, budgetMs: pollBudgetMs },
              "claiming stopped: the cycle's deadline is nearer than one poll's budget; what is still due waits for the next tick",
            )
          }
          exhausted = true
          return
        }
        const states = await deps.store.claimDue(now, rest, chunk)
        if (states.length === 0) exhausted = true
        for (const st of states) {
          const source = byId.get(st.sourceId)
          if (!source || claimed.has(source.id)) continue
          claimed.add(source.id)
          inHand.push(source)
        }
      } catch (err) {
        exhausted = true
        deps.logger.error({ err }, 'could not claim due sources; polling what was claimed')
      }
    })().finally(() => {
      claiming = undefined
    })
    return claiming
  }
  const worker = async (): Promise<void> => {
    for (;;) {
      if (cancelled.aborted) return
      const source = inHand.shift()
      if (!source) {
        if (exhausted) return
        await claimMore()
        continue
      }
      const poll = pollOne(source)
      polls.push(poll)
      await poll
    }
  }
  await Promise.all(Array.from({ length: chunk }, worker))
  return Promise.all(polls)
}

/** Retention, run by one replica at a time when several share the store (the others skip it). */
const pruneOnce = async (store: Store, retention: Retention, at: Date): Promise<number> => {
  if (!store.runExclusive) return store.prune(retention, at)
  const done = await store.runExclusive('retention', () => store.prune(retention, at))
  return done.ran ? done.value : 0
}

/**
 * The deadline of a cycle's per-source work: `fetch.cycle_timeout`, else what the due sources
 * could take if every one used its whole fetch and analysis time, in rounds of `concurrency`,
 * plus 30 s.
 */
export const cycleDeadlineMs = (fetch: FetchConfig, due: number): number =>
  fetch.cycleTimeoutMs ??
  Math.ceil(Math.max(1, due) / fetch.concurrency) *
    (fetch.timeoutMs + (fetch.analysisTimeoutMs ?? DEFAULT_ANALYSIS_DEADLINE_MS)) +
    30_000

/**
 * Records a source the cycle's deadline overtook as a `timeout` failure. Its poll was cancelled;
 * whatever it still comes back with is not written (the cycle owns the record, see runCycle's
 * claim), and the cycle does not wait for it.
 */
const timedOut = async (
  source: Source,
  deps: PollDeps,
  started: Date,
  deadlineMs: number,
): Promise<RefreshReport> => {
  const message = `the poll did not finish within the cycle's deadline (${Math.round(deadlineMs / 1000)} s, fetch.cycle_timeout)`
  const prev = (await deps.store.getState(source.id)) ?? initialState(source.id, started)
  await recordFailure(
    {
      sourceId: source.id,
      prev,
      now: started,
      failure: { outcome: 'error', code: 'timeout', message },
      every: source.every ?? deps.config.fetch.every,
      url: source.url,
    },
    deps,
  )
  return {
    sourceId: source.id,
    outcome: 'error',
    summary: { new: 0, updated: 0, unchanged: 0 },
    error: message,
    seconds: deadlineMs / 1000,
  }
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}
