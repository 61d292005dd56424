/**
 * A topic's model in tagging: `model:` in the YAML (line:col errors, the model file), learned from
 * verdicts (file as prior), combined with the rules as declared, shown by explain, re-tagging the
 * stored items after feedback, and kept across restarts and reloads.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeModels, diffTopics } from '../../src/cli/check.js'
import { parseConfigText } from '../../src/config/load.js'
import { createApp } from '../../src/http/app.js'
import { ConfigError, formatConfigIssue } from '../../src/model/errors.js'
import type { AppConfig, Item, Topic, TopicModel, Verdict } from '../../src/model/types.js'
import { createRuntime, learnFromStore, type Runtime } from '../../src/runtime.js'
import { createPartitionedStore } from '../../src/store/lowdb/partitioned-store.js'
import { createMemoryStore } from '../../src/store/memory.js'
import { trainTopicModel } from '../../src/topics/classifier.js'
import { compileTopics } from '../../src/topics/compile.js'
import { explainItem } from '../../src/topics/explain.js'
import { learnTopics } from '../../src/topics/learn.js'
import { topicTagger } from '../../src/topics/tag.js'
import { silentLogger } from '../../src/util/logger.js'
import { createMetrics } from '../../src/util/metrics.js'
import { fixedClock } from '../helpers/clock.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { makeItem } from '../helpers/items.js'
import { makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs('tw-model-')

const TOPIC = PAK_AFGHAN_TOPIC.id
const source = makeSource({ id: 'dawn', title: 'Dawn' })

/** Readers' verdicts: talks and border items in, disasters that hit both countries out. */
const verdicts = (): Verdict[] => {
  const ins = [
    'Pakistan and Afghanistan hold border talks in Kabul',
    'Islamabad summons Afghan envoy over border firing',
    'Afghan Taliban delegation in Islamabad for trade talks',
    'Pakistan, Afghanistan agree to reopen Torkham after talks',
  ]
  const outs = [
    'Earthquake hits Pakistan and Afghanistan, dozens dead',
    'Floods kill hundreds across Pakistan and Afghanistan',
    'Quake death toll rises in Afghanistan and Pakistan',
    'Heatwave grips Pakistan and Afghanistan as floods recede',
  ]
  return [...ins.map((t) => [t, true] as const), ...outs.map((t) => [t, false] as const)].map(
    ([title, isIn], i) => ({
      topicId: TOPIC,
      itemId: `v${i}`,
      in: isIn,
      at: '2026-01-01T00:00:00.000Z',
      title,
    }),
  )
}

const withModel = (model: Topic['model']): Topic => ({ ...PAK_AFGHAN_TOPIC, model })

const QUAKE = makeItem({
  title: 'Earthquake kills dozens in Pakistan and Afghanistan',
  summary: 'Floods followed the quake.',
  contentHtml: '',
})
const TALKS = makeItem({
  title: 'Pakistan and Afghanistan resume talks in Kabul',
  summary: 'The border was on the agenda.',
  contentHtml: '',
})
const BORDER_ONLY = makeItem({
  title: 'Border talks resume after firing',
  summary: 'Envoy summoned over the border.',
  contentHtml: '',
})

