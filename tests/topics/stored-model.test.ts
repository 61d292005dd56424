/**
 * A topic's learned model kept in the store: a restart loads it instead of retraining (and tags
 * alike), learns only the verdicts since by steps, and a stored model that no longer covers the
 * history (a verdict given again, another model file) is not used. Verdicts imported with one
 * timestamp keep their import order (Verdict.seq), so a later import costs steps, not a retrain.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AppConfig, Topic, TopicModel, Verdict } from '../../src/model/types.js'
import { learnFromStore } from '../../src/runtime.js'
import { createPartitionedStore } from '../../src/store/lowdb/partitioned-store.js'
import { createMemoryStore } from '../../src/store/memory.js'
import { trainTopicModel } from '../../src/topics/classifier.js'
import { learnTopics } from '../../src/topics/learn.js'
import { createHistoryCache, learnCounts, learnHistory } from '../../src/topics/learn-history.js'
import type { LearnTopics } from '../../src/topics/learner.js'
import { topicTagger } from '../../src/topics/tag.js'
import { makeItem } from '../helpers/items.js'
import { makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs('tw-stored-model-')

const TOPIC = PAK_AFGHAN_TOPIC.id
const source = makeSource({ id: 'dawn', title: 'Dawn' })

/** Written headlines: border talks in, disasters out (one in four in), all given at one time. */
const verdict = (i: number, at = '2026-01-01T00:00:00.000Z'): Verdict => {
  const isIn = i % 4 === 0
  return {
    topicId: TOPIC,
    itemId: `item-${String(i).padStart(4, '0')}`,
    in: isIn,
    at,
    title: isIn
      ? `Pakistan and Afghanistan envoys talk about the border, round ${i % 7}`
      : `Storm number ${i % 9} floods towns in Pakistan and Afghanistan`,
    summary: isIn ? 'Islamabad and Kabul met at Torkham.' : 'Rescuers reached the valley.',
  }
}
const verdicts = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => verdict(from + k))

const withModel = (base?: TopicModel): Topic => ({
  ...PAK_AFGHAN_TOPIC,
  model: { mode: 'filter', threshold: 0.5, ...(base ? { base } : {}) },
})
const configWith = (topic: Topic): AppConfig => testConfig({ sources: [source], topics: [topic] })

/** A process's learning without anything remembered from before (as after a restart). */
const freshLearn: LearnTopics = async (topics, vs, opts = {}) => learnTopics(topics, vs, opts)

const counted = async <T>(fn: () => Promise<T>) => {
  const before = { ...learnCounts }
  const value = await fn()
  return {
    value,
    retrains: learnCounts.retrains - before.retrains,
    steps: learnCounts.steps - before.steps,
  }
}

const learnedOf = (config: AppConfig) => config.topics[0]?.model?.learned

/** Items the rules let through, some talks and some storms: what the model decides on. */
const ITEMS = [
  'Pakistan and Afghanistan envoys talk about Torkham',
  'Storm floods towns in Pakistan and Afghanistan',
  'Islamabad and Kabul talk about the border',
  'Floods in Afghanistan and Pakistan: rescuers reach the valley',
].map((title) => makeItem({ title, summary: `${title}.`, contentHtml: '' }))

