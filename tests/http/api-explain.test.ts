import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import type { AppConfig, Item, Topic } from '../../src/model/types.js'
import { MATCH_FIELDS } from '../../src/model/types.js'
import { createTagger } from '../../src/runtime.js'
import type { MatchResult } from '../../src/topics/match.js'
import { makeItem } from '../helpers/items.js'
import { createTestDeps, makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'

const topic = (id: string, match: Topic['match'], extra: Partial<Topic> = {}): Topic => ({
  id,
  title: id,
  match,
  in: [...MATCH_FIELDS],
  ...extra,
})

const BORDER = topic('border-trade', {
  any: ['title:Torkham', { near: ['Chaman', 'trade'], within: 5 }],
})
const KABUL_DESK = topic('kabul-desk', 'Kabul', { sourceTags: ['afghanistan'] })

const config = testConfig({
  sources: [
    makeSource({ id: 'dawn', title: 'Dawn', tags: ['pakistan'] }),
    makeSource({ id: 'tolo', title: 'TOLOnews', tags: ['afghanistan'] }),
  ],
  topics: [PAK_AFGHAN_TOPIC, BORDER, KABUL_DESK],
})

const rows = [
  {
    sourceId: 'dawn',
    title: 'Torkham reopens as Pakistan and Afghanistan agree on trade',
    summary: 'Trucks queued from Landi Kotal.',
    publishedAt: '2026-11-20T10:00:00.000Z',
  },
  {
    sourceId: 'dawn',
    title: 'Pakistan beat Afghanistan in Kabul cricket friendly',
    summary: 'A crowd of 5,000 watched.',
    publishedAt: '2026-11-20T09:00:00.000Z',
  },
  {
    sourceId: 'tolo',
    title: 'Kabul traders look to Chaman for trade routes',
    summary: 'Officials in Islamabad were not consulted.',
    publishedAt: '2026-11-20T08:00:00.000Z',
  },
]

/** Deps over a memory store holding the rows, tagged at ingest with the configuration's rules. */
const setup = async (cfg: AppConfig = config) => {
  const deps = createTestDeps(cfg)
  const tagger = createTagger(cfg)
  for (const source of cfg.sources) {
    const items = rows
      .filter((r) => r.sourceId === source.id)
      .map((r) => makeItem({ ...r, contentHtml: undefined }))
      .map((i) => ({ ...i, topics: tagger(i, source) }))
    await deps.store.saveIngest({
      sourceId: source.id,
      items,
      state: { sourceId: source.id, failures: 0, nextPollAt: '2026-11-20T12:15:00.000Z' },
    })
  }
  return { deps, app: createApp(deps) }
}

type Explained = Item & { explain?: Record<string, MatchResult> }

const getItems = async (app: ReturnType<typeof createApp>, path: string) => {
  const res = await app.request(path)
  expect(res.status, path).toBe(200)
  return ((await res.json()) as { items: Explained[] }).items
}

const byTitle = (items: Explained[], start: string): Explained => {
  const found = items.find((i) => i.title.startsWith(start))
  if (!found) throw new Error(`no item "${start}"`)
  return found
}

describe('GET /api/items?explain=1', () => {
  it('explains every configured topic for every item, in configuration order', async () => {
    const { app } = await setup()
    const items = await getItems(app, '/api/items?explain=1&clusters=all')
    expect(items).toHaveLength(3)
    for (const item of items) {
      expect(Object.keys(item.explain ?? {})).toEqual([
        'pakistan-afghanistan',
        'border-trade',
        'kabul-desk',
      ])
      const matched = Object.entries(item.explain ?? {})
        .filter(([, r]) => r.matched)
        .map(([id]) => id)
        .sort()
      expect(matched, item.title).toEqual(item.topics)
    }
  })

  it('names the terms that matched and the field each matched in', async () => {
    const { app } = await setup()
    const torkham = byTitle(await getItems(app, '/api/items?explain=1'), 'Torkham reopens')
    expect(torkham.explain?.['border-trade']).toEqual({
      matched: true,
      score: 1,
      terms: [{ term: 'title:Torkham', field: 'title' }],
    })
    expect(torkham.explain?.['pakistan-afghanistan']).toEqual({
      matched: true,
      score: 3,
      terms: [
        { term: 'Pakistan', field: 'title' },
        { term: 'Afghanistan', field: 'title' },
        { term: 'Torkham', field: 'title' },
      ],
    })
    const chaman = byTitle(await getItems(app, '/api/items?explain=1'), 'Kabul traders')
    expect(chaman.explain?.['border-trade']?.terms).toEqual([
      { term: 'near: [Chaman, trade] within 5', field: 'title' },
    ])
    expect(chaman.explain?.['pakistan-afghanistan']?.terms).toEqual([
      { term: 'Islamabad', field: 'summary' },
      { term: 'Kabul', field: 'title' },
    ])
  })

  it('shows near misses: the excluding term, and a topic ruled out by source tags', async () => {
    const { app } = await setup()
    const cricket = byTitle(await getItems(app, '/api/items?explain=true'), 'Pakistan beat')
    expect(cricket.explain?.['pakistan-afghanistan']).toMatchObject({
      matched: false,
      excluded: [{ term: 'cricket', field: 'title' }],
    })
    expect(cricket.explain?.['pakistan-afghanistan']?.terms.length).toBeGreaterThan(0)
    expect(cricket.explain?.['kabul-desk']).toEqual({
      matched: false,
      score: 1,
      terms: [{ term: 'Kabul', field: 'title' }],
      sourceAllowed: false,
    })
    const tolo = byTitle(await getItems(app, '/api/items?explain=1'), 'Kabul traders')
    expect(tolo.explain?.['kabul-desk']?.matched).toBe(true)
    expect(tolo.explain?.['border-trade']?.excluded).toBeUndefined()
  })

  it.each([
    '/api/items',
    '/api/items?explain=0',
    '/api/items?explain=false',
    '/api/items?explain=',
  ])('%s leaves explain out', async (path) => {
    const { app } = await setup()
    const items = await getItems(app, path)
    expect(items.length).toBeGreaterThan(0)
    for (const item of items) expect(item).not.toHaveProperty('explain')
  })

  it.each([
    ['/api/items?explain=yes', 'explain'],
    ['/api/items?explain=2', 'explain'],
    ['/topics/pakistan-afghanistan.rss?explain=1', 'explain'],
    ['/search.json?explain=1', 'explain'],
    ['/api/items?explian=1', 'explian'],
  ])('%s → 400 naming %s', async (path, param) => {
    const { app } = await setup()
    const res = await app.request(path)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param)
  })

  it('follows a configuration swapped in at run time (reload)', async () => {
    const { deps, app } = await setup()
    const before = byTitle(await getItems(app, '/api/items?explain=1'), 'Kabul traders')
    expect(before.explain?.['border-trade']?.matched).toBe(true)
    deps.config = {
      ...config,
      topics: [PAK_AFGHAN_TOPIC, topic('border-trade', 'title:Torkham'), KABUL_DESK],
    }
    const after = byTitle(await getItems(app, '/api/items?explain=1'), 'Kabul traders')
    expect(after.explain?.['border-trade']).toEqual({ matched: false, score: 0, terms: [] })
  })
})
