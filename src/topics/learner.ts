/** A Learner trains topic models (learnTopics) on a worker thread, so a retrain never holds the thread that serves readers. */
import { Worker } from 'node:worker_threads'
import { AppError } from '../model/errors.js'
import type { StoredTopicModel, Topic, TopicModel, Verdict } from '../model/types.js'
import { keptModel, learnTopics } from './learn.js'
import { createHistoryCache } from './learn-history.js'

/** What learnTopics takes besides the topics and verdicts. */
export interface LearnOptions {
  only?: ReadonlySet<string>
  previous?: readonly Topic[]
  /** The store's learned models: one covering a topic's verdicts saves its retrain. */
  stored?: readonly StoredTopicModel[]
}

/** Message to the learning worker: only the topics to train and their own verdicts. */
export interface LearnRequest {
  id: number
  topics: Topic[]
  verdicts: Verdict[]
  stored: StoredTopicModel[]
}

/**
 * Message from the learning worker: each topic's learned model by id (none: not usable). Only the
 * models travel back, not the topics with their model files: the copy is made on this thread.
 */
export type LearnReply =
  | { id: number; ok: true; learned: [string, TopicModel | undefined][] }
  | { id: number; ok: false; message: string }

/** Learns the topics' models as {@link learnTopics} does (same result), wherever it runs. */
export type LearnTopics = (
  topics: readonly Topic[],
  verdicts: readonly Verdict[],
  opts?: LearnOptions,
) => Promise<Topic[]>

export interface Learner {
  learn: LearnTopics
  /** Stops the worker; a job in flight fails. */
  close(): Promise<void>
}

/** What learnHere learned last: it never changes a result, only saves the retrain (learn-history.ts). */
const hereCache = createHistoryCache()

/** learnTopics on the calling thread (a CLI command, or `fetch.workers: 0`). */
export const learnHere: LearnTopics = async (topics, verdicts, opts = {}) =>
  learnTopics(topics, verdicts, { ...opts, cache: hereCache })

/**
 * A retrain past this is abandoned (the worker is stopped and replaced): training is bounded by
 * the verdicts and features it keeps (learn.ts, classifier.ts), so only a broken worker gets here.
 */
export const LEARN_DEADLINE_MS = 60_000

/** Training holds at most the newest 20,000 verdicts and 20,000 features: far below this heap. */
const HEAP_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 }

const entryUrl = new URL(
  import.meta.url.endsWith('.ts') ? './learn-worker.ts' : './learn-worker.js',
  import.meta.url,
)
const bootUrl = new URL('../util/worker-boot.mjs', import.meta.url)

interface Pending {
  resolve: (learned: Map<string, TopicModel | undefined>) => void
  reject: (e: Error) => void
  timer: NodeJS.Timeout
}

/**
 * One worker thread, started on the first job and kept (unref'd: it does not keep the process
 * alive); jobs are answered in order. A worker that fails or passes the deadline is stopped, its
 * jobs rejected, and the next job starts a new one. The topics come back as new objects: the
 * caller swaps them in at once.
 * @example const learner = createLearner(); const topics = await learner.learn(config.topics, verdicts)
 */
export const createLearner = (opts: { deadlineMs?: number; entry?: URL } = {}): Learner => {
  const deadlineMs = opts.deadlineMs ?? LEARN_DEADLINE_MS
  let worker: Worker | undefined
  const pending = new Map<number, Pending>()
  let nextId = 1

  const fail = (w: Worker, error: Error) => {
    if (worker === w) worker = undefined
    void w.terminate()
    for (const [id, p] of pending) {
      clearTimeout(p.timer)
      pending.delete(id)
      p.reject(error)
    }
  }

  const spawn = (): Worker => {
    const w = new Worker(bootUrl, {
      workerData: { entry: (opts.entry ?? entryUrl).href },
      resourceLimits: HEAP_LIMITS,
    })
    w.unref()
    w.on('message', (reply: LearnReply) => {
      const p = pending.get(reply.id)
      if (!p) return
      pending.delete(reply.id)
      clearTimeout(p.timer)
      if (reply.ok) p.resolve(new Map(reply.learned))
      else p.reject(new AppError('internal', `learning a topic model failed: ${reply.message}`))
    })
    w.on('error', (e) =>
      fail(w, new AppError('internal', `the learning worker failed: ${e.message}`, { cause: e })),
    )
    w.on('exit', (code) => {
      if (pending.size > 0)
        fail(w, new AppError('internal', `the learning worker stopped (exit code ${code})`))
      else if (worker === w) worker = undefined
    })
    return w
  }

  return {
    learn: async (topics, verdicts, learnOpts = {}) => {
      // the topics that keep what they learned (not asked for) are settled here, as learnTopics
      // would; the others go to the worker with their verdicts only
      const before = (t: Topic) => keptModel(t, learnOpts)
      const train = topics.filter((t) => t.model && !before(t))
      const ids = new Set(train.map((t) => t.id))
      const learned =
        train.length === 0
          ? new Map<string, TopicModel | undefined>()
          : await new Promise<Map<string, TopicModel | undefined>>((resolve, reject) => {
              worker ??= spawn()
              const w = worker
              const id = nextId++
              const timer = setTimeout(
                () =>
                  fail(
                    w,
                    new AppError('timeout', `learning the topic models took over ${deadlineMs} ms`),
                  ),
                deadlineMs,
              )
              timer.unref()
              pending.set(id, { resolve, reject, timer })
              const request: LearnRequest = {
                id,
                topics: train,
                verdicts: verdicts.filter((v) => ids.has(v.topicId)),
                stored: (learnOpts.stored ?? []).filter((m) => ids.has(m.topicId)),
              }
              w.postMessage(request)
            })
      return topics.map((t) => {
        if (!t.model) return t
        const { learned: _old, ...setting } = t.model
        const model = ids.has(t.id) ? learned.get(t.id) : before(t)
        return { ...t, model: model ? { ...setting, learned: model } : setting }
      })
    },
    close: async () => {
      const w = worker
      worker = undefined
      if (w) fail(w, new AppError('internal', 'the learner was closed'))
    },
  }
}
