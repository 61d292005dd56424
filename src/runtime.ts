/** createRuntime: the one place that picks implementations (store driver, HTTP client, logger). */

import { analyseHere } from './ingest/analyse-here.js'
import { createEntryMemo } from './ingest/entry-memo.js'
import { createHttpFetch } from './ingest/fetch/http-client.js'
import type { PollDeps } from './ingest/poll-deps.js'
import { createAnalysePool, defaultWorkerCount } from './ingest/workers/pool.js'
import { StoreError } from './model/errors.js'
import type { AppConfig, Store } from './model/types.js'
import { createPartitionedStore } from './store/lowdb/partitioned-store.js'
import { createClusterer } from './stories/clusterer.js'
import { type Tagger, topicTagger } from './topics/tag.js'
import { systemClock } from './util/clock.js'
import { createLogger, type LogFormat, type LogLevel } from './util/logger.js'
import { createMetrics } from './util/metrics.js'

export interface Runtime {
  deps: PollDeps
  /** Swaps in a new configuration (hot reload): topics recompiled, stored items re-tagged. */
  reconfigure(next: AppConfig): Promise<{ retagged: number }>
  close(): Promise<void>
}

/** Compiles the topics of a configuration into the tagger used at ingest and re-tagging. */
export const createTagger = (config: AppConfig): Tagger => topicTagger(config.topics)

/**
 * Builds the dependencies of every command from a configuration.
 * @param overrides tests and the demo replace parts (memory store, fixed clock, silent logger)
 */
export const createRuntime = async (
  config: AppConfig,
  overrides: Partial<PollDeps> & { logLevel?: LogLevel; logFormat?: LogFormat } = {},
): Promise<Runtime> => {
  const logger =
    overrides.logger ??
    createLogger({ level: overrides.logLevel ?? 'info', format: overrides.logFormat ?? 'auto' })
  // Story leads prefer higher-priority sources; the map follows reloads.
  let priorities = priorityMap(config)
  const priorityOf = (sourceId: string) => priorities.get(sourceId) ?? 0
  const store =
    overrides.store ??
    (await openStore(config, priorityOf, { log: (message) => logger.warn({}, message) }))
  const http = overrides.fetch
    ? undefined
    : createHttpFetch({
        connectTimeoutMs: Math.min(config.fetch.timeoutMs, 10_000),
        headersTimeoutMs: config.fetch.timeoutMs,
        bodyTimeoutMs: config.fetch.timeoutMs,
        allowPrivateNetworks: config.fetch.allowPrivateNetworks,
      })
  const tagger = overrides.tagger ?? createTagger(config)
  // Worker threads analyse fetched documents with the configuration's topics: not when a test
  // brings its own tagger or analysis.
  const workers = config.fetch.workers ?? defaultWorkerCount()
  const pool =
    overrides.tagger || overrides.analyse || workers === 0
      ? undefined
      : createAnalysePool({
          topics: config.topics,
          tagger,
          workers,
          ...(config.fetch.analysisTimeoutMs === undefined
            ? {}
            : { deadlineMs: config.fetch.analysisTimeoutMs }),
        })
  const analyse = overrides.analyse ?? pool?.analyse
  const deps = wirePollDeps(
    {
      config,
      tagger,
      store,
      fetch: overrides.fetch ?? (http as NonNullable<typeof http>).fetch,
      clock: overrides.clock ?? systemClock,
      logger,
      metrics: overrides.metrics ?? createMetrics({ defaultMetrics: true }),
      random: overrides.random ?? Math.random,
    },
    {
      ...(overrides.cluster && { cluster: overrides.cluster }),
      ...(overrides.entryMemo && { entryMemo: overrides.entryMemo }),
      ...(analyse && { analyse }),
    },
  )
  return {
    deps,
    reconfigure: async (next) => {
      const tagger = createTagger(next)
      deps.config = next
      deps.tagger = tagger
      pool?.configure(next.topics, tagger)
      priorities = priorityMap(next)
      const sources = new Map(next.sources.map((s) => [s.id, s]))
      const retagged = await store.retag((item) => {
        const source = sources.get(item.sourceId)
        return source ? tagger(item, source) : item.topics
      })
      await store.flush()
      return { retagged }
    },
    close: async () => {
      await pool?.close()
      await store.close()
      await http?.close()
    },
  }
}

/** The parts of PollDeps that only the poller uses, each with its production default. */
type PollParts = Pick<PollDeps, 'cluster' | 'entryMemo' | 'analyse'>

/**
 * Wires the poller's parts over the other deps, the same for `serve` and tests: the story index
 * clusterer over `base.store`, an entry memo, and the analysis given (the worker pool) or else on
 * this thread with the tagger of the moment (a reload replaces `deps.tagger`).
 * @example const deps = wirePollDeps({ config, tagger, store, fetch, clock, logger, metrics, random })
 */
export const wirePollDeps = <T extends Omit<PollDeps, keyof PollParts>>(
  base: T,
  parts: Partial<PollParts> = {},
): T & PollParts => {
  const deps: T & PollParts = {
    ...base,
    cluster: parts.cluster ?? createClusterer(base.store),
    entryMemo: parts.entryMemo ?? createEntryMemo(),
    analyse: parts.analyse ?? ((input) => analyseHere(input, deps.tagger)),
  }
  return deps
}

const priorityMap = (config: AppConfig) => new Map(config.sources.map((s) => [s.id, s.priority]))

/**
 * Opens the configured store driver; `readOnly` (for `check --preview`) takes no writer's lock and
 * writes nothing, so it can run beside `serve`.
 */
export const openStore = async (
  config: AppConfig,
  priorityOf?: (sourceId: string) => number,
  opts: { readOnly?: boolean; log?: (message: string) => void } = {},
): Promise<Store> => {
  switch (config.storage.driver) {
    case 'lowdb':
      return createPartitionedStore({
        path: config.storage.path,
        ...(priorityOf ? { priorityOf } : {}),
        ...(opts.readOnly ? { readOnly: true } : {}),
        ...(opts.log ? { log: opts.log } : {}),
      })
    case 'postgres':
      throw new StoreError(
        'storage.driver "postgres" is not available in this version yet; use "lowdb" (the default)',
      )
  }
}
