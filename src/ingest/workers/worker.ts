/** The analysis worker thread: runs analyseFeed for the pool (pool.ts) with its own compiled topics. */
import { getPriority, setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { AppError } from '../../model/errors.js'
import type { Topic } from '../../model/types.js'
import { topicTagger } from '../../topics/tag.js'
import { analyseFeed } from '../analyse.js'
import { forgetCutSummary } from '../cut-summary.js'
import type { WorkerReply, WorkerRequest } from './pool.js'
import { encodeFeed } from './wire.js'

const port = parentPort
if (!port) throw new Error('workers/worker.ts runs as a worker thread (see workers/pool.ts)')

/**
 * Analysis yields the CPU to the thread that fetches, stores and serves readers: niceness +10 for
 * this thread alone. On Linux a thread is a task with its own niceness, and `setPriority(0, …)`
 * sets the calling thread's; elsewhere it would lower the whole process, so it is left alone.
 * With the main thread first, a poll of 1,000 changed feeds on two cores finished ~7% sooner
 * (`npm run bench fetch`): that thread hands out the work, so it is the one that must not wait.
 */
const lowerPriority = (): void => {
  if (process.platform !== 'linux') return
  try {
    setPriority(0, Math.min(19, getPriority(0) + 10))
  } catch {
    // Not allowed here (a sandbox): analysis runs at the process's priority, which is only slower.
  }
}

lowerPriority()

const initial = workerData as { topics: Topic[]; version: number }
let tagger = topicTagger(initial.topics)
let version = initial.version

port.on('message', async (msg: WorkerRequest) => {
  if (msg.type === 'configure') {
    tagger = topicTagger(msg.topics)
    version = msg.version
    return
  }
  const { id, input } = msg
  let reply: WorkerReply
  let transfer: ArrayBuffer[] = []
  try {
    // The cut summaries' one-byte text kept for the message, then dropped.
    const feed = await analyseFeed({ ...input, keepCutSummaries: true }, tagger)
    const encoded = encodeFeed(feed)
    for (const item of feed.items) forgetCutSummary(item)
    transfer = encoded.transfer
    reply = { id, ok: true, version, result: encoded.wire }
  } catch (err) {
    reply = {
      id,
      ok: false,
      error:
        err instanceof AppError
          ? { code: err.code, message: err.message }
          : { message: err instanceof Error ? (err.stack ?? err.message) : String(err) },
    }
  }
  port.postMessage(reply, transfer)
})
