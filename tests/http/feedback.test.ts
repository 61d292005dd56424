import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import { makeItem } from '../helpers/items.js'
import { createTestDeps, makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'

const base = testConfig({
  sources: [makeSource({ id: 'dawn', tags: ['pakistan'] })],
  topics: [PAK_AFGHAN_TOPIC],
})
const config = testConfig({ ...base, server: { ...base.server, adminToken: 'admin-1' } })
const TOPIC = PAK_AFGHAN_TOPIC.id

const setup = async (cfg = config) => {
  const deps = createTestDeps(cfg)
  const item = makeItem({
    sourceId: 'dawn',
    title: 'Quake hits Pakistan and Afghanistan',
    summary: 'Tolls rise.',
  })
  await deps.store.saveIngest({
    sourceId: 'dawn',
    items: [item],
    state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-01-01T00:00:00.000Z' },
  })
  const app = createApp(deps)
  const post = (body: unknown, topic = TOPIC, token = 'admin-1') =>
    app.request(`/api/topics/${topic}/feedback`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  return { deps, item, post }
}

describe('POST /api/topics/{id}/feedback', () => {
  it('stores the verdict with the item text; a later verdict replaces it', async () => {
    const { deps, item, post } = await setup()
    const res = await post({ item: item.id, verdict: 'out' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      topic: TOPIC,
      item: item.id,
      verdict: 'out',
      verdicts: { in: 0, out: 1 },
    })
    expect(await deps.store.listVerdicts(TOPIC)).toEqual([
      {
        topicId: TOPIC,
        itemId: item.id,
        in: false,
        at: deps.clock.now().toISOString(),
        title: item.title,
        summary: 'Tolls rise.',
      },
    ])
    expect(await (await post({ item: item.id, verdict: 'in' })).json()).toMatchObject({
      verdicts: { in: 1, out: 0 },
    })
  })

  it.each([
    ['a wrong token', { item: 'x', verdict: 'in' }, TOPIC, 'nope', 401],
    ['an unknown topic', { item: 'x', verdict: 'in' }, 'nope', 'admin-1', 404],
    ['an unknown item', { item: 'x', verdict: 'in' }, TOPIC, 'admin-1', 404],
    ['a verdict other than in/out', { item: 'x', verdict: 'maybe' }, TOPIC, 'admin-1', 400],
    ['a body that is not JSON', 'in please', TOPIC, 'admin-1', 400],
    ['a body over 4 KB', { item: 'x'.repeat(5000), verdict: 'in' }, TOPIC, 'admin-1', 400],
  ])('refuses %s and stores nothing', async (_, body, topic, token, status) => {
    const { deps, post } = await setup()
    expect((await post(body, topic, token)).status).toBe(status)
    expect(await deps.store.listVerdicts()).toEqual([])
  })

  it('is disabled (403) without an admin token', async () => {
    const { post } = await setup(base)
    expect((await post({ item: 'x', verdict: 'in' })).status).toBe(403)
  })
})
