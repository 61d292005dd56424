/** createRuntime: the one place that picks implementations (store driver, HTTP client, logger). */

import { analyseHere } from './ingest/analyse-here.js'
import { createEntryMemo } from './ingest/entry-memo.js'
import { createBodyPool } from './ingest/fetch/body-pool.js'
import { createHttpFetch } from './ingest/fetch/http-client.js'
import type { PollDeps } from './ingest/poll-deps.js'
import {
  createAnalysePool,
  defaultWorkerCount,
  type PrestartedWorkers,
  type WorkerHeapLimits,
} from './ingest/workers/pool.js'
import { StoreError } from './model/errors.js'
import type { AppConfig, Store } from './model/types.js'
import { createPartitionedStore } from './store/lowdb/partitioned-store.js'
import { createClusterer } from './stories/clusterer.js'
import { storedModelOf } from './topics/learn-history.js'
import { createLearner, type LearnTopics, learnHere } from './topics/learner.js'
import { createRuleGates } from './topics/rule-gates.js'
import { type GatedTagger, topicTagger } from './topics/tag.js'
import { taggingFingerprint } from './topics/tagging-fingerprint.js'
import { systemClock } from './util/clock.js'
import { coalesce } from './util/coalesce.js'
import { createLogger, type LogFormat, type LogLevel } from './util/logger.js'

export interface Runtime {
  deps: PollDeps
  /** Swaps in a new configuration (hot reload): topics recompiled, stored items re-tagged. */
  reconfigure(next: AppConfig): Promise<Retagged>
  /**
   * Retrains one topic's model on its stored verdicts (after feedback), the others kept, and
   * re-tags the stored items as a rule change does. Training runs on a worker thread (unless
   * `fetch.workers` is 0) and one retrain at a time: the topics asked for during one are learned
   * together in the next, and a reload meanwhile (which learns every topic) wins over its result.
   */
  learn(topicId: string): Promise<Retagged>
  /**
   * Stops the analysis workers (a one-shot command whose cycle has analysed everything: their
   * memory is given back before its final flush); analysis then runs on this thread.
   */
  stopAnalysis(): Promise<void>
  close(): Promise<void>
}

/**
 * What putting a configuration to work re-tagged: items changed, and (when a re-tag ran) how many
 * stored items it read and tagged — all of them, or after a change of `filter` models alone only
 * those their rules pass (topics/rule-gates.ts).
 */
export interface Retagged {
  retagged: number
  examined?: number
}

/**
 * The ids a change from `prev` to `next` can move when it changes `filter` models alone (the
 * learned weights, nothing else of any topic or source), as `gates` recorded them; undefined:
 * any item can move (another change, an `alone` model, or nothing recorded).
 */
const movableByModels = (
  prev: AppConfig,
  next: AppConfig,
  gates: ReturnType<typeof createRuleGates>,
) => {
  const before = new Map(prev.topics.map((t) => [t.id, t]))
  const changed = next.topics.filter(
    (t) => JSON.stringify(before.get(t.id)?.model?.learned) !== JSON.stringify(t.model?.learned),
  )
  if (changed.length === 0 || changed.some((t) => t.model?.mode !== 'filter')) return undefined
  const ids = new Set(changed.map((t) => t.id))
  // next with the changed topics' old weights: equal to prev's fingerprint iff only they changed
  const asBefore = next.topics.map((t) => {
    if (!ids.has(t.id) || !t.model) return t
    const { learned: _new, ...setting } = t.model
    const old = before.get(t.id)?.model?.learned
    return { ...t, model: old ? { ...setting, learned: old } : setting }
  })
  if (taggingFingerprint(asBefore, next.sources) !== taggingFingerprint(prev.topics, prev.sources))
    return undefined
  return gates.movable(ids)
}

/** Compiles the topics of a configuration into the tagger used at ingest and re-tagging. */
export const createTagger = (config: AppConfig): GatedTagger => topicTagger(config.topics)

/**
 * The configuration with every `model:` topic's model learned from the store's verdicts (its
 * file's model updated by them); the store is only read when some topic has a model. A learned
 * model the store keeps is taken where it covers the topic's verdicts (no retrain: a start
 * learns only what came since), and each model learned here is stored for the next start.
 * @example const learned = await learnFromStore(config, store)
 */
