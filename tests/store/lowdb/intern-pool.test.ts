/** The pool of values lean items repeat: equal lists shared and frozen, a bounded table. */
import { describe, expect, it } from 'vitest'
import { createInternPool } from '../../../src/store/lowdb/intern-pool.js'
import { leanItem } from '../../../src/store/lowdb/lean-item.js'
import { makeItem } from '../../helpers/items.js'

describe('createInternPool', () => {
  it('gives one frozen list for equal lists, and keeps different ones apart', () => {
    const pool = createInternPool()
    const a = pool.list(['trade', 'border'])
    expect(pool.list(['trade', 'border'])).toBe(a)
    expect(Object.isFrozen(a)).toBe(true)
    expect(a).toEqual(['trade', 'border'])
    expect(pool.list(['border', 'trade'])).not.toBe(a)
    expect(pool.list(['trade'])).toEqual(['trade'])
    // Same joined key, different lists.
    const x = pool.list(['a\u0000b'])
    const y = pool.list(['a', 'b'])
    expect(x).toEqual(['a\u0000b'])
    expect(y).toEqual(['a', 'b'])
    expect(pool.list([''])).toEqual([''])
  })

  it('starts over when full: values stay right, the table stays bounded', () => {
    const pool = createInternPool(4)
    const first = pool.list(['t0'])
    for (let i = 1; i <= 4; i++) pool.list([`t${i}`])
    const again = pool.list(['t0'])
    expect(again).toEqual(['t0'])
    expect(again).not.toBe(first) // forgotten when the table filled
    expect(pool.list(['t0'])).toBe(again)
    for (let i = 0; i < 100; i++) expect(pool.str(`s${i}`)).toBe(`s${i}`)
  })
})

describe('leanItem topics', () => {
  it('lean copies of items with equal topics share one frozen list; none share the empty one', () => {
    const a = leanItem(makeItem({ id: 'a', topics: ['pak-afg', 'trade'] }))
    const b = leanItem(makeItem({ id: 'b', topics: ['pak-afg', 'trade'] }))
    expect(b.topics).toBe(a.topics)
    expect(Object.isFrozen(a.topics)).toBe(true)
    expect(a.topics).toEqual(['pak-afg', 'trade'])
    const c = leanItem(makeItem({ id: 'c', topics: [] }))
    const d = leanItem(makeItem({ id: 'd', topics: [] }))
    expect(c.topics).toBe(d.topics)
    expect(c.topics).toEqual([])
  })
})