describe('topic models in tagging', () => {
  it('filter: the rules pick, the model drops what the verdicts say is out', () => {
    const rulesOnly = topicTagger([PAK_AFGHAN_TOPIC])
    expect(rulesOnly(QUAKE, source)).toEqual([TOPIC])
    const topics = learnTopics([withModel({ mode: 'filter', threshold: 0.5 })], verdicts())
    const tag = topicTagger(topics)
    expect(tag(QUAKE, source)).toEqual([])
    expect(tag(TALKS, source)).toEqual([TOPIC])
    // the model never adds what the rules did not pick
    expect(tag(BORDER_ONLY, source)).toEqual([])
  })

  it('alone: the model decides without the rules', () => {
    const topics = learnTopics([withModel({ mode: 'alone', threshold: 0.5 })], verdicts())
    const tag = topicTagger(topics)
    expect(tag(BORDER_ONLY, source)).toEqual([TOPIC])
    expect(tag(QUAKE, source)).toEqual([])
  })

  it('a model that has not seen an item in and one out leaves the rules alone to decide', () => {
    const onlyOut = verdicts().filter((v) => !v.in)
    const topics = learnTopics([withModel({ mode: 'alone', threshold: 0.5 })], onlyOut)
    const tag = topicTagger(topics)
    expect(tag(QUAKE, source)).toEqual([TOPIC])
    expect(tag(BORDER_ONLY, source)).toEqual([])
    const explained = explainItem(QUAKE, compileTopics(topics), [])[TOPIC]
    expect(explained?.model).toEqual({ mode: 'alone', threshold: 0.5, rules: true })
  })

  it('explain shows the probability and the strongest words', () => {
    const topics = learnTopics([withModel({ mode: 'filter', threshold: 0.5 })], verdicts())
    const e = explainItem(QUAKE, compileTopics(topics), [])[TOPIC]
    expect(e?.matched).toBe(false)
    expect(e?.model?.rules).toBe(true)
    expect(e?.model?.probability).toBeLessThan(0.5)
    expect(e?.model?.learnedFrom).toEqual({ in: 4, out: 4 })
    const words = e?.model?.words ?? []
    expect(words.length).toBeGreaterThan(0)
    // the strongest word pulls out, and it is one of the disaster words the verdicts taught
    expect(words[0]?.weight).toBeLessThan(0)
    expect(words.map((w) => w.word)).toEqual(expect.arrayContaining(['floods', 'quake']))
  })

  it('a model file is the prior the verdicts update; untouched features keep their weights', () => {
    const prior: TopicModel = {
      version: 1,
      examples: { in: 10, out: 10 },
      bias: 0,
      weights: { torkham: 2, cricket: -3 },
    }
    const [t] = learnTopics([withModel({ mode: 'filter', threshold: 0.5, base: prior })], [])
    expect(t?.model?.learned).toBe(prior)
    const [u] = learnTopics(
      [withModel({ mode: 'filter', threshold: 0.5, base: prior })],
      verdicts(),
    )
    const learned = u?.model?.learned
    expect(learned?.weights.cricket).toBe(-3)
    expect(learned?.examples).toEqual({ in: 14, out: 14 })
    expect(learned?.weights.earthquake).toBeLessThan(0)
    // deterministic: the same file and verdicts, in any order, learn the same model
    const again = learnTopics(
      [withModel({ mode: 'filter', threshold: 0.5, base: prior })],
      [...verdicts()].reverse(),
    )
    expect(again[0]?.model?.learned).toEqual(learned)
  })

  it('trains from zero without a prior as before', () => {
    const m = trainTopicModel(
      verdicts().map((v) => ({ item: v, in: v.in })),
      1,
    )
    expect(m.examples).toEqual({ in: 4, out: 4 })
  })
})

describe('model: in the configuration', () => {
  const issuesOf = (text: string, file: string): string[] => {
    try {
      parseConfigText(text, file, {})
    } catch (e) {
      if (e instanceof ConfigError) return e.issues.map(formatConfigIssue)
      throw e
    }
    throw new Error('expected a ConfigError')
  }
  const yaml = (model: string) =>
    `sources: []\ntopics:\n  t:\n    match: { any: [Kabul] }\n    model:\n${model}`

  it('reads mode, threshold and the model file (relative to the configuration file)', () => {
    const dir = tempDir()
    const model: TopicModel = {
      version: 1,
      examples: { in: 1, out: 2 },
      bias: -1,
      weights: { kabul: 1 },
    }
    writeFileSync(join(dir, 'm.json'), JSON.stringify(model))
    const config = parseConfigText(
      yaml('      mode: alone\n      threshold: 0.7\n      file: m.json\n'),
      join(dir, 'c.yaml'),
      {},
    )
    expect(config.topics[0]?.model).toEqual({
      mode: 'alone',
      threshold: 0.7,
      file: 'm.json',
      base: model,
    })
    const defaults = parseConfigText(yaml('      mode: filter\n'), join(dir, 'c.yaml'), {})
    expect(defaults.topics[0]?.model).toEqual({ mode: 'filter', threshold: 0.5 })
  })

  it('names file, line and column of a bad mode, threshold, key or model file', () => {
    const dir = tempDir()
    const file = join(dir, 'c.yaml')
    expect(issuesOf(yaml('      mode: both\n'), file)).toEqual([
      `${file}:6:13: "mode" must be "filter" or "alone", got "both" (at topics.t.model.mode)`,
    ])
    expect(issuesOf(yaml('      threshold: 2\n'), file)).toEqual([
      `${file}:6:18: "threshold" must be a probability from 0 to 1, got 2 (at topics.t.model.threshold)`,
    ])
    expect(issuesOf(yaml('      treshold: 0.2\n'), file)[0]).toMatch(
      /^.*c\.yaml:6:7: unknown key "treshold" in topics\.t\.model \(did you mean "threshold"\?\)/,
    )
    expect(issuesOf(yaml('      file: none.json\n'), file)).toEqual([
      `${file}:6:13: the model file ${join(dir, 'none.json')} cannot be read: it does not exist (at topics.t.model.file)`,
    ])
    writeFileSync(join(dir, 'bad.json'), '{"version": 1, "bias": 0}')
    expect(issuesOf(yaml('      file: bad.json\n'), file)[0]).toMatch(
      /c\.yaml:6:13: the model file .*bad\.json cannot be used: it is not a topicwire model .* at examples/,
    )
  })
})

