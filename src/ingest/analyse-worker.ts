/** The analysis worker thread: runs analyseFeed for the pool (analyse-pool.ts) with its own compiled topics. */
import { parentPort, workerData } from 'node:worker_threads'
import { AppError } from '../model/errors.js'
import type { Topic } from '../model/types.js'
import { topicTagger } from '../topics/tag.js'
import { analyseFeed } from './analyse.js'
import type { WorkerReply, WorkerRequest } from './analyse-pool.js'

const port = parentPort
if (!port) throw new Error('analyse-worker.ts runs as a worker thread (see analyse-pool.ts)')

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
  try {
    reply = { id, ok: true, version, result: await analyseFeed(input, tagger) }
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
  port.postMessage(reply)
})
