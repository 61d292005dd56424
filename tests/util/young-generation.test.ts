import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The flags are the process's: each case runs in a child process of its own.
const run = (mode: 'capped' | 'free'): { largest: number; kept: number; workerYoung: number } =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [join(import.meta.dirname, 'young-generation-child.mjs'), mode],
      { encoding: 'utf8' },
    ),
  )

describe('holdYoungGeneration, growYoungGenerationTo', () => {
  it('keeps the main thread young generation at the cap where V8 alone grows it past', () => {
    const free = run('free')
    const capped = run('capped')
    expect(free.kept).toBe(600_000)
    expect(capped.kept).toBe(600_000)
    // Without the cap V8 doubles it to its own limit (2 × 16 MB) under this allocation.
    expect(free.largest).toBeGreaterThan(8)
    expect(capped.largest).toBeGreaterThan(0)
    expect(capped.largest).toBeLessThanOrEqual(8)
    // A worker made afterwards starts larger than V8's smallest young generation.
    expect(capped.workerYoung).toBeGreaterThan(free.workerYoung)
  })
})
