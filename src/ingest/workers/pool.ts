/** Worker threads for analyseFeed: polls use every core, and the server's thread stays free for readers. */
import { availableParallelism } from 'node:os'
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads'
import { AppError, FetchError, ParseError } from '../../model/errors.js'
import type { ErrorCode, Item, Source, Topic } from '../../model/types.js'
import type { Tagger } from '../../topics/tag.js'
import type { AnalysedFeed, AnalyseInput } from '../analyse.js'
import { decodeFeed, type WireFeed } from './wire.js'

/** Messages to the worker. */
export type WorkerRequest =
  | { type: 'configure'; topics: Topic[]; version: number }
  | { type: 'job'; id: number; input: AnalyseInput }

/** Messages from the worker; `version` says which topic rules tagged the items. */
export type WorkerReply =
  | { id: number; ok: true; version: number; result: WireFeed }
  | { id: number; ok: false; error: { code?: ErrorCode; message: string } }

export interface AnalysePool {
  /**
   * Analyses one document on the least busy worker (started on first use). `signal` cancels it: a
   * document the worker is on is abandoned as past a deadline (the worker is replaced); either way
   * the promise rejects at once with a `timeout` AppError.
   */
  analyse(input: AnalyseInput, signal?: AbortSignal): Promise<AnalysedFeed>
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
export const defaultWorkerCount = (cores = availableParallelism()): number =>
  Math.max(1, Math.min(4, cores))

/**
 * Workers of a one-shot command (`fetch --once`): one core fewer, at most 4. A first import keeps
 * the main thread busy the whole run (results taken in, stories grouped, items stored), so a
 * worker per core only makes the threads take turns: on 2 cores, 1 worker imports as fast as 2
 * with less CPU and a lower peak of memory (`BENCH_WORKERS` in `npm run bench peers`).
 * @example oneShotWorkerCount(2) // 1
 */
export const oneShotWorkerCount = (cores = availableParallelism()): number =>
  Math.max(1, Math.min(4, cores - 1))

interface Pending {
  resolve: (r: AnalysedFeed) => void
  reject: (e: Error) => void
  source: Source
  request: WorkerRequest
}

/** One worker thread and the jobs sent to it, in the order it reads them. */
interface Running {
  worker: Worker
  pending: Map<number, Pending>
  /** The deadline of the job at the head of `pending` (the one the worker is on). */
  timer?: NodeJS.Timeout
  /** The id the timer was set for. */
  timed?: number
  /** The worker has loaded its modules (util/worker-boot.mjs said so): deadlines run from then on. */
  ready: boolean
}

interface Slot {
  running?: Running
}

/** Default CPU deadline for one document (`fetch.analysis_timeout`). */
export const DEFAULT_ANALYSIS_DEADLINE_MS = 10_000

/**
 * V8 heap limits of each worker. The old generation is the memory cap of one document's analysis:
 * the worst hostile documents we know of (200,000 nested elements, a 9 MB title, 20,000
 * categories) need a few tens of MB, a real feed a few; past the cap V8 stops the worker, the
 * document fails with `too-large` and the worker is replaced. The young generation is kept small:
 * with V8's default (semi-spaces growing to 16 MB) each worker kept ~25 MB more resident after
 * one busy cycle (tests/e2e/hostile.test.ts reads the process's peak), for a little less scavenging.
 */
const WORKER_HEAP_LIMITS: WorkerHeapLimits = {
  maxOldGenerationSizeMb: 256,
  maxYoungGenerationSizeMb: 8,
}

/** A worker's V8 heap limits (its `resourceLimits`), in MB. */
export interface WorkerHeapLimits {
  maxOldGenerationSizeMb: number
  maxYoungGenerationSizeMb: number
}

/**
 * The heap limits of the worker of a one-shot command (`fetch --once`): a young generation twice
 * WORKER_HEAP_LIMITS'. A first import keeps its one worker busy from start to end; with 8 MB it
 * scavenged every few milliseconds, each time copying the feed's items in the making: 1,348
 * scavenges for the 1,000 feeds of `npm run bench peers`, 669 with 16 MB (24 MB scavenged as
 * often, 32 MB about half as often again), for a peak RSS up to ~14 MB higher (373 against 373 MB
 * in one pair of runs, 375–380 against 364–366 MB in two more, on a busy machine). The process
 * exits after one cycle, so the idle RSS that the small young generation keeps down for `serve`
 * does not matter here.
 */
export const ONE_SHOT_WORKER_HEAP_LIMITS = {
  ...WORKER_HEAP_LIMITS,
  maxYoungGenerationSizeMb: 16,
}

/** The error of an analysis cancelled by its caller (a cycle past its deadline, a shutdown). */
const cancelled = (): AppError => new AppError('timeout', 'analysis cancelled')

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`

/** Run as TypeScript under tsx (tests, a checkout's edited sources), not as `npm run build` made it. */
const fromSources = import.meta.url.endsWith('.ts')
/**
 * The worker's module: worker.ts under tsx; once built, the bundle of it in dist/worker/
 * (bin/build.js), one file and a chunk instead of the ~100 compiled modules it imports.
 */
const entryUrl = new URL(fromSources ? './worker.ts' : '../../worker/worker.js', import.meta.url)
const bootUrl = new URL('../../util/worker-boot.mjs', import.meta.url)
/** What the worker's module imports that takes long to load: a prestarted worker loads it while it waits. */
const preloadUrls = [
  new URL(fromSources ? '../analyse.ts' : '../../worker/analyse.js', import.meta.url),
]

/**
 * Analysis workers started before the configuration is known: each loads its modules meanwhile
 * (hundreds of ms of a first import that only the main thread would otherwise work), and waits
 * for its topics, which a pool gives as it adopts it ({@link createAnalysePool}'s `prestarted`).
 */
export interface PrestartedWorkers {
  /** A worker given `topics` (rules `version`), or undefined when none is left. */
  take(topics: Topic[], version: number): Worker | undefined
  /** How many are left to take: started, not taken, and not failed (one that fails is left out). */
  left(): number
  /** Stops the workers not taken (a command that ends up analysing on its own thread, or fails). */
  close(): Promise<void>
}

/**
 * Starts `count` analysis workers now, to be adopted by the pool created once the configuration
 * is read (`fetch --once`: the workers load while the main thread reads the configuration and
 * opens the store). They do not keep the process alive.
 * @example const early = prestartWorkers(oneShotWorkerCount(), ONE_SHOT_WORKER_HEAP_LIMITS) // … createAnalysePool({ …, prestarted: early })
 */
export const prestartWorkers = (
  count: number,
  heapLimits: WorkerHeapLimits = WORKER_HEAP_LIMITS,
): PrestartedWorkers => {
  const left: { worker: Worker; setup: MessagePort; dead: boolean }[] = []
  for (let i = 0; i < count; i++) {
    const { port1, port2 } = new MessageChannel()
    const worker = new Worker(bootUrl, {
      workerData: { entry: entryUrl.href, preload: preloadUrls.map((u) => u.href), setup: port2 },
      transferList: [port2],
      resourceLimits: heapLimits,
    })
    worker.unref()
    const early = { worker, setup: port1, dead: false }
    // A worker that fails before a pool takes it (its modules would not load) must not throw on
    // this thread, where nothing listens yet: it is left out, and the pool starts its own.
    const died = () => {
      early.dead = true
    }
    worker.on('error', died)
    worker.once('exit', died)
    left.push(early)
  }
  return {
    take(topics, version) {
      let next = left.shift()
      while (next?.dead) {
        next.setup.close()
        next = left.shift()
      }
      if (!next) return undefined
      next.setup.postMessage({ topics, version })
      next.setup.close()
      return next.worker
    },
    left: () => left.filter((w) => !w.dead).length,
    async close() {
      const rest = left.splice(0)
      await Promise.all(
        rest.map(async ({ worker, setup }) => {
          setup.close()
          await worker.terminate()
        }),
      )
    },
  }
}

/** The error a worker reported, as the class the poll's error handling expects. */
const revive = (e: { code?: ErrorCode; message: string }): Error => {
  if (e.code === 'parse') return new ParseError(e.message)
  // A body that would not decompress (content-coding.ts) fails as it would on this thread.
  if (e.code === 'fetch' || e.code === 'too-large') return new FetchError(e.code, e.message)
  if (e.code) return new AppError(e.code, e.message)
  return new Error(`analysis worker: ${e.message}`)
}

/**
 * Creates a pool of `workers` threads (none start until the first job, unless `prestarted` gives
 * some). Idle workers do not keep the process alive.
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
  /**
   * How long one document may take on its worker (default DEFAULT_ANALYSIS_DEADLINE_MS). Past
   * it the worker is terminated and replaced: the job fails with a `timeout` AppError (the
   * source's poll error), and the jobs queued behind it go to the replacement.
   */
  deadlineMs?: number
  /** The workers' V8 heap limits (default WORKER_HEAP_LIMITS; tests lower them). */
  heapLimits?: WorkerHeapLimits
  /**
   * Workers started already ({@link prestartWorkers}, with the default entry and the same heap limits):
   * the pool takes them at once, one per slot, instead of starting its workers on first use.
   */
  prestarted?: PrestartedWorkers
}): AnalysePool => {
  const slots: Slot[] = Array.from({ length: Math.max(1, opts.workers) }, () => ({}))
  const deadlineMs = opts.deadlineMs ?? DEFAULT_ANALYSIS_DEADLINE_MS
  let topics = opts.topics
  let tagger = opts.tagger
  let version = 0
  let nextId = 0
  let closed = false

  const failAll = (run: Running, err: Error): void => {
    clearTimeout(run.timer)
    const pending = [...run.pending.values()]
    run.pending.clear()
    for (const p of pending) p.reject(err)
  }

  /** Starts the deadline of the job the worker is on now (the oldest unanswered one). */
  const arm = (slot: Slot, run: Running): void => {
    const head = run.pending.keys().next()
    if (head.done || !run.ready) {
      clearTimeout(run.timer)
      run.timer = undefined
      run.timed = undefined
      return
    }
    if (run.timed === head.value) return
    clearTimeout(run.timer)
    run.timed = head.value
    run.timer = setTimeout(() => expire(slot, run, head.value), deadlineMs)
    run.timer.unref()
  }

  /** The job `id` ran past its deadline: terminate the worker, fail the job, move the rest on. */
  const expire = (slot: Slot, run: Running, id: number): void =>
    abandon(
      slot,
      run,
      id,
      new AppError(
        'timeout',
        `analysis took longer than ${seconds(deadlineMs)} (fetch.analysis_timeout); the document was abandoned`,
      ),
    )

  /** Fails the job `id` with `err`, terminates its worker and sends the jobs behind it to a new one. */
  const abandon = (slot: Slot, run: Running, id: number, err: Error): void => {
    const job = run.pending.get(id)
    if (!job || slot.running !== run) return
    clearTimeout(run.timer)
    run.pending.delete(id)
    const queued = [...run.pending.values()]
    run.pending.clear()
    slot.running = undefined
    void run.worker.terminate()
    job.reject(err)
    if (queued.length === 0) return
    const next = spawn(slot)
    for (const p of queued) send(slot, next, p)
  }

  const send = (slot: Slot, run: Running, job: Pending): void => {
    if (job.request.type !== 'job') return
    if (run.pending.size === 0) run.worker.ref()
    run.pending.set(job.request.id, job)
    // The worker gets a copy of the body's bytes, transferred: the caller's Buffer may be a view
    // of a larger buffer (Node's shared pool, a BodyPool's), is given back for reuse once the job
    // settles, and refresh.ts analyses it on its own thread when a worker fails. Posted as it is,
    // the whole buffer under the view would be copied twice and this thread's copy left dead.
    const { input } = job.request
    const bytes = new Uint8Array(input.body)
    run.worker.postMessage({ ...job.request, input: { ...input, body: bytes } }, [bytes.buffer])
    arm(slot, run)
  }

  const spawn = (slot: Slot, early?: Worker): Running => {
    const worker =
      early ??
      new Worker(bootUrl, {
        workerData: { entry: (opts.entry ?? entryUrl).href, topics, version },
        resourceLimits: opts.heapLimits ?? WORKER_HEAP_LIMITS,
      })
    worker.unref()
    const run: Running = { worker, pending: new Map(), ready: false }
    worker.on('message', (reply: WorkerReply | { ready: true }) => {
      if ('ready' in reply) {
        run.ready = true
        arm(slot, run)
        return
      }
      const job = run.pending.get(reply.id)
      if (!job) return
      run.pending.delete(reply.id)
      if (run.pending.size === 0) worker.unref()
      arm(slot, run)
      if (!reply.ok) {
        job.reject(revive(reply.error))
        return
      }
      const result = decodeFeed(reply.result)
      if (reply.version === version) {
        job.resolve(result)
        return
      }
      const items = result.items.map(
        (item): Item => ({ ...item, topics: tagger(item, job.source) }),
      )
      job.resolve({ ...result, items })
    })
    worker.on('error', (err) => {
      // Out of heap: the document at the head ran the worker past its cap. It fails as too large
      // (not a worker fault, which refresh.ts would retry on the main thread, without a cap);
      // the jobs queued behind it go to a replacement, as after a deadline.
      if ((err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        const head = run.pending.keys().next()
        if (!head.done) {
          const limits = opts.heapLimits ?? WORKER_HEAP_LIMITS
          abandon(
            slot,
            run,
            head.value,
            new AppError(
              'too-large',
              `analysis needed more than the worker's ${limits.maxOldGenerationSizeMb} MB of memory; the document was abandoned`,
            ),
          )
          return
        }
      }
      failAll(run, err)
    })
    worker.on('exit', (code) => {
      if (slot.running === run) slot.running = undefined
      failAll(run, new Error(`analysis worker stopped (exit code ${code})`))
    })
    slot.running = run
    return run
  }

  for (const slot of slots) {
    const early = opts.prestarted?.take(topics, version)
    if (early) spawn(slot, early)
  }

  return {
    analyse(input, signal) {
      if (closed) return Promise.reject(new Error('the analysis pool is closed'))
      if (signal?.aborted) return Promise.reject(cancelled())
      const size = (s: Slot): number => s.running?.pending.size ?? 0
      let slot = slots[0] as Slot
      for (const s of slots) if (size(s) < size(slot)) slot = s
      const run = slot.running ?? spawn(slot)
      const id = nextId++
      const request: WorkerRequest = { type: 'job', id, input }
      return new Promise<AnalysedFeed>((resolve, reject) => {
        const job: Pending = { resolve, reject, source: input.source, request }
        send(slot, run, job)
        if (!signal) return
        const cancel = () => {
          // The job the worker is on: stop the worker. A job still queued stays in `pending`
          // (the worker reads it anyway, and the deadlines follow the order it reads them);
          // its answer then settles a promise already rejected, which does nothing.
          const at = slot.running
          if (at?.pending.keys().next().value === id) abandon(slot, at, id, cancelled())
          else reject(cancelled())
        }
        signal.addEventListener('abort', cancel, { once: true })
        const settled = () => signal.removeEventListener('abort', cancel)
        job.resolve = (r) => {
          settled()
          resolve(r)
        }
        job.reject = (e) => {
          settled()
          reject(e)
        }
      })
    },
    configure(nextTopics, nextTagger) {
      topics = nextTopics
      tagger = nextTagger
      version++
      const msg: WorkerRequest = { type: 'configure', topics, version }
      for (const slot of slots) slot.running?.worker.postMessage(msg)
    },
    async close() {
      closed = true
      await Promise.all(
        slots.map(async (slot) => {
          const run = slot.running
          slot.running = undefined
          if (!run) return
          failAll(run, new Error('the analysis pool is closed'))
          await run.worker.terminate()
        }),
      )
    },
  }
}