describe('stored topic models', () => {
  it('a restart loads the stored model (no retrain), tags alike, and steps only past it', async () => {
    const path = join(tempDir(), 'db.json')
    const config = configWith(withModel())
    const a = await createPartitionedStore({ path })
    await a.saveVerdicts(verdicts(0, 300))
    const first = await counted(() => learnFromStore(config, a, { learn: freshLearn }))
    expect(first.retrains).toBe(1)
    expect(first.steps).toBe(300 - 256)
    expect(await a.topicModels?.()).toHaveLength(1)
    await a.close()

    const b = await createPartitionedStore({ path })
    const again = await counted(() => learnFromStore(config, b, { learn: freshLearn }))
    expect(again.retrains).toBe(0)
    expect(again.steps).toBe(0)
    expect(JSON.stringify(learnedOf(again.value))).toBe(JSON.stringify(learnedOf(first.value)))
    const tagA = topicTagger(first.value.topics)
    const tagB = topicTagger(again.value.topics)
    const tags = ITEMS.map((i) => tagA(i, source))
    expect(tags.some((t) => t.includes(TOPIC))).toBe(true)
    expect(tags.some((t) => !t.includes(TOPIC))).toBe(true)
    expect(ITEMS.map((i) => tagB(i, source))).toEqual(tags)

    // five more verdicts: five steps from the stored model, the very model a cold start learns
    await b.saveVerdicts(verdicts(300, 305))
    const more = await counted(() => learnFromStore(config, b, { learn: freshLearn }))
    expect(more.retrains).toBe(0)
    expect(more.steps).toBe(5)
    const cold = learnTopics(config.topics, await b.listVerdicts())
    expect(JSON.stringify(learnedOf(more.value))).toBe(JSON.stringify(cold[0]?.model?.learned))
    await b.close()
  }, 60_000)

  it('a stored model that no longer covers the history, or of another model file, is not used', async () => {
    const store = createMemoryStore()
    const config = configWith(withModel())
    await store.saveVerdicts(verdicts(0, 300))
    await learnFromStore(config, store, { learn: freshLearn })
    // an early verdict given again (the other way): it moves to the end of the history
    await store.saveVerdicts([{ ...verdict(1), in: true }])
    const changed = await counted(() => learnFromStore(config, store, { learn: freshLearn }))
    expect(changed.retrains).toBe(1)
    const cold = learnTopics(config.topics, await store.listVerdicts())
    expect(JSON.stringify(learnedOf(changed.value))).toBe(JSON.stringify(cold[0]?.model?.learned))
    // the same verdicts under another model file: the stored model is of the old basis
    const base = trainTopicModel(verdicts(400, 420).map((v) => ({ item: v, in: v.in })))
    const other = configWith(withModel(base))
    const rebased = await counted(() => learnFromStore(other, store, { learn: freshLearn }))
    expect(rebased.retrains).toBe(1)
    const coldOther = learnTopics(other.topics, await store.listVerdicts())
    expect(JSON.stringify(learnedOf(rebased.value))).toBe(
      JSON.stringify(coldOther[0]?.model?.learned),
    )
    expect(learnedOf(rebased.value)).not.toEqual(learnedOf(changed.value))
  })

  it('ignores a stored model whose covered verdict differs (a store copied or edited)', async () => {
    const store = createMemoryStore()
    const config = configWith(withModel())
    await store.saveVerdicts(verdicts(0, 200))
    await learnFromStore(config, store, { learn: freshLearn })
    const [m] = (await store.topicModels()) as [
      NonNullable<Awaited<ReturnType<typeof store.topicModels>>[number]>,
    ]
    await store.saveTopicModel({ ...m, covers: { ...m.covers, seq: m.covers.seq + 1 } })
    const run = await counted(() => learnFromStore(config, store, { learn: freshLearn }))
    expect(run.retrains).toBe(1)
  })
})

describe('verdict import order', () => {
  it('a later import with the same timestamp is learned after the earlier one: steps, no retrain', async () => {
    const store = createMemoryStore()
    // even ids first, then the odd ones between them, all stamped alike
    const all = verdicts(0, 2 * 150)
    await store.saveVerdicts(all.filter((_, i) => i % 2 === 0))
    const cache = createHistoryCache()
    const first = learnHistory(TOPIC, undefined, await store.listVerdicts(TOPIC), { cache })
    expect(first).toBeDefined()
    await store.saveVerdicts(all.filter((_, i) => i % 2 === 1).slice(0, 10))
    const listed = await store.listVerdicts(TOPIC)
    const before = { ...learnCounts }
    const next = learnHistory(TOPIC, undefined, listed, { cache })
    expect(learnCounts.retrains - before.retrains).toBe(0)
    expect(learnCounts.steps - before.steps).toBe(10)
    // and it is the model any process learns from the same verdicts
    expect(JSON.stringify(next)).toBe(JSON.stringify(learnHistory(TOPIC, undefined, listed)))
  })
})