export const learnFromStore = async (
  config: AppConfig,
  store: Pick<Store, 'listVerdicts' | 'topicModels' | 'saveTopicModel'>,
  opts: { only?: ReadonlySet<string>; previous?: AppConfig; learn?: LearnTopics } = {},
): Promise<AppConfig> => {
  if (!config.topics.some((t) => t.model)) return config
  const verdicts = await store.listVerdicts()
  const stored = (await store.topicModels?.()) ?? []
  const learn = opts.learn ?? learnHere
  const topics = await learn(config.topics, verdicts, {
    ...(opts.only ? { only: opts.only } : {}),
    ...(opts.previous ? { previous: opts.previous.topics } : {}),
    stored,
  })
  if (store.saveTopicModel) {
    for (const t of topics) {
      const learned = t.model?.learned
      if (!learned || (opts.only && !opts.only.has(t.id))) continue
      const record = storedModelOf(
        t.id,
        t.model?.base,
        verdicts.filter((v) => v.topicId === t.id),
        learned,
      )
      const had = stored.find((m) => m.topicId === t.id)
      const known =
        had &&
        record &&
        had.basis === record.basis &&
        had.covers.count === record.covers.count &&
        had.covers.seq === record.covers.seq
      if (record && !known) await store.saveTopicModel(record)
    }
  }
  return { ...config, topics }
}

/**
 * Builds the dependencies of every command from a configuration.
 * @param overrides tests and the demo replace parts (memory store, fixed clock, silent logger)
 */
