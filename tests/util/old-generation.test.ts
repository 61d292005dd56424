import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { growingPercent } from '../../src/util/old-generation.js'

const MB = 1_048_576

describe('growingPercent', () => {
  it('gives a small heap room of slackMb, a large one floorPercent, and never more than 300%', () => {
    expect(growingPercent(10 * MB, 30, 20)).toBe(200)
    expect(growingPercent(40 * MB, 30, 20)).toBe(50)
    // Past slackMb / 0.3 (67 MB at 20 MB) the floor holds, as a fixed 30% did.
    expect(growingPercent(67 * MB, 30, 20)).toBe(30)
    expect(growingPercent(500 * MB, 30, 20)).toBe(30)
    expect(growingPercent(2 * MB, 30, 20)).toBe(300)
    expect(growingPercent(0, 30, 20)).toBe(300)
  })
})

/** Each full collection's heap (MB) and the factor V8 grew its limit by, as V8 traced them. */
const run = (
  mode: 'fixed' | 'slack',
  slackMb = 4,
): { limits: { oldMb: number; factor: number }[]; kept: number } => {
  // The flag is the process's: each case runs in a child process of its own.
  const out = execFileSync(
    process.execPath,
    [
      '--trace-gc-verbose',
      join(import.meta.dirname, 'old-generation-child.mjs'),
      mode,
      String(slackMb),
    ],
    { encoding: 'utf8', maxBuffer: 64 * MB },
  )
  const limits = [
    ...out.matchAll(
      /\[HeapController\] Limit: old size: (\d+) KB, new limit: \d+ KB \(([\d.]+)\)/g,
    ),
  ].map((m) => ({ oldMb: Number(m[1]) / 1024, factor: Number(m[2]) }))
  // V8 may trace a collection after the child's own line: that line is found by its key.
  const kept = out.split('\n').find((line) => line.startsWith('{"kept":'))
  return { limits, kept: JSON.parse(kept ?? 'null')?.kept }
}

describe('growOldGeneration', () => {
  it('lets a small heap grow by slackMb and a large one by floorPercent, where a fixed 30% grows both by 30%', () => {
    // Room of 4 MB: more than 30% below 13.3 MB of heap.
    const slack = run('slack', 4)
    const fixed = run('fixed')
    expect(slack.kept).toBe(600_000)
    expect(fixed.kept).toBe(600_000)
    expect(fixed.limits.length).toBeGreaterThan(2)
    expect(fixed.limits.every((l) => l.factor === 1.3)).toBe(true)
    // Small: the first full collection (V8's first limit is ~8–12 MB; the rule was set at ~5 MB,
    // where 4 MB is 80%) grew it by more.
    expect(slack.limits[0]?.factor).toBeGreaterThan(1.3)
    // Large (twice the 13.3 MB: the rule acts from the collection after the one it saw): 30%.
    const large = slack.limits.filter((l) => l.oldMb > 27)
    expect(large.length).toBeGreaterThan(1)
    expect(large.every((l) => l.factor === 1.3)).toBe(true)
  }, 60_000)

  it('runs fewer full collections than a fixed 30% while the heap is small (room of 20 MB)', () => {
    const slack = run('slack', 20)
    const fixed = run('fixed')
    expect(slack.limits.length).toBeGreaterThan(0)
    expect(slack.limits.length).toBeLessThan(fixed.limits.length)
  }, 60_000)
})
