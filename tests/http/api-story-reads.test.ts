import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import type { Item } from '../../src/model/types.js'
import { makeItem } from '../helpers/items.js'
import { createTestDeps, makeSource, testConfig } from '../helpers/runtime.js'

describe('/api/items: story member reads', () => {
  it('reads each story once and a few at a time, however long the page', async () => {
    const deps = createTestDeps(testConfig({ sources: [makeSource({ id: 'dawn' })] }))
    const items: Item[] = Array.from({ length: 120 }, (_, i) =>
      makeItem({
        sourceId: 'dawn',
        title: `Report ${i}`,
        publishedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      }),
    )
    // Pairs of items share a story: 60 stories on the page.
    for (let i = 1; i < items.length; i += 2) items[i]!.clusterId = items[i - 1]!.id
    await deps.store.saveIngest({
      sourceId: 'dawn',
      items,
      state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-01-02T00:00:00.000Z' },
    })
    const store = deps.store
    const read = store.clusterMembers!.bind(store)
    let running = 0
    let most = 0
    const asked: string[] = []
    // A database store answers later; the memory store at once, so wait a turn to overlap.
    store.clusterMembers = async (id) => {
      asked.push(id)
      most = Math.max(most, ++running)
      await new Promise((ok) => setTimeout(ok, 1))
      running--
      return read(id)
    }
    const res = await createApp(deps).request('/api/items?limit=500&clusters=all')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { items: { id: string; story: { size?: number } }[] }
    expect(body.items).toHaveLength(120)
    expect(asked).toHaveLength(60)
    expect(new Set(asked).size).toBe(60)
    expect(most).toBeGreaterThan(1)
    expect(most).toBeLessThanOrEqual(4)
  })
})