export const createRuntime = async (
  fileConfig: AppConfig,
  overrides: Partial<PollDeps> & {
    logLevel?: LogLevel
    logFormat?: LogFormat
    /** Open the store with its states alone and read items when first needed (`fetch --once`). */
    deferItems?: boolean
    /** Workers when `fetch.workers` is not set (default: defaultWorkerCount). */
    defaultWorkers?: number
    /** The analysis workers' V8 heap limits (default: pool.ts WORKER_HEAP_LIMITS). */
    workerHeapLimits?: WorkerHeapLimits
    /**
     * Analysis workers started before the configuration was read (`fetch --once`): the pool
     * takes them; those it does not take (fewer workers, or none) are stopped.
     */
    prestarted?: PrestartedWorkers
  } = {},
): Promise<Runtime> => {
  const logger =
    overrides.logger ??
    createLogger({ level: overrides.logLevel ?? 'info', format: overrides.logFormat ?? 'auto' })
  // Story leads prefer higher-priority sources; the map follows reloads.
  let priorities = priorityMap(fileConfig)
  const priorityOf = (sourceId: string) => priorities.get(sourceId) ?? 0
  // Worker threads analyse fetched documents with the configuration's topics: not when a test
  // brings its own tagger or analysis. The pool comes before the store opens, so that workers
  // started early get their topics (and jobs) as soon as possible; topics that learn from the
  // store are given to it once learned.
  let tagger = overrides.tagger ?? createTagger(fileConfig)
  const workers = fileConfig.fetch.workers ?? overrides.defaultWorkers ?? defaultWorkerCount()
  const pool =
    overrides.tagger || overrides.analyse || workers === 0
      ? undefined
      : createAnalysePool({
          topics: fileConfig.topics,
          tagger,
          workers,
          ...(overrides.workerHeapLimits ? { heapLimits: overrides.workerHeapLimits } : {}),
          ...(fileConfig.fetch.analysisTimeoutMs === undefined
            ? {}
            : { deadlineMs: fileConfig.fetch.analysisTimeoutMs }),
          ...(overrides.prestarted ? { prestarted: overrides.prestarted } : {}),
        })
  await overrides.prestarted?.close()
  let store: Store
  try {
    store =
      overrides.store ??
      (await openStore(fileConfig, priorityOf, {
        log: (message) => logger.warn({}, message),
        ...(overrides.deferItems ? { deferItems: true } : {}),
      }))
  } catch (err) {
    await pool?.close()
    throw err
  }
  // Retraining on a worker thread: ~0.3 s of CPU at 1,300 verdicts would otherwise hold every
  // reader's request (npm run bench topics measures both).
  const learner = (fileConfig.fetch.workers ?? 1) === 0 ? undefined : createLearner()
  const learnTopics = learner?.learn ?? learnHere
  // the configuration as the file says (what a retraining starts from) and as learned (what runs)
  let base = fileConfig
  // bumped by every reload: a retrain that started before one is stale (the reload learned all)
  let generation = 0
  // at start nothing is served yet: learning here saves starting a worker for it
  const config = await learnFromStore(fileConfig, store)
  // Items this process stores are tagged under this configuration's rules: a store whose items
  // were tagged under other rules forgets its fingerprint, so that the next start re-tags them all
  // (`fetch --once` does not re-tag; `serve` re-tags next, in reconfigure).
  const fingerprint = taggingFingerprint(config.topics, config.sources)
  if (store.taggedWith && (await store.taggedWith()) !== fingerprint) {
    await store.setTaggedWith?.(undefined)
  }
  const http = overrides.fetch
    ? undefined
    : createHttpFetch({
        connectTimeoutMs: Math.min(config.fetch.timeoutMs, 10_000),
        headersTimeoutMs: config.fetch.timeoutMs,
        bodyTimeoutMs: config.fetch.timeoutMs,
        allowPrivateNetworks: config.fetch.allowPrivateNetworks,
      })
  if (config !== fileConfig && !overrides.tagger) {
    tagger = createTagger(config)
    pool?.configure(config.topics, tagger)
  }
  // Which stored items each model topic's rules pass, so that a verdict re-tags only those: the
  // items every poll analyses are noted (unknown until the next re-tag reads them).
  const gates = createRuleGates(undefined, (max) =>
    logger.info(
      { noted: max },
      'more items stored since the last re-tag than the topic-model record keeps: the next verdict re-tags every stored item',
    ),
  )
  let analyseWith = overrides.analyse ?? pool?.analyse
  const analyse: PollDeps['analyse'] = async (input, signal) => {
    const out = await (analyseWith ?? ((i) => analyseHere(i, deps.tagger)))(input, signal)
    gates.noteStored(out.items.map((i) => i.id))
    return out
  }
  const deps = wirePollDeps(
    {
      config,
      tagger,
      store,
      fetch: overrides.fetch ?? (http as NonNullable<typeof http>).fetch,
      clock: overrides.clock ?? systemClock,
      logger,
      // prom-client (and the tracing API it loads) only for a runtime that exposes its metrics
      metrics:
        overrides.metrics ??
        (await import('./util/metrics.js')).createMetrics({ defaultMetrics: true }),
      random: overrides.random ?? Math.random,
    },
    {
      ...(overrides.cluster && { cluster: overrides.cluster }),
      ...(overrides.entryMemo && { entryMemo: overrides.entryMemo }),
      analyse,
    },
  )
  /**
   * Puts a (learned) configuration to work: tagger, workers, then the stored items re-tagged:
   * every one, or after a change of `filter` models alone those their rules pass and those
   * stored since the last re-tag (the others cannot move: combine.ts).
   */
  const apply = async (next: AppConfig): Promise<Retagged> => {
    const prev = deps.config
    const tagger = createTagger(next)
    deps.config = next
    deps.tagger = tagger
    pool?.configure(next.topics, tagger)
    priorities = priorityMap(next)
    const sources = new Map(next.sources.map((s) => [s.id, s]))
    const fingerprint = taggingFingerprint(next.topics, next.sources)
    // Every stored item tagged under these very rules (a restart, a reload that changed no
    // rule): re-reading every stored body would change nothing.
    const taggedWith = store.taggedWith ? await store.taggedWith() : undefined
    if (store.taggedWith && taggedWith === fingerprint) return { retagged: 0 }
    // the stored items all tagged under the running configuration: a model-only change moves few
    const movable =
      taggedWith !== undefined && taggedWith === taggingFingerprint(prev.topics, prev.sources)
        ? movableByModels(prev, next, gates)
        : undefined
    const retagAll = async () => {
      const rec = gates.recorder(next.topics, tagger, sources, true)
      const n = await store.retag(rec.tag)
      rec.commit()
      return { n, examined: rec.tagged.size }
    }
    const retag = async () => {
      await store.setTaggedWith?.(undefined)
      let done: { n: number; examined: number }
      if (movable) {
        const rec = gates.recorder(next.topics, tagger, sources, false)
        const n = await store.retag(rec.tag, movable.ids)
        rec.commit()
        done = { n, examined: rec.tagged.size }
        // an item noted at a poll but not found under its id (stored under another: a copy with
        // a known canonical URL, or not stored yet) may have moved: every item is re-tagged
        if ([...movable.noted].some((id) => !rec.tagged.has(id))) {
          const all = await retagAll()
          done = { n: n + all.n, examined: done.examined + all.examined }
        }
      } else done = await retagAll()
      await store.flush()
      await store.setTaggedWith?.(fingerprint)
      return done
    }
    // Replicas sharing a store re-tag once: one that finds another doing it skips (same rules).
    const done = store.runExclusive ? await store.runExclusive('retag', retag) : undefined
    const result = done ? (done.ran ? done.value : undefined) : await retag()
    await store.flush()
    return result ? { retagged: result.n, examined: result.examined } : { retagged: 0 }
  }
  const learn = coalesce(async (only: ReadonlySet<string>) => {
    const started = generation
    const next = await learnFromStore(base, store, {
      only,
      previous: deps.config,
      learn: learnTopics,
    })
    // the new models go in at once (tagger, workers, re-tag), unless a reload came in between
    return started === generation ? apply(next) : { retagged: 0 }
  })
  // Another replica's readers gave verdicts: the models of those topics learn from them here too,
  // without a reload (a lost connection may have hidden some: then every model topic learns).
  const stopHearing = store.onChange?.((change) => {
    // items stored by another replica: which of them the rules pass is not known here
    if (change.remote && (change.version !== undefined || change.missed)) gates.forget()
    if (!change.remote || (!change.verdicts && !change.missed)) return
    const wanted = change.missed ? undefined : new Set(change.verdicts)
    for (const t of deps.config.topics) {
      if (!t.model || (wanted && !wanted.has(t.id))) continue
      learn(t.id).catch((err: unknown) =>
        logger.warn({ err, topic: t.id }, "another replica's verdicts could not be learned"),
      )
    }
  })
  return {
    deps,
    reconfigure: async (next) => {
      base = next
      generation++
      return apply(await learnFromStore(next, store, { learn: learnTopics }))
    },
    learn,
    stopAnalysis: async () => {
      if (!pool || analyseWith !== pool.analyse) return
      analyseWith = undefined
      await pool.close()
    },
    close: async () => {
      stopHearing?.()
      await learner?.close()
      await pool?.close()
      await store.close()
      await http?.close()
    },
  }
}

