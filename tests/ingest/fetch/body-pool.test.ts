import { describe, expect, it } from 'vitest'
import { createBodyPool } from '../../../src/ingest/fetch/body-pool.js'

describe('createBodyPool', () => {
  it('takes a buffer of the size class (a power of two, at least 16 KB)', () => {
    const pool = createBodyPool()
    expect(pool.take(10).length).toBe(16 * 1024)
    expect(pool.take(80_000).length).toBe(128 * 1024)
    expect(pool.take(128 * 1024).length).toBe(128 * 1024)
    expect(pool.take(128 * 1024 + 1).length).toBe(256 * 1024)
  })

  it('hands a buffer given back (or a view of it) to the next take of its class', () => {
    const pool = createBodyPool()
    const a = pool.take(80_000)
    pool.give(a.subarray(0, 80_000))
    expect(pool.heldBytes()).toBe(128 * 1024)
    const b = pool.take(70_000)
    expect(b.buffer).toBe(a.buffer)
    expect(pool.heldBytes()).toBe(0)
    // Another class is not served from it.
    pool.give(b)
    expect(pool.take(20_000).buffer).not.toBe(a.buffer)
  })

  it('ignores a buffer it did not make, one given twice and one transferred away', () => {
    const pool = createBodyPool()
    pool.give(Buffer.from('a slice of node’s shared pool'))
    pool.give(Buffer.alloc(64 * 1024))
    expect(pool.heldBytes()).toBe(0)
    const a = pool.take(20_000)
    pool.give(a)
    pool.give(a)
    expect(pool.heldBytes()).toBe(32 * 1024)
    const first = pool.take(20_000)
    const second = pool.take(20_000)
    expect(first.buffer).toBe(a.buffer)
    expect(second.buffer).not.toBe(a.buffer)
    // Transferred (as a worker's message may take it): detached, nothing to keep.
    const ab = second.buffer as ArrayBuffer
    structuredClone(ab, { transfer: [ab] })
    pool.give(second)
    expect(pool.heldBytes()).toBe(0)
  })

  it('keeps at most maxHeldBytes, and no buffer larger than 4 MB', () => {
    const pool = createBodyPool({ maxHeldBytes: 64 * 1024 })
    const bufs = [pool.take(20_000), pool.take(20_000), pool.take(20_000)]
    for (const b of bufs) pool.give(b)
    expect(pool.heldBytes()).toBe(64 * 1024)
    const big = pool.take(5 * 1_048_576)
    expect(big.length).toBe(5 * 1_048_576)
    createBodyPool({ maxHeldBytes: 64 * 1_048_576 }).give(big)
    const roomy = createBodyPool({ maxHeldBytes: 64 * 1_048_576 })
    roomy.give(roomy.take(5 * 1_048_576))
    expect(roomy.heldBytes()).toBe(0)
  })
})
