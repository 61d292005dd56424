import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
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

  it('reads spans in a given order, a segment at a time or alone, from memory and the file', () => {
    const file = join(dir, 'reader.tmp')
    // 64-byte segments, each written when sealed; three keys interleaved, two bodies larger
    // than a segment.
    const spill = createBodySpill(file, 64)
    const sizes = [10, 30, 20, 9, 64, 65, 200, 1, 63, 12, 12, 7, 7, 7, 7, 7, 40, 3]
    const spans = sizes.map((n, k) => spill.put(body(k, n), `key${k % 3}`))
    // Some in the file, some still in memory.
    expect(statSync(file).size).toBeGreaterThan(0)
    expect(statSync(file).size).toBeLessThan(spill.size())
    const order = [...spans.keys()].sort((a, b) => ((a * 7) % 11) - ((b * 7) % 11) || a - b)
    for (const budget of [0, 64, 128, 1 << 20]) {
      const reader = spill.reader(
        order.map((k) => spans[k]!),
        budget,
      )
      const before: string[] = []
      for (const k of order) {
        const read = reader.read(spans[k]!)
        // A view, valid until the next read: what it held stays as read once copied.
        before.push(read.toString())
        expect(read.toString()).toBe(body(k, sizes[k]!).toString())
      }
      expect(before).toEqual(order.map((k) => body(k, sizes[k]!).toString()))
    }
    spill.close()
  })

  it('keeps the bodies of a key together in the file, and starts the next segment when one is full', () => {
    const file = join(dir, 'keys.tmp')
    // 32-byte segments, each written when sealed; at most 4 keys' segments filled at once.
    const spill = createBodySpill(file, 32, 128)
    const keys = ['a', 'b', 'c']
    const spans = Array.from({ length: 30 }, (_, k) => spill.put(body(k, 10), keys[k % 3]))
    for (const [k, span] of spans.entries()) {
      // Three bodies of 10 bytes fill a 32-byte segment, all of one key.
      expect(span.seg).toBe(spans[k - (Math.floor(k / 3) % 3) * 3]!.seg)
      if (k % 3 !== 0) expect(span.seg).not.toBe(spans[k - 1]!.seg)
    }
    // Every body in the file lies beside the others of its segment, in the order put.
    spill.reader([]).read(spans[0]!)
    const bytes = readFileSync(file)
    for (const span of spans.filter((s) => s.seg.off >= 0)) {
      const k = spans.indexOf(span)
      expect(bytes.subarray(span.seg.off + span.at, span.seg.off + span.at + 10).toString()).toBe(
        body(k, 10).toString(),
      )
    }
    expect(spans.filter((s) => s.seg.off >= 0).length).toBeGreaterThanOrEqual(18)
    for (const [k, span] of spans.entries())
      expect(spill.read(span).toString()).toBe(body(k, 10).toString())
    spill.close()
  })

  it('writes the segment filled least recently when too many keys are being filled', () => {
    const file = join(dir, 'evict.tmp')
    // 32-byte segments, two of them filled at once, each written as soon as it is sealed.
    const spill = createBodySpill(file, 32, 64)
    const a = spill.put(body(0, 5), 'a')
    const b = spill.put(body(1, 5), 'b')
    spill.put(body(2, 5), 'a') // a is now the one filled most recently
    const c = spill.put(body(3, 5), 'c') // b's segment makes room, a's stays
    expect(b.seg.off).toBe(0)
    expect(statSync(file).size).toBe(5)
    expect(a.seg.off).toBe(-1)
    spill.put(body(4, 5), 'd') // now a's
    expect(a.seg.off).toBe(5)
    expect(statSync(file).size).toBe(15)
    expect(c.seg.off).toBe(-1)
    for (const [k, span] of [a, b, c].entries()) {
      expect(spill.read(span).toString()).toBe(body([0, 1, 3][k]!, 5).toString())
    }
    spill.close()
  })

  it('writes segments sealed little filled together, not one write each', () => {
    const file = join(dir, 'churn.tmp')
    // 64 KB segments, one filled at a time: keys put to in turn seal a segment per body.
    const spill = createBodySpill(file, 256 * 1024, 64 * 1024)
    const spans = Array.from({ length: 200 }, (_, k) => spill.put(body(k, 100), `key${k % 2}`))
    // 200 segments of one body each wait, their 20 KB in memory: no write yet.
    expect(existsSync(file)).toBe(false)
    for (const [k, span] of spans.entries()) {
      expect(spill.read(span).toString()).toBe(body(k, 100).toString())
    }
    // A body larger than a segment is written at once, with every segment that waits.
    const big = spill.put(body(7, 70_000), 'big')
    expect(statSync(file).size).toBe(199 * 100 + 70_000)
    const reader = spill.reader([...spans, big])
    for (const [k, span] of spans.entries()) {
      expect(reader.read(span).toString()).toBe(body(k, 100).toString())
    }
    expect(reader.read(big).equals(body(7, 70_000))).toBe(true)
    spill.close()
  })

  it('reads a span whose segment a later put wrote after the reader was made', () => {
    const spill = createBodySpill(join(dir, 'later.tmp'), 32)
    const first = spill.put(body(1, 20), 'x')
    const reader = spill.reader([first])
    expect(first.seg.off).toBe(-1)
    spill.put(body(2, 20), 'x')
    spill.put(body(3, 20), 'x')
    expect(first.seg.off).toBe(0)
    expect(reader.read(first).toString()).toBe(body(1, 20).toString())
    spill.close()
  })

  it('puts part of a buffer: the bytes from `from`, `length` of them, small or larger than a segment', () => {
    const spill = createBodySpill(join(dir, 'part.tmp'), 64)
    const line = Buffer.concat([body(0, 7), body(1, 20), body(2, 100), body(3, 5)])
    const small = spill.put(line, 'k', 7, 20)
    const large = spill.put(line, 'k', 27, 100)
    const last = spill.put(line, 'k', 127)
    expect(spill.size()).toBe(125)
    expect(spill.read(small).toString()).toBe(body(1, 20).toString())
    expect(spill.read(large).toString()).toBe(body(2, 100).toString())
    expect(spill.read(last).toString()).toBe(body(3, 5).toString())
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
    expect(spill.size()).toBe(50)
    expect(spill.read(again).toString()).toBe(body(2, 50).toString())
    // Spans of before a clear are forgotten, in memory or in the file.
    const big = spill.put(body(3, 2000))
    expect(statSync(file).size).toBe(2000)
    spill.clear()
    expect(() => spill.read(again)).toThrow(/emptied/)
    expect(() => spill.read(big)).toThrow(/ends before byte 2000/)
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