describe('learning in a running topicwire', () => {
  const config = (path: string): AppConfig =>
    testConfig({
      sources: [source],
      topics: [withModel({ mode: 'filter', threshold: 0.5 })],
      storage: { driver: 'lowdb', path, retention: { maxAgeDays: 3650, maxItemsPerSource: 2000 } },
      server: { host: '127.0.0.1', port: 0, baseUrl: 'http://localhost:8080', adminToken: 'a' },
    })
  const start = (cfg: AppConfig) =>
    createRuntime(cfg, {
      fetch: fakeFetch().fetch,
      clock: fixedClock('2026-02-01T00:00:00.000Z'),
      logger: silentLogger,
      metrics: createMetrics(),
    })
  const topicsOf = async (r: Runtime, id: string) => (await r.deps.store.getItem(id))?.topics

  // the retrain runs on a worker thread, which starts (under tsx) on the first feedback
  it('feedback retrains and re-tags; the learned model survives a restart and a reload', async () => {
    const path = join(tempDir(), 'db.json')
    const cfg = config(path)
    let runtime = await start(cfg)
    const items: Item[] = [QUAKE, TALKS].map((i) => ({
      ...i,
      topics: runtime.deps.tagger(i, source),
    }))
    await runtime.deps.store.saveIngest({
      sourceId: 'dawn',
      items,
      state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-02-01T00:15:00.000Z' },
    })
    // no verdicts yet: the rules alone, both items in
    expect(await topicsOf(runtime, QUAKE.id)).toEqual([TOPIC])
    await runtime.deps.store.saveVerdicts(verdicts())
    // the answer waits for the model here (its default wait is 2 s; the worker's first start may
    // take longer on a busy machine, and then the answer is "updating": tests/http/feedback)
    const app = createApp(runtime.deps, { learn: (t) => runtime.learn(t), learnWaitMs: 60_000 })
    const res = await app.request(`/api/topics/${TOPIC}/feedback`, {
      method: 'POST',
      headers: { Authorization: 'Bearer a' },
      body: JSON.stringify({ item: QUAKE.id, verdict: 'out' }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      verdicts: { in: 4, out: 5 },
      model: 'updated',
      retagged: 1,
    })
    expect(await topicsOf(runtime, QUAKE.id)).toEqual([])
    expect(await topicsOf(runtime, TALKS.id)).toEqual([TOPIC])
    const learned = runtime.deps.config.topics[0]?.model?.learned
    expect(learned?.examples).toEqual({ in: 4, out: 5 })
    await runtime.close()

    runtime = await start(cfg)
    expect(runtime.deps.config.topics[0]?.model?.learned).toEqual(learned)
    expect(runtime.deps.tagger(QUAKE, source)).toEqual([])
    expect(await topicsOf(runtime, QUAKE.id)).toEqual([])
    expect((await runtime.reconfigure(config(path))).retagged).toBe(0)
    expect(runtime.deps.config.topics[0]?.model?.learned).toEqual(learned)
    await runtime.close()
    const store = await createPartitionedStore({ path, readOnly: true })
    expect((await store.listVerdicts(TOPIC)).length).toBe(9)
    await store.close()
  }, 60_000)
})

describe('check --preview with a model', () => {
  it('shows what the model retrained on the stored verdicts would change', async () => {
    const store = createMemoryStore()
    const config = testConfig({
      sources: [source],
      topics: [withModel({ mode: 'filter', threshold: 0.5 })],
    })
    const rules = topicTagger([PAK_AFGHAN_TOPIC])
    await store.saveIngest({
      sourceId: 'dawn',
      items: [QUAKE, TALKS].map((i) => ({ ...i, topics: rules(i, source) })),
      state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-02-01T00:15:00.000Z' },
    })
    const untrained = await learnFromStore(config, store)
    expect(describeModels(untrained)).toEqual([
      `model of ${TOPIC}: probability ≥ 0.5 as a filter after the rules, not learned yet (needs an item in and one out): rules alone`,
    ])
    expect((await diffTopics(untrained, store)).changed).toBe(0)
    await store.saveVerdicts(verdicts())
    const learned = await learnFromStore(config, store)
    expect(describeModels(learned)).toEqual([
      `model of ${TOPIC}: probability ≥ 0.5 as a filter after the rules, retrained on 4 in / 4 out (stored verdicts)`,
    ])
    const diff = await diffTopics(learned, store)
    expect(diff.topics[0]?.removed.map((i) => i.title)).toEqual([QUAKE.title])
    expect(diff.topics[0]?.added).toEqual([])
  })
})
