/**
 * A verdict changes a `filter` model alone: the running topicwire re-tags only the stored items
 * the topic's rules pass (and those stored since the last re-tag), with the same result as a full
 * re-tag of every stored item.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AppConfig, Item, Topic, Verdict } from '../../src/model/types.js'
import { createRuntime, createTagger } from '../../src/runtime.js'
import { topicTagger } from '../../src/topics/tag.js'
import { silentLogger } from '../../src/util/logger.js'
import { createMetrics } from '../../src/util/metrics.js'
import { fixedClock } from '../helpers/clock.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { makeItem } from '../helpers/items.js'
import { makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs('tw-model-retag-')

const TOPIC = PAK_AFGHAN_TOPIC.id
const source = makeSource({ id: 'dawn', title: 'Dawn' })
const topic: Topic = { ...PAK_AFGHAN_TOPIC, model: { mode: 'filter', threshold: 0.5 } }

const day = (k: number) => new Date(Date.UTC(2026, 0, 1 + (k % 40))).toISOString()
/** Items the rules pass: talks and quakes naming both countries. */
const TALKS = Array.from({ length: 10 }, (_, k) =>
  makeItem({
    title: `Pakistan and Afghanistan envoys meet on the border, round ${k}`,
    summary: 'Talks in Kabul.',
    contentHtml: '',
    publishedAt: day(k),
  }),
)
const QUAKES = Array.from({ length: 10 }, (_, k) =>
  makeItem({
    title: `Earthquake number ${k} shakes Pakistan and Afghanistan`,
    summary: 'Rescuers dig.',
    contentHtml: '',
    publishedAt: day(k + 10),
  }),
)
/** Items the rules never pass, whatever the model says. */
const OTHERS = Array.from({ length: 60 }, (_, k) =>
  makeItem({
    title: `Lahore weather report ${k}: rain again`,
    summary: 'Karachi stays dry.',
    contentHtml: '',
    publishedAt: day(k),
  }),
)
const ALL = [...TALKS, ...QUAKES, ...OTHERS]

const verdictsOf = (items: Item[], isIn: boolean, prefix: string): Verdict[] =>
  items.map((i, k) => ({
    topicId: TOPIC,
    itemId: `${prefix}-${k}`,
    in: isIn,
    at: '2026-02-01T00:00:00.000Z',
    title: i.title,
    ...(i.summary !== undefined ? { summary: i.summary } : {}),
  }))

describe('re-tag after a model-only change', () => {
  it('reads only the items the rules pass, and ends as a full re-tag does', async () => {
    const dir = tempDir()
    const config: AppConfig = testConfig({
      sources: [source],
      topics: [topic],
      fetch: { ...testConfig().fetch, workers: 0 },
      storage: {
        driver: 'lowdb',
        path: join(dir, 'db.json'),
        retention: { maxAgeDays: 3650, maxItemsPerSource: 2000 },
      },
    })
    const runtime = await createRuntime(config, {
      fetch: fakeFetch().fetch,
      clock: fixedClock('2026-02-01T00:00:00.000Z'),
      logger: silentLogger,
      metrics: createMetrics(),
    })
    try {
      const store = runtime.deps.store
      const rules = topicTagger([PAK_AFGHAN_TOPIC])
      await store.saveIngest({
        sourceId: 'dawn',
        items: ALL.map((i) => ({ ...i, topics: rules(i, source) })),
        state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-02-01T00:15:00.000Z' },
      })
      const inTopic = async () =>
        (await Promise.all(ALL.map((i) => store.getItem(i.id))))
          .filter((i) => i?.topics.includes(TOPIC))
          .map((i) => i?.title)
      /** Every stored item's topics as a full re-tag under the running configuration makes them. */
      const fullRetag = async () => {
        const tag = createTagger(runtime.deps.config)
        const stored = await Promise.all(ALL.map((i) => store.getItem(i.id)))
        return stored.map((i) => (i ? [...new Set(tag(i, source))].sort() : []))
      }
      const storedTopics = async () =>
        (await Promise.all(ALL.map((i) => store.getItem(i.id)))).map((i) => i?.topics ?? [])

      // first model: talks in, quakes out; nothing recorded yet, so every item is read
      await store.saveVerdicts([
        ...verdictsOf(TALKS.slice(0, 4), true, 'talk'),
        ...verdictsOf(QUAKES.slice(0, 4), false, 'quake'),
      ])
      const first = await runtime.learn(TOPIC)
      expect(first.examined).toBe(ALL.length)
      expect(first.retagged).toBe(QUAKES.length)
      expect(await inTopic()).toEqual(TALKS.map((i) => i.title))
      expect(await storedTopics()).toEqual(await fullRetag())

      // the reader changes their mind on quakes: only the 20 items the rules pass can move
      await store.saveVerdicts(verdictsOf(QUAKES.slice(0, 4), true, 'quake'))
      await store.saveVerdicts(verdictsOf([...QUAKES, ...QUAKES].slice(0, 12), true, 'quake-more'))
      const second = await runtime.learn(TOPIC)
      expect(second.examined).toBe(TALKS.length + QUAKES.length)
      expect(second.examined).toBeLessThan(ALL.length)
      expect(second.retagged).toBeGreaterThan(0)
      expect(await inTopic()).toEqual(expect.arrayContaining(QUAKES.map((i) => i.title)))
      expect(await storedTopics()).toEqual(await fullRetag())

      // and back: the same 20, again equal to a full re-tag
      await store.saveVerdicts(verdictsOf([...QUAKES, ...QUAKES].slice(0, 16), false, 'quake-out'))
      await store.saveVerdicts(verdictsOf(QUAKES.slice(0, 4), false, 'quake'))
      await store.saveVerdicts(verdictsOf([...QUAKES, ...QUAKES].slice(0, 12), false, 'quake-more'))
      const third = await runtime.learn(TOPIC)
      expect(third.examined).toBe(TALKS.length + QUAKES.length)
      expect(third.retagged).toBeGreaterThan(0)
      expect(await storedTopics()).toEqual(await fullRetag())
    } finally {
      await runtime.close()
    }
  }, 60_000)
})
