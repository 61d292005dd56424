/** Worker threads for analyseFeed: polls use every core, and the server's thread stays free for readers. */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { AppError, FetchError, ParseError } from '../../model/errors.js'
import type { ErrorCode, Item, Source, Topic } from '../../model/types.js'
import type { Tagger } from '../../topics/tag.js'
import type { AnalysedFeed, AnalyseInput } from '../analyse.js'

/** Messages to the worker. */
export type WorkerRequest =
  | { type: 'configure'; topics: Topic[]; version: number }
  | { type: 'job'; id: number; input: AnalyseInput }

/** Messages from the worker; `version` says which topic rules tagged the items. */
export type WorkerReply =
  | { id: number; ok: true; version: number; result: AnalysedFeed }
  | { id: number; ok: false; error: { code?: ErrorCode; message: string } }

export interface AnalysePool {
  /** Analyses one document on the least busy worker (started on first use). */
  analyse(input: AnalyseInput): Promise<AnalysedFeed>
  /**
   * New topic rules (a reload). Jobs answered with the old rules are re-tagged with `tagger` on
   * this thread, so no item is stored with topics of a configuration that is gone.
   */
  configure(topics: Topic[], tagger: Tagger): void
  /** Stops the workers; jobs in flight fail. */
  close(): Promise<void>
}

/**
 * One worker per core, at most 4. The main thread fetches, clusters, stores and serves, but waits
 * on the network most of a poll (idle 40% of a cycle of 1,000 changed feeds in `npm run bench
 * fetch`), so the system shares the cores: on 2 cores, 2 workers poll 5-10% faster than 1.
 */
export const defaultWorkerCount = (): number => Math.max(1, Math.min(4, availableParallelism()))

interface Pending {
  resolve: (r: AnalysedFeed) => void
  reject: (e: Error) => void
  source: Source
}

interface Slot {
  worker?: Worker
  pending: Map<number, Pending>
}

/** The worker's module: TypeScript under tsx (tests, `npm start`), JavaScript once compiled. */
const entryUrl = new URL(
  import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js',
  import.meta.url,
)
const bootUrl = new URL('./boot.mjs', import.meta.url)

/** The error a worker reported, as the class the poll's error handling expects. */
const revive = (e: { code?: ErrorCode; message: string }): Error => {
  if (e.code === 'parse') return new ParseError(e.message)
  // A body that would not decompress (content-coding.ts) fails as it would on this thread.
  if (e.code === 'fetch' || e.code === 'too-large') return new FetchError(e.code, e.message)
  if (e.code) return new AppError(e.code, e.message)
  return new Error(`analysis worker: ${e.message}`)
}

/**
 * Creates a pool of `workers` threads (none start until the first job). Idle workers do not keep
 * the process alive.
 * @example
 * const pool = createAnalysePool({ topics: config.topics, tagger, workers: defaultWorkerCount() })
 * const analysed = await pool.analyse({ body, source, feedUrl, fetchedAt })
 */
export const createAnalysePool = (opts: {
  topics: Topic[]
  tagger: Tagger
  workers: number
  /** The worker's module (tests replace it); default worker.ts. */
  entry?: URL
}): AnalysePool => {
  const slots: Slot[] = Array.from({ length: Math.max(1, opts.workers) }, () => ({
    pending: new Map(),
  }))
  let topics = opts.topics
  let tagger = opts.tagger
  let version = 0
  let nextId = 0
  let closed = false

  const failAll = (slot: Slot, err: Error): void => {
    const pending = [...slot.pending.values()]
    slot.pending.clear()
    for (const p of pending) p.reject(err)
  }

  const spawn = (slot: Slot): Worker => {
    const worker = new Worker(bootUrl, {
      workerData: { entry: (opts.entry ?? entryUrl).href, topics, version },
    })
    worker.unref()
    worker.on('message', (reply: WorkerReply) => {
      const job = slot.pending.get(reply.id)
      if (!job) return
      slot.pending.delete(reply.id)
      if (slot.pending.size === 0) worker.unref()
      if (!reply.ok) {
        job.reject(revive(reply.error))
        return
      }
      const { result } = reply
      if (reply.version === version) {
        job.resolve(result)
        return
      }
      const items = result.items.map(
        (item): Item => ({ ...item, topics: tagger(item, job.source) }),
      )
      job.resolve({ ...result, items })
    })
    worker.on('error', (err) => failAll(slot, err))
    worker.on('exit', (code) => {
      if (slot.worker === worker) slot.worker = undefined
      failAll(slot, new Error(`analysis worker stopped (exit code ${code})`))
    })
    slot.worker = worker
    return worker
  }

  return {
    analyse(input) {
      if (closed) return Promise.reject(new Error('the analysis pool is closed'))
      let slot = slots[0] as Slot
      for (const s of slots) if (s.pending.size < slot.pending.size) slot = s
      const worker = slot.worker ?? spawn(slot)
      const id = nextId++
      const request: WorkerRequest = { type: 'job', id, input }
      return new Promise<AnalysedFeed>((resolve, reject) => {
        if (slot.pending.size === 0) worker.ref()
        slot.pending.set(id, { resolve, reject, source: input.source })
        // The body is copied, not transferred: the caller's Buffer may share Node's buffer pool.
        worker.postMessage(request)
      })
    },
    configure(nextTopics, nextTagger) {
      topics = nextTopics
      tagger = nextTagger
      version++
      const msg: WorkerRequest = { type: 'configure', topics, version }
      for (const slot of slots) slot.worker?.postMessage(msg)
    },
    async close() {
      closed = true
      await Promise.all(
        slots.map(async (slot) => {
          const worker = slot.worker
          slot.worker = undefined
          failAll(slot, new Error('the analysis pool is closed'))
          if (worker) await worker.terminate()
        }),
      )
    },
  }
}