/** The parts of PollDeps that only the poller uses, each with its production default. */
type PollParts = Pick<PollDeps, 'cluster' | 'entryMemo' | 'analyse' | 'bodies'>

/**
 * Wires the poller's parts over the other deps, the same for `serve` and tests: the story index
 * clusterer over `base.store`, an entry memo, a pool of body buffers, and the analysis given (the worker pool) or else on
 * this thread with the tagger of the moment (a reload replaces `deps.tagger`).
 * @example const deps = wirePollDeps({ config, tagger, store, fetch, clock, logger, metrics, random })
 */
export const wirePollDeps = <T extends Omit<PollDeps, keyof PollParts>>(
  base: T,
  parts: Partial<PollParts> = {},
): T & PollParts => {
  const deps: T & PollParts = {
    ...base,
    // Replicas: each batch first reads what the others stored (no 15 s throttle), or a copy of a
    // story that another replica stored seconds ago would start a second story here.
    cluster:
      parts.cluster ?? createClusterer(base.store, base.store.shared ? { catchUpEveryMs: 0 } : {}),
    entryMemo: parts.entryMemo ?? createEntryMemo(),
    analyse: parts.analyse ?? ((input) => analyseHere(input, deps.tagger)),
    bodies: parts.bodies ?? createBodyPool(),
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
  opts: { readOnly?: boolean; deferItems?: boolean; log?: (message: string) => void } = {},
): Promise<Store> => {
  switch (config.storage.driver) {
    case 'lowdb':
      return createPartitionedStore({
        path: config.storage.path,
        ...(priorityOf ? { priorityOf } : {}),
        ...(opts.readOnly ? { readOnly: true } : {}),
        ...(opts.deferItems ? { deferItems: true } : {}),
        ...(opts.log ? { log: opts.log } : {}),
      })
    case 'postgres': {
      const url = config.storage.url
      if (!url) {
        throw new StoreError(
          'storage.driver "postgres" needs a database URL: set storage.url or DATABASE_URL',
        )
      }
      const { createPostgresStore } = await import('./store/postgres/postgres-store.js')
      const { cycleDeadlineMs } = await import('./ingest/scheduler.js')
      // A claimed source stays with its replica for as long as a cycle of every source may take
      // (plus a minute) unless storage.lease says otherwise: a replica that dies mid-poll delays
      // its sources by at most that.
      const deadline = cycleDeadlineMs(config.fetch, config.sources.length)
      const leaseMs = config.storage.leaseMs ?? deadline + 60_000
      if (leaseMs < deadline) {
        opts.log?.(
          `storage.lease (${leaseMs / 1000} s) is shorter than a poll cycle may take (${deadline / 1000} s, fetch.cycle_timeout): another replica may poll a slow source again while its poll is still running`,
        )
      }
      return createPostgresStore({
        url,
        leaseMs,
        ...(priorityOf ? { priorityOf } : {}),
        ...(opts.log ? { log: opts.log } : {}),
        ...(opts.readOnly ? { readOnly: true } : {}),
      })
    }
  }
}
