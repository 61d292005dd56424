import { describe, expect, it } from 'vitest'
import { createKeyedLimiter, createLimiter } from '../../src/util/limit.js'

/** Counts how many tasks run at once, overall and per key. */
const tracker = () => {
  const now: Record<string, number> = {}
  const peak: Record<string, number> = {}
  const bump = (k: string, d: number) => {
    now[k] = (now[k] ?? 0) + d
    peak[k] = Math.max(peak[k] ?? 0, now[k] ?? 0)
  }
  const task = (key: string) => async () => {
    bump('*', 1)
    bump(key, 1)
    await new Promise((r) => setTimeout(r, 1))
    bump('*', -1)
    bump(key, -1)
    return key
  }
  return { task, peak }
}

describe('createLimiter', () => {
  it('never runs more than max tasks at once and runs them all', async () => {
    const t = tracker()
    const limit = createLimiter(3)
    const done = await Promise.all(Array.from({ length: 10 }, () => limit(t.task('x'))))
    expect(done).toHaveLength(10)
    expect(t.peak['*']).toBe(3)
  })

  it('passes results and rejections through and keeps going after a rejection', async () => {
    const limit = createLimiter(1)
    await expect(limit(async () => 42)).resolves.toBe(42)
    await expect(limit(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await expect(limit(async () => 'after')).resolves.toBe('after')
  })
})

describe('createKeyedLimiter', () => {
  it('limits each host separately and all hosts together', async () => {
    const t = tracker()
    const run = createKeyedLimiter(3, 2)
    const keys = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c']
    const done = await Promise.all(keys.map((k) => run(k, t.task(k))))
    expect(done).toEqual(keys)
    expect(t.peak['*']).toBe(3)
    expect(t.peak.a).toBe(2)
    expect(t.peak.b).toBeLessThanOrEqual(2)
    expect(t.peak.c).toBeLessThanOrEqual(2)
  })
})
