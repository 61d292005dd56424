import { describe, expect, it } from 'vitest'
import { frozenReason } from '../../src/store/frozen-reason.js'

describe('frozenReason', () => {
  it('copies a similar reason with its score, frozen', () => {
    const given = { via: 'similar' as const, matchedId: 'a1', score: 0.25 }
    const r = frozenReason(given)
    expect(r).toEqual(given)
    expect(r).not.toBe(given)
    expect(Object.isFrozen(r)).toBe(true)
  })

  it('has no score key for a url reason, and keeps a whole score', () => {
    expect(Object.keys(frozenReason({ via: 'url', matchedId: 'b2' }))).toEqual(['via', 'matchedId'])
    expect(frozenReason({ via: 'similar', matchedId: 'c3', score: 1 }).score).toBe(1)
  })
})
