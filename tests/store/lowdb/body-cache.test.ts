/** The body cache keeps the most recently used whole items within its byte budget. */
import { describe, expect, it } from 'vitest'
import { createBodyCache } from '../../../src/store/lowdb/body-cache.js'
import { makeItem } from '../../helpers/items.js'

describe('createBodyCache', () => {
  it('drops the least recently used items past its budget, and never holds more than it', () => {
    const cache = createBodyCache<ReturnType<typeof makeItem>>(300)
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((title) => makeItem({ title }))
    cache.set(a!.id, a!, 100)
    cache.set(b!.id, b!, 100)
    cache.set(c!.id, c!, 100)
    expect(cache.get(a!.id)).toBe(a) // a is now the most recent
    cache.set(d!.id, d!, 100)
    expect(cache.get(b!.id)).toBeUndefined()
    expect([a, c, d].map((i) => cache.get(i!.id))).toEqual([a, c, d])
    expect(cache.bytes).toBe(300)
    cache.set('huge', makeItem({ title: 'huge' }), 301) // larger than the whole budget: not kept
    expect(cache.bytes).toBe(300)
    cache.delete(a!.id)
    expect(cache.bytes).toBe(200)
  })
})
