import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import type { AdminHooks } from '../../src/http/routes/admin.js'
import type { Logger } from '../../src/model/types.js'
import { makeItem } from '../helpers/items.js'
import { createTestDeps, makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'

const base = testConfig({
  sources: [makeSource({ id: 'dawn', tags: ['pakistan'] })],
  topics: [PAK_AFGHAN_TOPIC],
})
const config = testConfig({ ...base, server: { ...base.server, adminToken: 'admin-1' } })
const TOPIC = PAK_AFGHAN_TOPIC.id

const learning = testConfig({
  ...config,
  topics: [{ ...PAK_AFGHAN_TOPIC, model: { mode: 'filter', threshold: 0.5 } }],
})

const setup = async (cfg = config, hooks: AdminHooks = {}) => {
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
  const app = createApp(deps, hooks)
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
        seq: 1,
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

  it('answers once the model is learned when that is quick, "updating" when it is not', async () => {
    // quick: the answer waits for it and says what the re-tag changed
    const quick = await setup(learning, { learn: async () => ({ retagged: 3 }) })
    const done = await quick.post({ item: quick.item.id, verdict: 'out' })
    expect(await done.json()).toMatchObject({
      verdicts: { in: 0, out: 1 },
      model: 'updated',
      retagged: 3,
    })
    // slow: the verdict is stored and the answer comes after the wait, the learning goes on
    let finish = (_: { retagged: number }) => {}
    let learnt = false
    const slow = await setup(learning, {
      learn: () =>
        new Promise((resolve) => {
          finish = (r) => {
            learnt = true
            resolve(r)
          }
        }),
      learnWaitMs: 20,
    })
    const res = await slow.post({ item: slow.item.id, verdict: 'in' })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({ verdicts: { in: 1, out: 0 }, model: 'updating' })
    expect(body).not.toHaveProperty('retagged')
    expect(learnt).toBe(false)
    expect(await slow.deps.store.listVerdicts(TOPIC)).toHaveLength(1)
    finish({ retagged: 1 })
    expect(learnt).toBe(true)
  })

  it('logs a learning that fails after the answer; one that fails in time fails the request', async () => {
    let fail = (_: Error) => {}
    const late = await setup(learning, {
      learn: () => new Promise((_, reject) => (fail = reject)),
      learnWaitMs: 10,
    })
    const errors: unknown[] = []
    late.deps.logger = Object.assign(Object.create(late.deps.logger) as Logger, {
      error: (obj: unknown, msg: string) => errors.push([obj, msg]),
    })
    const res = await late.post({ item: late.item.id, verdict: 'out' })
    expect(await res.json()).toMatchObject({ model: 'updating' })
    fail(new Error('worker gone'))
    await new Promise((r) => setTimeout(r, 0))
    expect(errors).toHaveLength(1)
    expect(JSON.stringify(errors[0])).toContain('learning a verdict failed')
    const early = await setup(learning, {
      learn: async () => {
        throw new Error('worker gone')
      },
    })
    expect((await early.post({ item: early.item.id, verdict: 'out' })).status).toBe(500)
    // the verdict itself was stored before the learning: it is learned at the next start
    expect(await early.deps.store.listVerdicts(TOPIC)).toHaveLength(1)
  })

  it('says nothing about a model for a topic without one', async () => {
    const { post, item } = await setup(config, { learn: async () => ({ retagged: 9 }) })
    const body = await (await post({ item: item.id, verdict: 'in' })).json()
    expect(body).not.toHaveProperty('model')
    expect(body).not.toHaveProperty('retagged')
  })
})
