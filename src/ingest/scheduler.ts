/** The poll loop: each tick claims due sources from the store and refreshes them under limits. */
import { schedule } from 'node-cron'
import type { Deps, SaveSummary, Source } from '../model/types.js'
import { createKeyedLimiter } from '../util/limit.js'
import { type RefreshReport, refreshSource } from './refresh.js'

/** Seconds-resolution node-cron pattern: a tick every 15 s picks whatever has become due. */
export const DEFAULT_TICK = '*/15 * * * * *'

export interface CycleSummary {
  startedAt: string
  reports: RefreshReport[]
  totals: SaveSummary & { errors: number; notModified: number }
  pruned: number
}

export interface Scheduler {
  /** One cycle now. `force` polls every selected source whatever its nextPollAt. */
  runOnce(opts?: { force?: boolean; sourceIds?: string[] }): Promise<CycleSummary>
  /** Resolves when the running cycle (if any) has finished, then stops ticking. */
  stop(): Promise<void>
}

/**
 * Runs one poll cycle: claim due sources, refresh them (global and per-host limits), prune, flush.
 * Cycles never overlap: a tick that finds one running is skipped.
 */
export const runCycle = async (
  deps: Deps,
  opts: { force?: boolean; sourceIds?: string[] } = {},
): Promise<CycleSummary> => {
  const { config, store, clock } = deps
  const now = clock.now()
  const enabled = config.sources.filter(
    (s) => s.enabled && (!opts.sourceIds || opts.sourceIds.includes(s.id)),
  )
  const byId = new Map(enabled.map((s) => [s.id, s]))
  let due: Source[]
  if (opts.force) {
    due = enabled
  } else {
    const states = await store.claimDue(now, [...byId.keys()], Number.MAX_SAFE_INTEGER)
    due = states.flatMap((st) => byId.get(st.sourceId) ?? [])
  }
  const limit = createKeyedLimiter(config.fetch.concurrency, config.fetch.perHost)
  const reports = await Promise.all(
    due.map((source) => limit(hostOf(source.url), () => refreshSource(source, deps))),
  )
  const pruned = await store.prune(config.storage.retention, clock.now())
  await store.flush()
  const totals = { new: 0, updated: 0, unchanged: 0, errors: 0, notModified: 0 }
  for (const r of reports) {
    totals.new += r.summary.new
    totals.updated += r.summary.updated
    totals.unchanged += r.summary.unchanged
    if (r.outcome === 'error' || r.outcome === 'gone' || r.outcome === 'retry-later')
      totals.errors++
    if (r.outcome === 'not-modified') totals.notModified++
  }
  if (reports.length > 0) {
    deps.logger.info({ sources: reports.length, ...totals, pruned }, 'poll cycle finished')
  }
  return { startedAt: now.toISOString(), reports, totals, pruned }
}

/**
 * Starts polling: a first cycle right away, then a node-cron tick (default every 15 s) that polls
 * whatever has become due by its stored nextPollAt.
 * @example const s = startScheduler(deps); …; await s.stop()
 */
export const startScheduler = (
  deps: Deps,
  opts: { tick?: string; onCycle?: (c: CycleSummary) => void; runNow?: boolean } = {},
): Scheduler => {
  let running: Promise<CycleSummary> | undefined
  let stopped = false
  const run = (o?: { force?: boolean; sourceIds?: string[] }): Promise<CycleSummary> => {
    // Chain behind a running cycle so two cycles never touch one source at once.
    const prev = running ?? Promise.resolve(undefined)
    const next = prev
      .catch(() => undefined)
      .then(() => runCycle(deps, o))
      .then((c) => {
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
      await task.stop()
      await task.destroy()
      await running?.catch(() => undefined)
    },
  }
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}
