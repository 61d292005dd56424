/** The memory store: the Store contract plus snapshot/load, immutability and revision counting. */
import { describe, expect, it } from 'vitest'
import type { SourceState } from '../../src/model/types.js'
import { createMemoryStore } from '../../src/store/memory.js'
import { makeItem } from '../helpers/items.js'
import { describeStore, hoursAfter } from './contract.js'

describeStore('memory', async () => createMemoryStore())

describe('createMemoryStore', () => {
  const state = { sourceId: 'dawn', failures: 0, nextPollAt: hoursAfter(3) }

  it('round-trips its data through snapshot and load', async () => {
    const a = createMemoryStore()
    const items = [
      makeItem({ title: 'one', publishedAt: hoursAfter(1), topics: ['t'] }),
      makeItem({ title: 'two', publishedAt: hoursAfter(2) }),
    ]
    await a.saveIngest({ sourceId: 'dawn', items, state })
    const snap = a.snapshot()
    expect(snap).toEqual({
      version: 1,
      states: { dawn: { ...state, itemCount: 2 } },
      items: [items[1], items[0]],
    })
    const b = createMemoryStore()
    b.load(JSON.parse(JSON.stringify(snap)))
    expect(b.snapshot()).toEqual(snap)
    expect((await b.queryItems({ limit: 5, clusters: 'all', topics: ['t'] })).items).toEqual([
      items[0],
    ])
  })

  it('keeps the states a frozen load hands over, frozen where they lie, and copies the others', async () => {
    const handed = (): SourceState => ({
      ...state,
      lastError: { code: 'fetch', message: 'refused', at: hoursAfter(1) },
      pendingRedirect: { url: 'https://dawn.example/new', firstSeenAt: hoursAfter(1) },
      recovered: ['unescaped &'],
      history: [{ at: hoursAfter(1), outcome: 'not-modified', status: 304 }],
    })
    const owned = handed()
    const a = createMemoryStore()
    a.load({ version: 1, states: { dawn: owned }, items: [] }, true)
    const got = await a.getState('dawn')
    expect(got).toBe(owned)
    for (const part of [got, got?.lastError, got?.pendingRedirect, got?.recovered, got?.history])
      expect(Object.isFrozen(part)).toBe(true)
    expect(Object.isFrozen(got?.history?.[0])).toBe(true)
    // not handed over: a frozen copy, the caller's objects left as they were
    const lent = handed()
    const b = createMemoryStore()
    b.load({ version: 1, states: { dawn: lent }, items: [] })
    const copy = await b.getState('dawn')
    expect(copy).not.toBe(lent)
    expect(copy).toEqual(lent)
    expect(Object.isFrozen(copy?.history?.[0])).toBe(true)
    expect(Object.isFrozen(lent) || Object.isFrozen(lent.history?.[0])).toBe(false)
  })

  it('hands out frozen items, so indexes cannot be corrupted from outside', async () => {
    const s = createMemoryStore()
    const item = makeItem({ topics: ['t'] })
    await s.saveIngest({ sourceId: 'dawn', items: [item], state })
    const got = await s.getItem(item.id)
    expect(Object.isFrozen(got)).toBe(true)
    expect(Object.isFrozen(got?.topics)).toBe(true)
  })

  it("keeps a story's reason that is frozen as it is (the story index holds it too), and a frozen copy of one that is not", async () => {
    const s = createMemoryStore()
    const frozen = Object.freeze({ via: 'similar' as const, matchedId: 'm1', score: 0.5 })
    const open = { via: 'url' as const, matchedId: 'm2' }
    const a = makeItem({ title: 'a', clusterId: 'm1', clusterReason: frozen })
    const b = makeItem({ title: 'b', clusterId: 'm2', clusterReason: open })
    await s.saveIngest({ sourceId: 'dawn', items: [a, b], state })
    expect((await s.getItem(a.id))?.clusterReason).toBe(frozen)
    const kept = (await s.getItem(b.id))?.clusterReason
    expect(kept).toEqual(open)
    expect(kept).not.toBe(open)
    expect(Object.isFrozen(kept)).toBe(true)
  })

  it('hands out frozen states, and keeps its own copy of what it is given', async () => {
    const s = createMemoryStore()
    const given: SourceState = {
      ...state,
      lastError: { code: 'http', message: 'HTTP 500', at: hoursAfter(0) },
      history: [{ at: hoursAfter(0), outcome: 'error', status: 500 }],
    }
    await s.saveState(given)
    // The caller's objects stay its own to change; the stored state does not follow.
    given.failures = 9
    given.history?.push({ at: hoursAfter(1), outcome: 'ok', status: 200 })
    const got = await s.getState(state.sourceId)
    expect(got).toMatchObject({ failures: state.failures, history: [{ status: 500 }] })
    expect(Object.isFrozen(given)).toBe(false)
    for (const part of [got, got?.lastError, got?.history, got?.history?.[0]])
      expect(Object.isFrozen(part)).toBe(true)
    // The next poll's state shares the frozen records of the last one instead of copying them.
    const next: SourceState = {
      ...got!,
      history: [...(got?.history ?? []), { at: hoursAfter(2), outcome: 'ok' }],
    }
    await s.saveState(next)
    expect((await s.getState(state.sourceId))?.history?.[0]).toBe(got?.history?.[0])
    // Records in another order or new ones among the stored: every one comes back frozen.
    const stored = (await s.getState(state.sourceId))?.history ?? []
    const fresh = { at: hoursAfter(3), outcome: 'ok' as const }
    await s.saveState({ ...got!, history: [fresh, ...[...stored].reverse(), { ...fresh }] })
    const mixed = (await s.getState(state.sourceId))?.history ?? []
    expect(mixed.map((p) => p.at)).toEqual([
      hoursAfter(3),
      hoursAfter(2),
      hoursAfter(0),
      hoursAfter(3),
    ])
    for (const p of mixed) expect(Object.isFrozen(p)).toBe(true)
    expect(Object.isFrozen(fresh)).toBe(false)
  })

  it('keeps states frozen when retention recounts their items', async () => {
    const s = createMemoryStore()
    const items = [0, 1, 2].map((h) => makeItem({ title: `d${h}`, publishedAt: hoursAfter(h) }))
    await s.saveIngest({ sourceId: 'dawn', items, state })
    expect(await s.prune({ maxAgeDays: 30, maxItemsPerSource: 1 }, new Date(hoursAfter(5)))).toBe(2)
    const got = await s.getState('dawn')
    expect(got).toMatchObject({ itemCount: 1 })
    expect(Object.isFrozen(got)).toBe(true)
  })

  it('removes an item that cannot be dated by age, and counts a source over its cap only', async () => {
    const s = createMemoryStore()
    await s.saveIngest({
      sourceId: 'dawn',
      items: [makeItem({ title: 'undated', publishedAt: 'not a date' })],
      state,
    })
    const fresh = [1, 2].map((h) =>
      makeItem({ sourceId: 'geo', title: `g${h}`, publishedAt: hoursAfter(h) }),
    )
    await s.saveIngest({ sourceId: 'geo', items: fresh, state: { ...state, sourceId: 'geo' } })
    const now = new Date(hoursAfter(3))
    expect(await s.prune({ maxAgeDays: 30, maxItemsPerSource: 2 }, now)).toBe(1)
    expect((await s.queryItems({ limit: 9, clusters: 'all' })).items.map((i) => i.title)).toEqual([
      'g2',
      'g1',
    ])
  })

  it('counts state-only changes in revision() but not in version()', async () => {
    const s = createMemoryStore()
    const r0 = s.revision()
    const v0 = s.version()
    await s.saveState(state)
    expect(s.revision()).toBe(r0 + 1)
    await s.saveState({ ...state })
    expect(s.revision()).toBe(r0 + 1)
    await s.claimDue(new Date(hoursAfter(0)), ['geo'], 1)
    expect(s.revision()).toBe(r0 + 2)
    expect(s.version()).toBe(v0)
  })

  it('rejects items of another source than the one being saved', async () => {
    const s = createMemoryStore()
    const item = makeItem({ sourceId: 'geo' })
    await expect(s.saveIngest({ sourceId: 'dawn', items: [item], state })).rejects.toThrow(
      /source "dawn" was given data of source "geo"/,
    )
    expect(await s.countItems()).toBe(0)
  })
})
