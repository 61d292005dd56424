/**
 * Start-up and reload skip the re-tag of every stored item when the rules they were tagged under
 * are the ones running (a fingerprint kept in the store), and re-tag when they are not: other
 * rules, a source's tags changed, a process that stored items under other rules, a re-tag cut short.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { AppConfig, Item, Store } from '../../src/model/types.js'
import { createRuntime } from '../../src/runtime.js'
import { createPartitionedStore } from '../../src/store/lowdb/partitioned-store.js'
import { taggingFingerprint } from '../../src/topics/tagging-fingerprint.js'
import { silentLogger } from '../../src/util/logger.js'
import { createMetrics } from '../../src/util/metrics.js'
import { fixedClock } from '../helpers/clock.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { makeItem } from '../helpers/items.js'
import { makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'

const before = testConfig({ sources: [makeSource({ id: 'dawn', title: 'Dawn' })] })
/** Other rules: any mention of Pakistan is enough. */
const after: AppConfig = {
  ...before,
  topics: [{ ...PAK_AFGHAN_TOPIC, match: { any: ['Pakistan'] } }],
}

let dirs: string[] = []
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
  dirs = []
})

/** A store folder that outlives the runtimes opened on it, like a data folder across restarts. */
const dataPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'topicwire-fingerprint-'))
  dirs.push(dir)
  return join(dir, 'db.json')
}

/** The store, counting its re-tags. */
const counted = async (path: string) => {
  const store = await createPartitionedStore({ path })
  let retags = 0
  const wrapped: Store = {
    ...store,
    retag: (tagger) => {
      retags++
      return store.retag(tagger)
    },
  }
  return { store: wrapped, retags: () => retags }
}

/** What `serve` does at start: a runtime, then reconfigure with the file's rules. */
const start = async (path: string, config: AppConfig, opts: { reconfigure?: boolean } = {}) => {
  const { store, retags } = await counted(path)
  const runtime = await createRuntime(config, {
    store,
    fetch: fakeFetch().fetch,
    clock: fixedClock('2024-05-02T00:00:00.000Z'),
    logger: silentLogger,
    metrics: createMetrics(),
  })
  const result = opts.reconfigure === false ? undefined : await runtime.reconfigure(config)
  return { runtime, store, retags, retagged: result?.retagged }
}

const TITLES = ['Pakistan and Afghan officials reopen Torkham', 'Pakistan budget passes']

const storeItems = async (runtime: Awaited<ReturnType<typeof start>>['runtime'], store: Store) => {
  const source = before.sources[0] ?? makeSource({ id: 'dawn' })
  const items: Item[] = TITLES.map((title, i) =>
    makeItem({ sourceId: 'dawn', title, summary: '', publishedAt: `2024-05-01T1${i}:00:00.000Z` }),
  ).map((item) => ({ ...item, topics: runtime.deps.tagger(item, source) }))
  await store.saveIngest({
    sourceId: 'dawn',
    items,
    state: { sourceId: 'dawn', failures: 0, nextPollAt: '2024-05-02T00:15:00.000Z' },
  })
}

const topicTitles = async (store: Store) =>
  (await store.queryItems({ limit: 10, clusters: 'all', topics: ['pakistan-afghanistan'] })).items
    .map((i) => i.title)
    .sort()

describe('the tagging fingerprint', () => {
  it('skips the re-tag at a restart with the same rules, and re-tags at one with other rules', async () => {
    const path = dataPath()
    const first = await start(path, before)
    expect(first.retags()).toBe(1) // a new store: nothing known yet
    await storeItems(first.runtime, first.store)
    expect(await topicTitles(first.store)).toEqual([TITLES[0]])
    await first.runtime.close()

    const same = await start(path, before)
    expect(same.retags()).toBe(0)
    expect(same.retagged).toBe(0)
    await same.runtime.close()

    const other = await start(path, after)
    expect(other.retags()).toBe(1)
    expect(other.retagged).toBe(1)
    expect(await topicTitles(other.store)).toEqual([...TITLES].sort())
    await other.runtime.close()

    // and back: the items were tagged under `after`, so `before` re-tags them again
    const back = await start(path, before)
    expect(back.retags()).toBe(1)
    expect(await topicTitles(back.store)).toEqual([TITLES[0]])
    await back.runtime.close()
  })

  it('re-tags at a reload only when the rules changed', async () => {
    const { runtime, retags } = await start(dataPath(), before)
    expect(retags()).toBe(1)
    await runtime.reconfigure({ ...before, topics: [...before.topics] })
    expect(retags()).toBe(1)
    await runtime.reconfigure(after)
    expect(retags()).toBe(2)
    await runtime.close()
  })

  it('is forgotten by a process that stores items under other rules without re-tagging (fetch --once)', async () => {
    const path = dataPath()
    const first = await start(path, before)
    await first.runtime.close()
    const once = await start(path, after, { reconfigure: false })
    expect(await once.store.taggedWith?.()).toBeUndefined()
    await storeItems(once.runtime, once.store)
    await once.runtime.close()

    const next = await start(path, before)
    expect(next.retags()).toBe(1)
    expect(await topicTitles(next.store)).toEqual([TITLES[0]])
    await next.runtime.close()
  })

  it('is forgotten while a re-tag runs, so one cut short is redone at the next start', async () => {
    const path = dataPath()
    const first = await start(path, before)
    await storeItems(first.runtime, first.store)
    await first.runtime.close()
    // a re-tag under other rules whose writes reach the disk, then the process dies before the
    // fingerprint is recorded
    const inner = await createPartitionedStore({ path })
    const dying: Store = {
      ...inner,
      retag: async (tagger) => {
        await inner.retag(tagger)
        await inner.flush()
        throw new Error('killed')
      },
    }
    const runtime = await createRuntime(after, {
      store: dying,
      fetch: fakeFetch().fetch,
      logger: silentLogger,
      metrics: createMetrics(),
    })
    await expect(runtime.reconfigure(after)).rejects.toThrow('killed')
    expect(await inner.taggedWith?.()).toBeUndefined()
    await runtime.close()
    // back on the old rules: the half-done re-tag is undone, not trusted
    const next = await start(path, before)
    expect(next.retags()).toBe(1)
    expect(await topicTitles(next.store)).toEqual([TITLES[0]])
    await next.runtime.close()
  })

  it('changes with the rules and with a source’s tags, and not otherwise', () => {
    const fp = taggingFingerprint(before.topics, before.sources)
    expect(
      taggingFingerprint(structuredClone(before.topics), structuredClone(before.sources)),
    ).toBe(fp)
    expect(taggingFingerprint(after.topics, before.sources)).not.toBe(fp)
    const tagged = before.sources.map((s) => ({ ...s, tags: [...s.tags, 'pakistani'] }))
    expect(taggingFingerprint(before.topics, tagged)).not.toBe(fp)
    const slower = before.sources.map((s) => ({ ...s, title: 'Dawn (renamed)' }))
    expect(taggingFingerprint(before.topics, slower)).toBe(fp)
  })
})
