/** The learning worker thread: runs learnTopics for a Learner (learner.ts), off the server's thread. */
import { parentPort } from 'node:worker_threads'
import { learnTopics } from './learn.js'
import { createHistoryCache } from './learn-history.js'
import type { LearnReply, LearnRequest } from './learner.js'

const port = parentPort
if (!port) throw new Error('topics/learn-worker.ts runs as a worker thread (see topics/learner.ts)')

// what the last job learned: the next verdict is one incremental step (learn-history.ts)
const cache = createHistoryCache()

port.on('message', (msg: LearnRequest) => {
  let reply: LearnReply
  try {
    const topics = learnTopics(msg.topics, msg.verdicts, { cache, stored: msg.stored })
    reply = { id: msg.id, ok: true, learned: topics.map((t) => [t.id, t.model?.learned]) }
  } catch (e) {
    reply = { id: msg.id, ok: false, message: e instanceof Error ? e.message : String(e) }
  }
  port.postMessage(reply)
})
