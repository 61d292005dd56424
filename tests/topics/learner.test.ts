/**
 * The learner: topic models trained on a worker thread give what learnTopics gives on this
 * thread, while this thread goes on; a broken or stuck worker fails its job with a coded error.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src/model/errors.js'
import type { Topic, Verdict } from '../../src/model/types.js'
import { learnTopics } from '../../src/topics/learn.js'
import { createLearner, type Learner, learnHere } from '../../src/topics/learner.js'
import { PAK_AFGHAN_TOPIC } from '../helpers/runtime.js'

const TOPIC = PAK_AFGHAN_TOPIC.id
const topic: Topic = { ...PAK_AFGHAN_TOPIC, model: { mode: 'filter', threshold: 0.5 } }
const other: Topic = { ...PAK_AFGHAN_TOPIC, id: 'other', model: { mode: 'alone', threshold: 0.5 } }

/** Many verdicts on written headlines: border and talks in, disasters and sport out. */
const verdicts = (topicId: string, n: number): Verdict[] =>
  Array.from({ length: n }, (_, i) => {
    const isIn = i % 2 === 0
    const title = isIn
      ? `Pakistan and Afghanistan hold border talks round ${i} in Kabul`
      : `Earthquake number ${i} hits Pakistan and Afghanistan`
    return {
      topicId,
      itemId: `${topicId}-${i}`,
      in: isIn,
      at: `2026-01-01T00:${String(i % 60).padStart(2, '0')}:00.000Z`,
      title,
      summary: isIn ? 'Envoys met at the crossing.' : 'Floods followed the quake.',
    }
  })

const learners: Learner[] = []
const start = (opts?: Parameters<typeof createLearner>[0]) => {
  const l = createLearner(opts)
  learners.push(l)
  return l
}
afterEach(async () => {
  for (const l of learners.splice(0)) await l.close()
})

describe('createLearner', () => {
  it('learns on a worker what learnTopics learns here, the other topics kept', async () => {
    const all = [...verdicts(TOPIC, 300), ...verdicts('other', 40)]
    const previous = learnTopics([topic, other], verdicts('other', 10))
    const opts = { only: new Set([TOPIC]), previous }
    const here = learnTopics([topic, other], all, opts)
    const there = await start().learn([topic, other], all, opts)
    expect(there).toEqual(here)
    // "other" was not asked for: it keeps what it had learned from its 10 verdicts
    expect(there[1]?.model?.learned?.examples).toEqual({ in: 5, out: 5 })
    expect(there[0]?.model?.learned?.examples).toEqual({ in: 150, out: 150 })
  }, 60_000)

  it('this thread turns while the worker trains; learning here holds it', async () => {
    const many = verdicts(TOPIC, 2000)
    const learner = start()
    await learner.learn([topic], []) // the worker is up
    const turnsDuring = async (learn: Promise<unknown>) => {
      let turns = 0
      let done = false
      const spin = async () => {
        while (!done) {
          turns++
          await new Promise((r) => setImmediate(r))
        }
      }
      const spinning = spin()
      await learn
      done = true
      await spinning
      return turns
    }
    const onWorker = await turnsDuring(learner.learn([topic], many))
    const here = await turnsDuring(learnHere([topic], many))
    expect(onWorker).toBeGreaterThan(1)
    expect(here).toBe(1)
  }, 60_000)

  it('a worker that cannot start fails the job with a coded error', async () => {
    const learner = start({ entry: new URL('./no-such-learn-worker.ts', import.meta.url) })
    const err = await learner.learn([topic], verdicts(TOPIC, 4)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('internal')
    expect((err as AppError).message).toMatch(/learning worker/)
  }, 60_000)

  it('a job past the deadline is abandoned with a timeout error', async () => {
    const learner = start({ deadlineMs: 1 })
    const err = await learner.learn([topic], verdicts(TOPIC, 2000)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('timeout')
  }, 60_000)
})
