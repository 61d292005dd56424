import { existsSync, mkdirSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBodySpill } from '../../../src/store/lowdb/body-spill.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-spill-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** A body of exactly `n` bytes, its own letter repeated (bodies next to each other differ). */
const body = (k: number, n: number): Buffer =>
  Buffer.from(String.fromCharCode(97 + (k % 26)).repeat(n))

describe('createBodySpill', () => {
  it('reads back every body put, whether it waits in the buffer or lies in the file', () => {
    const file = join(dir, 'mixed.tmp')
    const spill = createBodySpill(file, 64)
    // Sizes that fill the 64-byte buffer unevenly, one larger than it, and small ones after.
    const sizes = [10, 30, 20, 9, 64, 65, 200, 1, 63, 12, 12]
    const spans = sizes.map((n, k) => spill.put(body(k, n)))
    expect(spill.size()).toBe(sizes.reduce((a, b) => a + b, 0))
    // The file holds what no longer fits in the buffer, not every body.
    expect(statSync(file).size).toBeLessThan(spill.size())
    for (const [k, span] of spans.entries()) {
      expect(spill.read(span).toString()).toBe(body(k, sizes[k]!).toString())
    }
    spill.close()
    expect(existsSync(file)).toBe(false)
  })

  it('gives a copy: a body read stays as it was when later bodies are put', () => {
    const spill = createBodySpill(join(dir, 'copy.tmp'), 32)
    const first = spill.put(body(1, 8))
    const read = spill.read(first)
    for (let k = 2; k < 20; k++) spill.put(body(k, 8))
    expect(read.toString()).toBe(body(1, 8).toString())
    expect(spill.read(first).toString()).toBe(body(1, 8).toString())
    spill.close()
  })

  it('reads into a scratch buffer it makes larger as spans need, from the buffer and the file', () => {
    const spill = createBodySpill(join(dir, 'scratch.tmp'), 64)
    const sizes = [10, 30, 20, 9, 64, 65, 200, 1, 63, 12, 12]
    const spans = sizes.map((n, k) => spill.put(body(k, n)))
    const scratch = { buffer: Buffer.alloc(0) }
    for (const [k, span] of [...spans.entries()].reverse()) {
      const read = spill.read(span, scratch)
      expect(read.toString()).toBe(body(k, sizes[k]!).toString())
      expect(read.buffer).toBe(scratch.buffer.buffer)
    }
    expect(scratch.buffer.length).toBeGreaterThanOrEqual(200)
    spill.close()
  })

  it('starts over after clear, and makes no file while the buffer holds every body', () => {
    const file = join(dir, 'clear.tmp')
    const spill = createBodySpill(file, 1024)
    spill.put(body(1, 100))
    expect(existsSync(file)).toBe(false)
    spill.clear()
    expect(spill.size()).toBe(0)
    const again = spill.put(body(2, 50))
    expect(again).toEqual({ off: 0, len: 50 })
    expect(spill.read(again).toString()).toBe(body(2, 50).toString())
    expect(() => spill.read({ off: 50, len: 10 })).toThrow(/ends before byte 60/)
    spill.close()
  })

  it('keeps the bodies it had when a write fails, and the put that needed it throws', () => {
    // A folder where the file should be: opening it for writing fails.
    const file = join(dir, 'blocked.tmp')
    mkdirSync(file)
    const spill = createBodySpill(file, 32)
    const kept = spill.put(body(1, 20))
    expect(() => spill.put(body(2, 20))).toThrow()
    expect(spill.size()).toBe(20)
    expect(spill.read(kept).toString()).toBe(body(1, 20).toString())
    spill.close()
  })
})
